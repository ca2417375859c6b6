"""Which HELO/EHLO names a server accepts, for personalities whose server checks them.

Why: OpenSMTPD refuses a HELO/EHLO whose argument is not a host name or an address literal
(its ``valid_domainpart()``: the resolver's host-name rule, or ``[1.2.3.4]`` / ``[IPv6:…]``);
most other servers take any word. The rules here are the RFC 952/1123 host-name shape those
checks implement, not anyone's code.
"""

from __future__ import annotations

import ipaddress

MAX_NAME = 255  # a longer name does not fit OpenSMTPD's domain buffer


def _border(c: str) -> bool:
    return c.isascii() and c.isalnum()


def is_host_name(name: str) -> bool:
    """Letters, digits, '-' and '_' in dot-separated labels; a label starts and ends with a
    letter or digit (the resolver's ``res_hnok`` rule, which lets empty labels pass)."""
    for label in name.split("."):
        if not label:
            continue
        if not (_border(label[0]) and _border(label[-1])):
            return False
        if not all(_border(c) or c in "-_" for c in label):
            return False
    return True


def is_valid_helo_name(name: str, rule: str) -> bool:
    """Whether a server with ``rule`` (``"hostname"``) accepts ``name`` after HELO/EHLO."""
    if rule != "hostname":
        return True
    if name.startswith("["):
        inner = name[1:]
        if inner[:5].lower() == "ipv6:":
            inner = inner[5:]
        if not inner.endswith("]") or len(inner) > MAX_NAME:
            return False
        try:
            ipaddress.ip_address(inner[:-1])
        except ValueError:
            return False
        return True
    return 0 < len(name) <= MAX_NAME and not name.endswith(".") and is_host_name(name)
