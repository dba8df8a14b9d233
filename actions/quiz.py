"""Training mode: the scenario quiz of `bot.quiz` as a conversation. Answers are computed by the
engine inside `bot.quiz`; this action only asks, marks and keeps the score in a slot."""
from __future__ import annotations

from typing import Any, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.quiz import Question, QuizError, answer, current_question, new_state, summary

from .common import latest_entity, utter

TYPED = {"affirm": "yes", "deny": "no"}


def ask(dispatcher: CollectingDispatcher, q: Question, intro: bool) -> None:
    lines = []
    if intro:
        lines += [f"Scenario: {q.scenario.title}", q.scenario.story, ""]
    lines.append(f"Question {q.number} of {q.total}: {q.text}")
    buttons = [{"title": label, "payload": f'/quiz{{"quiz_answer": "{value}"}}'} for label, value in q.options]
    utter(dispatcher, "\n".join(lines), buttons)


class ActionQuiz(Action):
    def name(self) -> Text:
        return "action_quiz"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        state = tracker.get_slot("quiz")
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        given: Optional[Any] = latest_entity(tracker, "quiz_answer")
        if not isinstance(state, dict) or (intent == "quiz" and given is None):
            state = new_state()
            q = current_question(state)
            assert q is not None
            utter(dispatcher, f"Training mode: {q.total} questions on short scenarios. The answers come from the same "
                              "rules as the assistant's. Say \"start again\" to stop at any time.")
            ask(dispatcher, q, intro=True)
            return [SlotSet("quiz", state), SlotSet("quiz_active", True)]
        if given is None:
            given = TYPED.get(intent or "", message.get("text") or "")
        before = current_question(state)
        try:
            feedback, state = answer(state, str(given))
        except QuizError:
            if before is None:
                return [SlotSet("quiz", None), SlotSet("quiz_active", False)]
            utter(dispatcher, "Please choose one of the options.")
            ask(dispatcher, before, intro=False)
            return []
        utter(dispatcher, feedback.text + (f" ({feedback.ref})" if feedback.ref else ""))
        q = current_question(state)
        if q is None:
            utter(dispatcher, summary(state) + " Ask me about a real contract whenever you are ready.")
            return [SlotSet("quiz", None), SlotSet("quiz_active", False)]
        ask(dispatcher, q, intro=before is None or q.scenario.id != before.scenario.id)
        return [SlotSet("quiz", state)]
