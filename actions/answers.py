"""Answers that are not an assessment: FAQ entries from the knowledge base, and follow-ups on the
last answer (re-assessed from the stored case, so they always match it)."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.assistant import followups
from bot.assistant.faq import faq_reply
from bot.ltr import Assessment, Case, CaseError, assess

from .common import latest_entity, today, utter


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        faq_id = latest_entity(tracker, "faq_id")
        case = tracker.get_slot("case")
        reply = faq_reply(
            (tracker.latest_message or {}).get("text") or "",
            faq_id if isinstance(faq_id, str) else None,
            as_of=today(),
            # The officer's last case, so "do we need a standstill?" is answered for its regime and value.
            context=case if isinstance(case, dict) else None,
        )
        utter(dispatcher, reply.text, reply.buttons)
        return []


def last_assessment(tracker: Tracker) -> Optional[Assessment]:
    case = tracker.get_slot("case")
    if not isinstance(case, dict):
        return None
    try:
        a = assess(Case.from_dict(case), as_of=today())
    except CaseError:
        return None
    return a if a.status == "complete" else None


class FollowUp(Action, ABC):
    """A question about the last answer: re-assess the stored case, reply from it."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        a = last_assessment(tracker)
        if a is None:
            utter(dispatcher, followups.NO_CASE_YET)
            return []
        reply = self.reply(a, tracker)
        utter(dispatcher, reply.text, reply.buttons)
        return []

    @abstractmethod
    def reply(self, a: Assessment, tracker: Tracker) -> followups.Reply:
        """The reply for this follow-up."""


class ActionMoreAboutRoute(FollowUp):
    def name(self) -> Text:
        return "action_more_about_route"

    def reply(self, a: Assessment, tracker: Tracker) -> followups.Reply:
        route = latest_entity(tracker, "route")
        text = (tracker.latest_message or {}).get("text") or ""
        return followups.route_reply(a, text, route if isinstance(route, str) else None)


class ActionWhatWouldChange(FollowUp):
    def name(self) -> Text:
        return "action_what_would_change"

    def reply(self, a: Assessment, tracker: Tracker) -> followups.Reply:
        return followups.what_would_change_reply(a)


class ActionShowReferences(FollowUp):
    def name(self) -> Text:
        return "action_show_references"

    def reply(self, a: Assessment, tracker: Tracker) -> followups.Reply:
        return followups.references_reply(a)


class ActionWhatMustWeDo(FollowUp):
    def name(self) -> Text:
        return "action_what_must_we_do"

    def reply(self, a: Assessment, tracker: Tracker) -> followups.Reply:
        return followups.obligations_reply(a)
