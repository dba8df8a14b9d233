"""Training mode: the quiz of `bot.quiz` as a conversation. `bot.quiz.handle` does everything (questions,
marking, hints, score, the end); this action only maps the intent to a quiz command and sends the messages."""
from __future__ import annotations

from typing import Any, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.quiz import Msg, active, handle

from .common import latest_entity, one_bubble, refused_as_too_long, today

# Typed during a quiz, these may be an answer or a question for the assistant: the quiz looks first.
PASS_ON = ("faq", "assess", "correction", "inform", "what_would_change", "show_references", "what_must_we_do",
           "more_about_route", "greet", "thanks", "help", "bot_challenge", "out_of_scope")
COMMANDS = {"quiz_score": "score", "quiz_skip": "skip", "quiz_hint": "hint", "quiz_stop": "stop", "why_asking": "why",
            "dont_know": "dont_know"}


def send(dispatcher: CollectingDispatcher, messages: list[Msg]) -> None:
    for m in messages:
        dispatcher.utter_message(text=one_bubble(m.text), buttons=m.rasa_buttons(), json_message=m.custom)


def quiz_turn(tracker: Tracker) -> tuple[str, dict[str, Any]]:
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
        return COMMANDS[intent], {"given": text}
    return "answer", {"given": text, "pass_on": intent in PASS_ON}


class ActionQuiz(Action):
    def name(self) -> Text:
        return "action_quiz"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if refused_as_too_long(tracker, dispatcher):
            return []
        command, args = quiz_turn(tracker)
        messages, state = handle(tracker.get_slot("quiz"), command, today(), **args)
        if not messages:  # not an answer to the quiz: the conversation takes it, and the quiz waits
            return [FollowupAction("action_converse")]
        send(dispatcher, messages)
        events: list[EventType] = [SlotSet("quiz", state), SlotSet("quiz_active", active(state))]
        if not active(state):
            # The rules that sent a typed answer here hold only while quiz_active is true: once this answer ends the
            # quiz, no rule would predict the next action and Rasa's fallback would undo the turn, score included.
            events.append(FollowupAction("action_listen"))
        return events
