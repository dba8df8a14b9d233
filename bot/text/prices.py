"""How officers build a price: a rate, the quantities around it, year tables, contingency (issue 17).

Bottom-up, in the manner of Duckling: amounts are recognised first (`bot.text.money`), then composed over
spaCy tokens (a blank English pipeline: tokenizer and Matcher, no model) into

    rate       an amount per units        "£1,650 per placement per week", "£26.40/hr", "£118 a night"
    quantity   a count of a unit, maybe per period
                                          "14 rooms", "3,100 hrs/wk", "90 sessions a week", "(39 weeks)"
    line       a rate with the quantities of its clause, as the engine's `PriceLine` (the engine
               multiplies and shows the working; nothing is multiplied here)
    table      "Y1 1,200 / Y2 1,260 / Y3 1,320 (£k)", or a pasted table with Year columns: one line a cell
    contingency  "a 7.5% contingency", "£200k contingency we can call on"

Each reading keeps the character spans it used, so the caller knows which numbers are accounted for.
Units are words from the lexicon below, never guessed from the size of a number.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional

from bot.text.duration import parse_duration
from bot.text.money import Money
from bot.text.nlp import blank_english
from bot.text.numbers import small_number
from spacy.matcher import Matcher  # after bot.text.nlp, which imports spaCy without TensorFlow
from spacy.tokens import Doc

# Surface forms -> the unit they count, in the officer's own word (singular). Periods are turned into years
# by the engine's calendar; abbreviations name their period.
_PERIOD_FORMS: dict[str, tuple[str, ...]] = {
    "hour": ("hour", "hours", "hr", "hrs", "h"),
    "day": ("day", "days", "weekday", "weekdays"),
    "night": ("night", "nights", "bed-night", "bed-nights", "bednight", "bednights"),
    "week": ("week", "weeks", "wk", "wks", "w"),
    "month": ("month", "months", "mth", "mths", "mo"),
    "year": ("year", "years", "yr", "yrs", "annum"),
}
# Things a price can be per, counted by the officer ("900 families", "6 beds", "3 boroughs").
_COUNTED = ("session", "placement", "place", "bed", "room", "unit", "flat", "meal", "visit", "call", "client", "person",
            "head", "user", "resident", "participant", "learner", "pupil", "child", "family", "household", "carer",
            "patient", "package", "journey", "trip", "assessment", "referral", "course", "licence", "license", "seat",
            "borough", "authority", "council", "partner", "site", "school", "lot", "home", "property", "scheme", "service",
            "contract", "device", "kit", "hamper", "voucher", "test", "screening", "appointment", "case", "night-stay")
_IRREGULAR = {"people": "person", "children": "child", "families": "family", "authorities": "authority",
              "properties": "property", "heads": "head", "bed spaces": "bed", "classes": "class", "boxes": "box"}
UNIT_OF = {form: unit for unit, forms in _PERIOD_FORMS.items() for form in forms}
UNIT_OF.update({w: w for w in _COUNTED})
UNIT_OF.update({w + "s": w for w in _COUNTED if w + "s" not in UNIT_OF})
UNIT_OF.update({k: v for k, v in _IRREGULAR.items() if " " not in k})
PERIODS = ("hour", "day", "night", "week", "month", "year")
_PER_WORDS = ["per", "a", "an", "each", "/", "every", "p"]
_CONTINGENCY_WORDS = ["contingency", "contingencies", "headroom", "uplift", "risk", "variation", "variations"]
_TERM_TIME = re.compile(r"\bterm[\s-]*time\b|\bschool\s+(?:terms?|weeks)\b|\bacademic\s+year\b", re.I)
# "(£k)", "£000s", "£'000", "in £m", "(£m)": a header that says the numbers are thousands or millions
HEADER_MULTIPLIER = re.compile(r"\(\s*£\s*(k|m|000s?|'000|,000)\s*\)|£\s*(?:'|’)?000s?\b|\bin\s+£\s*(k|m|000s?)\b|\b(?:gbp|£)\s*(k|m)\b(?=\s*[)\]|:])", re.I)
_YEAR_LABEL = re.compile(r"^(?:y|yr|year)\s*-?\s*(\d{1,2})$", re.I)
_NO_CONTINGENCY = re.compile(r"\bno\s+(?:\w+\s+)?contingenc", re.I)
# "a contingency of £150k", "contingency: £150k" / "£200k contingency", "£200k (contingency)"
_CONTINGENCY_BEFORE = re.compile(r"\bcontingenc\w*\s*(?:\w+\s+){0,2}(?:of|at|:|=|-|–)?\s*(?:about|around|up\s+to|c\.?)?\s*$", re.I)
_CONTINGENCY_AFTER = re.compile(r"^[\s(]*(?:\w+\s+){0,2}contingenc", re.I)


@dataclass(frozen=True)
class Line:
    """A price line in the Case's terms (`bot.ltr.model.PriceLine` as a dict), with the spans it used."""

    value: dict[str, Any]
    spans: tuple[tuple[int, int], ...]
    money_start: int


