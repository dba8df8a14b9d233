"""The price as the officer gave it (`Value`, its `PriceLine`s and `Quantity`s) and its arithmetic: the
whole-life figure with the sum that produced it, in words (`working`), reference §3.

Types and arithmetic only: no law, no knowledge. The value step (`value.py`) applies the regime's rules (VAT,
no-total rules) on top; `Case.from_dict` uses `stated_whole_life` to refuse an implausible figure.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Optional

# Units a price can be per. Periods are the ones a calendar turns into a year; the rest are things counted.
PERIOD_UNITS = ("hour", "day", "night", "week", "month", "quarter", "year")


@dataclass(frozen=True)
class Quantity:
    """How many of a unit, optionally per period: "3,100 hours a week", "4 placements", "39 weeks a year"."""

    count: float
    unit: str
    per: Optional[str] = None  # a period from PERIOD_UNITS


@dataclass(frozen=True)
class PriceLine:
    """One line of a price as the officer built it: an amount per units, times the quantities they gave.

    "26.40 pounds an hour, 3,100 hours a week, 4 years" is amount 26.40, per ("hour",),
    quantities (3100 hour per week,), years 4. `per` empty: a lump sum ("Year 1: 1.2 million").
    `line_working` below does the arithmetic and shows it.
    """

    amount_gbp: float
    per: tuple[str, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    years: Optional[float] = None  # how long this line runs; None: the value's term
    label: str = ""  # "Year 1", "Lot 2", "Camden"
    option: bool = False  # an option or extension the contract lets the buyer use
    vat: Optional[str] = None  # this line's own VAT status ("included" | "excluded" | "exempt"); None: the case's

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"amount_gbp": self.amount_gbp}
        if self.per:
            d["per"] = list(self.per)
        if self.quantities:
            d["quantities"] = [{k: x for k, x in asdict(q).items() if x is not None} for q in self.quantities]
        for k in ("years", "label", "option", "vat"):
            if getattr(self, k):
                d[k] = getattr(self, k)
        return d


@dataclass(frozen=True)
class Value:
    """The value as the officer gave it; `working` turns it into the whole-life figure (reference §3).

    total_gbp: with `years`, the total for that initial term; alone, the whole-life value as given.
    annual_gbp / monthly_gbp / weekly_gbp: a recurring price (at most one, and not with total_gbp).
    years: the initial term; extension_years: all extension options added up.
    extension_gbp: the extensions priced on their own (total for all extension periods).
    one_off_gbp: set-up, implementation, mobilisation or equipment costs, added once.
    lots: the recurring price or total is per lot; open_ended: rolling, no end date; unknown: not known.
    """

    total_gbp: Optional[float] = None
    annual_gbp: Optional[float] = None
    monthly_gbp: Optional[float] = None
    weekly_gbp: Optional[float] = None
    years: Optional[float] = None
    extension_years: float = 0.0
    extension_gbp: Optional[float] = None
    one_off_gbp: Optional[float] = None
    lots: int = 1
    open_ended: bool = False
    unknown: bool = False
    lines: tuple[PriceLine, ...] = ()  # the price built from lines (not with total_gbp or a recurring price)
    contingency_pct: Optional[float] = None  # a contingency the contract lets the buyer draw on, as a percentage
    contingency_gbp: Optional[float] = None  # ... or as an amount

    @property
    def recurring(self) -> Optional[tuple[float, str]]:
        """The recurring price and its period ("year", "month" or "week"), if one was given."""
        for amount, period in ((self.annual_gbp, "year"), (self.monthly_gbp, "month"), (self.weekly_gbp, "week")):
            if amount is not None:
                return amount, period
        return None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape `Case.from_dict` reads: only the fields given (extension_years always)."""
        d = {k: v for k, v in asdict(self).items() if v not in (None, False, ()) or k == "extension_years"}
        if self.lots == 1:
            d.pop("lots")
        if self.lines:
            d["lines"] = [line.to_dict() for line in self.lines]
        return d



# Calendar counts, not law: how many of each period make a year.
PERIODS_PER_YEAR = {"year": 1, "quarter": 4, "month": 12, "week": 52, "day": 365, "night": 365}


@dataclass(frozen=True)
class Working:
    """A whole-life figure with the sum that produced it, in words."""

    total_gbp: float
    text: str  # e.g. "£80,000 a year × (3 + 2) years + £90,000 one-off = £490,000"
    assumptions: tuple[str, ...] = ()


def gbp(x: float) -> str:
    """Pounds with thousands separators: £663,540, or £663,539.50 when there are pence (a figure just below a
    threshold must never be shown as the threshold itself)."""
    return f"£{x:,.0f}" if round(x, 2) == round(x) else f"£{x:,.2f}"


