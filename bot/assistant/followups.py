"""Replies to questions about an answer already given ("tell me more about the open framework",
"what would change the answer?", "show the references", "what must we still do?", "what notices do we have to
publish?", "can I direct award to the current provider?").

Each reply answers the question asked first, in a sentence or two, with only the duties or routes it is about
(those of the case's own rules: the engine gives only those), then offers more. While a fact that decides the
answer is still being asked for, the reply says what it depends on instead of answering on a guess.

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

# What a follow-up may single out, by how officers ask it; anything else gets the whole list it asked for.
ASKS = {
    "notices": ["what notices do we have to publish", "which notices do we need to publish", "what do we have to publish",
                "do we need to advertise it", "do we have to advertise", "what do we still need to publish",
                "which notices apply"],
    "direct_award": ["can I direct award to the current provider", "can we award it directly", "can we direct award",
                     "can we give it to the current provider without a tender", "award to the incumbent",
                     "can we just carry on with the provider we have"],
}
ASK_SCORE = 0.45
# A fact the guided flow is still asking for, and what it decides (reference §1-§4).
DEPENDS_ON = {
    "date": "when the procurement starts, which decides which rules apply",
    "date_confirm": "when the procurement starts, which decides which rules apply",
    "service": "what the service is, which decides whether it is light touch",
    "service_unknown": "what the service is, which decides whether it is light touch",
    "value": "the contract's value, which decides whether it is above the threshold",
    "value_choice": "the contract's value, which decides whether it is above the threshold",
    "term": "how long the contract runs, which decides its whole-life value",
    "vat": "whether the value includes VAT, which can put it above or below the threshold",
}

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


_ASK_INDEX: Optional[PhraseIndex] = None


def asked_about(text: str) -> Optional[str]:
    """"notices" or "direct_award" when the question singles one of them out, else None."""
    global _ASK_INDEX
    if not text or text.startswith("/"):
        return None
    if _ASK_INDEX is None:
        _ASK_INDEX = PhraseIndex(ASKS.items())
    hits = _ASK_INDEX.rank(text)
    return hits[0].item if hits and hits[0].score >= ASK_SCORE else None


def reply(intent: str, a: Assessment, text: str = "", route: Optional[str] = None,
          waiting_for: Optional[str] = None) -> Reply:
    """The reply to a follow-up question (`intent` from data/nlu/followups.yml) about answer `a`. `waiting_for` is
    the question the guided flow is still asking, if any."""
    if waiting_for in DEPENDS_ON:
        return Reply(f"That depends on {DEPENDS_ON[waiting_for]}. Answer the question above first, and I'll tell you.")
    about = asked_about(text) if not route else None
    if about == "notices":
        return notices_reply(a)
    if about == "direct_award":
        return direct_award_reply(a)
    if intent == "more_about_route":
        return route_reply(a, text, route)
    if intent == "what_would_change":
        return what_would_change_reply(a)
    if intent == "show_references":
        return references_reply(a)
    return obligations_reply(a)


def _is_notice(o: Item) -> bool:
    """A duty about a notice to publish (or one not needed)."""
    low = o.text.lower()
    return "notice" in low and any(w in low for w in ("publish", "starting with", "notice is needed", "pipeline notice"))


def notices_reply(a: Assessment) -> Reply:
    notices = [o for o in a.obligations if _is_notice(o)]
    rules = f"Under the {a.regime_name}" if a.regime_name else "For this contract"
    if not notices:
        return Reply(f"{rules}, there are no notices to publish for this contract.\n\n{render.footer(a)}")
    lines = [f"{rules}, {len(notices)} of the duties for this contract are about notices:",
             *[f"- {render.item_line(o)}" for o in notices]]
    if len(notices) < len(a.obligations):
        lines += ["", f"Ask me \"{render.ASK_DUTIES}\" for all {len(a.obligations)} duties."]
    return Reply("\n".join([*lines, "", render.footer(a)]))


def direct_award_reply(a: Assessment) -> Reply:
    kb = load_knowledge()
    direct = [r for r in a.routes if (kb.route(r.id) is not None and "direct_award" in kb.route(r.id).aims)]
    rules = f"under the {a.regime_name}" if a.regime_name else "for this contract"
    if direct:
        names = "; ".join(f"{render.route_title(r)} ({r.ref})" for r in direct)
        lines = [f"Only on a direct award ground. On the facts you gave, {rules}, this is open: {names}."]
        lines += [f"- {render.item_line(o)}" for o in a.obligations if "direct" in o.text.lower()]
        return Reply("\n".join([*lines, "", render.footer(a)]), [_route_button(r) for r in direct])
    lines = [f"Not on the facts you gave: no direct award route is open {rules} for this contract."]
    if a.obligations:
        lines.append(f"What applies instead: {render.item_line(a.obligations[0])}")
    return Reply("\n".join([*lines, "", render.footer(a)]))


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