@dataclass
class PriceReading:
    lines: list[Line] = field(default_factory=list)
    table: list[dict[str, Any]] = field(default_factory=list)  # lump-sum lines from a year table
    table_spans: list[tuple[int, int]] = field(default_factory=list)
    contingency: dict[str, float] = field(default_factory=dict)  # {"contingency_pct": 7.5} or {"contingency_gbp": …}
    contingency_money: Optional[int] = None  # the start of the amount that is the contingency, if it is one
    term_time_weeks: bool = False


@lru_cache(maxsize=1)
def _matcher() -> Matcher:
    m = Matcher(blank_english().vocab)
    units = list(UNIT_OF)
    period_forms = [f for f, u in UNIT_OF.items() if u in PERIODS]
    num = {"LIKE_NUM": True}
    unit = {"LOWER": {"IN": units}}
    per = {"LOWER": {"IN": _PER_WORDS}}
    period = {"LOWER": {"IN": period_forms}}
    # "3,100 hours a week", "3,100 hrs/wk", "90 sessions per week", "14 rooms", "4 placements"
    m.add("QUANTITY", [[num, unit, per, period], [num, unit, per, {"LOWER": "a"}, period], [num, unit]], greedy="LONGEST")
    # "x 35 a week" after "£78/session": a count of the rate's own unit
    m.add("QUANTITY_OF_RATE", [[{"LOWER": {"IN": ["x", "×", "*"]}}, num, per, period], [{"ORTH": ","}, num, per, period]])
    # "39 term-time weeks", "38 school weeks": weeks in each year
    weeks = {"LOWER": {"IN": [f for f, u in UNIT_OF.items() if u == "week"]}}
    m.add("TERM_WEEKS", [[num, {"LOWER": "term"}, {"ORTH": {"IN": ["-", "–"]}, "OP": "?"}, {"LOWER": "time"}, weeks],
                         [num, {"LOWER": {"IN": ["school", "academic", "term", "termtime"]}}, weeks]])
    # "7.5% contingency", "a contingency of 7.5%", "10 per cent contingency"
    pct = [{"LIKE_NUM": True}, {"LOWER": {"IN": ["%", "percent"]}}]
    pct2 = [{"LIKE_NUM": True}, {"LOWER": "per"}, {"LOWER": "cent"}]
    cont = {"LOWER": {"IN": _CONTINGENCY_WORDS}}
    gap = {"IS_ALPHA": True, "OP": "{0,3}"}
    m.add("PCT_CONTINGENCY", [pct + [gap, cont], pct2 + [gap, cont], [cont, gap] + pct, [cont, gap] + pct2], greedy="LONGEST")
    return m


def _doc(text: str) -> Doc:
    return blank_english().make_doc(text)


def _count(token_text: str) -> Optional[float]:
    t = token_text.replace(",", "")
    try:
        return float(t)
    except ValueError:
        return small_number(t)


def _rate_units(text: str, money: Money, doc: Doc) -> tuple[list[str], int]:
    """The units an amount is per: its own period ("£26.40/hr") and every "per X" after it."""
    units: list[str] = []
    if money.period in PERIODS:
        units.append(money.period)
    end = money.end
    starts = _starts(doc)
    first = bisect.bisect_left(starts, money.end)
    toks = doc[first:first + 8]  # a rate's units follow within a few tokens
    i = 0
    while i + 1 < len(toks):
        a, b = toks[i], toks[i + 1]
        if text[end:a.idx].strip():
            break
        if i == 0 and a.lower_ in ("each", "apiece") and not (b.lower_ in UNIT_OF):
            # "10 sessions a week at £115 each": per the thing counted nearby (a "per week" before it is that
            # count's period, not the price's)
            own = units if re.search(r"[a-z/]", money.text.lower().lstrip("£ ")) else []
            return own + [""], a.idx + len(a.text)
        if a.lower_ in _PER_WORDS and b.lower_ in UNIT_OF:
            u = UNIT_OF[b.lower_]
            if u not in units:
                units.append(u)
            end = b.idx + len(b.text)
            i += 2
            continue
        if a.lower_ in ("a", "per") and i + 2 < len(toks) and toks[i + 2].lower_ in UNIT_OF and b.lower_ in ("bed", "single"):
            end = toks[i + 2].idx + len(toks[i + 2].text)
            units.append(UNIT_OF[toks[i + 2].lower_])
            i += 3
            continue
        break
    # "each borough £200k a year", "per site: £40k pa": the thing the price is for, said first
    last = bisect.bisect_left(starts, money.start)
    before = [t for t in doc[max(0, last - 3):last] if t.idx + len(t.text) <= money.start]
    words = [t.lower_ for t in before if t.text not in (":", "-", "–", "=", "(", "@")]
    if len(words) >= 2 and words[-2] in ("each", "per", "every") and words[-1] in UNIT_OF and UNIT_OF[words[-1]] not in PERIODS:
        units.insert(0, UNIT_OF[words[-1]])
    return units, end