def _years(n: float) -> str:
    return f"{n:g} year" if n == 1 else f"{n:g} years"


def _count(n: float) -> str:
    return f"{n:,.0f}" if n == int(n) else f"{n:,.2f}".rstrip("0").rstrip(".")


_IRREGULAR_PLURALS = {"person": "people", "child": "children"}


def _plural(unit: str, n: float) -> str:
    if n == 1:
        return unit
    if unit in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[unit]
    return unit[:-1] + "ies" if unit.endswith("y") and unit[-2:-1] not in "aeiou" else unit + ("es" if unit.endswith(("s", "sh", "ch")) else "s")


def _price_per(amount: float, per: tuple[str, ...]) -> str:
    if not per:
        return gbp(amount)
    if len(per) == 1:
        article = "an" if per[0][0] in "aeiouh" and per[0] not in ("hotel", "home", "house", "hospital") else "a"
        return f"{gbp(amount)} {article} {per[0]}"
    return f"{gbp(amount)} per " + " per ".join(per)


def _quantity(q: Quantity) -> str:
    return f"{_count(q.count)} {_plural(q.unit, q.count)}" + (f" a {q.per}" if q.per else "")


@dataclass(frozen=True)
class LineWorking:
    total_gbp: Optional[float]  # None: the line cannot be totalled (a rate with no volume, or no term)
    text: str
    assumptions: tuple[str, ...] = ()
    missing: str = ""  # what would let it be totalled


def line_working(line: PriceLine, term_years: Optional[float]) -> LineWorking:
    """One price line as the officer built it, multiplied out: each quantity cancels the unit it counts
    (26.40 pounds an hour × 3,100 hours a week), a period left over is turned into a year by the calendar
    (52 weeks, 12 months, 365 nights), and a yearly figure runs for the line's years or the term."""
    total = line.amount_gbp
    left = list(line.per)
    words = [_price_per(line.amount_gbp, line.per)]
    notes: list[str] = []
    for q in line.quantities:
        total *= q.count
        words.append(_quantity(q))
        if q.unit in left:
            left.remove(q.unit)
            if q.per:
                left.append(q.per)
        elif q.unit in PERIOD_UNITS and q.per is None:
            # "for 8 weeks" with a weekly rate handled above; "39 weeks" with no weekly rate runs that long.
            pass
        else:
            if left:
                notes.append(f"{_price_per(line.amount_gbp, line.per)} is taken as the price for each {q.unit}.")
            if q.per:
                left.append(q.per)
    periods = [u for u in left if u in PERIODS_PER_YEAR]
    others = [u for u in left if u not in PERIODS_PER_YEAR]
    label = f"{line.label}: " if line.label else ""
    if others:
        miss = "how many " + _plural(others[0], 2) + (" a week or a year" if others[0] in ("hour",) else "")
        return LineWorking(None, label + " × ".join(words), tuple(notes), miss)
    if len(periods) > 1:
        return LineWorking(None, label + " × ".join(words), tuple(notes), "how often the price is paid")
    if periods:
        period = periods[0]
        if period != "year":
            n = PERIODS_PER_YEAR[period]
            total *= n
            words.append(f"{n} {_plural(period, n)} a year")
            notes.append(f"A price per {period} is counted as {n} {_plural(period, n)} a year.")
        years = line.years if line.years is not None else term_years
        if years is None:
            return LineWorking(None, label + " × ".join(words), tuple(notes), "how many years the contract runs")
        total *= years
        words.append(_years(years))
    return LineWorking(total, label + " × ".join(words) + (f" = {gbp(total)}" if len(words) > 1 else ""), tuple(notes))


def _lines_working(v: Value, term_years: Optional[float]) -> Optional[Working]:
    lines = [line_working(line, term_years) for line in v.lines]
    if any(w.total_gbp is None for w in lines):
        return None
    total = sum(w.total_gbp or 0.0 for w in lines)
    notes = tuple(n for w in lines for n in w.assumptions)
    if len(lines) == 1:
        return Working(total, lines[0].text, notes)
    return Working(total, "; ".join(w.text for w in lines) + " — together " + gbp(total), notes)


