"""action_converse with real rasa_sdk Tracker and CollectingDispatcher objects: the thin adapter between Rasa
and the dialogue (what it dispatches, the slot it keeps)."""
from __future__ import annotations

from typing import Any

import pytest

from actions.converse import ActionConverse
from bot.ltr import Case, assess


def _conversation(events: list[dict[str, Any]]) -> Any:
    return next(e["value"] for e in events if e.get("event") == "slot" and e.get("name") == "conversation")


@pytest.mark.asyncio
async def test_a_full_description_is_answered_with_the_assessment_payload(tracker, dispatcher, domain, fixed_today):
    text = "home care £700k in total, no VAT, tender notice 5 January 2027"
    events = await ActionConverse().run(dispatcher, tracker(text=text, intent="assess"), domain)
    payloads = [m["custom"] for m in dispatcher.messages if (m.get("custom") or {}).get("type") == "ltr_assessment"]
    assert len(payloads) == 1
    got = payloads[0]["assessment"]
    want = assess(Case.from_dict({"service": "home_care", "value": {"total_gbp": 700000}, "vat": "exempt",
                                  "commenced": "2027-01-05", "commencement_event": "tender_notice"}), fixed_today).to_dict()
    for key in ("regime", "light_touch", "above_threshold", "threshold_gbp", "estimated_value_gbp", "rules_version"):
        assert got[key] == want[key]
    assert len(dispatcher.messages) <= 3  # chat-sized
    assert _conversation(events)["last"]["case"]["value"] == {"total_gbp": 700000.0}


@pytest.mark.asyncio
async def test_the_next_turn_continues_from_the_kept_state(tracker, dispatcher, domain, fixed_today):
    first = await ActionConverse().run(dispatcher, tracker(text="supported living, £150k a year", intent="assess"), domain)
    state = _conversation(first)
    assert state["pending"]["ask"] == "term"
    second_dispatcher = type(dispatcher)()
    await ActionConverse().run(second_dispatcher, tracker(slots={"conversation": state}, text="3 years plus 2",
                                                          intent="inform"), domain)
    assert "procurement start" in " ".join(m.get("text") or "" for m in second_dispatcher.messages)


@pytest.mark.asyncio
async def test_a_general_question_is_answered_by_the_faq(tracker, dispatcher, domain):
    await ActionConverse().run(dispatcher, tracker(text="do thresholds include VAT?", intent="faq"), domain)
    text = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert "VAT" in text and "s.123" in text  # the Act's valuation rule, cited


@pytest.mark.asyncio
async def test_follow_ups_before_any_answer_say_so(tracker, dispatcher, domain):
    await ActionConverse().run(dispatcher, tracker(text="/what_must_we_do", intent="what_must_we_do"), domain)
    assert "haven't looked at a contract" in dispatcher.messages[0]["text"]


@pytest.mark.asyncio
async def test_start_again_with_no_quiz_running_leaves_it_off(tracker, dispatcher, domain):
    events = await ActionConverse().run(dispatcher, tracker(slots={"quiz_active": True}, text="start again",
                                                            intent="start_again"), domain)
    assert {"event": "slot", "name": "quiz_active", "value": False, "timestamp": None} in events or any(
        e.get("name") == "quiz_active" and e.get("value") is False for e in events)


@pytest.mark.asyncio
async def test_no_message_is_split_by_the_channel(tracker, dispatcher, domain):
    # Rasa's REST and socket.io channels split a text at every blank line; an answer must stay three messages.
    await ActionConverse().run(dispatcher, tracker(text="home care £900k in total, no VAT, tender notice April 2027",
                                                   intent="assess"), domain)
    await ActionConverse().run(dispatcher, tracker(text="do thresholds include VAT?", intent="faq"), domain)
    assert all("\n\n" not in (m.get("text") or "") for m in dispatcher.messages)
