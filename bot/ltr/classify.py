"""Service classification: officer's words -> catalogue entries -> CPV code -> statutory lists.

Whether a code is light touch, reservable or PSR health care comes only from cpv.yml.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from .knowledge import CpvList, Knowledge, Service
from .match import matcher_for


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


def match_services(text: str, kb: Knowledge) -> list[Service]:
    """Catalogue entries named in the text, in order of appearance, each once."""
    out: list[Service] = []
    for m in matcher_for(kb).match(text):
        svc = kb.service(m.id)
        if svc is not None and svc not in out:
            out.append(svc)
    return out
