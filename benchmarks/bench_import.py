"""``import smtplab`` (and reaching ``smtplab.Session``) vs importing aiosmtpd and aiosmtplib.

Each figure is the median wall time of a fresh ``python -c`` subprocess (so nothing is cached in
the process), runs alternating between ours and the anchor. Goal: at most 1.2x the anchor. It also
checks that ``import smtplab`` leaves ipywidgets unimported: widgets cost seconds and belong to
notebooks that ask for them.

    .venv/bin/python benchmarks/bench_import.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

GOAL = 1.2
OURS = "import smtplab; smtplab.Session"
ANCHOR = "import aiosmtpd.controller, aiosmtplib"
NO_WIDGETS = (
    "import sys, smtplab; smtplab.Session; "
    "assert 'ipywidgets' not in sys.modules, 'import smtplab pulled in ipywidgets'"
)


def run(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    run(NO_WIDGETS)
    run("pass")  # warm the OS file cache for both sides
    ours, anchor, bare = [], [], []
    for _ in range(args.runs):
        ours.append(run(OURS))
        anchor.append(run(ANCHOR))
        bare.append(run("pass"))
    start = statistics.median(bare)
    base, mine = statistics.median(anchor), statistics.median(ours)
    ratio = mine / base
    verdict = "ok" if ratio <= GOAL else "MISSED"
    print(
        f"fresh-interpreter import time, median of {args.runs} runs (python -c pass: "
        f"{start * 1e3:.0f} ms)"
    )
    print(f"  anchor  {ANCHOR:<40} {base * 1e3:7.0f} ms")
    print(f"  ours    {OURS:<40} {mine * 1e3:7.0f} ms  {ratio:5.2f}x  goal <= {GOAL}x {verdict}")
    print("  ipywidgets not imported by `import smtplab`: ok")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
