"""Estimating the value to compare with a threshold (reference §3).

Whole-life value including every option, extension and one-off cost; lots aggregated; VAT by regime and
commencement date. The arithmetic lives here once (`working`); what each regime does when there is no
computable total lives in `raw_whole_life`. Figures and references come from knowledge/parameters.yml.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from .knowledge import Knowledge
from .model import PERIOD_UNITS, Case, PriceLine, Quantity, Value

# Calendar counts, not law: how many of each period make a year.
PERIODS_PER_YEAR = {"year": 1, "quarter": 4, "month": 12, "week": 52, "day": 365, "night": 365}


@dataclass
class Estimate:
    value_gbp: Optional[float]  # None: cannot be estimated
    basis: str  # "inclusive" | "net"
    unknown_treated_as_above: bool = False
    steps: list[tuple[str, str, str]] = field(default_factory=list)  # (trace id, text, ref)
    assumptions: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    other_vat_reading_gbp: Optional[float] = None  # the figure if the unknown VAT status were the other way


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


def raw_whole_life(case: Case, regime: str, kb: Knowledge) -> Estimate:
    """The whole-life figure as the officer stated it, before any VAT adjustment."""
    refs = kb.valuation[regime]
    est = Estimate(value_gbp=None, basis="inclusive")
    v = case.value
    if v is None and case.parts and all(p.value_gbp is not None for p in case.parts):
        total = sum(p.value_gbp or 0.0 for p in case.parts)
        est.value_gbp = total
        est.steps.append(("T-VALUE", " + ".join(gbp(p.value_gbp or 0.0) for p in case.parts) + f" for the parts = {gbp(total)}.",
                          refs.whole_life))
        return est
    if v is None or v.unknown:
        if regime == "PA2023":
            est.unknown_treated_as_above = True
            est.steps.append(("T-VALUE-TREATED-ABOVE", "The value or duration cannot be estimated, so the Act treats the contract as above the threshold.",
                              refs.no_total))
            est.assumptions.append("Treated as above the threshold because the value or duration is not known.")
        est.missing.append("the estimated whole-life value")
        return est
    w = working(v, case.term_years)
    if w is not None:
        est.value_gbp = w.total_gbp
        ref = refs.whole_life + (f"; {refs.lots}" if v.lots > 1 else "")
        est.steps.append(("T-VALUE", w.text + ".", ref))
        est.assumptions.extend(w.assumptions)
        return est
    if v.lines:
        est.missing.append(line_missing(v, case.term_years) or "the estimated whole-life value")
        return est
    # No computable total: a rolling or open-ended arrangement, or a rate with no term.
    rec = v.recurring
    why = "It has no end date" if v.open_ended else "No term was given"
    if not v.open_ended:
        est.missing.append("how many years the contract runs, including extensions")
    if regime == "PA2023":
        est.unknown_treated_as_above = True
        est.steps.append(("T-VALUE-TREATED-ABOVE", f"{why}, so there is no total price: the Act treats the contract as above the threshold.",
                          refs.no_total))
        est.assumptions.append("Treated as above the threshold because the contract has no fixed duration.")
        return est
    if regime == "PCR2015" and rec is not None:
        months = kb.number("pcr_no_total_price_months")
        amount, period = rec
        monthly = amount * PERIODS_PER_YEAR[period] / 12
        lots = f"{v.lots} lots × " if v.lots > 1 else ""
        est.value_gbp = monthly * months * v.lots + (v.one_off_gbp or 0.0)
        one_off = f" + {gbp(v.one_off_gbp)} one-off" if v.one_off_gbp else ""
        est.steps.append(("T-VALUE-NO-TOTAL-MONTHLY", f"{why}, so there is no total price: {lots}{gbp(monthly)} a month × {months:g} months{one_off} = "
                          f"{gbp(est.value_gbp)}.", refs.no_total))
        return est
    est.missing.append("the estimated whole-life value")
    return est


def _lines_own_vat(est: Estimate, case: Case, basis: str, regime: str, kb: Knowledge) -> bool:
    """A table whose rows each say their VAT ("Care … exempt", "Equipment … ex VAT"): each line is put on the
    regime's basis by its own status; the rest of the figure (one-offs, contingency) by the case's."""
    v = case.value
    if v is None or not v.lines or not any(line.vat for line in v.lines) or est.value_gbp is None:
        return False
    rate = kb.number("vat_rate")
    refs = kb.valuation[regime]
    term = v.years + v.extension_years if v.years is not None else case.term_years
    totals = [(line, line_working(line, term).total_gbp or 0.0) for line in v.lines]
    rest = est.value_gbp - sum(t for _, t in totals) * v.lots
    factor = {("inclusive", "excluded"): 1 + rate, ("net", "included"): 1 / (1 + rate)}
    adjusted, moved = 0.0, 0.0
    for line, t in totals:
        status = line.vat or case.vat
        f = factor.get((basis, status), 1.0)
        adjusted += t * f * v.lots
        moved += t * v.lots if f != 1.0 else 0.0
    rest_f = factor.get((basis, case.vat), 1.0) if case.vat not in ("unknown",) else 1.0
    est.value_gbp = adjusted + rest * rest_f
    what = "added to" if basis == "inclusive" else "taken off"
    ref = refs.vat if basis == "inclusive" else (refs.vat_net or refs.vat)
    est.steps.append(("T-VAT-BY-LINE", f"Each line is taken on its own VAT status: VAT at {rate:.0%} {what} the "
                      f"{gbp(moved)} of lines that need it, giving {gbp(est.value_gbp)}.", ref))
    return True


def estimate(case: Case, regime: str, commenced: date, kb: Knowledge) -> Estimate:
    """The whole-life value on the regime's VAT basis: always inclusive under the Act; under PCR inclusive for
    procurements commenced from the pcr_vat_inclusive date (SI 2021/1221 reg 7), net before. Needs no service, so the FAQ
    can value "£150k a year for 4 + 1" on its own."""
    basis = "inclusive" if regime == "PA2023" or commenced >= kb.dates["pcr_vat_inclusive"].date else "net"
    return apply_vat(raw_whole_life(case, regime, kb), case, basis, regime, kb)


def apply_vat(est: Estimate, case: Case, basis: str, regime: str, kb: Knowledge) -> Estimate:
    """Puts the figure on the regime's VAT basis ("inclusive" or "net")."""
    est.basis = basis
    if est.value_gbp is None:
        return est
    if _lines_own_vat(est, case, basis, regime, kb):
        return est
    x = est.value_gbp
    rate = kb.number("vat_rate")
    refs = kb.valuation[regime]
    year = kb.dates["pcr_vat_inclusive"].date.year
    ref = refs.vat if basis == "inclusive" else (refs.vat_net or refs.vat)
    if basis == "inclusive":
        if case.vat == "excluded":
            est.value_gbp = x * (1 + rate)
            est.steps.append(("T-VAT-ADDED", f"Values include VAT: {gbp(x)} + VAT at {rate:.0%} = {gbp(est.value_gbp)}.", ref))
        elif case.vat == "unknown":
            est.other_vat_reading_gbp = x * (1 + rate)
            est.assumptions.append("The figure you gave already includes any VAT (or the service is VAT-exempt).")
            est.missing.append(f"whether the figure includes VAT: if VAT is due on top, the value is {gbp(x * (1 + rate))}")
        elif case.vat == "exempt":
            est.steps.append(("T-VAT-NOT-CHARGED", "Values include VAT; no VAT is charged on this service, so the figure stands.", ref))
        else:
            est.steps.append(("T-VAT-AS-GIVEN", "Values include VAT; the figure given already does.", ref))
    else:
        if case.vat == "included":
            est.value_gbp = x / (1 + rate)
            est.steps.append(("T-VAT-REMOVED", f"Before {year} PCR values exclude VAT: {gbp(x)} less VAT at {rate:.0%} = {gbp(est.value_gbp)}.", ref))
        elif case.vat == "unknown":
            est.other_vat_reading_gbp = x / (1 + rate)
            est.assumptions.append(f"The figure you gave excludes VAT, as PCR values did before {year}.")
            est.missing.append(f"whether the figure includes VAT: if it does, the net value is {gbp(x / (1 + rate))}")
        elif case.vat == "exempt":
            est.steps.append(("T-VAT-NOT-CHARGED", f"Before {year} PCR values exclude VAT; no VAT is charged on this service, "
                              "so the figure stands.", ref))
        else:
            est.steps.append(("T-VAT-AS-GIVEN", f"Before {year} PCR values exclude VAT; the figure given has none.", ref))
    return est


def part_value(amount: float, case: Case, basis: str, kb: Knowledge) -> float:
    """A part's value on the regime's VAT basis (parts share the case's VAT status)."""
    rate = kb.number("vat_rate")
    if basis == "inclusive" and case.vat == "excluded":
        return amount * (1 + rate)
    if basis == "net" and case.vat == "included":
        return amount / (1 + rate)
    return amount
