"""Estimating the value to compare with a threshold (reference §3).

Whole-life value including every option, extension and one-off cost; lots aggregated; VAT by regime and
commencement date. The arithmetic lives once, in price.py (`working`); what each regime does when there is
no computable total lives here, in `raw_whole_life`. Figures and references come from knowledge/parameters.yml.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from .knowledge import Knowledge
from .model import Case
from .price import PERIODS_PER_YEAR, gbp, line_missing, line_working, working

@dataclass
class Estimate:
    value_gbp: Optional[float]  # None: cannot be estimated
    basis: str  # "inclusive" | "net"
    unknown_treated_as_above: bool = False
    steps: list[tuple[str, str, str]] = field(default_factory=list)  # (trace id, text, ref)
    assumptions: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    other_vat_reading_gbp: Optional[float] = None  # the figure if the unknown VAT status were the other way


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