def _starts(doc: Doc) -> list[int]:
    """Each token's character offset, once per message (a rate looks only at the tokens beside its amount)."""
    cached = doc.user_data.get("starts")
    if cached is None:
        cached = doc.user_data["starts"] = [t.idx for t in doc]
    return cached


def _window(text: str, monies: list[Money], k: int) -> tuple[int, int]:
    """The clause an amount's quantities are in: from the previous amount (or sentence start) to the next."""
    lo = monies[k - 1].end if k > 0 else 0
    hi = monies[k + 1].start if k + 1 < len(monies) else len(text)
    m = monies[k]
    before = text[lo:m.start]
    # A sentence or a blank line ends a clause; a single line break does not (a bulleted price, one fact a line).
    cut = max(before.rfind(". "), before.rfind(";"), before.rfind("\n\n"))
    lo = lo + cut + 1 if cut >= 0 else lo
    after = text[m.end:hi]
    stop = re.search(r"\.\s|;|\n\s*\n|\b(?:plus|and\s+(?:a|an)\s)", after)
    hi = m.end + stop.start() if stop else hi
    return lo, hi


def read_prices(text: str, monies: list[Money]) -> PriceReading:
    """Price lines, a year table and a contingency, from the message and its amounts (already found)."""
    out = PriceReading(term_time_weeks=bool(_TERM_TIME.search(text)))
    doc = _doc(text)
    matches = _matcher()(doc)
    quantities: list[tuple[int, int, float, str, Optional[str]]] = []  # start, end, count, unit, per
    for mid, s, e in matches:
        label = blank_english().vocab.strings[mid]
        span = doc[s:e]
        if label == "QUANTITY":
            n = _count(span[0].text)
            if n is None or n <= 0:
                continue
            unit = UNIT_OF[span[1].lower_]
            per = UNIT_OF[span[-1].lower_] if len(span) > 2 else None
            quantities.append((span.start_char, span.end_char, n, unit, per))
        elif label == "QUANTITY_OF_RATE":
            n = _count(span[1].text)
            if n and n > 0 and not any(m.start <= span.start_char + 1 < m.end for m in monies):
                quantities.append((span.start_char, span.end_char, n, "", UNIT_OF[span[-1].lower_]))
        elif label == "TERM_WEEKS":
            n = _count(span[0].text)
            if n and 0 < n <= 52:
                quantities.append((span.start_char, span.end_char, n, "week", "year"))
        elif label == "PCT_CONTINGENCY" and not _NO_CONTINGENCY.search(text):
            n = next((_count(t.text) for t in span if t.like_num), None)
            if n and 0 < n <= 100:
                out.contingency = {"contingency_pct": n}
    if not out.contingency and not _NO_CONTINGENCY.search(text):
        # "£1m plus £200k contingency", "a contingency of £150k": the amount whose own words name it
        bounds = [0] + [m.end for m in monies] + [len(text)]
        nexts = [m.start for m in monies[1:]] + [len(text)]
        before = [k for k, m in enumerate(monies)
                  if _CONTINGENCY_BEFORE.search(text[max(bounds[k], m.start - 40):m.start])]
        after = [k for k, m in enumerate(monies) if _CONTINGENCY_AFTER.match(text[m.end:min(nexts[k], m.end + 40)])]
        hit = (before or after or [None])[0]
        if hit is not None:
            out.contingency = {"contingency_gbp": monies[hit].amount_gbp}
            out.contingency_money = monies[hit].start
    for k, m in enumerate(monies):
        units, rate_end = _rate_units(text, m, doc)
        if not units or set(units) <= {"year", "month"}:
            continue  # "£180k a year": a recurring price, read as one (bot.text.value_reader)
        lo, hi = _window(text, monies, k)
        if "" in units:
            near = [q for q in quantities if lo <= q[0] and q[1] <= hi and q[3] and q[3] not in PERIODS]
            units = [(near[0][3] if near else "item") if u == "" else u for u in units]
        counted = next((u for u in units if u not in PERIODS), None)
        qs = [(q[0], q[1], q[2], q[3] or counted, q[4]) for q in quantities
              if lo <= q[0] and q[1] <= hi and not any(o.start <= q[0] < o.end for o in monies)
              and not (m.start <= q[0] < rate_end) and q[3] != "year" and (q[3] or counted)]
        if not qs:
            continue
        line_qs, used = [], []
        for q in qs:
            per = q[4]
            if per is None and q[3] == "week" and out.term_time_weeks:
                per = "year"  # "term time only (39 weeks)": weeks in each year
            elif per is None and q[3] in PERIODS:
                continue  # "£950 a week for 52 weeks", "for 18 months": how long it runs, read with the term
            line_qs.append({"count": q[2], "unit": q[3], **({"per": per} if per else {})})
            used.append(q)
        if not line_qs:
            continue
        qs = used
        out.lines.append(Line({"amount_gbp": m.amount_gbp, "per": units, "quantities": line_qs},
                              tuple((q[0], q[1]) for q in qs) + ((m.start, rate_end),), m.start))
    table, span = read_table(text)
    if table:
        out.table, out.table_spans = table, [span]
        out.lines = [line for line in out.lines if not (span[0] <= line.money_start < span[1])]
    else:
        _year_table(text, doc, monies, out)
    return out


