"""What every action shares: today's date (the engine never reads the clock), the case slots, and
the reply that carries an assessment."""
from __future__ import annotations

import os
import re
from datetime import date, datetime
from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.ltr import Assessment
from bot.server.limits import too_long

CASE_SLOTS = ("service", "cpv", "money", "duration", "commencement", "vat", "buyer", "cross_border")
DISCLAIMER = "Please note: this is information to help you plan, not legal advice. Check important decisions with your legal team."


def today() -> date:
    """Today in London, or LTR_TODAY (an ISO date) for reproducible runs and tests."""
    fixed = os.environ.get("LTR_TODAY")
    if fixed:
        return date.fromisoformat(fixed)
    try:
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo("Europe/London")).date()
    except Exception:  # no time zone database: the local date is close enough
        return date.today()


def payload(a: Assessment) -> dict[str, Any]:
    """The machine-readable copy of an answer that channels can render as a card."""
    return {"type": "ltr_assessment", "assessment": a.to_dict()}


def latest_entity(tracker: Tracker, name: str) -> Optional[Any]:
    values = [e.get("value") for e in (tracker.latest_message or {}).get("entities", []) if e.get("entity") == name]
    return values[-1] if values else None


def utter(dispatcher: CollectingDispatcher, text: str, buttons: Optional[list[dict[str, str]]] = None) -> None:
    dispatcher.utter_message(text=text, buttons=buttons or [])


def one_bubble(text: str) -> str:
    """Rasa's output channels split a text at every blank line into separate messages; one message of ours is
    one message for the officer (chat-sized answers are at most three)."""
    return re.sub(r"\n\s*\n+", "\n", text)


def refused_as_too_long(tracker: Tracker, dispatcher: CollectingDispatcher) -> bool:
    """The channels' cap on a message's length, kept here too: the action server may be reached by something other
    than Rasa's channels, and a long message must never reach the reader. True (and the officer told) when refused."""
    reply = too_long(str((tracker.latest_message or {}).get("text") or ""))
    if reply:
        dispatcher.utter_message(text=reply)
    return reply is not None
