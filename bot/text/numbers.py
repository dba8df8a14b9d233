"""Tokens and numbers shared by the parsers: numerals ("650,000", "1.2") and number words
("two hundred and fifty", "one point two", "half", "a quarter").

Tokens keep their character offsets so every parser can report where it found something.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

# A numeral with thousands separators must have groups of exactly three digits ("1,2,3" is a list).
_TOKEN_RE = re.compile(
    r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?![0-9])"
    r"|[0-9]+(?:\.[0-9]+)?"
    r"|\.[0-9]+"
    r"|[^\W\d_]+"
    r"|\S",
)
_DIGITS = frozenset("0123456789")


@dataclass(frozen=True)
class Token:
    text: str
    lower: str
    start: int
    end: int

    @property
    def is_num(self) -> bool:
        t = self.text
        return t[0] in _DIGITS or (t[0] == "." and len(t) > 1 and t[1] in _DIGITS)

    @property
    def is_word(self) -> bool:
        return self.text[0].isalpha()

    def number(self) -> Decimal:
        return Decimal(self.text.replace(",", ""))


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.group().lower(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


UNITS = {
    "zero": 0, "nil": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
FRACTIONS = {"half": Decimal("0.5"), "quarter": Decimal("0.25"), "quarters": Decimal("0.25"),
             "third": Decimal(1) / 3, "thirds": Decimal(1) / 3}
# Regex alternation for callers that need number words inside a pattern.
NUMBER_WORDS = "|".join(sorted(list(UNITS) + list(TENS) + ["a", "an", "hundred"], key=len, reverse=True))


def parse_cardinal(tokens: list[Token], i: int) -> Optional[tuple[Decimal, int]]:
    """Number words below a thousand, with an optional "point" decimal: "two hundred and fifty",
    "seventy-five", "one point two", "a hundred". Returns (value, index after) or None."""
    n = len(tokens)
    if i >= n:
        return None
    w = tokens[i].lower
    value: Decimal
    j = i
    if w in UNITS:
        value = Decimal(UNITS[w])
        j += 1
    elif w in TENS:
        value = Decimal(TENS[w])
        j += 1
        j, value = _unit_after_tens(tokens, j, value)
    elif w in ("a", "an") and j + 1 < n and tokens[j + 1].lower == "hundred":
        value = Decimal(1)
        j += 1
    else:
        return None
    if j < n and tokens[j].lower == "hundred":
        value *= 100
        j += 1
        k = j + 1 if j < n and tokens[j].lower == "and" else j
        if k < n and tokens[k].lower in UNITS and UNITS[tokens[k].lower] > 0:
            value += UNITS[tokens[k].lower]
            j = k + 1
        elif k < n and tokens[k].lower in TENS:
            j, value = _unit_after_tens(tokens, k + 1, value + TENS[tokens[k].lower])
    if j + 1 < n and tokens[j].lower == "point" and tokens[j + 1].lower in UNITS and UNITS[tokens[j + 1].lower] < 10:
        digits = ""
        k = j + 1
        while k < n and tokens[k].lower in UNITS and UNITS[tokens[k].lower] < 10:
            digits += str(UNITS[tokens[k].lower])
            k += 1
        value += Decimal("0." + digits)
        j = k
    return value, j


def _unit_after_tens(tokens: list[Token], j: int, value: Decimal) -> tuple[int, Decimal]:
    n = len(tokens)
    k = j + 1 if j < n and tokens[j].text == "-" else j
    if k < n and tokens[k].lower in UNITS and 0 < UNITS[tokens[k].lower] < 10:
        return k + 1, value + UNITS[tokens[k].lower]
    return j, value


def parse_number(tokens: list[Token], i: int) -> Optional[tuple[Decimal, int]]:
    """A numeral token or number words."""
    if i < len(tokens) and tokens[i].is_num:
        return tokens[i].number(), i + 1
    return parse_cardinal(tokens, i)


def small_number(text: str) -> Optional[float]:
    """"3", "3.5", "three", "twenty-four", "a"/"an" (= 1): for terms and counts, not money."""
    t = text.strip().lower().replace("-", " ")
    if t in ("a", "an", "one"):
        return 1.0
    toks = tokenize(t)
    if not toks:
        return None
    got = parse_number(toks, 0)
    if got is None or got[1] != len(toks):
        return None
    return float(got[0])


def to_float(d: Decimal) -> float:
    """Money and years as floats without binary noise (1.2 * 10**6 is exactly 1200000.0)."""
    return float(round(d, 2))
