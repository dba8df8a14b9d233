"""Adaptive Cards (schema 1.5, as Microsoft Teams renders them) for the assistant's messages.

`assessment_card(payload, record_url)` draws the `ltr_assessment` payload the action server sends with the first
message of an answer (the widget draws the same payload in web/src/card.js): the headline, what was understood,
value against threshold, the caveats, the consequences that matter most, the routes with their references, the
rules version and a link to the decision record. `message_card(text, buttons)` is a message with buttons.

Pure: a dict in, a dict out. The wording comes from `bot.render.text` and `bot.render.record` (the same helpers
that write the chat's plain text and the decision record), so the card and the other channels cannot disagree.
Anything the reference could not confirm carries "Check with your legal team" (those helpers add it).

Text that may hold an officer's words (the answer, the facts, anything from a message) goes into `TextRun`s of a
`RichTextBlock`: Adaptive Cards never read Markdown in a TextRun, and Teams never reads HTML in a card, so it is
shown as typed. Markdown-reading elements (`TextBlock`, `FactSet`) carry only this module's own headings and the
figures of `record.result_rows` (names from the knowledge base, amounts, yes/no).
"""
from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from bot.ltr.model import Assessment
from bot.render.record import checked_assessment, result_rows
from bot.render.text import (
    DISCLAIMER,
    checked,
    consequence,
    fact_line,
    item_line,
    consequences,
    footer,
    ranked_routes,
    regime_line,
    route_title,
)

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"  # the newest version Teams renders (desktop, web and mobile)
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
# The widget's card says the same under every answer (web/src/card.js).
ROUTES_ID = "lta-routes"


def _runs(text: str, spacing: str = "Default", **style: Any) -> dict:
    return {"type": "RichTextBlock", "spacing": spacing, "inlines": [{"type": "TextRun", "text": text, **style}]}


def _lines(text: str, **style: Any) -> list[dict]:
    """Each line of a text as its own block (line breaks inside a TextRun are not kept everywhere)."""
    return [_runs(line, **style) for line in str(text).split("\n") if line.strip()]


def _heading(text: str) -> dict:
    return {"type": "TextBlock", "text": text, "weight": "Bolder", "wrap": True, "spacing": "Medium"}


def _bullets(items: Sequence[str], **style: Any) -> list[dict]:
    return [_runs(f"• {i}", spacing="Small", **style) for i in items]


def _section(title: str, body: list[dict], **extra: Any) -> list[dict]:
    return [{"type": "Container", "items": [_heading(title), *body], **extra}] if body else []


def assessment_card(payload: Mapping[str, Any], record_url: Optional[str] = None) -> dict:
    """The card for an `ltr_assessment` payload: {"assessment": Assessment.to_dict(), "understood": [...],
    "changed": str | None}. `record_url` links to the decision record (left out when None)."""
    data = payload["assessment"]
    a = Assessment.from_dict(dict(data))
    understood = [f for f in payload.get("understood") or [] if isinstance(f, Mapping)]
    changed = payload.get("changed")
    complete = a.status != "needs_input"
    body: list[dict] = []
    if changed:
        body += _lines(str(changed), italic=True)
    body.append({"type": "TextBlock", "text": "Which rules apply" if complete else "More information needed",
                 "size": "Medium", "weight": "Bolder", "wrap": True, "style": "heading"})
    body += _lines(a.answer, weight="Bolder")
    if complete and a.regime_name and a.regime_name not in a.answer:
        body += _lines(regime_line(a))
    body += _section("What I understood", _bullets([fact_line(f) for f in understood]))
    if complete:
        rows = result_rows(checked_assessment(data))
        body.append({"type": "FactSet", "spacing": "Medium", "facts": [{"title": k, "value": v} for k, v in rows]})
    body += _section("Caveats", _bullets([item_line(w) for w in a.warnings], color="Attention"))
    shown = consequences(a) if complete else []
    body += _section("What this means for you", _bullets([consequence(a, i) for i in shown]))
    routes = [checked(r, f"{route_title(r)} ({r.ref})" if r.ref else route_title(r)) for r in ranked_routes(a)]
    body += _section("Possible service categories",
                     _bullets([f"{c.label} (CPV {c.cpv})" if c.cpv else c.label for c in a.candidates]))
    actions: list[dict] = []
    if routes:
        body += _section(f"Flexibility and innovation routes open to you ({len(routes)})", _bullets(routes),
                         id=ROUTES_ID, isVisible=False)
        actions.append({"type": "Action.ToggleVisibility", "title": f"Show or hide the routes ({len(routes)})",
                        "targetElements": [ROUTES_ID]})
    # The "not legal advice" note comes once per conversation, with the first answer (the payload says which).
    body += _lines(f"{footer(a)} {DISCLAIMER}" if payload.get("disclaimer") else footer(a), isSubtle=True, size="Small")
    if complete and record_url:
        actions.append({"type": "Action.OpenUrl", "title": "Open the decision record", "url": record_url})
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body,
                            "msteams": {"width": "Full"}}
    if actions:
        card["actions"] = actions
    return card


def button_action(title: str, payload: str) -> dict:
    """A button whose click comes back to the bot as `payload` (a Rasa message such as /inform{"choice": 1}).
    messageBack shows the officer the button's title as their message, as the widget does."""
    return {
        "type": "Action.Submit",
        "title": title,
        "data": {"msteams": {"type": "messageBack", "displayText": title, "text": payload}, "lta_payload": payload},
    }


def message_card(text: str, buttons: Sequence[Mapping[str, Any]]) -> dict:
    """A message with buttons (Rasa's {"title", "payload"}) as a card whose buttons can be clicked."""
    # One button per row, full width: hosts cut long titles ("Procurement Act 2023 light touch contract")
    # short when they sit side by side.
    rows = [{"type": "ActionSet", "spacing": "Small",
             "actions": [button_action(str(b["title"]), str(b.get("payload") or b["title"]))]}
            for b in buttons if isinstance(b, Mapping) and b.get("title") is not None]
    return {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": _lines(text or " ") + rows}


__all__ = ["assessment_card", "message_card", "button_action", "CONTENT_TYPE"]
