"""Amounts of money in pounds, as officers type them.

    >>> [m.amount_gbp for m in parse_money("about £1.2m over 5 yrs ex VAT")]
    [1200000.0]

What counts as money: a number with a pound sign or "GBP"/"pounds"/"quid", or with a multiplier
("650k", "1.2 mil", "half a million"), or a bare number of 10,000 or more written like an amount
("650,000", "700000"). Never money: years ("2026"), CPV codes ("85312000", "85312000-8"), dates,
terms ("36 months", "4+1+1"), percentages, or counts ("5k residents").

A range ("£600k-£700k", "between 600 and 700 thousand") is one Money whose amount is the top of the
range (a value estimate must not be understated) and whose `low_gbp` is the bottom.

`period` is 'total', 'year' or 'month' when stated, None when not. Unit rates are reported with
period 'week', 'day' or 'hour' so callers can tell they are not a contract value.
`vat` is 'included', 'excluded', 'exempt' or None.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, Optional

from bot.text.numbers import FRACTIONS, NUMBER_WORDS, Token, parse_number, small_number, to_float, tokenize
from bot.text.vat import find_vat, vat_at


@dataclass(frozen=True)
class Money:
    amount_gbp: float
    period: Optional[str] = None  # 'total' | 'year' | 'month' | 'week' | 'day' | 'hour' | None
    vat: Optional[str] = None  # 'included' | 'excluded' | 'exempt' | None
    years: Optional[float] = None  # "over 5 yrs", "a year for 4 years"
    start: int = 0
    end: int = 0
    text: str = ""
    low_gbp: Optional[float] = None  # bottom of a range, else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, used as the value of the `money` entity."""
        d = asdict(self)
        return {k: v for k, v in d.items() if v is not None and k not in ("start", "end", "text")}


_MULTIPLIERS = {
    "k": 10**3, "thousand": 10**3, "thousands": 10**3, "thou": 10**3, "grand": 10**3, "thousnd": 10**3, "thousad": 10**3,
    "m": 10**6, "mil": 10**6, "mill": 10**6, "mils": 10**6, "mn": 10**6, "mln": 10**6, "million": 10**6,
    "millions": 10**6, "milion": 10**6, "millon": 10**6, "mllion": 10**6, "milllion": 10**6, "mio": 10**6,
    "bn": 10**9, "billion": 10**9, "billions": 10**9, "bil": 10**9,
}
# "b" for billion only after a pound sign; otherwise too ambiguous ("plan b", "2b").
_CURRENCY_ONLY_MULTIPLIERS = {"b": 10**9}
_PREFIX_CURRENCY = {"£", "gbp", "stg", "ukp"}
_SUFFIX_CURRENCY = {"pounds", "pound", "quid", "gbp", "sterling", "pound's", "£"}
_FOREIGN_CURRENCY = {"€", "$", "eur", "euro", "euros", "usd", "dollars", "dollar"}
# A multiplier followed by one of these is a count, not money ("5k residents", "2m people").
_COUNT_NOUNS = re.compile(
    r"\s*(?:people|persons|residents|users|service\s+users|clients|patients|children|kids|pupils|students|"
    r"adults|households|families|hours|hrs|visits|beds|places|staff|employees|miles|km|kilomet\w+|words|"
    r"calls|meals|journeys|sessions|items|units|population|inhabitants|tenants|homes|properties|square|sq|"
    r"metres|meters|cases|referrals|contacts|appointments|nights|steps|views|downloads|"
    r"members|volunteers|carers|older\s+people|individuals|lives|bed\s+nights|placements|packages|"
    r"%|percent|per\s*cent)\b",
    re.I,
)

