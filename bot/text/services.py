"""Services named in a message (the catalogue matcher lives in the rule module, so NLU and engine agree),
and bare CPV codes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from bot.ltr.knowledge import load_knowledge
from bot.ltr.match import ServiceMatch, ServiceMatcher, matcher_for

__all__ = ["CpvMention", "ServiceMatch", "ServiceMatcher", "default_matcher", "find_cpv", "match_services"]


@dataclass(frozen=True)
class CpvMention:
    code: str  # 8 digits, without the check digit
    start: int
    end: int
    text: str


# ---- CPV codes ----------------------------------------------------------------------------------

# CPV divisions (the first two digits) that exist; anything else is not a CPV code.
_DIVISIONS = frozenset({
    "03", "09", "14", "15", "16", "18", "19", "22", "24", "30", "31", "32", "33", "34", "35", "37", "38", "39", "41",
    "42", "43", "44", "45", "48", "50", "51", "55", "60", "63", "64", "65", "66", "70", "71", "72", "73", "75", "76",
    "77", "79", "80", "85", "90", "92", "98",
})
_CPV = re.compile(r"(?<![\d£$€.,/-])(?P<code>\d{8})(?:\s?-\s?(?P<check>\d))?(?![\d,]|\.\d)")


_PHONE_BEFORE = re.compile(r"(?:\b0\d{2,4}|\+44|\b(?:tel|phone|mobile|call|ring)\b[:.]?)\s*$", re.I)


def find_cpv(text: str) -> list[CpvMention]:
    """Bare CPV codes ("85312000", "85312000-8"), without their check digits."""
    out = []
    for m in _CPV.finditer(text):
        code = m.group("code")
        if code[:2] in _DIVISIONS and not _PHONE_BEFORE.search(text, 0, m.start()):
            out.append(CpvMention(code, m.start(), m.end(), m.group()))
    return out



def default_matcher() -> ServiceMatcher:
    """The matcher over the project's catalogue."""
    return matcher_for(load_knowledge())


def match_services(text: str, matcher: Optional[ServiceMatcher] = None) -> list[ServiceMatch]:
    return (matcher or default_matcher()).match(text)
