"""Contract term and extensions: "4 years plus 2 one-year extensions", "4+1+1", "36 months".

    >>> parse_duration("3 years with an option to extend for 2")
    Duration(years=3.0, extension_years=2.0, start=0, end=38, text='3 years with an option to extend for 2')

The first term mentioned is the initial term; later terms count as extensions only when the text
says so ("plus", "+", "extend", "further", "optional", "... extensions"). Ages, relative dates and
rates are not terms: "5 year olds", "2 years ago", "in 6 months", "£80k a year".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from bot.text.numbers import TENS, UNITS, small_number


@dataclass(frozen=True)
class Duration:
    years: float
    extension_years: float = 0.0
    start: int = 0
    end: int = 0
    text: str = ""


_UNIT_WORDS = "|".join(sorted((w for w in UNITS if w not in ("zero", "nil")), key=len, reverse=True))
_TENS_WORDS = "|".join(sorted(TENS, key=len, reverse=True))
_NUMW = rf"(?:(?:{_TENS_WORDS})(?:\s(?:{_UNIT_WORDS}))?|{_UNIT_WORDS})"
_NUM = rf"(?:\d+(?:\.\d+)?|{_NUMW}|an?)(?:\s+and\s+a\s+half)?"
# "m" is a month only before an extension word ("2x12m ext"): elsewhere "12m" is money.
_UNIT = r"(?:years?|yrs?|yr|y|months?|mths?|mnths?|mos?|weeks?|wks?|m(?=\s*(?:ext\w*|options?|renewals?|contract|term|deal|pilot|period)\b))"
_COUNT = r"(?:[1-9]|one|two|three|four|five|six)"
_SPAN = re.compile(
    rf"\b(?:(?P<count>{_COUNT})(?:\s*(?:x|×|\*)\s*|\s+(?:(?:optional|further|additional|extra|possible|more)\s+)?)"
    rf"(?=(?:\d+(?:\.\d+)?|{_NUMW}|an?)\s*(?:{_UNIT})\b))?"
    rf"(?P<n>{_NUM})\s*(?:(?:further|more|additional|extra|optional)\s+)?(?P<u>{_UNIT})\b",
)
_PLUS_PART = rf"\d+(?:\.\d+)?(?:\s*{_UNIT}\b)?"
_PLUS = re.compile(rf"(?<![\d£.,])(?P<all>{_PLUS_PART}(?:\s*\+\s*{_PLUS_PART})+)(?![\d%]|\s*(?:k|m|mil|million|bn)\b)")
_EXT_CUE = re.compile(
    r"(?:\bplus\b|\+|\bextension|\bextend|\bfurther\b|\badditional\b|\boption|\brenew|\banother\b|\bmore\b|\bextra\b"
    r"|\bpossible\b|\bpotential\b|\bthen\b|\band\s+(?:then\s+)?(?:a|an)\b)"
)
_EXT_NOUN_AFTER = re.compile(r"\s*(?:optional\s+|possible\s+)?(?:extensions?|ext\b|extn|renewals?|extension\s+periods?|options?\s+to\s+extend|option\b)")
_NOT_A_TERM_AFTER = re.compile(r"\s*(?:ago\b|old\b|olds\b|time\b|'s\s+time|’s\s+time|of\s+age|and\s+over\b|plus\s+age|\+\s*age)")
_NOT_A_TERM_BEFORE = re.compile(
    r"(?:\baged?|\bages|\blast|\bpast|\bprevious|\bin|\bwithin|\bafter|\bevery|\beach|\bper|\bsince|\bunder|\bthe\s+first|\bnext"
    r"|\bfor\s+the\s+last|\bfor\s+the\s+past|\bbefore|\bearlier|\bfrom)\s+(?:the\s+)?$"
)
_A_NEEDS_CUE_BEFORE = re.compile(
    r"(?:\bfor|\bof|\blasting|\bfurther|\badditional|\bextra|\banother|\bby|\bplus|\+|\bwith|\binitial|\band|\bto|\bjust)\s*$"
)
_A_NEEDS_CUE_AFTER = re.compile(r"[ \t]*(?:contract|term|deal|extension|pilot|agreement|period|arrangement|framework|initial|only)\b")
_TOTAL_AFTER = re.compile(r"\s*(?:in\s+total|total|overall|altogether|max(?:imum)?|all\s+in|including\s+(?:the\s+)?extensions?)\b")
_TOTAL_BEFORE = re.compile(
    r"(?:(?:extend\w*|up)\s+to\s+(?:a\s+)?(?:max(?:imum)?\s+(?:of\s+)?)?|(?:max(?:imum)?|total|overall)\s+(?:term\s+|length\s+|duration\s+)?(?:of\s+)?)$"
)
_BARE_EXT = re.compile(
    rf"(?:\bplus|\+|\bextend\w*|\bextension\w*|\bfurther|\banother|\badditional|\brenew\w*)"
    rf"(?:\s+(?!\d)[a-z']+){{0,4}}?\s*(?:by|for|of)?\s*(?:up\s+to\s+)?(?:a\s+(?:further|max(?:imum)?\s+of)\s+|another\s+|an?\s+additional\s+)?"
    rf"\b(?P<n>\d+(?:\.\d+)?|{_NUMW})\b(?![\d%£]|[.,]\d|\s*(?:off\b|time\b|x\b|k\b|m\b|mil|million|bn|thousand|\+|{_UNIT}\b|[a-z]+\s+{_UNIT}\b|(?:further|more|additional|extra)\s+\w))"
)
MAX_YEARS = 50.0


@dataclass
class _Item:
    start: int
    end: int
    parts: list[float]  # in years; a plus-form has several
    extension: bool = False
    total: bool = False


_SENTENCE_END = re.compile(r"[.!?]\s")
# A sentence that opens with extending the contract: "Extension option (2 yrs)", "Option to extend by 2 years".
_EXT_SENTENCE = re.compile(r"\s*(?:(?:with|plus|and|an?|the|optional|possible|potential)\s+)*(?:extensions?|extend\w*|options?\b|renew\w*)")
_NOT_THIS_CONTRACT = re.compile(r"\b(?:previous|current|existing|last|old|prior|incumbent)\b")


def parse_duration(text: str) -> Optional[Duration]:
    """The contract term and extension years said in `text`, or None if no term is said."""
    if not text:
        return None
    # A spaced dash or a line break ends a clause ("2 years – extension option 1 yr"): kept as a comma, same length.
    low = re.sub(r"\s[-–—]\s", " , ", text.lower()).replace("\n", ",").replace("-", " ").replace("–", " ").replace("’", "'")
    items = _plus_forms(low)
    items += [it for it in _spans(low) if not any(it.start < o.end and o.start < it.end for o in items)]
    items.sort(key=lambda it: it.start)
    if not items:
        return None
    # An extension can be named before the term ("2 x 12 month extensions on a 3 yr contract").
    base = next((it for it in items if not (it.extension and _noun_only(low, it))), items[0])
    years = base.parts[0]
    ext = sum(base.parts[1:])
    start, end = base.start, base.end
    prev_end = base.end
    for it in items:
        if it is base:
            continue
        if it.start < base.start:
            if it.extension and _noun_only(low, it):
                ext += sum(it.parts)
                start = it.start
            continue
        breaks = list(_SENTENCE_END.finditer(low, prev_end, it.start))
        if breaks:
            # A later sentence adds to the term only when it is about extending it, in its own words
            # ("3 years. Extension option (2 yrs)"); any other later duration is something else.
            if not _EXT_SENTENCE.match(low, breaks[-1].end()) or _NOT_THIS_CONTRACT.search(low, breaks[-1].end(), it.start):
                break
        between = low[max(prev_end, it.start - 60):it.start]  # the cue just before it ("plus", "extend by")
        if it.total and sum(it.parts) > years:
            ext = max(ext, sum(it.parts) - years)
            end = prev_end = it.end
        elif it.extension or _EXT_CUE.search(between):
            ext += sum(it.parts)
            end = prev_end = it.end
    stop = _SENTENCE_END.search(low, base.end)
    sentence_end = stop.start() if stop else len(low)  # found once: a bare extension is in the term's own sentence
    for m in _BARE_EXT.finditer(low, base.end, sentence_end + 1):
        n_start = m.start("n")
        if any(it.start <= n_start < it.end for it in items) or m.start() > sentence_end:
            continue
        n = small_number(m.group("n"))
        if n is None or n <= 0:
            continue
        unit = _base_unit(low, base)
        ext += n / 12 if unit == "month" else n
        end = max(end, m.end())
    if not (0 < years <= MAX_YEARS) or ext > MAX_YEARS:
        return None
    return Duration(years=round(float(years), 4), extension_years=round(float(ext), 4), start=start, end=end, text=text[start:end])


def _to_years(n: float, unit: Optional[str]) -> float:
    if unit and unit.startswith("w"):
        return n / 52
    return n / 12 if unit and unit.startswith("m") else n


def _plus_forms(low: str) -> list[_Item]:
    out = []
    for m in _PLUS.finditer(low):
        parts_text = [p.strip() for p in m.group("all").split("+")]
        units = [re.search(_UNIT + r"\b", p) for p in parts_text]
        default_unit = next((u.group() for u in reversed(units) if u), "years")
        parts = []
        for p, u in zip(parts_text, units):
            n = float(re.match(r"\d+(?:\.\d+)?", p).group())  # type: ignore[union-attr]
            parts.append(_to_years(n, u.group() if u else default_unit))
        if any(not 0 < p <= MAX_YEARS for p in parts) or (parts[0] >= 100):
            continue
        before = low[max(0, m.start() - 40):m.start()]
        extension = bool(_EXT_CUE.search(before[-25:])) and bool(re.search(r"\d", low[:m.start()]))
        out.append(_Item(m.start(), m.end(), parts, extension=extension))
    return out


def _spans(low: str) -> list[_Item]:
    out = []
    for m in _SPAN.finditer(low):
        n_text = m.group("n")
        before = low[max(0, m.start() - 80):m.start()]  # the words just before and after: never the whole message
        after = low[m.end():m.end() + 80]
        if _NOT_A_TERM_AFTER.match(after) or _NOT_A_TERM_BEFORE.search(before):
            continue
        if n_text in ("a", "an") and not m.group("count"):
            if not (_A_NEEDS_CUE_BEFORE.search(before) or _A_NEEDS_CUE_AFTER.match(after)):
                continue  # "£80k a year", "once a year"
            if re.search(r"(?:£|\d|k|m|pa|per)\s*$", before) and not _A_NEEDS_CUE_AFTER.match(after):
                continue
        n = small_number(n_text)
        if n is None:
            continue
        unit = m.group("u")
        if unit == "y" and not n_text[0].isdigit():
            continue
        if unit == "m" and ("." in n_text or re.search(r"£\s*$", before)):
            continue  # "1.2m contract", "£2m contract": money, not months
        count = small_number(m.group("count")) if m.group("count") else 1.0
        if count is None or count > 10:
            continue
        length = _to_years(n, unit)
        if not 0 < length <= MAX_YEARS:
            continue
        ext_noun = bool(_EXT_NOUN_AFTER.match(after))
        total = bool(_TOTAL_AFTER.match(after) or _TOTAL_BEFORE.search(before))
        out.append(_Item(m.start(), m.end(), [length * count], extension=ext_noun or bool(m.group("count")), total=total))
    return out


def _noun_only(low: str, it: _Item) -> bool:
    """An extension named before the term ("the 1 year extension on our 3 year contract")."""
    return bool(_EXT_NOUN_AFTER.match(low[it.end:]))


def _base_unit(low: str, base: _Item) -> str:
    return "month" if re.search(r"\bm(?:onths?|ths?|nths?|os?)\b", low[base.start:base.end]) else "year"
