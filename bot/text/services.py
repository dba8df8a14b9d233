"""Services named in a message (the catalogue matcher lives in the rule module, so NLU and engine agree),
and CPV codes typed in it, checked against the whole CPV 2008 list.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from bot.ltr import cpv_catalogue
from bot.ltr.classification import profile
from bot.ltr.knowledge import load_knowledge
from bot.ltr.match import CLOSE, COVERS, CPV_PREFIX, ServiceMatch, ServiceMatcher, matcher_for
from bot.text.purchase import PurchaseReading, read_purchase

__all__ = ["CPV_PREFIX", "CpvMention", "Category", "PurchaseReading", "ServiceMatch", "ServiceMatcher", "default_matcher", "find_cpv",
           "Screening", "match_services", "nearest_categories", "purchase", "screen", "suggest_services", "unknown_cpv_message"]


@dataclass(frozen=True)
class CpvMention:
    code: str  # 8 digits, without the check digit
    start: int
    end: int
    text: str
    description: Optional[str]  # the official wording; None when no CPV 2008 code has these digits

    @property
    def known(self) -> bool:
        return self.description is not None


# ---- CPV codes ----------------------------------------------------------------------------------

_CPV = re.compile(r"(?<![\d£$€.,/-])(?P<code>\d{8})(?:\s?-\s?(?P<check>\d))?(?![\d,]|\.\d)")
_PHONE_BEFORE = re.compile(r"(?:\b0\d{2,4}|\+44|\b(?:tel|phone|mobile|call|ring)\b[:.]?)\s*$", re.I)
_CPV_BEFORE = re.compile(r"\bcpv\b[\s:#]*(?:codes?)?[\s:#]*$", re.I)


@lru_cache(maxsize=1)
def _divisions() -> frozenset[str]:
    """CPV divisions (first two digits) that exist: an 8-digit number outside them is not meant as a code."""
    return frozenset(c[:2] for c in cpv_catalogue.codes())


def find_cpv(text: str) -> list[CpvMention]:
    """CPV codes ("85312000", "CPV 85312000-9"), without their check digits. A number in a CPV division, or
    right after "CPV", is read as a code even when no such code exists, so it can be refused rather than
    ignored; `description` is None for those."""
    out = []
    for m in _CPV.finditer(text):
        code = m.group("code")
        named = bool(_CPV_BEFORE.search(text, 0, m.start()))
        if named or (code[:2] in _divisions() and not _PHONE_BEFORE.search(text, 0, m.start())):
            out.append(CpvMention(code, m.start(), m.end(), m.group(), cpv_catalogue.describe(code)))
    return out


def unknown_cpv_message(code: str) -> str:
    """What to tell an officer whose code is not in the CPV 2008 list (never 'not light touch')."""
    return (f"{code} is not a CPV code: it is not in the CPV 2008 list. Check the code (8 digits, for example "
            f"85312000), or describe the service in a few words.")


def default_matcher() -> ServiceMatcher:
    """The matcher over the project's catalogue."""
    return matcher_for(load_knowledge())


def match_services(text: str, matcher: Optional[ServiceMatcher] = None) -> list[ServiceMatch]:
    """Every service named in `text`, what is bought first (the head of the purchase, see bot.text.purchase)."""
    return purchase(text, matcher).services


def purchase(text: str, matcher: Optional[ServiceMatcher] = None) -> PurchaseReading:
    """The services named in `text`, the head of the purchase first, and the service naming whom it is for when
    the law treats it differently from the head (light touch or not, PSR or not): the head decided."""
    reading = read_purchase(text, (matcher or default_matcher()).match(text), lambda m: _treated(m) == (False, False))
    if reading.client is not None and _treated(reading.client) == _treated(reading.services[0]):
        return PurchaseReading(reading.services, None)
    return reading