_NUM = rf"(?:\d+(?:\.\d+)?|{NUMBER_WORDS})"
_PERIODS: list[tuple[str, re.Pattern[str]]] = [
    ("month", re.compile(
        r"(?:per\s+(?:calendar\s+)?month|a\s+month|an?\s+mth|per\s+mth|each\s+month|every\s+month|monthly|pcm\b|p\.c\.m\.?"
        r"|/\s*(?:month|mth|mo|m|pcm)\b|pm\b|p/m\b)", re.I)),
    ("year", re.compile(
        r"(?:per\s+an+um|per\s+annu?m|pr\s+an+um|p\s*annum|per\s+(?:financial\s+)?year|per\s+yr|an?\s+(?:financial\s+)?year|an?\s+yr\b|each\s+year"
        r"|every\s+year|annually|yearly|annual\b|a\s+annum|p\s*\.\s*a\b\.?|p/a\b|pa\b|/\s*(?:year|yr|y|annum|pa|a)\b|yr\b)", re.I)),
    ("week", re.compile(r"(?:per\s+week|a\s+week|each\s+week|weekly|pw\b|p/w\b|/\s*(?:week|wk|w)\b|(?:a|per)\s+wk\b)", re.I)),
    ("day", re.compile(r"(?:per\s+day|a\s+day|daily|/\s*day\b)", re.I)),
    ("hour", re.compile(r"(?:per\s+hour|an\s+hour|hourly|ph\b|p/h\b|/\s*(?:hour|hr|h)\b)", re.I)),
    ("total", re.compile(
        r"(?:in\s+total|total\b|overall\b|all\s+in\b|altogether|all\s+together|in\s+all\b|whole[\s-]+life\b|lifetime\b|tcv\b"
        r"|over\s+the\s+(?:whole\s+|full\s+|entire\s+)?(?:life(?:time)?|term|duration|length)(?:\s+of\s+the\s+(?:contract|deal))?"
        r"|over\s+the\s+(?:whole\s+|full\s+|entire\s+)?contract(?:\s+(?:term|period|life))?"
        r"|for\s+the\s+(?:whole|full|entire)\s+(?:contract|term|period)(?:\s+(?:term|period))?)", re.I)),
]
_OVER_YEARS = re.compile(
    rf"(?P<how>over|across|for|spread\s+over|covering|lasting)\s+(?:a\s+(?:period|term)\s+of\s+)?(?:the\s+)?"
    rf"(?:(?:next|first|initial|whole|full|entire)\s+)?(?P<n>{_NUM}(?:\s+and\s+a\s+half)?)\s*-?\s*"
    rf"(?P<u>years?|yrs?|y|months?|mths?)\b", re.I)
_PUNCT = re.compile(r"[\s,;:()\[\]\-–—]*")
_FILLER = re.compile(
    r"(?:[\s,;:()\[\]\-–—]|\b(?:that's|that\s+is|which\s+is|i\.e\.?|approx\.?|roughly|and|so|or|about|around|it's|its|is|all)\b)*",
    re.I)
_PREFIX_PERIOD = re.compile(
    r"\b(?P<p>annual(?:ly)?|yearly|per\s+(?:year|annum)|a\s+year|each\s+year|monthly|per\s+month|a\s+month|each\s+month|"
    r"total|whole[\s-]+life|lifetime|overall|in\s+total|weekly|per\s+week|hourly|per\s+hour)\b", re.I)
_PREFIX_PERIOD_NAMES = {"annual": "year", "annually": "year", "yearly": "year", "per year": "year", "per annum": "year",
                        "a year": "year", "each year": "year", "monthly": "month", "per month": "month",
                        "a month": "month", "each month": "month", "total": "total", "whole life": "total",
                        "whole-life": "total", "lifetime": "total", "overall": "total", "in total": "total",
                        "weekly": "week", "per week": "week", "hourly": "hour", "per hour": "hour"}


@dataclass
class _Amount:
    value: Decimal
    start: int  # token index
    end: int  # token index after
    currency: bool
    mult: int  # 1 when no multiplier was said
    plain: bool = False  # a lone numeral ("600" in "600-700k")

    @property
    def multiplier(self) -> bool:
        return self.mult > 1


