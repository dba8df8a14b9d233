"""Service classification: officer's words -> catalogue entries -> CPV code -> statutory lists.

Whether a code is light touch, reservable or PSR health care comes only from cpv.yml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from .knowledge import CpvList, Knowledge, Service


@lru_cache(maxsize=256)
def _spans(items: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    out = []
    for item in items:
        lo, _, hi = item.partition("-")
        out.append((int(lo), int(hi or lo)))
    return tuple(out)


def cpv_in(code: str, items: list[str]) -> bool:
    n = int(code)
    return any(lo <= n <= hi for lo, hi in _spans(tuple(items)))


@dataclass(frozen=True)
class Profile:
    """What the law says about one CPV code."""

    cpv: str
    kind: str  # service | goods | works
    category_id: Optional[str]
    category_label: Optional[str]
    category_ref: Optional[str]
    psr: bool
    psr_limit: Optional[str]
    psr_caveat: Optional[str]
    reservable_pa2023: bool
    reservable_pcr: bool

    @property
    def light_touch(self) -> bool:
        return self.kind == "service" and self.category_id is not None


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

_WORD = re.compile(r"[a-z0-9&']+")


def _normalise(text: str) -> str:
    t = text.lower().replace("’", "'").replace("-", " ").replace("/", " ")
    return " ".join(_WORD.findall(t))


def _plural_variants(term: str) -> set[str]:
    norm = _normalise(term)
    out = {norm}
    if norm.endswith("s") and len(norm) > 4:
        out.add(norm[:-1])
    elif not norm.endswith("s"):
        out.add(norm + "s")
    return out


_INDEX: dict[str, tuple[re.Pattern[str], dict[str, list[str]]]] = {}


def _term_index(kb: Knowledge) -> tuple[re.Pattern[str], dict[str, list[str]]]:
    """One regex over every normalised term (longest first), and term -> service ids; built once per rules version."""
    if kb.rules_version not in _INDEX:
        by_term: dict[str, list[str]] = {}
        for s in kb.services:
            for t in s.terms:
                for v in _plural_variants(t):
                    if v and s.id not in by_term.setdefault(v, []):
                        by_term[v].append(s.id)
        alternation = "|".join(re.escape(t) for t in sorted(by_term, key=lambda t: (-len(t), t)))
        pattern = re.compile(rf"(?<![a-z0-9&'])(?:{alternation})(?![a-z0-9&'])")
        _INDEX[kb.rules_version] = (pattern, by_term)
    return _INDEX[kb.rules_version]


@dataclass(frozen=True)
class Match:
    service: Service
    start: int  # offsets in the normalised text
    end: int
    term: str


def match_services(text: str, kb: Knowledge) -> list[Match]:
    """Catalogue entries named in the text, leftmost-longest, each entry once, in order of appearance."""
    pattern, by_term = _term_index(kb)
    out: list[Match] = []
    for m in pattern.finditer(_normalise(text)):
        for sid in by_term[m.group(0)]:
            if all(sid != o.service.id for o in out):
                svc = kb.service(sid)
                assert svc is not None
                out.append(Match(svc, m.start(), m.end(), m.group(0)))
    return out
