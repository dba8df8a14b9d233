"""Step: is the contract exempt (reference §1 step 1)? Then no procurement regime applies, below-threshold rules included.

Exempt either because the case says which exemption applies (`Case.exemption`, one of `knowledge/exemptions.yml`),
or because the service the words matched is always exempt (services.yml `exemption`, e.g. litigation). Each
exemption carries its paragraph: PA 2023 Sch 2 for a procurement starting on or after the Act's start, the PCR
provision before it.
"""
from __future__ import annotations

from typing import Optional

from .knowledge import Exemption
from .run import Run, Subject
from .price import Working, working
from .value import part_value

PART_2_REF = "PA 2023 Sch 2 para 7(2)"


def exemption(run: Run, subject: Optional[Subject]) -> Optional[tuple[Exemption, str]]:
    """The exemption and the provision it rests on, with its trace steps recorded; None when not exempt."""
    case = run.case
    service = subject.service if subject is not None else None
    eid = case.exemption or (service.exemption if service is not None else None)
    entry = run.kb.exemption(eid) if eid else None
    if entry is None:
        return None
    act = (case.commenced or run.as_of) >= run.date("act_start")
    ref = entry.act_ref if act else entry.pcr_ref
    run.step("T-EXEMPT", f"Exempt: {entry.text} ({ref}). No procurement regime applies.", ref)
    if not act and not entry.pcr_verified:
        run.warn(f"W-EXEMPT-{entry.id.upper()}-PCR", f"The reference has not confirmed {ref} for this exemption under the PCR.", ref)
    if act and entry.part == 2 and case.parts:
        run.warn("W-EXEMPT-PART-2", "This exemption is lost if the main purpose of the contract could reasonably be bought "
                 "separately under a contract that is not exempt.", PART_2_REF)
    stated = _stated(run)
    if stated is not None:
        run.step("T-VALUE-NOT-COMPARED", f"{stated.text}. The value does not change the answer: the contract is exempt.", ref)
    return entry, ref


def answer(entry: Exemption, ref: str) -> str:
    label = entry.label[0].lower() + entry.label[1:]
    return (f"No procurement regime applies: the contract is exempt as {label} ({ref}). The procurement rules, "
            "including the below-threshold rules, do not apply.")


def stated_value(run: Run) -> Optional[float]:
    """The whole-life value, VAT included (s.123(2) basis), reported for the record: it is not compared."""
    stated = _stated(run)
    return None if stated is None else round(part_value(stated.total_gbp, run.case, "inclusive", run.kb), 2)


def _stated(run: Run) -> Optional[Working]:
    v = run.case.value
    return working(v, run.case.term_years) if v is not None and not v.unknown else None