def _treated(m: ServiceMatch) -> Optional[tuple[bool, bool]]:
    """(light touch, PSR) for a matched service; None when the entry itself is ambiguous."""
    kb = load_knowledge()
    cpv, kind = m.cpv, None
    svc = kb.service(m.id)
    if svc is not None:
        if not svc.cpv:
            return None
        cpv, kind = svc.cpv, svc.kind
    if not cpv:
        return None
    prof = profile(cpv, kb, kind)
    return (prof.light_touch and not (svc is not None and svc.exemption), prof.psr)


def suggest_services(text: str, matcher: Optional[ServiceMatcher] = None, limit: int = 3,
                     close: bool = False) -> list[tuple[str, str]]:
    """Up to `limit` (id, label) categories near `text` (catalogue entries or "cpv:<code>"), best first; with
    `close`, only those sharing the officer's telling words."""
    return (matcher or default_matcher()).suggest(text, limit, CLOSE if close else None)


@dataclass(frozen=True)
class Category:
    """A category offered for words the catalogue does not know, with what the law says about it."""

    id: str  # catalogue entry id, or "cpv:<code>"
    code: str  # CPV 2008 code
    description: str
    light_touch: bool  # in the light touch lists (reference §4.2); exempt entries are not
    category: str  # the light touch category's label, "health care service (PSR)" or "not light touch"

    @property
    def title(self) -> str:
        """A button title: "Graffiti removal services (not light touch)"."""
        return f"{self.description} ({'light touch' if self.light_touch else 'not light touch'})"


def nearest_categories(text: str, limit: int = 3, matcher: Optional[ServiceMatcher] = None) -> list[Category]:
    """The categories nearest the officer's words, ranked over the whole CPV list and the catalogue, each with
    its light touch status: what the dialogue offers as buttons when it does not recognise a service."""
    kb = load_knowledge()
    m = matcher or default_matcher()
    out = []
    for sid, label in m.suggest(text, limit):
        svc = kb.service(sid)
        code = svc.cpv if svc is not None else sid[len(CPV_PREFIX):]
        if not code:
            continue
        prof = profile(code, kb, svc.kind if svc is not None else None)
        lt = prof.light_touch and not (svc is not None and svc.exemption)
        what = "health care service (PSR)" if prof.psr else (prof.category_label or "light touch") if lt else "not light touch"
        out.append(Category(sid, code, label, lt, what))
    return out


@dataclass(frozen=True)
class Screening:
    """Is the service named in `text` light touch? `light_touch` is None when the words cannot decide (ask)."""

    light_touch: Optional[bool]
    by: str  # what decided: a catalogue entry id, "cpv:<code>", or "" when asked
    words: str  # the officer's words that decided
    client: str = ""  # the words naming whom it is for, when the head decided against them


def screen(text: str, matcher: Optional[ServiceMatcher] = None) -> Screening:
    """Light touch or not from words alone: the head of the purchase when it names a catalogue service or an
    official CPV wording; otherwise the nearest CPV categories when they are close and agree; else ask."""
    reading = purchase(text, matcher)
    if reading.head is not None:
        status = _treated(reading.head)
        if status is None:  # a vague entry ("telecare"): decided only if every reading it could mean agrees
            kb = load_knowledge()
            svc = kb.service(reading.head.id)
            options = {_treated(ServiceMatch(o, "", None, 0, 0, "", "")) for o in (svc.ambiguous_with if svc else [])}
            lts = {o[0] for o in options if o is not None}
            status = (lts.pop(), False) if len(lts) == 1 and None not in options else None
        client = reading.client.text if reading.client else ""
        if status is not None:
            return Screening(status[0], reading.head.id, reading.head.text, client)
        return Screening(None, "", reading.head.text, client)
    near = [c for c in nearest_categories(text, 2, matcher)]
    close = (matcher or default_matcher()).suggest(text, 1, CLOSE, COVERS)
    if close and near and all(c.light_touch == near[0].light_touch for c in near):
        return Screening(near[0].light_touch, near[0].id, near[0].description)
    return Screening(None, "", "")