def parse_money(text: str) -> list[Money]:
    """Every amount of money in `text`, left to right."""
    if not text:
        return []
    tokens = tokenize(text)
    found: list[Money] = []
    i = 0
    tail_end = 0  # character offset where the previous amount's tail ended
    while i < len(tokens):
        amount = _amount_at(tokens, i)
        if amount is None:
            bare = _bare_range_start(tokens, i)
            low, amount = _range(tokens, bare) if bare is not None else (None, None)
            if low is None or amount is None:
                i += 1
                continue
        else:
            low, amount = _range(tokens, amount)
        start_char = tokens[amount.start if low is None else low.start].start
        end_char = tokens[amount.end - 1].end
        period, vat, years, end_char = _tail(text, end_char)
        if period is None:
            period = _prefix_period(text, tail_end, start_char)
        if amount.value <= 0:
            i = amount.end
            continue
        found.append(Money(
            amount_gbp=to_float(amount.value), period=period, vat=vat, years=years,
            start=start_char, end=end_char, text=text[start_char:end_char],
            low_gbp=to_float(low.value) if low is not None else None,
        ))
        tail_end = end_char
        i = amount.end
        while i < len(tokens) and tokens[i].start < end_char:
            i += 1
    return _attach_loose_vat(text, found)


def _amount_at(tokens: list[Token], i: int, after_currency: bool = False) -> Optional[_Amount]:
    """An amount starting at token i, or None if what is there is not money."""
    n = len(tokens)
    start = i
    currency = after_currency
    if tokens[i].lower in _PREFIX_CURRENCY:
        currency = True
        i += 1
        if i < n and tokens[i].lower in _PREFIX_CURRENCY:  # "£ GBP" typed twice
            i += 1
    if i >= n:
        return None
    if _is_foreign(tokens, start):
        return None
    q = _quantity(tokens, i, currency)
    if q is None:
        return None
    value, j, mult, bare_token = q
    has_mult = mult > 1
    if j < n and tokens[j].lower in _SUFFIX_CURRENCY and not (tokens[j].text == "£" and j + 1 < n and tokens[j + 1].is_num):
        # "Year 3 £1.4m": a pound sign before a number starts the next amount, it does not end this one
        currency = True
        j += 1
    elif j < n and tokens[j].lower in _FOREIGN_CURRENCY:
        return None
    if not currency:
        if has_mult:
            if _COUNT_NOUNS.match(_rest(tokens, j)):
                return None
        elif bare_token is None or not _bare_number_is_money(tokens, i, bare_token):
            return None
    return _Amount(value, start, j, currency, mult, plain=bare_token is not None)


def _quantity(tokens: list[Token], i: int, currency: bool) -> Optional[tuple[Decimal, int, int, Optional[Token]]]:
    """(value in pounds, index after, the multiplier said (1 if none), the lone numeral token if that is all it was)."""
    n = len(tokens)
    frac = _fraction_of_multiplier(tokens, i)
    if frac is not None:
        return frac[0], frac[1], frac[2], None
    lead_a = tokens[i].lower in ("a", "an") and i + 1 < n and _multiplier(tokens[i + 1], currency) is not None
    if lead_a:
        value, j = Decimal(1), i + 1
    else:
        got = parse_number(tokens, i)
        if got is None:
            return None
        value, j = got
        if (tokens[i].is_num and j < n and tokens[j].is_num and tokens[j].start - tokens[j - 1].end == 1
                and len(tokens[j].text) == 3):
            return None  # "12 500": thousands grouped with a space, not an amount we can read safely ("£1.2m 3+1" is)
    value, j = _and_a_half(tokens, j, value)
    mult = _multiplier(tokens[j], currency) if j < n else None
    if mult is None:
        bare = tokens[i] if (j == i + 1 and tokens[i].is_num) else None
        return value, j, 1, bare
    value *= mult
    j += 1
    # "a million and a half"
    if j + 2 < n and [t.lower for t in tokens[j:j + 3]] == ["and", "a", "half"]:
        value += Decimal(mult) / 2
        j += 3
    # "1 million 200 thousand", "£1m 200k"
    if mult >= 10**6 and j < n:
        k = j + 1 if tokens[j].lower == "and" else j
        more = parse_number(tokens, k) if k < n else None
        if more is not None and more[1] < n:
            m2 = _multiplier(tokens[more[1]], currency)
            if m2 is not None and m2 < mult and more[0] * m2 < mult:
                value += more[0] * m2
                j = more[1] + 1
    return value, j, mult, None


