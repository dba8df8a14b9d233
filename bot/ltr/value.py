"""Estimating the value to compare with a threshold (reference §3).

Whole-life, options and extensions included; VAT by regime and commencement date.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .model import Case

VAT_RATE = 0.20  # UK standard rate; used only to convert a figure the officer gave with or without VAT
PCR_MONTHS_CAP = 48  # PCR reg 6(19): no total price and indefinite or > 48 months -> monthly value x 48


@dataclass
class Estimate:
    value_gbp: Optional[float]  # None: cannot be estimated
    basis: str  # "inclusive" | "net"
    unknown_treated_as_above: bool = False
    steps: list[tuple[str, str]] = field(default_factory=list)  # (text, ref)
    assumptions: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    other_vat_reading_gbp: Optional[float] = None  # the figure if the unknown VAT status were the other way
    alternative_total_gbp: Optional[float] = None  # PCR: plain annual x years, where reg 6(19) capped it


def gbp(x: float) -> str:
    """Pounds, whole, with thousands separators: £663,540."""
    return f"£{x:,.0f}"


def raw_whole_life(case: Case, regime: str) -> Estimate:
    """The whole-life figure as the officer stated it, before any VAT adjustment."""
    est = Estimate(value_gbp=None, basis="inclusive")
    v = case.value
    if v is None and case.parts and all(p.value_gbp is not None for p in case.parts):
        total = sum(p.value_gbp or 0.0 for p in case.parts)
        est.value_gbp = total
        est.steps.append((f"Added up the parts: {gbp(total)}.", "PA 2023 Sch 3 para 1; PCR 2015 reg 6(1)"))
        return est
    if v is None or v.unknown:
        if regime == "PA2023":
            est.unknown_treated_as_above = True
            est.steps.append(("The value or duration cannot be estimated, so the Act treats the contract as above the threshold.",
                              "PA 2023 Sch 3 para 5"))
            est.assumptions.append("Treated as above the threshold because the value or duration is not known.")
        est.missing.append("the estimated whole-life value")
        return est
    if v.total_gbp is not None:
        est.value_gbp = v.total_gbp
        est.steps.append((f"Whole-life value given: {gbp(v.total_gbp)}, taken to include every option and extension.",
                          "PA 2023 Sch 3 para 1(2)(c); PCR 2015 reg 6(1)"))
        est.assumptions.append("The total you gave includes all options and extensions.")
        return est
    annual = v.annual_gbp or 0.0
    years = v.years if v.years is not None else case.term_years
    if years is None:
        if regime == "PA2023":
            est.unknown_treated_as_above = True
            est.steps.append(("The contract has no fixed duration, so the Act treats it as above the threshold.", "PA 2023 Sch 3 para 5"))
            est.assumptions.append("Treated as above the threshold because the duration is not known.")
            est.missing.append("how many years the contract runs, including extensions")
            return est
        est.value_gbp = annual * PCR_MONTHS_CAP / 12
        est.steps.append((f"No total price and no fixed term: monthly value × 48 = {gbp(est.value_gbp)}.", "PCR 2015 reg 6(19)"))
        est.missing.append("how many years the contract runs, including extensions")
        return est
    total_years = years + v.extension_years
    plain = annual * total_years
    if regime == "PCR2015" and total_years * 12 > PCR_MONTHS_CAP:
        est.value_gbp = annual * PCR_MONTHS_CAP / 12
        est.alternative_total_gbp = plain
        est.steps.append((f"A yearly price with a term over 48 months: monthly value × 48 = {gbp(est.value_gbp)}.", "PCR 2015 reg 6(19)"))
        est.assumptions.append("The contract gives a yearly price, not a total price, so PCR reg 6(19) caps the estimate at 48 months.")
        est.missing.append(f"whether the contract states a total price: if so, the whole-term value {gbp(plain)} is used instead")
        return est
    est.value_gbp = plain
    ext = f" plus {v.extension_years:g} extension year(s)" if v.extension_years else ""
    est.steps.append((f"{gbp(annual)} a year × {years:g} year(s){ext} = {gbp(plain)}.",
                      "PA 2023 Sch 3 para 1(2)(c); PCR 2015 reg 6(1)"))
    return est


def apply_vat(est: Estimate, case: Case, basis: str) -> Estimate:
    """Puts the figure on the regime's VAT basis ("inclusive" or "net")."""
    est.basis = basis
    if est.value_gbp is None:
        return est
    x = est.value_gbp
    ref = "PA 2023 s.123(2)" if basis == "inclusive" else "PCR 2015 reg 6(1) (before SI 2021/1221)"
    if basis == "inclusive":
        if case.vat == "excluded":
            est.value_gbp = x * (1 + VAT_RATE)
            est.steps.append((f"Values include VAT: added VAT at 20% to {gbp(x)} = {gbp(est.value_gbp)}.", ref))
        elif case.vat == "unknown":
            est.other_vat_reading_gbp = x * (1 + VAT_RATE)
            est.assumptions.append("The figure you gave already includes any VAT (or the service is VAT-exempt).")
            est.missing.append(f"whether the figure includes VAT: if VAT is due on top, the value is {gbp(x * (1 + VAT_RATE))}")
        else:
            est.steps.append(("Values include VAT; the figure given already does (or the service is exempt).", ref))
    else:
        if case.vat == "included":
            est.value_gbp = x / (1 + VAT_RATE)
            est.steps.append((f"Before 2022 PCR values exclude VAT: removed VAT at 20% from {gbp(x)} = {gbp(est.value_gbp)}.", ref))
        elif case.vat == "unknown":
            est.other_vat_reading_gbp = x / (1 + VAT_RATE)
            est.assumptions.append("The figure you gave excludes VAT, as PCR values did before 2022.")
            est.missing.append(f"whether the figure includes VAT: if it does, the net value is {gbp(x / (1 + VAT_RATE))}")
        else:
            est.steps.append(("Before 2022 PCR values exclude VAT; the figure given already does.", ref))
    if est.alternative_total_gbp is not None:
        factor = (est.value_gbp / x) if x else 1.0
        est.alternative_total_gbp *= factor
    return est


def part_value(amount: float, case: Case, basis: str) -> float:
    """A part's value on the regime's VAT basis (parts share the case's VAT status)."""
    if basis == "inclusive" and case.vat == "excluded":
        return amount * (1 + VAT_RATE)
    if basis == "net" and case.vat == "included":
        return amount / (1 + VAT_RATE)
    return amount
