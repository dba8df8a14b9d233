"""Step: what is being bought. Officer's words or CPV codes -> catalogue entries -> statutory lists
(reference §4); asks when the words or a code cannot decide (reference §8 item 10).

Whether a code is light touch, reservable or PSR health care comes only from cpv.yml (`profile`)."""
from __future__ import annotations

from typing import Optional, Union

from .cpv_catalogue import cpv_in
from .knowledge import CpvList, Knowledge, Service
from .match import CPV_PREFIX, matcher_for
from .model import Assessment, Candidate, Profile
from .run import PartProfile, Run, Subject


def classify(run: Run) -> Union[Subject, Assessment]:
    """The subject-matter, or an Assessment asking which service is meant."""
    case, kb = run.case, run.kb
    if case.parts:
        parts = []
        for i, p in enumerate(case.parts):
            prof, label, svc = classify_one(run, p.service, list(p.cpv), f"part {i + 1}")
            if prof is None:
                return ask(run, svc, p.service or f"part {i + 1}")
            parts.append(PartProfile(prof, p.value_gbp, p.separable, label))
        biggest = max(parts, key=lambda t: t.value_gbp or 0.0)
        sub = Subject(label=" + ".join(t.label for t in parts), main=biggest.profile, parts=parts,
                      codes=[t.profile.cpv for t in parts])
        return sub
    prof, label, svc = classify_one(run, case.service, list(case.cpv), "the service")
    if prof is None:
        return ask(run, svc, case.service)
    codes = list(case.cpv) or [prof.cpv]
    return Subject(label=label, main=prof, service=svc if isinstance(svc, Service) else None, codes=codes)


def classify_one(run: Run, text: Optional[str], cpv: list[str], what: str):
    """-> (profile, label, service) or (None, None, candidates-or-None) when we must ask."""
    kb = run.kb
    if text and text.startswith(CPV_PREFIX) and not cpv:
        cpv = [text[len(CPV_PREFIX):]]  # an official CPV description the officer typed or chose ("cpv:75242110")
        text = None
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
        if undecided and (svc is None or not svc.cpv) and not run.case.exemption:
            run.question = undecided.question
            return None, None, [s for s in (kb.service(i) for i in undecided.candidates) if s]
        run.step(classify_id(prof, svc), classify_text(f"CPV {main}", prof, svc), prof.category_ref or "PCR 2015 Sch 3; PR24 Sch 1 (not listed)")
        caveats(run, prof, svc)
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
    distinct = {(signature(run, s)) for s in expanded}
    if len(distinct) > 1 or any(s.ambiguous_with for s in matches):
        run.mixed_mention = len(matches) > 1
        return None, None, expanded
    svc = expanded[0]
    prof = profile(svc.cpv or "", kb, svc.kind)
    if len(expanded) > 1:
        run.assume(f"{', '.join(s.label for s in expanded)} are classified the same way; treated as one service.")
    run.step(classify_id(prof, svc), classify_text(f"'{svc.label}' (CPV {svc.cpv})", prof, svc), svc.ref)
    caveats(run, prof, svc)
    return prof, svc.label, svc


def caveats(run: Run, prof: Profile, svc: Optional[Service]) -> None:
    """Caveats on how a code or a description is classified (UNVERIFIED in the reference)."""
    for c in run.kb.code_caveats:
        if cpv_in(prof.cpv, c.cpv):
            run.warn(f"W-CPV-{prof.cpv}", c.text, c.ref, c.source)
    if svc and svc.warning:
        run.warn(f"W-{svc.id.upper()}", svc.warning, svc.ref, svc.source)


def signature(run: Run, s: Service) -> tuple:
    if not s.cpv:
        return ("ambiguous", s.id)
    p = profile(s.cpv, run.kb, s.kind)
    return (p.light_touch, p.psr, bool(s.exemption))


def classify_id(prof: Profile, svc: Optional[Service] = None) -> str:
    """The trace id naming what the classification decided (the same four outcomes as `classify_text`)."""
    if svc is not None and svc.exemption:
        return "T-EXEMPT-SERVICE"
    if prof.kind != "service":
        return "T-NOT-LIGHT-TOUCH-WORKS" if prof.kind == "works" else "T-NOT-LIGHT-TOUCH-GOODS"
    return "T-LIGHT-TOUCH" if prof.light_touch else "T-NOT-LIGHT-TOUCH"


def classify_text(name: str, prof: Profile, svc: Optional[Service] = None) -> str:
    if svc is not None and svc.exemption:
        return f"{name}: the work described is exempt, so it is not a light touch service."
    if prof.kind != "service":
        return f"{name} is {prof.kind}, not a light touch service."
    if prof.light_touch:
        return f"{name} is a light touch service: {prof.category_label}."
    return f"{name} is not in the light touch lists."


def ask(run: Run, candidates, text: Optional[str]) -> Assessment:
    kb = run.kb
    if candidates:
        cands = [Candidate(s.id, s.label, profile(s.cpv, kb, s.kind).light_touch and not s.exemption, s.cpv or "")
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


# ---- a code -> what the law says about it (cpv.yml) -------------------------------------------------------


def _kind_of_code(code: str) -> str:
    division = int(code[:2])
    if division == 45:
        return "works"
    if division < 45 or division == 48:
        return "goods"  # CPV divisions 03-44 and 48 (software packages) are supplies
    return "service"


def _in_psr(code: str, psr: CpvList) -> tuple[bool, Optional[str]]:
    for lim in psr.limited:
        if lim["cpv"] == code:
            return True, lim["limit"]
    return cpv_in(code, psr.cpv) and not cpv_in(code, psr.excluded), None


def profile(code: str, kb: Knowledge, kind: Optional[str] = None) -> Profile:
    cat = next((c for c in kb.categories if cpv_in(code, c.cpv)), None)
    psr, limit = _in_psr(code, kb.psr)
    caveat = next((c["text"] for c in kb.psr.caveats if c["cpv"] == code), None)
    return Profile(
        cpv=code,
        kind=kind or _kind_of_code(code),
        category_id=cat.id if cat else None,
        category_label=cat.label if cat else None,
        category_ref=cat.ref if cat else None,
        psr=psr,
        psr_limit=limit,
        psr_caveat=caveat,
        reservable_pa2023=cpv_in(code, kb.reservable_pa2023.cpv),
        reservable_pcr=cpv_in(code, kb.reservable_pcr.cpv),
    )


# ---- free text -> catalogue entries ------------------------------------------------------------


def match_services(text: str, kb: Knowledge) -> list[Service]:
    """Catalogue entries named in the text, in order of appearance, each once."""
    out: list[Service] = []
    for m in matcher_for(kb).match(text):
        svc = kb.service(m.id)
        if svc is not None and svc not in out:
            out.append(svc)
    return out