def _fraction_of_multiplier(tokens: list[Token], i: int) -> Optional[tuple[Decimal, int, int]]:
    """"half a million", "a quarter of a million", "three quarters of a mil", "half a bn"."""
    n = len(tokens)
    j = i
    count = Decimal(1)
    if j < n and tokens[j].lower in ("a", "an", "one"):
        j += 1
    elif j < n and tokens[j].lower not in FRACTIONS:
        got = parse_number(tokens, j)
        if got is None:
            return None
        count, j = got
    if j >= n or tokens[j].lower not in FRACTIONS:
        return None
    frac = FRACTIONS[tokens[j].lower]
    j += 1
    if j < n and tokens[j].lower == "of":
        j += 1
    if j < n and tokens[j].lower in ("a", "an"):
        j += 1
    if j >= n:
        return None
    mult = _multiplier(tokens[j], False)
    if mult is None or mult < 10**6 and tokens[j].lower not in ("thousand", "grand"):
        return None
    return count * frac * mult, j + 1, mult


def _and_a_half(tokens: list[Token], j: int, value: Decimal) -> tuple[Decimal, int]:
    if j + 2 < len(tokens) and [t.lower for t in tokens[j:j + 3]] == ["and", "a", "half"]:
        return value + Decimal("0.5"), j + 3
    return value, j


def _multiplier(tok: Token, currency: bool) -> Optional[int]:
    m = _MULTIPLIERS.get(tok.lower)
    if m is None and currency:
        m = _CURRENCY_ONLY_MULTIPLIERS.get(tok.lower)
    return m


def _is_foreign(tokens: list[Token], i: int) -> bool:
    return i > 0 and tokens[i - 1].lower in _FOREIGN_CURRENCY and tokens[i - 1].end == tokens[i].start


def _rest(tokens: list[Token], j: int) -> str:
    if j >= len(tokens):
        return ""
    return " " + " ".join(t.text for t in tokens[j:j + 3])


def _bare_number_is_money(tokens: list[Token], i: int, tok: Token) -> bool:
    """A number with no pound sign and no multiplier: money only if it looks like an amount."""
    digits = tok.text.replace(",", "").split(".")[0]
    if "," not in tok.text and len(digits) == 8:
        return False  # a CPV code
    if "," not in tok.text and not 5 <= len(digits) <= 7:
        return False
    if tok.number() < 10_000:
        return False
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    prev = tokens[i - 1] if i > 0 else None
    if nxt is not None and nxt.text in ("-", "/", ".", "+", "%") and nxt.start == tok.end:
        after = tokens[i + 2] if i + 2 < len(tokens) else None
        if nxt.text == "%" or (after is not None and after.is_num and after.start == nxt.end):
            return False  # "85312000-8", "01/04/2026", "4+1"
    if prev is not None and prev.text in ("-", "/", "+", "#") and prev.end == tok.start:
        return False
    if prev is not None and prev.lower in ("cpv", "code", "ref", "reference", "no", "number", "tel", "phone", "lot", "id"):
        return False
    if _COUNT_NOUNS.match(_rest(tokens, i + 1)):
        return False
    return True


def _bare_range_start(tokens: list[Token], i: int) -> Optional[_Amount]:
    """The "600" of "600-700k" or "between 600 and 700 thousand": not money until the range says so."""
    if not tokens[i].is_num or i + 2 >= len(tokens):
        return None
    if tokens[i + 1].lower in ("-", "–", "—", "to") or (
        tokens[i + 1].lower == "and" and i > 0 and tokens[i - 1].lower == "between"
    ):
        return _Amount(tokens[i].number(), i, i + 1, False, 1, plain=True)
    return None