_CELL_SPLIT = re.compile(r"\s*\|\s*|\t+|\s{2,}")
_RULE_ROW = re.compile(r"^[\s|:+-]+$")
_YEAR_HEAD = re.compile(r"^(?:y|yr|year|fy)\s*-?\s*(\d{1,2})$|^(?:fy\s*)?(20\d\d|\d\d)\s*[/-]\s*(\d\d)$", re.I)
_TOTAL_HEAD = re.compile(r"^(?:total|whole[\s-]*life|tcv|contract\s+value|value|cost|amount|price|budget)\b", re.I)
_ANNUAL_HEAD = re.compile(r"^(?:annual|yearly|per\s+(?:year|annum)|p\.?a\.?)\b|\b(?:pa|per\s+year|a\s+year|annual)\s*(?:value|cost|price)?$", re.I)
_TERM_HEAD = re.compile(r"^(?:term|duration|length|years?|contract\s+(?:term|length))\b", re.I)
_VAT_HEAD = re.compile(r"^vat\b", re.I)
_TOTAL_ROW = re.compile(r"^(?:grand\s+)?(?:total|sum|overall)\b", re.I)
_CELL_NUMBER = re.compile(r"^[£~c.\s]*(\d[\d,]*(?:\.\d+)?)\s*(k|m|bn)?$", re.I)


def _cell_amount(cell: str, mult: float) -> Optional[float]:
    m = _CELL_NUMBER.match(cell.strip())
    if not m:
        return None
    n = float(m.group(1).replace(",", ""))
    suffix = (m.group(2) or "").lower()
    return n * {"k": 1e3, "m": 1e6, "bn": 1e9}[suffix] if suffix else n * mult


def _cell_vat(cell: str) -> Optional[str]:
    c = cell.strip().lower()
    if re.search(r"exempt|\bno\s+vat\b|^n/?a$|^none$|^0%$|zero", c):
        return "exempt"
    if re.search(r"\b(?:ex|excl\w*|exc|plus|\+)\s*\.?\s*vat\b|^\+?\s*20\s*%$|^ex$|^net$|^\+\s*vat$", c):
        return "excluded"
    if re.search(r"\b(?:inc|incl\w*)\s*\.?\s*(?:vat)?\b|^gross$", c):
        return "included"
    return None


