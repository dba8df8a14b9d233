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
from .value import Estimate, apply_vat, gbp, part_value, raw_whole_life

CENTRAL_PA = {"central", "nhs_trust", "nhs_foundation_trust", "nhs_england"}
CENTRAL_PCR = {"central", "nhs_trust", "nhs_england"}  # foundation trusts: sub-central [S, single source]
PSR_AUTHORITIES = {"sub_central", "icb", "nhs_trust", "nhs_foundation_trust", "nhs_england"}
PCR_SAVING_EVENTS = {"pcr_contract_notice", "pcr_negotiated_contact", "contracts_finder_advert", "contract_awarded",
                     "transparency_notice"}
ACT_ONLY_EVENTS = {"tender_notice", "below_threshold_tender_notice"}
MUTUAL_MAX_YEARS = {"PA2023": 5.0, "PCR2015": 3.0}
NEAR_THRESHOLD = 0.10
NEAR_DATE = timedelta(days=31)
FIVE_MILLION = 5_000_000
REGIME_NAMES = {"PCR2015": "Public Contracts Regulations 2015", "PA2023": "Procurement Act 2023",
                "PSR": "Provider Selection Regime", "none": "no procurement regime (exempt)"}


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

    def result(self, **kw) -> Assessment:
        return Assessment(rules_version=self.kb.rules_version, as_of=self.as_of, case=self.case, trace=self.trace,
                          warnings=self.warnings, assumptions=self.assumptions, missing=self.missing, **kw)


def assess(case: Case, as_of: date, kb: Optional[Knowledge] = None) -> Assessment:
    """Which rules govern this procurement, is it light touch, is it above the threshold, and what follows."""
    kb = kb or load_knowledge()
    run = _Run(case, as_of, kb)

    commenced = case.commenced or as_of
    if not case.england:
        run.warn("W-NOT-ENGLAND", "These rules are for England. Scotland, Wales and Northern Ireland differ (reference §11).",
                 "PA 2023 s.2(5), s.126")

    subject_or_question = _classify(run)
    if isinstance(subject_or_question, Assessment):
        return subject_or_question
    subject = subject_or_question

    # 1. Exemptions
    exempt_text = case.exempt or (subject.service.exempt if subject.service else None)
    if exempt_text:
        ref = subject.service.ref if subject.service and subject.service.exempt else "PA 2023 s.3(6), Sch 2; PCR 2015 regs 7-17"
        run.step("T-EXEMPT", f"Exempt: {exempt_text}", ref)
        routes = _routes(run, "none", False, None, subject, commenced, None)
        return run.result(
            regime="none", light_touch=False, above_threshold=None, threshold_gbp=None, estimated_value_gbp=None,
            answer=f"Exempt: {exempt_text.rstrip('.')}. The procurement rules, including the below-threshold rules, do not apply.",
            service_category=subject.main.category_id if subject.main else None, cross_border_interest="not_a_test",
            obligations=_obligations(run, "none", False, None, {}), routes=routes)

    if case.commenced is None:
        run.assume(f"The procurement starts on {as_of.isoformat()} (no start date given).")
        run.need("when the procurement started or will start (first notice, advert or supplier contact)")
    if commenced < run.date("pcr_start"):
        run.step("T-PCR2006", "The procurement began before 26 February 2015, so PCR 2006 applied.", "PCR 2015 reg 118")
        run.warn("W-PCR2006", "Procurements begun before 26 February 2015 were under PCR 2006, which this tool does not cover.",
                 "PCR 2015 reg 118")
        return run.result(regime="none", light_touch=None, above_threshold=None, threshold_gbp=None, estimated_value_gbp=None,
                          answer="This procurement began under PCR 2006, which this tool does not cover.",
                          cross_border_interest="assess")

    # 2. PSR carve-out
    if _psr_applies(run, subject, commenced):
        est = raw_whole_life(case, "PSR", kb)
        est = apply_vat(est, case, "inclusive", "PSR", kb)
        run.assumptions.extend(a for a in est.assumptions if a not in run.assumptions and "VAT" not in a)
        obligations = _obligations(run, "PSR", False, None, {})
        routes = _routes(run, "PSR", False, None, subject, commenced, est)
        return run.result(
            regime="PSR", light_touch=False, above_threshold=None, threshold_gbp=None,
            estimated_value_gbp=_round(est.value_gbp),
            answer=("The NHS Provider Selection Regime applies, not the light touch rules: there is no value threshold, "
                    "and you choose one of the PSR processes."),
            service_category=subject.main.category_id if subject.main else None, cross_border_interest="not_a_test",
            obligations=obligations, routes=routes)

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
    thr = _threshold(run, regime, lt, commenced, utilities)
    if thr is None:
        return run.result(regime=regime, light_touch=lt, above_threshold=None, threshold_gbp=None,
                          estimated_value_gbp=_round(est.value_gbp),
                          answer=("This tool does not cover concessions or utilities procurements under PCR 2015 "
                                  "(they used the Concession Contracts Regulations 2016 and Utilities Contracts Regulations 2016)."),
                          service_category=subject.main.category_id if subject.main else None,
                          cross_border_interest=_cross_border(run, regime, commenced))
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

    facts = _facts(run, regime, lt, above, est, commenced, subject, basis)
    obligations = _obligations(run, regime, lt, above, facts)
    routes = _routes(run, regime, lt, above, subject, commenced, est)
    cbi = _cross_border(run, regime, commenced)
    _date_boundaries(run, regime, commenced, subject)
    _threshold_caveat(run, thr)

    return run.result(
        regime=regime, light_touch=lt, above_threshold=above, threshold_gbp=thr.amount_gbp,
        estimated_value_gbp=_round(est.value_gbp),
        answer=_answer(regime, lt, above, thr.amount_gbp, est.value_gbp, est.unknown_treated_as_above),
        service_category=subject.main.category_id if subject.main else None,
        cross_border_interest=cbi, obligations=obligations, routes=routes)


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
        run.step("T-CLASSIFY", _classify_text(f"CPV {main}", prof), prof.category_ref or "PCR 2015 Sch 3; PR24 Sch 1 (not listed)")
        svc = None
        if text:
            ms = match_services(text, kb)
            svc = ms[0] if ms else None
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
    run.step("T-CLASSIFY", _classify_text(f"'{svc.label}' (CPV {svc.cpv})", prof), svc.ref)
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


