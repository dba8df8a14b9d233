"""The whole CPV 2008 vocabulary (Regulation (EC) No 213/2008), read from knowledge/cpv-2008.csv.

Officers copy codes from Find a Tender with their check digit ("85312000-9") or without it ("85312000").
The shipped list carries no check digits, so the digit after the hyphen is accepted but not verified:
the eight-digit code alone identifies the entry. Pure: no network, loaded once.
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path
from typing import Optional

CSV_PATH = Path(__file__).parent / "knowledge" / "cpv-2008.csv"
_CODE = re.compile(r"^\s*(?:cpv\s*(?:code)?\s*:?\s*)?(\d{8})(?:\s*-\s*\d)?\s*$", re.IGNORECASE)


def normalise(code: str) -> Optional[str]:
    """The eight-digit code in "85312000", "85312000-9" or "CPV 85312000-9"; None if not of that shape."""
    m = _CODE.match(code or "")
    return m.group(1) if m else None


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    out: dict[str, str] = {}
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code, text = row["code"].strip(), row["description"].strip()
            # The source list has one stray row whose "description" is itself a code; it names nothing.
            if re.fullmatch(r"\d{8}", code) and re.search(r"[A-Za-z]", text):
                out[code] = text
    return out


def exists(code: str) -> bool:
    """Is this a CPV 2008 code (check digit optional)?"""
    c = normalise(code)
    return c is not None and c in _table()


def describe(code: str) -> Optional[str]:
    """The official English description of a CPV 2008 code, or None if there is no such code."""
    c = normalise(code)
    return _table().get(c) if c else None


def codes() -> dict[str, str]:
    """Every code and its description (a copy; the catalogue itself stays read-only)."""
    return dict(_table())


# ---- code ranges ("85000000-85323000") in the statutory lists -------------------------------------------


@lru_cache(maxsize=256)
def _spans(items: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    out = []
    for item in items:
        lo, _, hi = item.partition("-")
        out.append((int(lo), int(hi or lo)))
    return tuple(out)


def cpv_in(code: str, items: list[str]) -> bool:
    n = int(code)
    return any(lo <= n <= hi for lo, hi in _spans(tuple(items)))
