"""Training mode: the quiz of `bot.quiz` as a conversation. `bot.quiz.handle` does everything (questions,
marking, hints, score, the end); this action only maps the intent to a quiz command and sends the messages."""
from __future__ import annotations

from typing import Any, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.quiz import Msg, active, handle

from .common import latest_entity, one_bubble, today

COMMANDS = {"quiz_score": "score", "quiz_skip": "skip", "quiz_hint": "hint", "quiz_stop": "stop", "why_asking": "why",
            "dont_know": "dont_know"}


def send(dispatcher: CollectingDispatcher, messages: list[Msg]) -> None:
    for m in messages:
        dispatcher.utter_message(text=one_bubble(m.text), buttons=m.rasa_buttons(), json_message=m.custom)


def quiz_turn(tracker: Tracker) -> tuple[str, dict[str, Optional[str]]]:
    """The quiz command a message is, and what it carries."""
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name") or ""
    text = message.get("text") or ""
    answer: Optional[Any] = latest_entity(tracker, "quiz_answer")
    level, topic = latest_entity(tracker, "quiz_level"), latest_entity(tracker, "quiz_topic")
    if answer is not None:
        return "answer", {"given": str(answer)}
    if intent == "quiz":
        return "start", {"given": None if text.startswith("/") else text,
                         "level": str(level) if level else None, "topic": str(topic) if topic else None}
    if intent in COMMANDS:
        return COMMANDS[intent], {}
    return "answer", {"given": text}


class ActionQuiz(Action):
    def name(self) -> Text:
        return "action_quiz"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        command, args = quiz_turn(tracker)
        messages, state = handle(tracker.get_slot("quiz"), command, today(), **args)
        send(dispatcher, messages)
        return [SlotSet("quiz", state), SlotSet("quiz_active", active(state))]