def _classify_text(name: str, prof: Profile) -> str:
    if prof.kind != "service":
        return f"{name} is {prof.kind}, not a light touch service."
    if prof.light_touch:
        return f"{name} is a light touch service: {prof.category_label}."
    return f"{name} is not in the light touch lists."


def _ask(run: _Run, candidates, text: Optional[str]) -> Assessment:
    kb = run.kb
    if candidates:
        cands = [Candidate(s.id, s.label, profile(s.cpv, kb, s.kind).light_touch, s.cpv or "") for s in candidates if s.cpv]
        if run.mixed_mention:
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
    if case.buyer not in PSR_AUTHORITIES:
        run.step("T-PSR", "Health care service, but the buyer is not a PSR relevant authority, so the PSR does not apply.", ref)
        return False
    if commenced < run.date("psr_start"):
        run.step("T-PSR", "Health care service, but the procurement began before 1 January 2024, before the PSR.", "PSR 2023 reg 29")
        return False
    if case.health_service_purpose is False:
        run.step("T-PSR", "Not bought for the purposes of the NHS in England, so the PSR does not apply.", ref)
        return False
    if subject.parts:
        if not _psr_mixed(run, subject):
            return False
    else:
        run.step("T-PSR", f"{subject.label} is a PSR health care service bought by a relevant authority on or after "
                 "1 January 2024: the PSR applies and the Act does not.", "PSR 2023 regs 3, 29, Sch 1; PA 2023 s.120(2); PR24 reg 43")
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
            run.warn("W-LATE-PCR-EVENT", "A PCR notice or advert on or after 24 February 2025 does not keep PCR 2015 in force.", saving_ref)
        run.step("T-REGIME", f"The procurement commenced on {commenced.isoformat()}, on or after 24 February 2025: the Procurement Act 2023 applies.",
                 "SI 2024/716 reg 2(2)")
        return "PA2023"
    if event in ACT_ONLY_EVENTS:
        run.warn("W-DATE-EVENT", "A notice under the Procurement Act cannot be dated before 24 February 2025; check the date.", "SI 2024/716 reg 2(2)")
        run.step("T-REGIME", "An Act notice was used, so the Procurement Act 2023 applies.", "SI 2024/716 reg 2(2)")
        return "PA2023"
    if event in PCR_SAVING_EVENTS:
        run.step("T-REGIME", f"A PCR saving event ({event.replace('_', ' ')}) happened before 24 February 2025: PCR 2015 applies "
                 "to this procurement and the resulting contract for its whole life.", saving_ref)
        return "PCR2015"
    if event == "pcr_pin":
        # For a light touch service the PIN is read as the light touch PIN of reg 75(1)(b); otherwise as reg 26(9).
        if not light_touch_service and commenced < run.date("pcr_pin_26_9_cutoff") and case.buyer not in CENTRAL_PCR:
            run.step("T-REGIME", "A sub-central authority's PIN call for competition submitted before 26 May 2023: PCR 2015 applies.",
                     "SI 2024/716 reg 5 (reg 26(9) PIN)")
            run.warn("W-PIN-TYPE", "This assumes the PIN was a reg 26(9) call for competition. A light touch PIN under reg 75(1)(b) "
                     "is not listed as a saving event.", "SI 2024/716 reg 5(3)(c); PCR 2015 reg 75(1)(b)")
            return "PCR2015"
        run.step("T-REGIME", "A light touch PIN (PCR reg 75(1)(b)) is not a saving event, so unless the contract was awarded before "
                 "24 February 2025 the Procurement Act 2023 applies.", "SI 2024/716 reg 5(3)(c)")
        run.warn("W-PIN-GAP", "On a literal reading a reg 75(1)(b) PIN does not keep PCR 2015 in force; whether guidance softens "
                 "this is not confirmed.", "SI 2024/716 reg 5(3)(c); PCR 2015 reg 75(1)(b)")
        run.need("whether the contract was awarded before 24 February 2025 (that would keep PCR 2015)")
        if light_touch_service and commenced < run.date("pcr_pin_26_9_cutoff") and case.buyer not in CENTRAL_PCR:
            run.need("whether the PIN was a reg 26(9) call for competition submitted before 26 May 2023 (that would keep PCR 2015)")
        return "PA2023"
    run.assume("A PCR saving event (contract notice, Contracts Finder advert, supplier contact or award) happened before 24 February 2025.")
    run.need("what happened before 24 February 2025: a contract notice, an advert, supplier contact or an award keeps PCR 2015")
    run.step("T-REGIME", f"The procurement began on {commenced.isoformat()}, before 24 February 2025: PCR 2015 applies.", saving_ref)
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
        own = _pick(run, "PA2023", _standard_kind(run.case.buyer, "PA2023", utilities, run.case.concession), commenced)
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


