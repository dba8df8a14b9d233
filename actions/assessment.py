"""The assessment: starting a case, the form (what to ask, how to ask, checking answers) and the answer."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.assistant.case_from_slots import UNKNOWN, case_from_slots, cpv_codes, is_unit_rate, value_from
from bot.assistant.questions import act_start, question_for, slots_to_ask
from bot.assistant.services import choose, example_services
from bot.ltr import Case, CaseError, assess
from bot.ltr.model import BUYERS, CROSS_BORDER, VAT_STATUSES
from bot.render.text import render_assessment

from .common import CASE_SLOTS, DISCLAIMER, payload, today, utter


class ActionStartCase(Action):
    """A new assessment request: forget the previous case except what this message said."""

    def name(self) -> Text:
        return "action_start_case"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        just_said = _slots_set_since_last_message(tracker)
        cleared = [SlotSet(s, None) for s in CASE_SLOTS if s not in just_said and tracker.get_slot(s) is not None]
        return cleared + [SlotSet("service_choices", None), SlotSet("case", None)]


def _slots_set_since_last_message(tracker: Tracker) -> set[str]:
    names: set[str] = set()
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "slot" and event.get("value") is not None:
            names.add(event.get("name"))
    return names


class ValidateAssessmentForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_assessment_form"

    async def required_slots(
        self, domain_slots: list[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[Text]:
        return slots_to_ask(tracker.slots, today())

    def validate_service(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if not isinstance(value, str) or not value.strip():
            return {"service": None}
        if _only_other_facts(tracker, value):
            # Asked for the service, the officer gave the value or a date instead: those are kept by
            # their own slots; the service question stands.
            return {"service": None}
        pending = tracker.get_slot("service_choices")
        if isinstance(pending, dict) and pending.get("choices"):
            chosen = choose(pending["choices"], value)
            if chosen:
                value = chosen
        try:
            a = assess(Case.from_dict({"service": value, "cpv": cpv_codes(tracker.get_slot("cpv"))}), as_of=today())
        except CaseError as e:
            utter(dispatcher, f"Sorry, I can't use that as the service: {e.message}.")
            return {"service": None}
        if a.status == "needs_input":
            choices = [{"id": c.id, "label": c.label} for c in a.candidates]
            return {"service": None, "service_choices": {"text": a.answer, "choices": choices}}
        return {"service": value, "service_choices": None}

    def validate_money(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value == UNKNOWN:
            return {"money": UNKNOWN}
        if is_unit_rate(value):
            utter(dispatcher, f"£{value['amount_gbp']:,.0f} a {value['period']} sounds like a rate, not the value of the "
                              "whole contract.")
            return {"money": None}
        v = value_from(value, tracker.get_slot("duration"))
        if v is None:
            return {"money": None}
        try:
            Case.from_dict({"value": v})
        except CaseError as e:
            utter(dispatcher, f"Sorry, I can't use that value: {e.message}.")
            return {"money": None}
        return {"money": value}

    def validate_duration(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value == UNKNOWN:
            return {"duration": UNKNOWN}
        years = value.get("years") if isinstance(value, dict) else None
        if not isinstance(years, (int, float)) or isinstance(years, bool) or years <= 0:
            return {"duration": None}
        try:
            Case.from_dict({"term_years": years})
        except CaseError as e:
            utter(dispatcher, f"Sorry, I can't use that length: {e.message}.")
            return {"duration": None}
        return {"duration": value}

    def validate_commencement(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == UNKNOWN:
            return {"commencement": UNKNOWN}
        if not isinstance(value, dict):
            return {"commencement": None}
        if not value.get("date"):
            utter(dispatcher, "When was that? The month and year are enough.")
            return {"commencement": None}
        try:
            Case.from_dict({"commenced": value["date"]})
        except CaseError as e:
            utter(dispatcher, f"Sorry, I can't use that date: {e.message}.")
            return {"commencement": None}
        return {"commencement": value}

    def validate_vat(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return {"vat": value if value in VAT_STATUSES else None}

    def validate_buyer(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return {"buyer": value if value in BUYERS or value == UNKNOWN else None}

    def validate_cross_border(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"cross_border": value if value in CROSS_BORDER else None}


OTHER_FACTS = ("money", "duration", "commencement", "buyer", "cross_border", "vat")


def _only_other_facts(tracker: Tracker, value: str) -> bool:
    message = tracker.latest_message or {}
    entities = {e.get("entity") for e in message.get("entities", [])}
    return value == message.get("text") and "service" not in entities and bool(entities & set(OTHER_FACTS))


class AskAction(Action, ABC):
    """Asks the form's question for one slot (action_ask_<slot>), worded for what is already known."""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The form slot this action asks for."""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        q = question_for(self.slot, tracker.slots)
        dispatcher.utter_message(**q.as_message())
        return []


class ActionAskService(AskAction):
    slot = "service"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        choices = tracker.get_slot("service_choices")
        if isinstance(choices, dict) and choices.get("text"):
            offered = choices.get("choices") or example_services()
            buttons = [{"title": c["label"], "payload": f'/inform{{"service": "{c["id"]}"}}'} for c in offered]
            utter(dispatcher, choices["text"], buttons)
            return []
        return await super().run(dispatcher, tracker, domain)


class ActionAskMoney(AskAction):
    slot = "money"


class ActionAskDuration(AskAction):
    slot = "duration"


class ActionAskCommencement(AskAction):
    slot = "commencement"


class ActionAskVat(AskAction):
    slot = "vat"


class ActionAskBuyer(AskAction):
    slot = "buyer"


class ActionAskCrossBorder(AskAction):
    slot = "cross_border"


class ActionAssess(Action):
    """The answer: the case so far -> the engine -> short text plus the assessment as a custom payload."""

    def name(self) -> Text:
        return "action_assess"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        reading = case_from_slots(tracker.slots, act_start())
        try:
            case = Case.from_dict(reading.case)
        except CaseError as e:
            utter(dispatcher, f"Sorry, I can't work with one of your answers ({e.field}): {e.message}. "
                              "Please correct it, or say \"start again\".")
            return []
        a = assess(case, as_of=today())
        if a.status == "needs_input":
            buttons = [{"title": c.label, "payload": f'/inform{{"service": "{c.id}"}}'} for c in a.candidates]
            utter(dispatcher, a.answer, buttons)
            return [SlotSet("case", None)]
        text = render_assessment(a)
        if reading.notes:
            text += "\n\n" + "\n".join(reading.notes)
        dispatcher.utter_message(text=text, json_message=payload(a))
        events: list[EventType] = [SlotSet("case", reading.case), SlotSet("service_choices", None)]
        if not tracker.get_slot("disclaimer_given"):
            utter(dispatcher, DISCLAIMER)
            events.append(SlotSet("disclaimer_given", True))
        return events
