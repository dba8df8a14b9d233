"""The assessment actions with real Tracker, CollectingDispatcher and domain objects.

Expected answers come from the engine run on a case written out here by hand, never from the
action's own output."""
from __future__ import annotations

from bot.ltr import Case, assess
from actions.assessment import (
    ActionAskBuyer,
    ActionAskDuration,
    ActionAskService,
    ActionAssess,
    ActionStartCase,
    ValidateAssessmentForm,
)
from actions.common import DISCLAIMER

HOME_CARE_NEXT_APRIL = {
    "service": "home_care",
    "money": {"amount_gbp": 700000.0},
    "commencement": {"date": "2027-04-01", "past": False, "event": "advertised", "precision": "month", "notice": None},
}


def events_by_slot(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_assess_replies_with_text_and_the_engines_assessment(tracker, dispatcher, domain, fixed_today):
    events = await ActionAssess().run(dispatcher, tracker(slots=HOME_CARE_NEXT_APRIL), domain)

    expected = assess(
        Case.from_dict({"service": "home_care", "value": {"total_gbp": 700000}, "commenced": "2027-04-01"}), as_of=fixed_today
    )
    answer = dispatcher.messages[0]
    assert answer["custom"] == {"type": "ltr_assessment", "assessment": expected.to_dict()}
    assert answer["text"].startswith(expected.answer)
    assert "£663,540" in answer["text"] and "£700,000" in answer["text"]
    assert f"Rules version {expected.rules_version}" in answer["text"]
    assert events_by_slot(events)["case"] == {"service": "home_care", "value": {"total_gbp": 700000.0}, "commenced": "2027-04-01"}


async def test_the_legal_advice_note_is_given_once(tracker, dispatcher, domain):
    first = await ActionAssess().run(dispatcher, tracker(slots=HOME_CARE_NEXT_APRIL), domain)
    assert dispatcher.messages[-1]["text"] == DISCLAIMER
    assert events_by_slot(first)["disclaimer_given"] is True

    again = type(dispatcher)()
    await ActionAssess().run(again, tracker(slots={**HOME_CARE_NEXT_APRIL, "disclaimer_given": True}), domain)
    assert all(m["text"] != DISCLAIMER for m in again.messages)


async def test_a_yearly_value_is_multiplied_over_the_term_with_extensions(tracker, dispatcher, domain):
    slots = {**HOME_CARE_NEXT_APRIL, "money": {"amount_gbp": 180000.0, "period": "year"},
             "duration": {"years": 3.0, "extension_years": 2.0}}
    await ActionAssess().run(dispatcher, tracker(slots=slots), domain)
    assessment = dispatcher.messages[0]["custom"]["assessment"]
    assert assessment["estimated_value_gbp"] == 180000 * (3 + 2)
    assert assessment["above_threshold"] is True


async def test_an_ambiguous_service_asks_which_with_buttons(tracker, dispatcher, domain):
    events = await ActionAssess().run(dispatcher, tracker(slots={**HOME_CARE_NEXT_APRIL, "service": "telecare"}), domain)
    (message,) = dispatcher.messages
    assert not message["custom"]
    titles = [b["title"] for b in message["buttons"]]
    assert len(titles) == 2 and any("monitoring" in t for t in titles) and any("equipment" in t for t in titles)
    assert all(b["payload"].startswith('/inform{"service": "telecare_') for b in message["buttons"])
    assert events_by_slot(events)["case"] is None


async def test_a_value_the_engine_rejects_is_explained_not_crashed(tracker, dispatcher, domain):
    slots = {**HOME_CARE_NEXT_APRIL, "money": {"amount_gbp": 5e12}}
    assert await ActionAssess().run(dispatcher, tracker(slots=slots), domain) == []
    assert "value" in dispatcher.messages[0]["text"]


async def test_start_case_forgets_the_old_case_but_keeps_what_this_message_said(tracker, dispatcher, domain):
    old = {"service": "home_care", "money": {"amount_gbp": 1.0}, "vat": "excluded", "buyer": "icb",
           "case": {"service": "home_care"}}
    t = tracker(slots=old, intent="assess", text="what about a refuge worth £300k", new_slots={
        "service": "refuge", "money": {"amount_gbp": 300000.0}})
    cleared = events_by_slot(await ActionStartCase().run(dispatcher, t, domain))
    assert cleared == {"vat": None, "buyer": None, "service_choices": None, "case": None}


# ---- the form -------------------------------------------------------------------------------------


async def run_form(tracker, dispatcher, domain, slots=None, new=None):
    t = tracker(slots=slots or {}, new_slots=new or {}, active_loop="assessment_form")
    return await ValidateAssessmentForm().run(dispatcher, t, domain)


async def test_a_fully_specified_message_completes_the_form(tracker, dispatcher, domain):
    events = events_by_slot(await run_form(tracker, dispatcher, domain, new=HOME_CARE_NEXT_APRIL))
    assert events["requested_slot"] is None
    assert events["service"] == "home_care"


async def test_the_form_asks_for_the_first_thing_missing(tracker, dispatcher, domain):
    events = events_by_slot(await run_form(tracker, dispatcher, domain, new={"service": "supported_living"}))
    assert events["requested_slot"] == "money"


async def test_an_ambiguous_service_is_asked_again_with_its_choices(tracker, dispatcher, domain):
    events = events_by_slot(await run_form(tracker, dispatcher, domain, new={"service": "telecare"}))
    assert events["service"] is None and events["requested_slot"] == "service"
    ids = [c["id"] for c in events["service_choices"]["choices"]]
    assert ids == ["telecare_monitoring", "telecare_equipment"]

    ask = type(dispatcher)()
    await ActionAskService().run(ask, tracker(slots={"service_choices": events["service_choices"]}), domain)
    assert [b["payload"] for b in ask.messages[0]["buttons"]] == [
        '/inform{"service": "telecare_monitoring"}', '/inform{"service": "telecare_equipment"}']


async def test_an_unrecognised_service_says_so(tracker, dispatcher, domain):
    events = events_by_slot(await run_form(tracker, dispatcher, domain, new={"service": "zorbing for goats"}))
    assert events["service"] is None
    ask = type(dispatcher)()
    await ActionAskService().run(ask, tracker(slots={"service_choices": events["service_choices"]}), domain)
    assert "could not recognise" in ask.messages[0]["text"]


async def test_a_weekly_rate_is_not_taken_as_the_contract_value(tracker, dispatcher, domain):
    events = events_by_slot(await run_form(tracker, dispatcher, domain, slots={"service": "home_care"},
                                           new={"money": {"amount_gbp": 650.0, "period": "week"}}))
    assert events["money"] is None and events["requested_slot"] == "money"
    assert "rate" in dispatcher.messages[0]["text"]


async def test_i_dont_know_the_value_moves_on(tracker, dispatcher, domain):
    events = events_by_slot(await run_form(tracker, dispatcher, domain, slots={"service": "home_care"},
                                           new={"money": "unknown"}))
    assert events["money"] == "unknown" and events["requested_slot"] == "commencement"


async def test_a_date_without_a_day_month_or_year_is_asked_for(tracker, dispatcher, domain):
    events = events_by_slot(await run_form(
        tracker, dispatcher, domain, slots={"service": "home_care", "money": {"amount_gbp": 900000.0}},
        new={"commencement": {"date": None, "past": True, "event": "advertised", "notice": "find_a_tender"}}))
    assert events["commencement"] is None and events["requested_slot"] == "commencement"
    assert "month and year" in dispatcher.messages[0]["text"]


async def test_invalid_button_values_are_refused(tracker, dispatcher, domain):
    slots = {"service": "substance_misuse", "money": {"amount_gbp": 900000.0}, "commencement": {"date": "2026-06-01"}}
    events = events_by_slot(await run_form(tracker, dispatcher, domain, slots=slots, new={"buyer": "the king"}))
    assert events["buyer"] is None and events["requested_slot"] == "buyer"


async def test_ask_actions_word_the_question_for_the_case(tracker, dispatcher, domain):
    await ActionAskDuration().run(dispatcher, tracker(slots={"money": {"amount_gbp": 15000.0, "period": "month"}}), domain)
    assert dispatcher.messages[0]["text"].startswith("You said £15,000 a month.")
    buyer = type(dispatcher)()
    await ActionAskBuyer().run(buyer, tracker(), domain)
    assert '/inform{"buyer": "sub_central"}' in [b["payload"] for b in buyer.messages[0]["buttons"]]


def test_every_action_the_domain_names_is_implemented(domain):
    import inspect

    import actions.answers
    import actions.assessment
    import actions.quiz
    from rasa_sdk import Action

    names = set()
    for module in (actions.assessment, actions.answers, actions.quiz):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Action) and cls.__module__ == module.__name__ and not inspect.isabstract(cls):
                names.add(cls().name())
    assert set(domain["actions"]) == names