def _standard_kind(buyer: str, regime: str, utilities: bool, concession: bool) -> str:
    if concession:
        return "concession_other"
    if utilities:
        return "utilities_other"
    central = CENTRAL_PA if regime == "PA2023" else CENTRAL_PCR
    return "standard_central" if buyer in central else "standard_sub_central"


def _pick(run: _Run, regime: str, kind: str, on: date) -> Optional[Threshold]:
    for t in run.kb.thresholds:
        if t.regime == regime and t.kind == kind and t.from_ <= on and (t.to is None or on <= t.to):
            return t
    return None


def _threshold(run: _Run, regime: str, lt: bool, commenced: date, utilities: bool) -> Optional[Threshold]:
    case = run.case
    if regime == "PCR2015" and (case.concession or utilities):
        run.warn("W-PCR-CONC-UTIL", "Before 24 February 2025 concessions and utilities used their own regulations, which this "
                 "tool does not cover.", "Concession Contracts Regulations 2016; Utilities Contracts Regulations 2016")
        return None
    if lt:
        kind = "light_touch_concession" if case.concession else "light_touch_utilities" if utilities else "light_touch"
    else:
        kind = _standard_kind(case.buyer, regime, utilities, case.concession)
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
        run.step("T-CROSS-BORDER", "Before 2021, a contract of certain cross-border interest had to respect the EU Treaty "
                 "principles of transparency and equal treatment, even outside the detailed rules.", "Case C-507/03 Commission v Ireland")
        if run.case.cross_border_interest == "unknown":
            run.need("whether the contract was of certain cross-border interest (it mattered before 2021)")
        return "assess"
    run.step("T-CROSS-BORDER", "Cross-border interest is not a legal test for this procurement; the thresholds decide.",
             "PA 2023 ss.89-90" if regime != "PCR2015" else "EU exit (31 December 2020)")
    return "not_a_test"


# ---- obligations and routes -----------------------------------------------------------------------


