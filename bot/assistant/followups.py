"""Replies to questions about an answer already given ("tell me more about the open framework",
"what would change the answer?", "show the references", "what must we still do?").

The case is re-assessed each time (the engine is deterministic and fast), so these replies can never
drift from the answer they follow. Wording comes from `bot.render.text`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from bot.ltr import Assessment, load_knowledge
from bot.ltr.model import Item
from bot.render import text as render

from .similarity import PhraseIndex

ROUTE_SCORE = 0.35
ROUTE_MARGIN = 0.05
MAX_ROUTE_BUTTONS = 8

NO_CASE_YET = (
    "I haven't looked at a contract with you yet. Tell me about it first, for example: "
    "\"we're buying home care worth £700k, going out to tender next April\"."
)


@dataclass
class Reply:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


def route_label(route: Item) -> str:
    kb_route = load_knowledge().route(route.id)
    return kb_route.label if kb_route else route.text.split(":")[0]


def _route_button(route: Item) -> dict[str, str]:
    return {"title": route_label(route), "payload": f'/more_about_route{{"route": "{route.id}"}}'}


_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
             "fifth": 4, "5th": 4, "last": -1}
_ORDINAL = re.compile(r"\b(?:the\s+)?(" + "|".join(_ORDINALS) + r")\b(?:\s+(?:one|option|route|thing))?", re.I)


def find_route(a: Assessment, text: str) -> Optional[Item]:
    """The route of this answer the officer is asking about, if their words single one out:
    by name ("the open framework") or by its place in the list the answer showed ("the first one")."""
    if not a.routes or not text:
        return None
    ordinal = _ORDINAL.search(text)
    if ordinal:
        ranked = render.ranked_routes(a)
        n = _ORDINALS[ordinal.group(1).lower()]
        if -len(ranked) <= n < len(ranked):
            return ranked[n]
    index = PhraseIndex((r, [route_label(r), r.text]) for r in a.routes)
    hits = index.rank(text)
    runner_up = hits[1].score if len(hits) > 1 else 0.0
    if hits and hits[0].score >= ROUTE_SCORE and hits[0].score - runner_up >= ROUTE_MARGIN:
        return hits[0].item
    return None


def route_reply(a: Assessment, text: str, route_id: Optional[str] = None) -> Reply:
    if not a.routes:
        return Reply(render.render_routes(a))
    route = next((r for r in a.routes if r.id == route_id), None) if route_id else find_route(a, text)
    if route is not None:
        body = render.render_route(a, route.id) or ""
        return Reply(f"{route_label(route)}\n{body}\n\n{render.footer(a)}")
    ranked = render.ranked_routes(a)
    return Reply(
        render.render_routes(a) + "\n\nChoose one to hear more about it.",
        [_route_button(r) for r in ranked[:MAX_ROUTE_BUTTONS]],
    )


def what_would_change_reply(a: Assessment) -> Reply:
    text = render.render_missing(a)
    if a.assumptions:
        text = "\n".join(["I assumed:", *[f"- {x}" for x in a.assumptions], "", text])
    return Reply(text)


def references_reply(a: Assessment) -> Reply:
    return Reply(render.render_references(a))


def obligations_reply(a: Assessment) -> Reply:
    return Reply(render.render_obligations(a))