async def test_words_pointing_at_one_of_the_offered_services_choose_it(tracker, dispatcher, domain):
    pending = {"text": "Which is closest?", "choices": [
        {"id": "telecare_monitoring", "label": "Telecare / community alarm monitoring"},
        {"id": "telecare_equipment", "label": "Telecare equipment (devices)"}]}
    events = events_by_slot(await run_form(tracker, dispatcher, domain, slots={"service_choices": pending},
                                           new={"service": "the monitoring service"}))
    assert events["service"] == "telecare_monitoring" and events["requested_slot"] == "money"


async def test_a_value_given_when_asked_for_the_service_is_not_taken_as_the_service(tracker, dispatcher, domain):
    t = tracker(slots={}, text="about 500k", entities=[{"entity": "money", "value": {"amount_gbp": 500000.0}}],
                new_slots={"service": "about 500k", "money": {"amount_gbp": 500000.0}}, active_loop="assessment_form")
    events = events_by_slot(await ValidateAssessmentForm().run(dispatcher, t, domain))
    assert events["service"] is None and events["requested_slot"] == "service"
    assert events["money"] == {"amount_gbp": 500000.0}


async def test_an_unrecognised_service_offers_common_ones(tracker, dispatcher, domain):
    events = events_by_slot(await run_form(tracker, dispatcher, domain, new={"service": "zorbing for goats"}))
    ask = type(dispatcher)()
    await ActionAskService().run(ask, tracker(slots={"service_choices": events["service_choices"]}), domain)
    assert '/inform{"service": "home_care"}' in [b["payload"] for b in ask.messages[0]["buttons"]]
