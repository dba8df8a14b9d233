"""The conversation about a procurement: one thin action over `bot.assistant.dialogue`.

Every message that is not part of the training quiz comes here. The dialogue reads it, merges its facts
into the case (kept in the `conversation` slot as JSON) and says what to ask or answer, FAQ answers
included; questions about the last answer are answered here from `bot.assistant.followups`.
"""
from __future__ import annotations

from typing import Any, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.assistant import followups
from bot.assistant.dialogue import Incoming, Outcome, restarts, turn
from bot.assistant.faq import prepare as prepare_faq
from bot.ltr import Assessment, Case, CaseError, assess

from bot.quiz import active, handle as quiz_turn

from .common import one_bubble, refused_as_too_long, today
from .quiz import send as send_quiz


def incoming(tracker: Tracker) -> Incoming:
    m = tracker.latest_message or {}
    intent = m.get("intent") or {}
    entities: dict[str, Any] = {}
    for e in m.get("entities") or []:
        if isinstance(e, dict) and isinstance(e.get("entity"), str):
            entities[e["entity"]] = e.get("value")
    name = intent.get("name")
    if name in ("quiz_skip", "quiz_hint"):  # with no quiz running (data/rules.yml): "skip this question" in the guided flow
        name = "dont_know"
    sender = str(tracker.sender_id or "")
    channel = next((c for c, prefix in CHANNELS if sender.startswith(prefix)), None)
    return Incoming(str(m.get("text") or ""), name, entities, float(intent.get("confidence") or 0.0), channel)


# Sender-id prefixes of the channels (bot/server/channels): whose buttons a question about keeping an answer names.
CHANNELS = (("web", "web-"), ("teams", "teams-"), ("teams", "msteams-"), ("slack", "slack-"))


def last_assessment(state: dict[str, Any]) -> Optional[Assessment]:
    last = state.get("last") or {}
    try:
        a = assess(Case.from_dict(last.get("case") or {}), as_of=today())
    except CaseError:
        return None
    return a if a.status == "complete" else None


class ActionConverse(Action):
    def __init__(self) -> None:
        # The action server makes one instance when it starts: build the FAQ's search indexes then, not on the
        # first officer's question (about 5 s on two cores).
        prepare_faq()

    def name(self) -> Text:
        return "action_converse"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if refused_as_too_long(tracker, dispatcher):
            return []
        msg = incoming(tracker)
        events: list[EventType] = []
        if restarts(msg, today()):
            # Starting again ends a quiz with its score (the state is kept for the trainer's report), never silently.
            if active(tracker.get_slot("quiz")):
                quiz_messages, quiz_state = quiz_turn(tracker.get_slot("quiz"), "stop", today())
                send_quiz(dispatcher, quiz_messages)
                events.append(SlotSet("quiz", quiz_state))
            events.append(SlotSet("quiz_active", False))
        out: Outcome = turn(tracker.get_slot("conversation"), msg, today())
        for m in out.messages:
            dispatcher.utter_message(text=one_bubble(m.text), buttons=m.buttons, json_message=m.custom)
        if out.follow_up is not None:
            a = last_assessment(out.state)
            route = msg.entities.get("route")
            waiting = (out.state.get("pending") or {}).get("ask")
            reply = followups.reply(out.follow_up, a, msg.text, route if isinstance(route, str) else None, waiting) \
                if a else followups.Reply(followups.NO_CASE_YET)
            dispatcher.utter_message(text=one_bubble(reply.text), buttons=reply.buttons)
        return events + [SlotSet("conversation", out.state)]
