"""VAT status words: "ex VAT", "exc VAT", "inc. VAT", "including VAT", "+VAT", "VAT exempt".

Statuses are the Case's: 'included', 'excluded', 'exempt' (and 'unknown' from `facts.parse_vat_status`).
"""
from __future__ import annotations

import re
from typing import Optional

_V = r"v\.?\s?a\.?\s?t\b\.?"  # "VAT", "V.A.T."

# Order matters: "not including VAT" is excluded, so negated forms are tried first.
_PATTERNS: list[tuple[str, str]] = [
    ("exempt", rf"(?:{_V}\s*[- ]?\s*(?:exempt|free)\b|exempt\s+(?:from\s+)?{_V}|no\s+{_V}(?!\s*(?:included|inc|on\s+top))"
               rf"|not\s+(?:subject|liable)\s+to\s+{_V}|outside\s+(?:the\s+)?scope\s+of\s+{_V}|without\s+any\s+{_V}"
               rf"|{_V}\s+(?:is\s+not|isn't|is\s+never|won't\s+be|will\s+not\s+be)\s+(?:charged|payable|applicable))"),
    ("excluded", rf"(?:(?:not|n't)\s+(?:including|incl\.?|inclusive\s+of|inc\.?)\s+{_V}"
                 rf"|(?:does\s+not|doesn't|don't|do\s+not)\s+include\s+(?:the\s+)?{_V}"
                 rf"|exclude[sd]?\s+(?:the\s+)?{_V}|{_V}\s+(?:is|isn't|is\s+not)\s+(?:excluded|extra|on\s+top|not\s+included|added)"
                 rf"|excl?(?:uding|usive|ud)?\b\.?\s*(?:of\s+)?(?:the\s+)?{_V}"
                 rf"|ex\b\.?\s*[- ]?\s*{_V}|exc\b\.?\s*{_V}|excl\b\.?\s*{_V}"
                 rf"|\+\s*{_V}|plus\s+{_V}|net\s+of\s+{_V}|before\s+{_V}|without\s+{_V}|pre[- ]?{_V}"
                 rf"|{_V}\s*(?:excluded|exclusive|exc\b\.?|excl\b\.?|ex\b\.?|not\s+included|on\s+top|extra|is\s+extra|to\s+be\s+added)"
                 rf"|(?:before|excluding|excl\.?|ex)\s+tax)"),
    ("included", rf"(?:(?:including|incl?\b\.?|inclusive\s+of|includes|with)\s+(?:the\s+)?{_V}|incl?\.?\s*{_V}"
                 rf"|{_V}\s*[- ]?\s*(?:included|inclusive|incl?\b\.?|inc\b\.?)|{_V}\s+is\s+(?:already\s+)?included"
                 rf"|after\s+{_V}|including\s+tax)"),
]
_COMPILED = [(status, re.compile(p, re.I)) for status, p in _PATTERNS]
# Statuses said without the word VAT, accepted only straight after an amount ("£700k net").
_BARE_AFTER_AMOUNT = [
    ("excluded", re.compile(r"(?:net|ex|exc|excl|exclusive)\b\.?", re.I)),
    ("included", re.compile(r"(?:inc|incl|inclusive|gross)\b\.?", re.I)),
]


def vat_at(text: str, pos: int, bare: bool = False) -> Optional[tuple[str, int]]:
    """The VAT status starting exactly at `pos` (after optional brackets), and where it ends."""
    m0 = re.compile(r"[\s(\[]*").match(text, pos)
    p = m0.end() if m0 else pos
    for status, rx in _COMPILED:
        m = rx.match(text, p)
        if m:
            return status, _close_bracket(text, m.end())
    if bare:
        for status, rx in _BARE_AFTER_AMOUNT:
            m = rx.match(text, p)
            if m:
                return status, _close_bracket(text, m.end())
    return None


def find_vat(text: str) -> list[tuple[str, int, int]]:
    """Every VAT status in the text as (status, start, end), left to right, non-overlapping."""
    found: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []
    for status, rx in _COMPILED:
        for m in rx.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            if status == "included" and re.search(r"(?:not|n't)\s+$", text[max(0, m.start() - 5):m.start()], re.I):
                continue
            found.append((status, m.start(), m.end()))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda f: f[1])


def _close_bracket(text: str, end: int) -> int:
    m = re.compile(r"\s*[)\]]").match(text, end)
    return m.end() if m else end
