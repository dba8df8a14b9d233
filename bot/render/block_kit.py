"""Slack Block Kit for the assistant's messages: the `ltr_assessment` payload as one message, and a text
with buttons. Pure: payload in, blocks out (no Slack client, no clock).

The content is the widget card's and the Teams card's: the headline, what was understood (with "Change"
buttons), the value against the threshold, the consequences that matter most, the routes with their
references, the caveats, the rules version and, when the channel has one, a link to the decision record.
Every sentence comes from `bot.render.text` and `bot.render.record` (the chat text and the record use the
same helpers), so Slack never says anything the other channels do not. Items the reference could not
confirm carry "Check with your legal team" (`text.checked`).

Slack limits (https://docs.slack.dev/reference/block-kit/blocks): at most 50 blocks a message, 3,000
characters in a section's text, 2,000 in a field, 75 in a button's label, 2,000 in its value, 25
elements in an actions block. Officer and model text is mrkdwn-escaped (&, <, >), so nobody's words can
become a mention, a link or markup.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Sequence

from bot.ltr.model import Assessment
from bot.render import text as T
from bot.render.record import checked_assessment, result_rows

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_FIELD_CHARS = 2000
MAX_FIELDS = 10
MAX_BUTTON_LABEL = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTIONS = 25
BULLET = "\u2022 "
# The "Change" buttons name the fact ("Change value"); the click sends the fact's own payload.
CHANGE = "Change"
RECORD_LINK = "Decision record (opens in your browser)"
CHOSEN = "You chose: {title}"


def escape(text: Any) -> str:
    """Slack's three control characters (https://docs.slack.dev/messaging/formatting-message-text)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, MAX_SECTION_CHARS)}}


def _sections(heading: str, lines: Sequence[str]) -> list[dict[str, Any]]:
    """A heading and its lines (already escaped), split over as many sections as the 3,000-character limit
    needs, never in the middle of a line."""
    blocks: list[dict[str, Any]] = []
    current = f"*{heading}*" if heading else ""
    for line in lines:
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_SECTION_CHARS and current:
            blocks.append(section(current))
            candidate = line
        current = candidate
    if current:
        blocks.append(section(current))
    return blocks


def _bullets(lines: Iterable[str]) -> list[str]:
    return [BULLET + escape(line) for line in lines]


def button(title: str, payload: str, n: int) -> Optional[dict[str, Any]]:
    """A Block Kit button whose click comes back as the Rasa payload; None when Slack could not carry it."""
    if not payload or len(payload) > MAX_BUTTON_VALUE or not title:
        return None
    return {
        "type": "button",
        "action_id": f"lta-button-{n}",
        "text": {"type": "plain_text", "text": _cut(str(title), MAX_BUTTON_LABEL), "emoji": False},
        "value": payload,
    }


def actions(buttons: Sequence[Mapping[str, Any]], block_id: str) -> list[dict[str, Any]]:
    elements = [b for n, x in enumerate(buttons) if (b := button(str(x.get("title") or ""), str(x.get("payload") or ""), n))]
    elements = elements[:MAX_ACTIONS]
    return [{"type": "actions", "block_id": block_id, "elements": elements}] if elements else []


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(text, MAX_SECTION_CHARS)}]}


# ---- plain messages ------------------------------------------------------------------------------


