"""Step: is the contract exempt (reference §1 step 1)? Then no procurement rules apply, below-threshold ones included.

Exempt either because the officer says which exemption applies (`Case.exempt`), or because the service
entry the words matched is an exempt one (services.yml `exempt`, e.g. litigation: Act Sch 2 para 14).
"""
from __future__ import annotations

from typing import Optional

from .run import Run, Subject
from .value import Working, part_value, working


GENERAL_REF = "PA 2023 s.3(6), Sch 2; PCR 2015 regs 7-17"


def exemption(run: Run, subject: Subject) -> Optional[str]:
    """The exemption in plain words, with its trace steps recorded; None when the contract is not exempt."""
    case, svc = run.case, subject.service
    text = case.exempt or (svc.exempt if svc else None)
    if not text:
        return None
    ref = svc.ref if svc is not None and svc.exempt and not case.exempt else GENERAL_REF
    run.step("T-EXEMPT", f"Exempt: {text}", ref)
    stated = _stated(run)
    if stated is not None:
        run.step("T-VALUE-NOT-COMPARED", f"{stated.text}. The value does not change the answer: the contract is exempt.", ref)
    return text


def stated_value(run: Run) -> Optional[float]:
    """The whole-life value, VAT included (s.123(2) basis), reported for the record: it is not compared."""
    stated = _stated(run)
    return None if stated is None else round(part_value(stated.total_gbp, run.case, "inclusive", run.kb), 2)


def _stated(run: Run) -> Optional[Working]:
    v = run.case.value
    return working(v, run.case.term_years) if v is not None and not v.unknown else None
