"""Step: the NHS Provider Selection Regime carve-out (reference §1.3), including PSR reg 3 mixed procurements."""
from __future__ import annotations

from datetime import date

from .run import Run, Subject
from .price import gbp


def psr_applies(run: Run, subject: Subject, commenced: date) -> bool:
    case = run.case
    health_parts = [t for t in subject.parts if t.profile.psr] if subject.parts else []
    any_psr = (subject.main is not None and subject.main.psr) or bool(health_parts)
    if not any_psr:
        return False
    ref = "PSR 2023 regs 1, 3, 29, Sch 1"
    if not case.england:
        run.step("T-PSR-NOT-ENGLAND", "The PSR applies in England only.", "PSR 2023 reg 1(2)")
        return False
    if case.buyer not in run.kb.ids("psr_relevant_authorities"):
        run.step("T-PSR-NOT-RELEVANT-AUTHORITY", "Health care service, but the buyer is not a PSR relevant authority, so the PSR does not apply.", ref)
        return False
    if commenced < run.date("psr_start"):
        run.step("T-PSR-BEFORE-START", f"Health care service, but the procurement began before {run.day('psr_start')}, before the PSR.", "PSR 2023 reg 29")
        return False
    if case.health_service_purpose is False:
        run.step("T-PSR-NOT-HEALTH-PURPOSE", "Not bought for the purposes of the NHS in England, so the PSR does not apply.", ref)
        return False
    if subject.parts:
        if not psr_mixed(run, subject):
            return False
    else:
        run.step("T-PSR-APPLIES", f"{subject.label} is a PSR health care service bought by a relevant authority on or after "
                 f"{run.day('psr_start')}: the PSR applies and the Act does not.", "PSR 2023 regs 3, 29, Sch 1; PA 2023 s.120(2); PR24 reg 43")
    if case.health_service_purpose is None:
        run.assume("The service is bought for the purposes of the NHS in England (for a borough, for example under its public health duties).")
    for prof in [subject.main] + [t.profile for t in subject.parts]:
        if prof and prof.psr_limit:
            run.assume(f"The PSR covers CPV {prof.cpv} only for {prof.psr_limit}; your service fits that description.")
            run.need(f"whether the service fits the PSR limit for CPV {prof.cpv}: {prof.psr_limit}")
        if prof and prof.psr_caveat:
            run.warn(f"W-PSR-{prof.cpv}", prof.psr_caveat, "PSR 2023 Sch 1")
    return True


def psr_mixed(run: Run, subject: Subject) -> bool:
    """PSR reg 3(2)-(5): health main by lifetime value, and the rest not reasonably separable."""
    ref = "PSR 2023 reg 3(2)-(5)"
    if any(t.value_gbp is None for t in subject.parts):
        run.need("the lifetime value of each part, to see whether health care is the main subject-matter (PSR reg 3)")
        run.warn("W-PSR-MIXED", "A mix of health care and other services: whether the PSR covers it depends on the values of the parts.", ref)
        return False
    health = sum(t.value_gbp or 0.0 for t in subject.parts if t.profile.psr)
    other = sum(t.value_gbp or 0.0 for t in subject.parts if not t.profile.psr)
    if health <= other:
        run.step("T-PSR-MIXED-HEALTH-NOT-MAIN", f"Health care ({gbp(health)}) is not the main subject-matter by lifetime value ({gbp(other)} other), "
                 "so this is not a PSR mixed procurement.", ref)
        run.warn("W-PSR-CARVE-OUT", "Whether the health care element must still be bought separately under the PSR is not settled.", ref)
        return False
    others = [t for t in subject.parts if not t.profile.psr]
    if any(t.separable is True for t in others):
        run.step("T-PSR-MIXED-OTHERS-SEPARABLE", "Health care is the main subject-matter, but the other services could reasonably be bought separately, "
                 "so the package is not a PSR mixed procurement.", ref)
        run.warn("W-PSR-SEPARATE", "You could buy the health care element under the PSR and the rest separately.", ref)
        return False
    if any(t.separable is None for t in others):
        run.need("whether the non-health services could reasonably be bought separately (if not, the whole package may use the PSR)")
        run.step("T-PSR-MIXED-SEPARABILITY-UNKNOWN", "Health care is the main subject-matter, but it is not known whether the other services could be bought "
                 "separately, so the PSR is not assumed.", ref)
        return False
    run.step("T-PSR-MIXED-APPLIES", f"Health care ({gbp(health)}) is the main subject-matter and the other services could not reasonably be "
             "bought separately: the whole package is treated as PSR health care services.", ref)
    return True