def _range(tokens: list[Token], first: _Amount) -> tuple[Optional[_Amount], _Amount]:
    """"£600k-£700k", "600-700k", "£600k to £700k", "between 600 and 700 thousand"."""
    n = len(tokens)
    j = first.end
    if j >= n or tokens[j].lower not in ("-", "–", "—", "to", "and", "or"):
        return None, first
    if tokens[j].lower in ("and", "or") and not (first.start > 0 and tokens[first.start - 1].lower == "between"):
        return None, first
    if j + 1 >= n:
        return None, first
    second = _amount_at(tokens, j + 1, after_currency=first.currency)
    if second is None:
        return None, first
    if not second.multiplier and second.plain and not (j + 1 < n and tokens[j + 1].lower in _PREFIX_CURRENCY):
        if second.value == second.value.to_integral() and 1900 <= second.value <= 2100:
            return None, first  # "£2,000 to 2026" is not a range
    if not (second.currency or second.multiplier or first.multiplier or first.currency):
        return None, first
    low = first
    if first.plain and first.mult == 1 and second.multiplier:
        scaled = first.value * second.mult
        if scaled <= second.value:
            low = _Amount(scaled, first.start, first.end, first.currency, second.mult)
    if second.value < low.value or (not first.currency and not first.multiplier and low is first):
        return None, first
    return low, second


def _tail(text: str, pos: int) -> tuple[Optional[str], Optional[str], Optional[float], int]:
    """Period, VAT and "over N years" stated straight after an amount, in any order."""
    period: Optional[str] = None
    vat: Optional[str] = None
    years: Optional[float] = None
    end = pos
    for _ in range(4):
        near = _PUNCT.match(text, end).end()  # type: ignore[union-attr]
        f = _FILLER.match(text, end)
        far = f.end() if f else near
        if re.search(r"[.!?]\s", text[end:far + 1]) and not re.search(r"\bi\.e", text[end:far], re.I):
            far = near
        if vat is None:
            got = vat_at(text, far) or vat_at(text, near, bare=True)
            if got:
                vat, end = got
                continue
        if period is None:
            hit = next(((name, m) for name, rx in _PERIODS if (m := rx.match(text, near))), None)
            if hit:
                period, end = hit[0], hit[1].end()
                continue
        if years is None:
            m = _OVER_YEARS.match(text, near)
            if m and (y := _years(m.group("n"), m.group("u"))) is not None:
                years, end = y, m.end()
                period = period or "total"
                continue
        break
    return period, vat, years, end


def _years(n: str, unit: str) -> Optional[float]:
    half = n.lower().endswith("and a half")
    base = small_number(n[: -len("and a half")].strip() if half else n)
    if base is None:
        return None
    base += 0.5 if half else 0
    return round(base / 12, 4) if unit.lower().startswith("m") else base


def _prefix_period(text: str, window_start: int, amount_start: int) -> Optional[str]:
    """"annual value of £250k", "total budget is about £1.2m": the period said before the amount."""
    window = text[max(window_start, amount_start - 45):amount_start]
    last = None
    for m in _PREFIX_PERIOD.finditer(window):
        last = m
    if last is None:
        return None
    key = re.sub(r"\s+", " ", last.group("p").lower())
    period = _PREFIX_PERIOD_NAMES.get(key)
    between = window[last.end():]
    if re.search(r"[.!?;]", between) or (period != "total" and re.search(r"\d", between)):
        return None
    return period


def _attach_loose_vat(text: str, found: list[Money]) -> list[Money]:
    """A VAT status said apart from the amount ("It's £700k. That figure excludes VAT.") goes to the
    nearest amount before it (or the first one after it) that has no VAT status yet."""
    if not found or all(m.vat for m in found):
        return found
    loose = [v for v in find_vat(text) if not any(m.start <= v[1] < m.end for m in found)]
    loose += [("excluded", m.start(), m.end()) for m in re.finditer(r"\b(?:excludes|exclude)\s+(?:the\s+)?vat\b", text, re.I)
              if not any(v[1] <= m.start() < v[2] for v in loose)]
    loose += [("included", m.start(), m.end()) for m in re.finditer(r"(?<!not )(?<!n't )\b(?:includes|include)\s+(?:the\s+)?vat\b", text, re.I)
              if not any(v[1] <= m.start() < v[2] for v in loose)]
    out = list(found)
    for status, s, _e in sorted(loose, key=lambda v: v[1]):
        before = [k for k, m in enumerate(out) if m.end <= s and m.vat is None]
        after = [k for k, m in enumerate(out) if m.start >= s and m.vat is None]
        k = before[-1] if before else (after[0] if after else None)
        if k is not None:
            m = out[k]
            out[k] = Money(m.amount_gbp, m.period, status, m.years, m.start, m.end, m.text, m.low_gbp)
    return out
