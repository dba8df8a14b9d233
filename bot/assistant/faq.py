"""FAQ answers, straight from `bot/ltr/knowledge/faq.yml`: pick the entry closest to the question,
reply with its answer and reference. Nothing is answered that the knowledge base does not say.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from bot.ltr import load_knowledge
from bot.ltr.knowledge import Faq

from .similarity import PhraseIndex

# A clear match answers; a weaker one answers only when well ahead of the runner-up. Otherwise the
# best entry is only a guess, and the closest questions are offered as buttons instead.
CLEAR_SCORE = 0.60
WEAK_SCORE = 0.50
WEAK_MARGIN = 0.15
SUGGESTIONS = 3


@dataclass
class FaqReply:
    text: str
    faq_id: Optional[str] = None
    buttons: list[dict[str, str]] = field(default_factory=list)


@lru_cache(maxsize=4)
def _index(rules_version: str) -> PhraseIndex[Faq]:
    kb = load_knowledge()
    return PhraseIndex((f, [f.question, *f.examples]) for f in kb.faq)


def render_faq(entry: Faq) -> str:
    lines = [entry.answer.strip(), "", f"Reference: {entry.ref}."]
    if entry.source:
        lines.append(f"Source: {entry.source}")
    if not entry.verified:
        lines.append("This is not confirmed in the legislation: check with your legal team.")
    return "\n".join(lines)


def _clear(best: float, runner_up: float) -> bool:
    return best >= CLEAR_SCORE or (best >= WEAK_SCORE and best - runner_up >= WEAK_MARGIN)


def faq_reply(question: str, faq_id: Optional[str] = None) -> FaqReply:
    """The answer to a general question, or (when no entry is a clear match) the closest questions as buttons."""
    kb = load_knowledge()
    if faq_id:
        entry = kb.faq_entry(faq_id)
        if entry is not None:
            return FaqReply(render_faq(entry), entry.id)
    hits = _index(kb.rules_version).rank(question or "")
    if hits and _clear(hits[0].score, hits[1].score if len(hits) > 1 else 0.0):
        return FaqReply(render_faq(hits[0].item), hits[0].item.id)
    suggestions = [h.item for h in hits[:SUGGESTIONS]] if hits else list(kb.faq[:SUGGESTIONS])
    return FaqReply(
        "I don't have a ready answer to that. Is it one of these? If not, your procurement or legal team can help.",
        None,
        [{"title": f.question, "payload": f'/faq{{"faq_id": "{f.id}"}}'} for f in suggestions],
    )