def read_table(text: str) -> tuple[list[dict[str, Any]], Optional[tuple[int, int]]]:
    """A pasted table (markdown, tab- or space-aligned) whose columns are years, a yearly price or a total, one
    row per lot, borough or element: one price line per row and year, each row with its own VAT if it says."""
    rows: list[tuple[int, int, list[str]]] = []
    pos = 0
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        line = raw.strip()
        if not line or _RULE_ROW.match(line):
            continue
        cells = [c for c in _CELL_SPLIT.split(line.strip("|").strip())]
        if len(cells) >= 2:
            rows.append((start, end, cells))
    def heading(c: str) -> bool:
        c = HEADER_MULTIPLIER.sub("", c).strip()
        return bool(_YEAR_HEAD.match(c) or _TOTAL_HEAD.match(c) or _ANNUAL_HEAD.search(c))

    header_i = next((i for i, (_, _, cells) in enumerate(rows)
                     if any(heading(c) for c in cells) and not any(_cell_amount(c, 1.0) for c in cells[1:])), None)
    if header_i is None or header_i + 1 >= len(rows):
        return [], None
    head = [HEADER_MULTIPLIER.sub("", c).strip() for c in rows[header_i][2]]  # "Y1 (£k)"
    body = rows[header_i + 1:]
    width = len(head)
    # A header one cell short has no heading over the row labels ("\tY1\tY2").
    offset = 1 if all(len(cells) == width + 1 for _, _, cells in body) else 0
    head = [""] * offset + head
    years = [(i, h) for i, h in enumerate(head) if _YEAR_HEAD.match(h)]
    annual = next((i for i, h in enumerate(head) if _ANNUAL_HEAD.search(h) and not _YEAR_HEAD.match(h)), None)
    total = next((i for i, h in enumerate(head) if _TOTAL_HEAD.match(h) and i not in dict(years)), None)
    term = next((i for i, h in enumerate(head) if _TERM_HEAD.match(h)), None)
    vat = next((i for i, h in enumerate(head) if _VAT_HEAD.match(h)), None)
    mult = _header_multiplier(text) or 1.0
    lines: list[dict[str, Any]] = []
    for _, _, cells in body:
        if len(cells) != len(head) or _TOTAL_ROW.match(cells[0].strip()):
            continue
        label = cells[0].strip() if offset or not (_cell_amount(cells[0], mult)) else ""
        row_vat = _cell_vat(cells[vat]) if vat is not None else None
        extra = {"vat": row_vat} if row_vat else {}
        if years:
            for i, h in years:
                amount = _cell_amount(cells[i], mult)
                if amount:
                    lines.append({"amount_gbp": amount, "label": f"{label} {h}".strip(), **extra})
        elif annual is not None and (amount := _cell_amount(cells[annual], mult)):
            line = {"amount_gbp": amount, "per": ["year"], "label": label, **extra}
            if term is not None:
                d = parse_duration(cells[term] if re.search(r"[a-z]", cells[term], re.I) else cells[term] + " years")
                if d is not None:
                    line["years"] = d.years + d.extension_years
            lines.append(line)
        elif total is not None and (amount := _cell_amount(cells[total], mult)):
            lines.append({"amount_gbp": amount, "label": label, **extra})
    if len(lines) < 2:
        return [], None
    return lines, (rows[header_i][0], body[-1][1])


def _header_multiplier(text: str) -> Optional[float]:
    h = HEADER_MULTIPLIER.search(text)
    if not h:
        return None
    word = next(g for g in h.groups() if g).lower()
    return 1_000_000.0 if word == "m" else 1_000.0


def _year_table(text: str, doc: Doc, monies: list[Money], out: PriceReading) -> None:
    """"Y1 1,200 / Y2 1,260 / Y3 1,320 (£k)" or "Year 1: £1.2m, Year 2: £1.3m": one lump-sum line a year."""
    mult = _header_multiplier(text)
    toks = list(doc)
    found: list[tuple[int, float, tuple[int, int]]] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        label = _YEAR_LABEL.match(t.text)
        j = i + 1
        if not label and t.lower_ in ("year", "yr", "y") and j < len(toks) and toks[j].text.isdigit() and len(toks[j].text) <= 2:
            label, j = re.match(r"(\d+)", toks[j].text), j + 1
        if not label:
            i += 1
            continue
        while j < len(toks) and toks[j].text in (":", "=", "-", "–", "(", ")"):
            j += 1
        if j >= len(toks):
            break
        start = toks[j].idx
        money = next((m for m in monies if m.start <= start < m.end or start <= m.start <= start + 2), None)
        if money is not None:
            found.append((int(label.group(1)), money.amount_gbp, (t.idx, money.end)))
            i = j + 1
            continue
        n = _count(toks[j].text) if toks[j].like_num else None
        if n is not None and mult is not None:
            found.append((int(label.group(1)), n * mult, (t.idx, toks[j].idx + len(toks[j].text))))
        i = j + 1
    years = [f[0] for f in found]
    if len(found) >= 2 and years == list(range(years[0], years[0] + len(years))):
        out.table = [{"amount_gbp": amount, "label": f"Year {n}"} for n, amount, _ in found]
        out.table_spans = [span for _, _, span in found]


__all__ = ["PriceReading", "Line", "read_prices", "read_table", "UNIT_OF", "PERIODS", "HEADER_MULTIPLIER"]
