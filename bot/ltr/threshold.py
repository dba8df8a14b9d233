"""Step: which threshold row applies (reference §2), by regime, contract kind, buyer and commencement date."""
from __future__ import annotations

from datetime import date
from typing import Optional

from .knowledge import Knowledge, Threshold
from .price import gbp
from .run import Run, day
from .value import Estimate


# The trace id naming the threshold row's kind that was picked (thresholds.yml `kind`).
STEP_ID = {
    "light_touch": "T-THRESHOLD-LIGHT-TOUCH",
    "light_touch_concession": "T-THRESHOLD-LIGHT-TOUCH-CONCESSION",
    "light_touch_utilities": "T-THRESHOLD-LIGHT-TOUCH-UTILITIES",
    "standard_central": "T-THRESHOLD-CENTRAL",
    "standard_sub_central": "T-THRESHOLD-SUB-CENTRAL",
    "works_other": "T-THRESHOLD-WORKS",
    "utilities_works": "T-THRESHOLD-UTILITIES-WORKS",
    "utilities_other": "T-THRESHOLD-UTILITIES",
    "concession_other": "T-THRESHOLD-CONCESSION",
}

NEAR_THRESHOLD = 0.10  # a tool policy, not law: values this close to a threshold ask for a firmer estimate


def standard_kind(kb: Knowledge, buyer: str, regime: str, utilities: bool, concession: bool, works: bool = False) -> str:
    """The thresholds.yml kind for a contract that is not light touch (Act Sch 1 rows 4, 6, 9-12; PCR reg 5)."""
    if concession:
        return "concession_other"
    if works:
        return "utilities_works" if utilities else "works_other"
    if utilities:
        return "utilities_other"
    central = kb.ids("central_buyers_PA2023" if regime == "PA2023" else "central_buyers_PCR2015")
    return "standard_central" if buyer in central else "standard_sub_central"


def pick(kb: Knowledge, regime: str, kind: str, on: date) -> Optional[Threshold]:
    """The thresholds.yml row of this regime and kind in force for a procurement commenced on `on`."""
    for t in kb.thresholds:
        if t.regime == regime and t.kind == kind and t.from_ <= on and (t.to is None or on <= t.to):
            return t
    return None


def threshold(run: Run, regime: str, lt: bool, commenced: date, utilities: bool, works: bool = False) -> Threshold:
    case = run.case
    if lt:
        kind = "light_touch_concession" if case.concession else "light_touch_utilities" if utilities else "light_touch"
    else:
        kind = standard_kind(run.kb, case.buyer, regime, utilities, case.concession, works)
    thr = pick(run.kb, regime, kind, commenced)
    if thr is None:  # a date outside every table row (e.g. a PA2023 case dated before the Act); use the first row
        thr = min((t for t in run.kb.thresholds if t.regime == regime and t.kind == kind), key=lambda t: t.from_)
    run.step(STEP_ID[kind], f"Threshold: {gbp(thr.amount_gbp)} ({'including' if thr.vat_basis == 'inclusive' else 'excluding'} VAT) "
             f"for {kind.replace('_', ' ')} contracts, for procurements commenced from {day(thr.from_)}.", thr.ref)
    if regime == "PCR2015" and case.buyer == "nhs_foundation_trust" and not lt:
        run.warn("W-FT-PCR", "It is not settled whether an NHS foundation trust was a central or sub-central authority under PCR 2015. This answer treats it as sub-central.", "PCR 2015 Sch 1")
    return thr


def threshold_caveat(run: Run, thr: Threshold) -> None:
    if not thr.verified:
        run.warn(f"W-{thr.id}", f"The {gbp(thr.amount_gbp)} figure for this period is not confirmed against the regulations.", thr.ref, thr.source)


def near(run: Run, est: Estimate, amount: float, above: bool) -> None:
    x = est.value_gbp or 0.0
    if abs(x - amount) <= NEAR_THRESHOLD * amount:
        run.need(f"a firmer value estimate: {gbp(x)} is within 10% of the {gbp(amount)} threshold")
    if est.other_vat_reading_gbp is not None and (est.other_vat_reading_gbp >= amount) != above:
        run.need("the VAT status of the figure: it changes whether the contract is above the threshold")
