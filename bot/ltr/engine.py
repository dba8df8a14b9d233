"""`assess(case, as_of)`: the decision order of reference §1 and §9.

exemptions -> PSR carve-out -> PCR saving or the Act -> light touch classification -> value ->
threshold -> s.5 / s.10 (Act) -> obligations and routes -> warnings, assumptions, what would change the answer.
Deterministic: same case, same knowledge, same `as_of` -> same answer. Never reads the clock.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Optional

from .classify import Profile, cpv_in, match_services, profile
from .knowledge import Knowledge, Service, Threshold, applies_to, load_knowledge
from .model import Assessment, Candidate, Case, Item
from . import offer
from .conditions import Context
from .value import Estimate, apply_vat, gbp, part_value, raw_whole_life, working

NEAR_THRESHOLD = 0.10  # a tool policy, not law: values this close to a threshold ask for a firmer estimate
NEAR_DATE = timedelta(days=31)  # likewise for dates close to a change in the rules


@dataclass
class Subject:
    """The classified subject-matter of the contract."""

    label: str
    main: Optional[Profile]
    service: Optional[Service] = None
    parts: list[tuple[Profile, Optional[float], Optional[bool], str]] = field(default_factory=list)  # profile, value, separable, label
    codes: list[str] = field(default_factory=list)


class _Run:
    def __init__(self, case: Case, as_of: date, kb: Knowledge):
        self.case, self.as_of, self.kb = case, as_of, kb
        self.trace: list[Item] = []
        self.warnings: list[Item] = []
        self.assumptions: list[str] = []
        self.missing: list[str] = []
        self.mixed_mention = False  # the text named several services that the rules treat differently
        self.question: Optional[str] = None  # the question to ask when a code cannot decide on its own

    def step(self, id_: str, text: str, ref: str) -> None:
        self.trace.append(Item(id_, text, ref))

    def warn(self, id_: str, text: str, ref: str, source: str = "") -> None:
        if all(w.id != id_ for w in self.warnings):
            self.warnings.append(Item(id_, f"{text} Check with your legal team.", ref, verified=False, source=source))

    def assume(self, text: str) -> None:
        if text not in self.assumptions:
            self.assumptions.append(text)

    def need(self, text: str) -> None:
        if text not in self.missing:
            self.missing.append(text)

    def date(self, key: str) -> date:
        return self.kb.dates[key].date

    def day(self, key: str) -> str:
        """A key date from dates.yml in words: "24 February 2025"."""
        return _day(self.kb.dates[key].date)

    def result(self, **kw) -> Assessment:
        regime = kw.get("regime")
        kw.setdefault("regime_name", self.kb.regime_names[regime] if regime else "")
        category = kw.get("service_category")
        if category:
            kw.setdefault("service_category_label", next(c.label for c in self.kb.categories if c.id == category))
        return Assessment(rules_version=self.kb.rules_version, as_of=self.as_of, case=self.case, trace=self.trace,
                          warnings=self.warnings, assumptions=self.assumptions, missing=self.missing, **kw)

    def out_of_scope(self, scope_id: str, estimated_value_gbp: Optional[float] = None) -> Assessment:
        """The tool does not cover this case: the answer and the JSON both say so, with no regime."""
        scope = self.kb.out_of_scope[scope_id]
        item = Item(scope.id, scope.text, scope.ref, scope.verified, scope.source)
        self.step("T-OUT-OF-SCOPE", scope.text, scope.ref)
        return self.result(regime=None, light_touch=None, above_threshold=None, threshold_gbp=None,
                           estimated_value_gbp=estimated_value_gbp, out_of_scope=item,
                           answer=f"{scope.text} Check with your legal team.")


def assess(case: Case, as_of: date, kb: Optional[Knowledge] = None) -> Assessment:
    """Which rules govern this procurement, is it light touch, is it above the threshold, and what follows."""
    kb = kb or load_knowledge()
    run = _Run(case, as_of, kb)

    commenced = case.commenced or as_of
    if not case.england:
        return run.out_of_scope("not_england")

    subject_or_question = _classify(run)
    if isinstance(subject_or_question, Assessment):
        return subject_or_question
    subject = subject_or_question

    # 1. Exemptions
    exempt_text = case.exempt or (subject.service.exempt if subject.service else None)
    if exempt_text:
        ref = subject.service.ref if subject.service and subject.service.exempt else "PA 2023 s.3(6), Sch 2; PCR 2015 regs 7-17"
        run.step("T-EXEMPT", f"Exempt: {exempt_text}", ref)
        stated = working(case.value, case.term_years) if case.value and not case.value.unknown else None
        if stated is not None:
            run.step("T-VALUE", f"{stated.text}. The value does not change the answer: the contract is exempt.", ref)
        return _finish(run, subject, None, commenced,
            regime="none", light_touch=False, above_threshold=None, threshold_gbp=None,
            estimated_value_gbp=_round(stated.total_gbp) if stated else None,
            answer=f"Exempt: {exempt_text.rstrip('.')}. The procurement rules, including the below-threshold rules, do not apply.",
            service_category=subject.main.category_id if subject.main else None, cross_border_interest="not_a_test")

    if case.commenced is None:
        run.assume(f"The procurement starts on {as_of.isoformat()} (no start date given).")
        run.need("when the procurement started or will start (first notice, advert or supplier contact)")
    if commenced < run.date("pcr_start"):
        return run.out_of_scope("pcr2006")

    # 2. PSR carve-out
    if _psr_applies(run, subject, commenced):
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
    regime = _regime(run, commenced, bool(subject.main and subject.main.light_touch))

    # 4. Light touch by s.9 / reg 4 ('wholly or mainly' / highest value)
    lt = _light_touch(run, subject, regime)

    # 5. Value
    basis = "inclusive" if regime == "PA2023" or commenced >= run.date("pcr_vat_inclusive") else "net"
    est = apply_vat(raw_whole_life(case, regime, kb), case, basis, regime, kb)
    for text, ref in est.steps:
        run.step("T-VALUE", text, ref)
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
    if regime == "PCR2015" and (case.concession or utilities):
        return run.out_of_scope("pcr_concession" if case.concession else "pcr_utilities", _round(est.value_gbp))
    thr = _threshold(run, regime, lt, commenced, utilities)
    if est.unknown_treated_as_above:
        above: Optional[bool] = True
    elif est.value_gbp is None:
        above = None
    else:
        above = est.value_gbp >= thr.amount_gbp
        word = "at or above" if above else "below"
        run.step("T-COMPARE", f"{gbp(est.value_gbp)} is {word} the {gbp(thr.amount_gbp)} threshold.", thr.ref)
        _near(run, est, thr.amount_gbp, above)

    # 7. Act s.5 and s.10 for separable elements
    if regime == "PA2023" and subject.parts:
        above, lt = _separable(run, subject, lt, above, basis, commenced, utilities)

    cbi = _cross_border(run, regime, commenced)
    _date_boundaries(run, regime, commenced, subject)
    _threshold_caveat(run, thr)
    return _finish(run, subject, est.value_gbp, commenced,
        regime=regime, light_touch=lt, above_threshold=above, threshold_gbp=thr.amount_gbp,
        estimated_value_gbp=_round(est.value_gbp), threshold_id=thr.id, vat_basis=thr.vat_basis,
        answer=_answer(run, regime, lt, above, thr.amount_gbp, est.value_gbp, est.unknown_treated_as_above),
        service_category=subject.main.category_id if subject.main else None, cross_border_interest=cbi)


def _finish(run: _Run, subject: Subject, value: Optional[float], commenced: date, **kw) -> Assessment:
    """Obligations and routes for the settled facts, then the Assessment."""
    case = run.case
    regime, lt, above = kw["regime"], bool(kw["light_touch"]), kw["above_threshold"]
    profiles = [t[0] for t in subject.parts] if subject.parts else ([subject.main] if subject.main else [])
    ctx = Context(case=case, kb=run.kb, regime=regime, light_touch=lt, above=above, value_gbp=value, commenced=commenced,
                  profiles=profiles, codes=subject.codes or [p.cpv for p in profiles],
                  individual=subject.service.individual if subject.service else True,
                  rnd=bool(subject.service and subject.service.id == "rnd_public_benefit"), need=run.need)
    if regime == "PA2023" and above is False:
        part6 = ctx.check("part6")
        notify = ctx.check("notifiable")
        run.step("T-PART6", f"Below the threshold: {part6.why}" + (f"; {notify.why}." if part6.ok else "."), "PA 2023 ss.84, 87(4)")
    obligations = offer.obligations(run.kb, ctx, run.step, run.warn)
    routes, not_open = offer.routes(run.kb, ctx, run.step, run.warn)
    answered = [f"{i.text}" for i in not_open]
    answered += [f"{r.text.split(':')[0]}: open." for r in routes if set(case.aims) & set(run.kb.route(r.id).aims)]
    if answered:
        kw["answer"] = " ".join([kw["answer"], *answered])
    return run.result(obligations=obligations, routes=routes, routes_not_open=not_open, **kw)


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _round(x: Optional[float]) -> Optional[float]:
    return None if x is None else round(x, 2)


# ---- classification ------------------------------------------------------------------------------


def _classify(run: _Run):
    case, kb = run.case, run.kb
    if case.parts:
        parts = []
        for i, p in enumerate(case.parts):
            prof, label, svc = _classify_one(run, p.service, list(p.cpv), f"part {i + 1}")
            if prof is None:
                return _ask(run, svc, p.service or f"part {i + 1}")
            parts.append((prof, p.value_gbp, p.separable, label))
        biggest = max(parts, key=lambda t: t[1] or 0.0)
        sub = Subject(label=" + ".join(t[3] for t in parts), main=biggest[0], parts=parts, codes=[t[0].cpv for t in parts])
        return sub
    prof, label, svc = _classify_one(run, case.service, list(case.cpv), "the service")
    if prof is None:
        return _ask(run, svc, case.service)
    codes = list(case.cpv) or [prof.cpv]
    return Subject(label=label, main=prof, service=svc if isinstance(svc, Service) else None, codes=codes)


def _classify_one(run: _Run, text: Optional[str], cpv: list[str], what: str):
    """-> (profile, label, service) or (None, None, candidates-or-None) when we must ask."""
    kb = run.kb
    if cpv:
        main = cpv[0]
        prof = profile(main, kb)
        if len(cpv) > 1:
            run.assume(f"The first CPV code ({main}) is the main subject-matter of {what}.")
        svc = None
        if text:
            ms = match_services(text, kb)
            svc = ms[0] if ms else None
        undecided = next((u for u in kb.undecided_codes if cpv_in(main, u.cpv)), None)
        if undecided and (svc is None or not svc.cpv) and not run.case.exempt:
            run.question = undecided.question
            return None, None, [s for s in (kb.service(i) for i in undecided.candidates) if s]
        run.step("T-CLASSIFY", _classify_text(f"CPV {main}", prof, svc), prof.category_ref or "PCR 2015 Sch 3; PR24 Sch 1 (not listed)")
        _caveats(run, prof, svc)
        return prof, f"CPV {main}", svc
    if not text:
        return None, None, None
    direct = kb.service(text.strip())
    matches = [direct] if direct else match_services(text, kb)
    expanded: list[Service] = []
    for s in matches:
        for sid in (s.ambiguous_with or [s.id]):
            e = kb.service(sid)
            if e and e not in expanded:
                expanded.append(e)
    if not expanded:
        return None, None, []
    distinct = {(_sig(run, s)) for s in expanded}
    if len(distinct) > 1 or any(s.ambiguous_with for s in matches):
        run.mixed_mention = len(matches) > 1
        return None, None, expanded
    svc = expanded[0]
    prof = profile(svc.cpv or "", kb, svc.kind)
    if len(expanded) > 1:
        run.assume(f"{', '.join(s.label for s in expanded)} are classified the same way; treated as one service.")
    run.step("T-CLASSIFY", _classify_text(f"'{svc.label}' (CPV {svc.cpv})", prof, svc), svc.ref)
    _caveats(run, prof, svc)
    return prof, svc.label, svc


def _caveats(run: _Run, prof: Profile, svc: Optional[Service]) -> None:
    """Caveats on how a code or a description is classified (UNVERIFIED in the reference)."""
    for c in run.kb.code_caveats:
        if cpv_in(prof.cpv, c.cpv):
            run.warn(f"W-CPV-{prof.cpv}", c.text, c.ref, c.source)
    if svc and svc.warning:
        run.warn(f"W-{svc.id.upper()}", svc.warning, svc.ref, svc.source)


def _sig(run: _Run, s: Service) -> tuple:
    if not s.cpv:
        return ("ambiguous", s.id)
    p = profile(s.cpv, run.kb, s.kind)
    return (p.light_touch, p.psr, bool(s.exempt))


def _classify_text(name: str, prof: Profile, svc: Optional[Service] = None) -> str:
    if svc is not None and svc.exempt:
        return f"{name}: the work described is exempt, so it is not a light touch service."
    if prof.kind != "service":
        return f"{name} is {prof.kind}, not a light touch service."
    if prof.light_touch:
        return f"{name} is a light touch service: {prof.category_label}."
    return f"{name} is not in the light touch lists."


def _ask(run: _Run, candidates, text: Optional[str]) -> Assessment:
    kb = run.kb
    if candidates:
        cands = [Candidate(s.id, s.label, profile(s.cpv, kb, s.kind).light_touch and not s.exempt, s.cpv or "")
                 for s in candidates if s.cpv]
        if run.question:
            run.need(run.question)
            answer = run.question
        elif run.mixed_mention:
            run.need("whether the contract is mainly one of these, or the value of each part if it is a mix: "
                     + "; ".join(c.label for c in cands))
            answer = ("You mentioned services the rules treat differently. Which is the main part? If it is a mix, "
                      "tell me the value of each part.")
        else:
            run.need("which of these best describes the service: " + "; ".join(c.label for c in cands))
            answer = "Your description could mean services the rules treat differently. Which is closest?"
    else:
        cands = []
        run.need("what service you are buying (for example 'home care', or a CPV code)")
        answer = ("I could not recognise the service. Describe it in a few words (for example 'home care' or "
                  "'alarm monitoring') or give its CPV code.") if text else "What service are you buying?"
    return run.result(status="needs_input", regime=None, light_touch=None, above_threshold=None, threshold_gbp=None,
                      estimated_value_gbp=None, answer=answer, candidates=cands)


# ---- PSR ------------------------------------------------------------------------------------------


def _psr_applies(run: _Run, subject: Subject, commenced: date) -> bool:
    case = run.case
    health_parts = [t for t in subject.parts if t[0].psr] if subject.parts else []
    any_psr = (subject.main is not None and subject.main.psr) or bool(health_parts)
    if not any_psr:
        return False
    ref = "PSR 2023 regs 1, 3, 29, Sch 1"
    if not case.england:
        run.step("T-PSR", "The PSR applies in England only.", "PSR 2023 reg 1(2)")
        return False
    if case.buyer not in run.kb.ids("psr_relevant_authorities"):
        run.step("T-PSR", "Health care service, but the buyer is not a PSR relevant authority, so the PSR does not apply.", ref)
        return False
    if commenced < run.date("psr_start"):
        run.step("T-PSR", f"Health care service, but the procurement began before {run.day('psr_start')}, before the PSR.", "PSR 2023 reg 29")
        return False
    if case.health_service_purpose is False:
        run.step("T-PSR", "Not bought for the purposes of the NHS in England, so the PSR does not apply.", ref)
        return False
    if subject.parts:
        if not _psr_mixed(run, subject):
            return False
    else:
        run.step("T-PSR", f"{subject.label} is a PSR health care service bought by a relevant authority on or after "
                 f"{run.day('psr_start')}: the PSR applies and the Act does not.", "PSR 2023 regs 3, 29, Sch 1; PA 2023 s.120(2); PR24 reg 43")
    if case.health_service_purpose is None:
        run.assume("The service is bought for the purposes of the NHS in England (for a borough, for example under its public health duties).")
    for prof in [subject.main] + [t[0] for t in subject.parts]:
        if prof and prof.psr_limit:
            run.assume(f"The PSR covers CPV {prof.cpv} only for {prof.psr_limit}; your service fits that description.")
            run.need(f"whether the service fits the PSR limit for CPV {prof.cpv}: {prof.psr_limit}")
        if prof and prof.psr_caveat:
            run.warn(f"W-PSR-{prof.cpv}", prof.psr_caveat, "PSR 2023 Sch 1")
    return True


def _psr_mixed(run: _Run, subject: Subject) -> bool:
    """PSR reg 3(2)-(5): health main by lifetime value, and the rest not reasonably separable."""
    ref = "PSR 2023 reg 3(2)-(5)"
    if any(v is None for _, v, _, _ in subject.parts):
        run.need("the lifetime value of each part, to see whether health care is the main subject-matter (PSR reg 3)")
        run.warn("W-PSR-MIXED", "A mix of health care and other services: whether the PSR covers it depends on the values of the parts.", ref)
        return False
    health = sum(v or 0.0 for p, v, _, _ in subject.parts if p.psr)
    other = sum(v or 0.0 for p, v, _, _ in subject.parts if not p.psr)
    if health <= other:
        run.step("T-PSR", f"Health care ({gbp(health)}) is not the main subject-matter by lifetime value ({gbp(other)} other), "
                 "so this is not a PSR mixed procurement.", ref)
        run.warn("W-PSR-CARVE-OUT", "Whether the health care element must still be bought separately under the PSR is not settled.", ref)
        return False
    others = [t for t in subject.parts if not t[0].psr]
    if any(sep is True for _, _, sep, _ in others):
        run.step("T-PSR", "Health care is the main subject-matter, but the other services could reasonably be bought separately, "
                 "so the package is not a PSR mixed procurement.", ref)
        run.warn("W-PSR-SEPARATE", "You could buy the health care element under the PSR and the rest separately.", ref)
        return False
    if any(sep is None for _, _, sep, _ in others):
        run.need("whether the non-health services could reasonably be bought separately (if not, the whole package may use the PSR)")
        run.step("T-PSR", "Health care is the main subject-matter, but it is not known whether the other services could be bought "
                 "separately, so the PSR is not assumed.", ref)
        return False
    run.step("T-PSR", f"Health care ({gbp(health)}) is the main subject-matter and the other services could not reasonably be "
             "bought separately: the whole package is treated as PSR health care services.", ref)
    return True


# ---- regime --------------------------------------------------------------------------------------


def _regime(run: _Run, commenced: date, light_touch_service: bool) -> str:
    case = run.case
    act = run.date("act_start")
    event = case.commencement_event
    saving_ref = "SI 2024/716 reg 5"
    if commenced >= act:
        if event and event.startswith("pcr_") or event == "contracts_finder_advert":
            run.warn("W-LATE-PCR-EVENT", f"A PCR notice or advert on or after {run.day('act_start')} does not keep PCR 2015 in force.", saving_ref)
        run.step("T-REGIME", f"The procurement commenced on {_day(commenced)}, on or after {run.day('act_start')}: the Procurement Act 2023 applies.",
                 "SI 2024/716 reg 2(2)")
        return "PA2023"
    if event in run.kb.ids("act_only_events"):
        run.warn("W-DATE-EVENT", f"A notice under the Procurement Act cannot be dated before {run.day('act_start')}; check the date.", "SI 2024/716 reg 2(2)")
        run.step("T-REGIME", "An Act notice was used, so the Procurement Act 2023 applies.", "SI 2024/716 reg 2(2)")
        return "PA2023"
    if event in run.kb.ids("pcr_saving_events"):
        run.step("T-REGIME", f"A PCR saving event ({event.replace('_', ' ')}) happened before {run.day('act_start')}: PCR 2015 applies "
                 "to this procurement and the resulting contract for its whole life.", saving_ref)
        return "PCR2015"
    if event == "pcr_pin":
        # For a light touch service the PIN is read as the light touch PIN of reg 75(1)(b); otherwise as reg 26(9).
        if not light_touch_service and commenced < run.date("pcr_pin_26_9_cutoff") and case.buyer not in run.kb.ids("central_buyers_PCR2015"):
            run.step("T-REGIME", f"A sub-central authority's PIN call for competition submitted before {run.day('pcr_pin_26_9_cutoff')}: PCR 2015 applies.",
                     "SI 2024/716 reg 5 (reg 26(9) PIN)")
            run.warn("W-PIN-TYPE", "This assumes the PIN was a reg 26(9) call for competition. A light touch PIN under reg 75(1)(b) "
                     "is not listed as a saving event.", "SI 2024/716 reg 5(3)(c); PCR 2015 reg 75(1)(b)")
            return "PCR2015"
        run.step("T-REGIME", "A light touch PIN (PCR reg 75(1)(b)) is not a saving event, so unless the contract was awarded before "
                 f"{run.day('act_start')} the Procurement Act 2023 applies.", "SI 2024/716 reg 5(3)(c)")
        run.warn("W-PIN-GAP", "On a literal reading a reg 75(1)(b) PIN does not keep PCR 2015 in force; whether guidance softens "
                 "this is not confirmed.", "SI 2024/716 reg 5(3)(c); PCR 2015 reg 75(1)(b)")
        run.need(f"whether the contract was awarded before {run.day('act_start')} (that would keep PCR 2015)")
        if light_touch_service and commenced < run.date("pcr_pin_26_9_cutoff") and case.buyer not in run.kb.ids("central_buyers_PCR2015"):
            run.need(f"whether the PIN was a reg 26(9) call for competition submitted before {run.day('pcr_pin_26_9_cutoff')} "
                     "(that would keep PCR 2015)")
        return "PA2023"
    run.assume("A PCR saving event (contract notice, Contracts Finder advert, supplier contact or award) happened before "
               f"{run.day('act_start')}.")
    run.need(f"what happened before {run.day('act_start')}: a contract notice, an advert, supplier contact or an award keeps PCR 2015")
    run.step("T-REGIME", f"The procurement began on {_day(commenced)}, before {run.day('act_start')}: PCR 2015 applies.", saving_ref)
    return "PCR2015"


# ---- light touch ----------------------------------------------------------------------------------


def _light_touch(run: _Run, subject: Subject, regime: str) -> bool:
    if not subject.parts:
        assert subject.main is not None
        return subject.main.light_touch
    if any(v is None for _, v, _, _ in subject.parts):
        run.need("the value of each part, to see whether the contract is mainly light touch services")
        run.assume(f"The largest part named first ({subject.parts[0][3]}) is the main subject-matter.")
        return subject.parts[0][0].light_touch
    lt_value = sum(v or 0.0 for p, v, _, _ in subject.parts if p.light_touch)
    other = sum(v or 0.0 for p, v, _, _ in subject.parts if not p.light_touch)
    lt = lt_value > other
    if regime == "PCR2015":
        text = (f"Mixed contract: light touch services {gbp(lt_value)} against other elements {gbp(other)}; "
                f"the higher value decides, so it {'is' if lt else 'is not'} a light touch contract.")
        run.step("T-MIXED", text, "PCR 2015 reg 4(1)(b)")
    else:
        text = (f"Mixed contract: light touch services {gbp(lt_value)} against other elements {gbp(other)}; "
                f"it {'is' if lt else 'is not'} wholly or mainly light touch services.")
        run.step("T-MIXED", text, "PA 2023 s.9(1)")
        run.warn("W-MAINLY", "The Act does not define 'mainly'; value is the practical indicator used here.", "PA 2023 s.9(1)")
    return lt


def _separable(run: _Run, subject: Subject, lt: bool, above: Optional[bool], basis: str, commenced: date,
               utilities: bool) -> tuple[Optional[bool], bool]:
    """Act s.5 (below-threshold contract with a separable element meeting its own threshold) and s.10."""
    for prof, value, separable, label in subject.parts:
        if prof.light_touch or value is None:
            continue
        own = _pick(run, "PA2023", _standard_kind(run.kb, run.case.buyer, "PA2023", utilities, run.case.concession), commenced)
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


# ---- thresholds -----------------------------------------------------------------------------------


def _standard_kind(kb: Knowledge, buyer: str, regime: str, utilities: bool, concession: bool) -> str:
    if concession:
        return "concession_other"
    if utilities:
        return "utilities_other"
    central = kb.ids("central_buyers_PA2023" if regime == "PA2023" else "central_buyers_PCR2015")
    return "standard_central" if buyer in central else "standard_sub_central"


def _pick(run: _Run, regime: str, kind: str, on: date) -> Optional[Threshold]:
    for t in run.kb.thresholds:
        if t.regime == regime and t.kind == kind and t.from_ <= on and (t.to is None or on <= t.to):
            return t
    return None


def _threshold(run: _Run, regime: str, lt: bool, commenced: date, utilities: bool) -> Threshold:
    case = run.case
    if lt:
        kind = "light_touch_concession" if case.concession else "light_touch_utilities" if utilities else "light_touch"
    else:
        kind = _standard_kind(run.kb, case.buyer, regime, utilities, case.concession)
    thr = _pick(run, regime, kind, commenced)
    if thr is None:  # a date outside every table row (e.g. a PA2023 case dated before the Act); use the first row
        thr = min((t for t in run.kb.thresholds if t.regime == regime and t.kind == kind), key=lambda t: t.from_)
    run.step("T-THRESHOLD", f"Threshold: {gbp(thr.amount_gbp)} ({'including' if thr.vat_basis == 'inclusive' else 'excluding'} VAT) "
             f"for {kind.replace('_', ' ')} contracts, for procurements commenced from {thr.from_.isoformat()}.", thr.ref)
    if regime == "PCR2015" and case.buyer == "nhs_foundation_trust" and not lt:
        run.warn("W-FT-PCR", "Treating an NHS foundation trust as sub-central under PCR 2015 rests on a single source.", "PCR 2015 Sch 1")
    return thr


def _threshold_caveat(run: _Run, thr: Threshold) -> None:
    if not thr.verified:
        run.warn(f"W-{thr.id}", f"The {gbp(thr.amount_gbp)} figure is not confirmed.", thr.ref, thr.source)


def _near(run: _Run, est: Estimate, amount: float, above: bool) -> None:
    x = est.value_gbp or 0.0
    if abs(x - amount) <= NEAR_THRESHOLD * amount:
        run.need(f"a firmer value estimate: {gbp(x)} is within 10% of the {gbp(amount)} threshold")
    if est.other_vat_reading_gbp is not None and (est.other_vat_reading_gbp >= amount) != above:
        run.need("the VAT status of the figure: it changes whether the contract is above the threshold")


def _date_boundaries(run: _Run, regime: str, commenced: date, subject: Subject) -> None:
    keys = ["act_start"]
    if regime == "PA2023" and not (subject.main and subject.main.light_touch):
        keys.append("act_2026_thresholds")
    if regime == "PCR2015":
        keys.append("pcr_vat_inclusive")
    if subject.main and subject.main.psr:
        keys.append("psr_start")
    for k in keys:
        d = run.date(k)
        if abs(commenced - d) <= NEAR_DATE:
            run.need(f"the exact commencement date: it is close to {d.isoformat()}, when {run.kb.dates[k].text[0].lower()}"
                     f"{run.kb.dates[k].text[1:]}")


def _cross_border(run: _Run, regime: str, commenced: date) -> str:
    if regime == "PCR2015" and commenced < run.date("treaty_end"):
        year = run.date("treaty_end").year
        run.step("T-CROSS-BORDER", f"Before {year}, a contract of certain cross-border interest had to respect the EU Treaty "
                 "principles of transparency and equal treatment, even outside the detailed rules.", "Case C-507/03 Commission v Ireland")
        if run.case.cross_border_interest == "unknown":
            run.need(f"whether the contract was of certain cross-border interest (it mattered before {year})")
        return "assess"
    run.step("T-CROSS-BORDER", "Cross-border interest is not a legal test for this procurement; the thresholds decide.",
             "PA 2023 ss.89-90" if regime != "PCR2015" else run.kb.dates["treaty_end"].ref)
    return "not_a_test"


# ---- the one-line answer --------------------------------------------------------------------------


def _answer(run: _Run, regime: str, lt: bool, above: Optional[bool], thr: float, value: Optional[float],
            unknown_above: bool) -> str:
    law = run.kb.regime_names[regime]
    kind = "a light touch contract" if lt else "not a light touch contract"
    if unknown_above:
        return f"Under the {law} this is {kind}. The value or duration is not known, so treat it as above the {gbp(thr)} threshold."
    if above is None or value is None:
        return f"Under the {law} this is {kind}. I need the value to compare it with the {gbp(thr)} threshold."
    where = "above" if above else "below"
    if above and value < thr:
        return (f"Under the {law} this is {kind}, treated as above the {gbp(thr)} threshold because a separable element "
                f"meets its own threshold (estimated value {gbp(value)}).")
    return f"Under the {law} this is {kind}, {where} the {gbp(thr)} threshold (estimated value {gbp(value)})."