def message_blocks(text: str, buttons: Sequence[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """A text (escaped) and its buttons."""
    blocks = _sections("", [escape(line) for line in str(text).split("\n")])
    return _capped(blocks + actions(buttons, "lta-buttons"))


# ---- the assessment ------------------------------------------------------------------------------


def fallback_text(payload: Mapping[str, Any]) -> str:
    """The notification text of the assessment message: what changed and the answer."""
    a = payload.get("assessment") or {}
    lines = [str(payload.get("changed") or ""), str(a.get("answer") or "")]
    return escape("\n".join(line for line in lines if line))


def assessment_blocks(payload: Mapping[str, Any], record_url: Optional[str] = None) -> list[dict[str, Any]]:
    """The `ltr_assessment` payload ({"assessment", "understood", "changed"}) as Block Kit."""
    a = Assessment.from_dict(dict(payload["assessment"]))
    understood = [f for f in payload.get("understood") or [] if isinstance(f, Mapping)]
    changed = payload.get("changed")
    blocks = [_headline(a, changed)]
    if a.status == "needs_input":
        blocks += _sections("", _bullets(f"{c.label} (CPV {c.cpv})" if c.cpv else c.label for c in a.candidates))
        return _capped(blocks + [context(escape(T.footer(a)))])
    if understood:
        blocks += _sections("What I understood", _bullets(T.fact_line(f) for f in understood))
        blocks += actions([{"title": f"{CHANGE} {_lower(str(f.get('label') or ''))}", "payload": f.get("change")}
                           for f in understood if isinstance(f.get("change"), str)], "lta-change")
    if a.out_of_scope is None:
        blocks.append(_figures(a, payload["assessment"]))
    shown = T.consequences(a)
    if shown:
        blocks += _sections("What this means for you", _bullets(T.consequence(a, i) for i in shown))
    routes = T.ranked_routes(a)
    if routes:
        blocks += _sections("Options open to you", _bullets(T.checked(r, f"{T.route_title(r)} ({r.ref})") for r in routes))
    if a.warnings:
        blocks += _sections("Caveats", _bullets(T.item_line(w) for w in a.warnings))
    blocks.append(context(escape(T.more_line(a, shown))))
    return _capped(blocks, _footer(a, record_url, bool(payload.get("disclaimer"))))


def _lower(label: str) -> str:
    return label if label.isupper() else label.lower()  # "Change value", "Change VAT"


def _headline(a: Assessment, changed: Optional[str]) -> dict[str, Any]:
    lines = [escape(changed)] if changed else []
    lines.append(f"*{escape(a.answer)}*")
    if a.regime_name and a.regime_name not in a.answer:
        lines.append(escape(T.regime_line(a)))
    return section("\n".join(lines))


def _figures(a: Assessment, data: Mapping[str, Any]) -> dict[str, Any]:
    """The value against the threshold in words, and the card's figures as fields."""
    rows = result_rows(checked_assessment(data))[:MAX_FIELDS]
    block = section(escape(T.value_line(a)))
    block["fields"] = [{"type": "mrkdwn", "text": _cut(f"*{escape(k)}*\n{escape(v)}", MAX_FIELD_CHARS)} for k, v in rows]
    return block


def _footer(a: Assessment, record_url: Optional[str], disclaimer: bool) -> dict[str, Any]:
    # The "not legal advice" note comes once per conversation, with the first answer (the payload says which).
    parts = [escape(T.footer(a))] + ([escape(T.DISCLAIMER)] if disclaimer else [])
    if record_url:
        # The URL is ours (LTA_PUBLIC_URL and a signed token); "|" and ">" would end Slack's link early.
        parts.append(f"<{record_url.replace('|', '%7C').replace('>', '%3E')}|{RECORD_LINK}>")
    return context(" ".join(parts))


def _capped(blocks: list[dict[str, Any]], last: Optional[dict[str, Any]] = None) -> list[dict[str, Any]]:
    """At most 50 blocks; the footer (rules version, record link) is always kept."""
    room = MAX_BLOCKS - (1 if last else 0)
    out = blocks[:room]
    return out + [last] if last else out


# ---- after a click ------------------------------------------------------------------------------


def chosen(blocks: Sequence[Mapping[str, Any]], title: str) -> list[dict[str, Any]]:
    """The message as it was, without its buttons, saying what was chosen: an old button cannot be
    clicked twice, and the thread shows the choice the way a typed answer would."""
    kept = [dict(b) for b in blocks if b.get("type") != "actions"]
    for b in kept:
        b.pop("accessory", None)
    return _capped(kept, context(escape(CHOSEN.format(title=title))))
