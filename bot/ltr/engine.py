"""`assess(case, as_of)`: the decision order of reference §1 and §9, and nothing else.

exemptions -> PSR carve-out -> PCR saving or the Act -> light touch classification -> value -> threshold ->
s.5 / s.10 (Act) -> obligations and routes -> warnings, assumptions, what would change the answer.
Each step lives in its own module (see ARCHITECTURE.md). Deterministic: same case, same knowledge,
same `as_of` -> same answer. Never reads the clock.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Optional

from . import offer
from .classification import classify
from .conditions import Context, check_registry
from .cross_border import cross_border
from .exemptions import answer as exempt_answer
from .exemptions import exemption, stated_value
from .knowledge import Knowledge, KnowledgeError, load_knowledge
from .mixed import light_touch, separable
from .model import Assessment, Case
from .psr import psr_applies
from .regime import date_boundaries, regime_for
from .run import Run, Subject, day
from .threshold import near, threshold, threshold_caveat
from .price import gbp
from .value import apply_vat, estimate, raw_whole_life


def assess(case: Case, as_of: date, kb: Optional[Knowledge] = None) -> Assessment:
    """Which rules govern this procurement, is it light touch, is it above the threshold, and what follows."""
    kb = kb or load_knowledge()
    _assembled(kb)
    run = Run(case, as_of, kb)

    commenced = case.commenced or as_of
    if not case.england:
        return run.other_nation(case.nation)

    # 1. Exemptions: an exemption stated as a fact needs no classification (an employment contract is exempt
    # whatever the job, a vertical arrangement whatever the service); otherwise the service may be an exempt one.
    if case.exemption:
        subject: Subject = Subject(label="the contract", main=None)
    else:
        subject_or_question = classify(run)
        if isinstance(subject_or_question, Assessment):
            return subject_or_question
        subject = subject_or_question
    exempt = exemption(run, subject)
    if exempt:
        return _finish(run, subject, None, commenced,
            regime="none", light_touch=False, above_threshold=None, threshold_gbp=None,
            estimated_value_gbp=stated_value(run), vat_basis="inclusive", answer=exempt_answer(*exempt),
            service_category=subject.main.category_id if subject.main else None, cross_border_interest="not_a_test")

    if case.commenced is None:
        run.assume(f"The procurement starts on {day(as_of)} (no start date given).")
        run.need("when the procurement started or will start (first notice, advert or supplier contact)")
    if commenced < run.date("pcr_start"):
        return run.out_of_scope("pcr2006")

    # 2. PSR carve-out
    if psr_applies(run, subject, commenced):
        est = raw_whole_life(case, "PSR", kb)
        est = apply_vat(est, case, "inclusive", "PSR", kb)
        run.assumptions.extend(a for a in est.assumptions if a not in run.assumptions and "VAT" not in a)
        return _finish(run, subject, est.value_gbp, commenced,
            regime="PSR", light_touch=False, above_threshold=None, threshold_gbp=None,
            estimated_value_gbp=_round(est.value_gbp), vat_basis="inclusive",
            answer=("The NHS Provider Selection Regime applies, not the light touch rules: there is no value threshold, "
                    "and you choose one of the PSR processes."),
            service_category=subject.main.category_id if subject.main else None, cross_border_interest="not_a_test")

    # 3. PCR saved, or the Act
    regime = regime_for(run, commenced, bool(subject.main and subject.main.light_touch))

    if case.concession and regime == "PA2023" and commenced < run.date("act_start"):
        run.warn("W-CONCESSION-BEFORE-ACT", f"This concession began before {run.day('act_start')}. The Procurement Act 2023 "
                 "is applied because no event you gave keeps the old rules; concessions then came under the Concession "
                 "Contracts Regulations 2016, whose saving rules are not in this assistant's reference.", "SI 2024/716 reg 5")

    # 4. Light touch by s.9 / reg 4 ('wholly or mainly' / highest value)
    lt = light_touch(run, subject, regime)

    # 5. Value
    est = estimate(case, regime, commenced, kb)
    basis = est.basis
    for step_id, text, ref in est.steps:
        run.step(step_id, text, ref)
    for a in est.assumptions:
        run.assume(a)
    for m in est.missing:
        run.need(m)
    if case.concession:
        run.assume("For a concession, the value is what the supplier could expect to receive over its life, from every source.")
    if case.framework:
        run.assume("For a framework, the value is the total of every contract that may be awarded under it.")

    # 6. Threshold
    utilities = case.utilities or case.buyer == "utility"
    works = bool(subject.main and subject.main.kind == "works" and not lt)
    if regime == "PCR2015" and (case.concession or utilities or works):
        scope = "pcr_concession" if case.concession else "pcr_utilities" if utilities else "pcr_works"
        return run.out_of_scope(scope, _round(est.value_gbp))
    thr = threshold(run, regime, lt, commenced, utilities, works)
    if est.unknown_treated_as_above:
        above: Optional[bool] = True
    elif est.value_gbp is None:
        above = None
    else:
        above = est.value_gbp >= thr.amount_gbp
        word = "at or above" if above else "below"
        run.step("T-ABOVE" if above else "T-BELOW", f"{gbp(est.value_gbp)} is {word} the {gbp(thr.amount_gbp)} threshold.", thr.ref)
        near(run, est, thr.amount_gbp, above)

    # 7. Act s.5 and s.10 for separable elements
    if regime == "PA2023" and subject.parts:
        above, lt = separable(run, subject, lt, above, basis, commenced, utilities)

    cbi = cross_border(run, regime, commenced)
    date_boundaries(run, regime, commenced, subject)
    threshold_caveat(run, thr)
    return _finish(run, subject, est.value_gbp, commenced,
        regime=regime, light_touch=lt, above_threshold=above, threshold_gbp=thr.amount_gbp,
        estimated_value_gbp=_round(est.value_gbp), threshold_id=thr.id, vat_basis=thr.vat_basis,
        answer=_answer(run, regime, lt, above, thr.amount_gbp, est.value_gbp, est.unknown_treated_as_above),
        service_category=subject.main.category_id if subject.main else None, cross_border_interest=cbi)


def _assembled(kb: Knowledge) -> None:
    """The engine is put together here: the named conditions the knowledge lists (conditions.yml) must be the ones
    conditions.py implements, or no answer is given (the loader checks the files alone, not the code)."""
    problem = _registry_problem(frozenset(kb.conditions))
    if problem:
        raise KnowledgeError(f"conditions.yml: {problem}")


@lru_cache(maxsize=8)
def _registry_problem(names: frozenset[str]) -> Optional[str]:
    return check_registry(set(names))


def _finish(run: Run, subject: Subject, value: Optional[float], commenced: date, **kw) -> Assessment:
    """Obligations and routes for the settled facts, then the Assessment."""
    case = run.case
    regime, lt, above = kw["regime"], bool(kw["light_touch"]), kw["above_threshold"]
    profiles = [t.profile for t in subject.parts] if subject.parts else ([subject.main] if subject.main else [])
    ctx = Context(case=case, kb=run.kb, regime=regime, light_touch=lt, above=above, value_gbp=value, commenced=commenced,
                  profiles=profiles, codes=subject.codes or [p.cpv for p in profiles],
                  individual=_individual(case, subject, profiles),
                  rnd=bool(subject.service and subject.service.id == "rnd_public_benefit"), need=run.need)
    if regime == "PA2023" and above is False:
        part6 = ctx.check("part6")
        notify = ctx.check("notifiable")
        part6_id = ("T-PART6-APPLIES-NOTIFIABLE" if notify.ok else "T-PART6-APPLIES-NOT-NOTIFIABLE") if part6.ok else "T-PART6-NOT-APPLY"
        run.step(part6_id, f"Below the threshold: {part6.why}" + (f"; {notify.why}." if part6.ok else "."), "PA 2023 ss.84, 87(4)")
        kw["notifiable"] = part6.ok and notify.ok  # outside Part 6 nothing is notifiable
    obligations = offer.obligations(run.kb, ctx, run.step, run.warn)
    routes, not_open = offer.routes(run.kb, ctx, run.step, run.warn)
    answered = offer.answered(run.kb, case.aims, routes, not_open)
    if answered:
        kw["answer"] = " ".join([kw["answer"], *answered])
    return run.result(obligations=obligations, routes=routes, routes_not_open=not_open, **kw)


def _individual(case: Case, subject: Subject, profiles: list) -> bool:
    """Is the service provided to a particular person (user choice, Sch 5 para 15)? The catalogue says so for the
    services it knows; for a code alone, health and social care services are, unless the officer says a person chose."""
    if subject.service is not None:
        return subject.service.individual
    return bool(case.user_choice) or any(p.category_id == "health_social" for p in profiles)


def _round(x: Optional[float]) -> Optional[float]:
    return None if x is None else round(x, 2)


def _answer(run: Run, regime: str, lt: bool, above: Optional[bool], thr: float, value: Optional[float],
            unknown_above: bool) -> str:
    law = run.kb.regime_names[regime]
    kind = "a light touch contract" if lt else "not a light touch contract"
    if unknown_above:
        return f"Under the {law} this is {kind}. The value or duration is not known, so treat it as above the {gbp(thr)} threshold."
    if above is None or value is None:
        return f"Under the {law} this is {kind}. I need the value to compare it with the {gbp(thr)} threshold."
    where = "above" if above else "below"
    if above and value == thr:  # the test is value >= threshold, so a value equal to it counts as above
        where = "exactly at, so treated as above,"
    if above and value < thr:
        return (f"Under the {law} this is {kind}, treated as above the {gbp(thr)} threshold because a separable element "
                f"meets its own threshold (estimated value {gbp(value)}).")
    return f"Under the {law} this is {kind}, {where} the {gbp(thr)} threshold (estimated value {gbp(value)})."
