"""Step: light touch or not for mixed contracts: PCR reg 4 (higher value), Act s.9 ('wholly or mainly'),
then Act s.5 and s.10 for separable elements (reference §4.4)."""
from __future__ import annotations

from datetime import date
from typing import Optional

from .price import gbp
from .run import Run, Subject
from .threshold import pick, standard_kind
from .value import part_value


def light_touch(run: Run, subject: Subject, regime: str) -> bool:
    if not subject.parts:
        assert subject.main is not None
        return subject.main.light_touch
    if any(t.value_gbp is None for t in subject.parts):
        run.need("the value of each part, to see whether the contract is mainly light touch services")
        run.assume(f"The largest part named first ({subject.parts[0].label}) is the main subject-matter.")
        return subject.parts[0].profile.light_touch
    lt_value = sum(t.value_gbp or 0.0 for t in subject.parts if t.profile.light_touch)
    other = sum(t.value_gbp or 0.0 for t in subject.parts if not t.profile.light_touch)
    lt = lt_value > other
    if regime == "PCR2015":
        text = (f"Mixed contract: light touch services {gbp(lt_value)} against other elements {gbp(other)}; "
                f"the higher value decides, so it {'is' if lt else 'is not'} a light touch contract.")
        run.step("T-MAIN-LIGHT-TOUCH" if lt else "T-MAIN-OTHER", text, "PCR 2015 reg 4(1)(b)")
    else:
        text = (f"Mixed contract: light touch services {gbp(lt_value)} against other elements {gbp(other)}; "
                f"it {'is' if lt else 'is not'} wholly or mainly light touch services.")
        run.step("T-MAIN-LIGHT-TOUCH" if lt else "T-MAIN-OTHER", text, "PA 2023 s.9(1)")
        run.warn("W-MAINLY", "The Act does not define 'mainly'. This answer compares the values of the parts, the usual practical test.", "PA 2023 s.9(1)")
    return lt


def separable(run: Run, subject: Subject, lt: bool, above: Optional[bool], basis: str, commenced: date,
               utilities: bool) -> tuple[Optional[bool], bool]:
    """Act s.5 (below-threshold contract with a separable element meeting its own threshold) and s.10."""
    for part in subject.parts:
        prof, value, separable, label = part.profile, part.value_gbp, part.separable, part.label
        if prof.light_touch or value is None:
            continue
        own = pick(run.kb, "PA2023", standard_kind(run.kb, run.case.buyer, "PA2023", utilities, run.case.concession,
                                                  prof.kind == "works"), commenced)
        v = part_value(value, run.case, basis, run.kb)
        if own is None or v < own.amount_gbp:
            continue
        if separable is None:
            run.need(f"whether the {label} element ({gbp(v)}) could reasonably be bought under a separate contract: "
                     "if so, the contract is not treated as light touch (s.10)")
            continue
        if not separable:
            continue
        if above is False:
            above = True
            run.step("T-S5", f"The separable {label} element ({gbp(v)}) meets its own {gbp(own.amount_gbp)} threshold, so the "
                     "whole contract is treated as above the threshold.", "PA 2023 s.5")
        if lt:
            lt = False
            run.step("T-S10", f"The {label} element ({gbp(v)}) could be bought separately and meets its own {gbp(own.amount_gbp)} "
                     "threshold, so the contract is not treated as a light touch contract. The threshold used stays the light "
                     "touch one (s.10(7)).", "PA 2023 s.10(1)-(3), (7)")
    return above, lt
