"""Every data file of the catalog formats validates against its JSON Schema in ``data/schema``."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

DATA = Path(__file__).resolve().parent.parent / "data"
SCHEMAS = DATA / "schema"

# data file pattern (relative to data/) -> schema file
FORMATS = {
    "catalog/basic.json": "basic.schema.json",
    "catalog/*/basic.json": "basic-text.schema.json",
    "catalog/enhanced.json": "enhanced.schema.json",
    "catalog/*/enhanced.json": "enhanced-text.schema.json",
    "i18n/ui.json": "ui.schema.json",
    "i18n/phrases.json": "phrases.schema.json",
    "glossary.json": "glossary.schema.json",
}
# The catalog's part of data/ (personalities, quizzes… are other formats, checked by their owners).
CATALOG_FILES = ("catalog/**/*.json", "i18n/*.json", "glossary.json")


def _cases() -> list[tuple[Path, str]]:
    return [(path, schema) for pattern, schema in FORMATS.items() for path in DATA.glob(pattern)]


def _load(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("schema", sorted(set(FORMATS.values())))
def test_schemas_are_valid_json_schemas(schema: str) -> None:
    jsonschema.Draft202012Validator.check_schema(_load(SCHEMAS / schema))


@pytest.mark.parametrize(("path", "schema"), _cases(), ids=lambda v: str(v).split("data/")[-1])
def test_data_file_matches_its_schema(path: Path, schema: str) -> None:
    validator = jsonschema.Draft202012Validator(_load(SCHEMAS / schema))
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(_load(path))
    ]
    assert not errors, "\n".join(errors[:20])


def test_every_catalog_data_file_has_a_schema() -> None:
    covered = {path for path, _ in _cases()}
    files = [path for pattern in CATALOG_FILES for path in DATA.glob(pattern)]
    assert files
    assert sorted(set(files) - covered) == []
    for required in ("catalog/basic.json", "catalog/en/basic.json", "catalog/vi/basic.json",
                     "catalog/enhanced.json", "catalog/en/enhanced.json",
                     "catalog/vi/enhanced.json", "i18n/ui.json", "glossary.json"):  # fmt: skip
        assert DATA / required in covered, required


def test_a_malformed_entry_is_rejected() -> None:
    """The schema can fail: a code with a class digit 7 and no commands list is refused."""
    validator = jsonschema.Draft202012Validator(_load(SCHEMAS / "basic.schema.json"))
    good = _load(DATA / "catalog" / "basic.json")
    assert isinstance(good, dict)
    bad = {"codes": [dict(good["codes"][0], code=799)]}
    del bad["codes"][0]["commands"]
    assert len(list(validator.iter_errors(bad))) == 2