def _facts(run: _Run, regime: str, lt: bool, above: Optional[bool], est: Estimate, commenced: date, subject: Subject,
           basis: str) -> dict[str, bool]:
    case = run.case
    x = est.value_gbp
    central_pa = case.buyer in CENTRAL_PA
    utilities = case.utilities or case.buyer == "utility"
    f: dict[str, bool] = {}
    f["school"] = case.buyer == "school"
    f["not_school"] = not f["school"]
    f["part6"] = regime == "PA2023" and not f["school"] and not case.concession and not utilities
    f["outside_part6"] = regime == "PA2023" and not f["part6"]
    notify = _pick(run, "PA2023", "notifiable_central" if central_pa else "notifiable_sub_central", max(commenced, run.date("act_start")))
    f["notifiable"] = x is None or (notify is not None and x >= notify.amount_gbp)
    # reg 109(2): NHS Trusts use the £25k floor although they are central for the reg 5 thresholds
    floor_kind = "below_floor_central" if case.buyer in CENTRAL_PCR - {"nhs_trust"} else "below_floor_sub_central"
    floor = _pick(run, "PCR2015", floor_kind, commenced)
    health_nhs = bool(subject.main and subject.main.psr and case.buyer in {"nhs_trust", "nhs_foundation_trust", "nhs_england"})
    f["pcr_chapter8"] = regime == "PCR2015" and x is not None and floor is not None and x >= floor.amount_gbp and not health_nhs
    std = _pick(run, "PCR2015", _standard_kind(case.buyer, "PCR2015", False, False), commenced) if regime == "PCR2015" else None
    f["below_standard"] = std is not None and x is not None and x < std.amount_gbp
    f["not_below_standard"] = std is not None and x is not None and x >= std.amount_gbp
    f["over_5m"] = x is None or x > FIVE_MILLION
    uc = bool(case.user_choice) and regime == "PA2023" and lt
    f["user_choice"] = uc
    f["not_user_choice"] = not uc
    f["psr_health"] = bool(subject.main and subject.main.psr and case.buyer in PSR_AUTHORITIES and case.england)
    f["not_psr_health"] = not f["psr_health"]
    f["pcr_pre2021"] = regime == "PCR2015" and commenced < run.date("treaty_end") and case.cross_border_interest != "no"
    if regime == "PA2023" and above is False:
        if f["part6"]:
            run.step("T-PART6", "Below the threshold the contract is a regulated below-threshold contract (Part 6 applies)"
                     + (f"; at {gbp(x)} it is notifiable." if x is not None and f["notifiable"] else "; it is not notifiable."),
                     "PA 2023 ss.84, 87(4)")
        else:
            why = "schools" if f["school"] else "concessions and utilities contracts"
            run.step("T-PART6", f"Part 6 (below-threshold rules) does not apply to {why}.", "PA 2023 s.84(1)-(2)")
    return f


def _obligations(run: _Run, regime: str, lt: bool, above: Optional[bool], facts: dict[str, bool]) -> list[Item]:
    out = []
    for o in run.kb.obligations:
        if applies_to(o.applies, regime, lt, above) and all(facts.get(n, False) for n in o.needs):
            out.append(Item(o.id, o.text, o.ref, o.verified, o.source))
            if not o.verified:
                run.warn(f"W-{o.id}", f"Not confirmed: {o.text}", o.ref, o.source)
    return out


def _routes(run: _Run, regime: str, lt: bool, above: Optional[bool], subject: Subject, commenced: date,
            est: Optional[Estimate]) -> list[Item]:
    case, kb = run.case, run.kb
    out = []
    for r in kb.routes:
        if not applies_to(r.applies, regime, lt, above):
            continue
        if not all(_route_need(run, n, regime, subject, est, r.id) for n in r.needs):
            continue
        ref = r.ref_for(regime) or r.ref_pa or ""
        verified = r.verified_for(regime)
        out.append(Item(r.id, f"{r.label}: {r.text}", ref, verified, r.source))
        if not verified:
            run.warn(f"W-{r.id}", f"The legal basis for '{r.label}' under {REGIME_NAMES[regime]} was not re-read.", ref, r.source)
    return out


def _route_need(run: _Run, need: str, regime: str, subject: Subject, est: Optional[Estimate], route_id: str) -> bool:
    case = run.case
    profs = [t[0] for t in subject.parts] if subject.parts else ([subject.main] if subject.main else [])
    if need == "mixed":
        return len({p.light_touch for p in profs}) > 1
    if need == "user_choice":
        individual = subject.service.individual if subject.service else True
        if case.user_choice is None and individual:
            run.need("whether a person (or their carer) has chosen a provider: a user choice direct award may be possible")
        return bool(case.user_choice) and individual
    if need == "reservable":
        lt_profs = [p for p in profs if p.light_touch]
        if regime == "PCR2015":  # reg 77: only contracts exclusively for the listed codes; not NHS health care
            codes = subject.codes or [p.cpv for p in profs]
            return bool(codes) and all(cpv_in(c, run.kb.reservable_pcr.cpv) for c in codes) and not any(p.psr for p in profs)
        return bool(lt_profs) and all(p.reservable_pa2023 for p in lt_profs)
    if need == "term_within_mutual_limit":
        term = case.term_years
        if term is None and case.value and case.value.years is not None:
            term = case.value.years + case.value.extension_years
        limit = MUTUAL_MAX_YEARS[regime]
        if term is None:
            run.need(f"the maximum term including extensions: reserving to a mutual needs {limit:g} years or less")
            return False
        return term <= limit
    if need == "rnd":
        return bool(subject.service and subject.service.id == "rnd_public_benefit")
    raise ValueError(f"routes.yml: entry {route_id}: unknown need '{need}'")


# ---- the one-line answer --------------------------------------------------------------------------


def _answer(regime: str, lt: bool, above: Optional[bool], thr: float, value: Optional[float], unknown_above: bool) -> str:
    law = REGIME_NAMES[regime]
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
