"""Which column holds what: headings as councils write them ("Est. annual value (£)", "Contract term (yrs)",
"Extension options", "Inc/Ex VAT", "Tender notice date") -> the fields the screening reads.

A heading is matched on its words: the first field whose words all appear in it wins, in the order below
(so "Annual value" is an annual value, not a plain value). `--map "Heading=field"` overrides the guess.
"""
from __future__ import annotations

import re
from typing import Optional

# field -> what it is, in words (shown in "which columns were used for what")
FIELDS = {
    "ref": "the row's reference",
    "title": "title",
    "description": "description",
    "service": "service",
    "cpv": "CPV code",
    "annual_value": "annual value",
    "total_value": "total (whole-life) value",
    "value": "value",
    "term": "term",
    "extensions": "extension options",
    "vat": "VAT",
    "start": "procurement start (first notice or supplier contact)",
    "contract_start": "contract start (read as the procurement start when no column gives that)",
    "route": "route",
    "buyer": "buyer",
}

# (field, words that must all appear in the heading). Order matters: the first match wins.
_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("cpv", ("cpv",)),
    ("vat", ("vat",)),
    ("extensions", ("extension",)),
    ("extensions", ("extend",)),
    ("annual_value", ("annual",)),
    ("annual_value", ("per", "annum")),
    ("annual_value", ("pa",)),
    ("annual_value", ("yearly",)),
    ("annual_value", ("per", "year")),
    ("total_value", ("whole", "life")),
    ("total_value", ("total", "value")),
    ("total_value", ("contract", "value")),
    ("total_value", ("lifetime",)),
    ("total_value", ("aggregate",)),
    ("value", ("value",)),
    ("value", ("budget",)),
    ("value", ("cost",)),
    ("value", ("spend",)),
    ("value", ("amount",)),
    ("value", ("price",)),
    ("value", ("£",)),
    ("term", ("term",)),
    ("term", ("duration",)),
    ("term", ("length",)),
    ("term", ("years",)),
    ("term", ("period",)),
    ("start", ("tender", "date")),
    ("start", ("notice", "date")),
    ("start", ("advert",)),
    ("contract_start", ("go", "live")),
    ("contract_start", ("contract", "start")),
    ("contract_start", ("service", "start")),
    ("start", ("start",)),
    ("start", ("commence",)),
    ("start", ("procurement", "date")),
    ("start", ("quarter",)),
    ("start", ("timescale",)),
    ("start", ("when",)),
    ("start", ("date",)),
    ("route", ("route",)),
    ("route", ("procedure",)),
    ("route", ("method",)),
    ("route", ("approach",)),
    ("route", ("strategy",)),
    ("buyer", ("buyer",)),
    ("buyer", ("authority",)),
    ("buyer", ("organisation",)),
    ("buyer", ("commissioner",)),
    ("ref", ("ref",)),
    ("ref", ("reference",)),
    ("ref", ("id",)),
    ("ref", ("no",)),
    ("ref", ("number",)),
    ("ref", ("#",)),
    ("description", ("description",)),
    ("description", ("scope",)),
    ("description", ("summary",)),
    ("description", ("details",)),
    ("service", ("service",)),
    ("service", ("category",)),
    ("service", ("subject",)),
    ("service", ("requirement",)),
    ("service", ("what",)),
    ("title", ("title",)),
    ("title", ("name",)),
    ("title", ("contract",)),
    ("title", ("project",)),
    ("title", ("procurement",)),
]
_WORD = re.compile(r"[a-z]+|£|#", re.I)


def _words(heading: str) -> set[str]:
    out = set()
    for w in _WORD.findall(heading.lower()):
        out.add(w)
        if w.endswith("s") and len(w) > 3:
            out.add(w[:-1])  # "extensions", "years"
        if w.startswith("commenc"):
            out.add("commence")
        if w.startswith("extension") or w.startswith("extend"):
            out.add("extension")
    return out


def guess_field(heading: str) -> Optional[str]:
    words = _words(heading)
    if not words:
        return None
    for field, needed in _RULES:
        if all(n in words for n in needed):
            return field
    return None


class MapError(ValueError):
    pass


def parse_map(specs: list[str]) -> dict[str, str]:
    """["Our ref=ref", "Spend=annual_value"] -> {"our ref": "ref", "spend": "annual_value"}; a field "ignore"
    leaves the column out."""
    out: dict[str, str] = {}
    for spec in specs:
        heading, sep, field = spec.rpartition("=")
        field = field.strip()
        if not sep or not heading.strip():
            raise MapError(f"'{spec}' is not 'Column heading=field'")
        if field not in FIELDS and field != "ignore":
            raise MapError(f"'{field}' is not a field; use one of: {', '.join(FIELDS)}, ignore")
        out[_key(heading)] = field
    return out


def _key(heading: str) -> str:
    return " ".join(heading.split()).lower()


def assign(headings: list[str], overrides: Optional[dict[str, str]] = None) -> dict[int, str]:
    """Column index -> field. Several columns may feed one text field (title and description are read
    together); for a one-value field (ref, value, term, VAT, start date, buyer) the first column wins."""
    overrides = overrides or {}
    out: dict[int, str] = {}
    taken: set[str] = set()
    for i, h in enumerate(headings):
        field = overrides.get(_key(h)) if _key(h) in overrides else guess_field(h)
        if field is None or field == "ignore":
            continue
        if field in taken and field not in ("title", "description", "service", "route"):
            continue
        out[i] = field
        taken.add(field)
    return out


def unknown_overrides(headings: list[str], overrides: dict[str, str]) -> list[str]:
    """The --map headings that name no column of the file."""
    have = {_key(h) for h in headings}
    return [h for h in overrides if h not in have]


__all__ = ["FIELDS", "MapError", "assign", "guess_field", "parse_map", "unknown_overrides"]