def working(v: Value, term_years: Optional[float] = None) -> Optional[Working]:
    w = _price_working(v, term_years)
    if w is None:
        return None
    total, text, notes = w.total_gbp, w.text, list(w.assumptions)
    if v.contingency_pct or v.contingency_gbp:
        extra = total * v.contingency_pct / 100 if v.contingency_pct else (v.contingency_gbp or 0.0)
        what = f"{v.contingency_pct:g}% contingency" if v.contingency_pct else "contingency"
        text = f"{text}; + {what} {gbp(extra)} = {gbp(total + extra)}"
        total += extra
        notes.append("A contingency the contract lets you draw on is part of the estimated value.")
    return Working(total, text, tuple(notes))


def line_missing(v: Value, term_years: Optional[float]) -> Optional[str]:
    """What a value built from lines lacks before it can be totalled ("how many hours a week or a year")."""
    for line in v.lines:
        w = line_working(line, term_years)
        if w.total_gbp is None:
            return w.missing
    return None


def _price_working(v: Value, term_years: Optional[float] = None) -> Optional[Working]:
    """The whole-life arithmetic of reference §3, or None when there is no computable total.

    recurring × (years + extension_years), or recurring × years + extension_gbp when the extensions are
    priced on their own; a total for `years` with unpriced extension years is extended pro rata (stated);
    lots multiply the recurring price or total (extension_gbp and one_off_gbp are totals already);
    one_off_gbp is added once. `term_years` (the case's whole term) stands in when the value has no years.
    """
    notes: list[str] = []
    lots = f"{v.lots} lots × " if v.lots > 1 else ""
    prefix = ""
    if v.lines:
        lw = _lines_working(v, v.years + v.extension_years if v.years is not None else term_years)
        if lw is None:
            return None
        total, expr, notes = lw.total_gbp * v.lots, lw.text, list(lw.assumptions)
        if v.lots > 1:
            expr = f"{v.lots} lots × ({expr})"
            total_note = f" = {gbp(total)}"
            expr += total_note
        if v.one_off_gbp:
            total += v.one_off_gbp
            expr += f"; + {gbp(v.one_off_gbp)} one-off = {gbp(total)}"
        return Working(total, expr, tuple(notes))
    if v.total_gbp is not None:
        total = v.total_gbp * v.lots
        if v.years is None:
            expr = f"{lots}{gbp(v.total_gbp)}" if v.lots > 1 else f"{gbp(v.total_gbp)} whole-life, as given"
            notes.append("The total you gave is the whole-life value, including every option and extension.")
        else:
            expr = f"{lots}{gbp(v.total_gbp)} for {_years(v.years)}"
            if v.extension_years and v.extension_gbp is not None:
                total += v.extension_gbp
                expr += f" + {gbp(v.extension_gbp)} for the {_years(v.extension_years)} of extensions"
            elif v.extension_years:
                per_year = v.total_gbp / v.years
                total += per_year * v.extension_years * v.lots
                expr += f" + {lots}{gbp(per_year)} a year × {_years(v.extension_years)} of extensions (pro rata)"
                notes.append(f"The extension years are priced pro rata, at the initial term's yearly rate, {gbp(per_year)} a year"
                             f"{' per lot' if v.lots > 1 else ''}. Tell me if they are priced differently.")
    else:
        rec = v.recurring
        years = v.years if v.years is not None else term_years
        if rec is None or v.open_ended or years is None:
            return None
        amount, period = rec
        annual = amount * PERIODS_PER_YEAR[period]
        if period != "year":
            n = PERIODS_PER_YEAR[period]
            prefix = f"{gbp(amount)} a {period} × {n} = {gbp(annual)} a year; "
            notes.append(f"A price per {period} is counted as {n} {period}s a year.")
        if v.extension_gbp is not None:
            total = annual * years * v.lots + v.extension_gbp
            expr = f"{lots}{gbp(annual)} a year × {_years(years)} + {gbp(v.extension_gbp)} for the extensions"
        elif v.extension_years:
            total = annual * (years + v.extension_years) * v.lots
            expr = f"{lots}{gbp(annual)} a year × ({years:g} + {v.extension_years:g}) years"
        else:
            total = annual * years * v.lots
            expr = f"{lots}{gbp(annual)} a year × {_years(years)}"
    if v.one_off_gbp:
        total += v.one_off_gbp
        expr += f" + {gbp(v.one_off_gbp)} one-off"
    text = expr if expr.endswith("as given") else f"{prefix}{expr} = {gbp(total)}"
    return Working(total, text, tuple(notes))


def stated_whole_life(v: Value) -> Optional[float]:
    """The whole-life figure as stated, or None when there is no computable total (for plausibility checks)."""
    w = working(v)
    if w is not None:
        return w.total_gbp
    rec = v.recurring
    return None if rec is None else rec[0] * PERIODS_PER_YEAR[rec[1]] * v.lots + (v.one_off_gbp or 0.0)
