"""Training mode through the real action: each intent reaches the right quiz command, buttons carry
/quiz{...} payloads every channel can send back, and the state goes back into the slots."""
from __future__ import annotations

import json

import pytest

from actions.converse import ActionConverse
from actions.quiz import ActionQuiz
from bot.ltr import Case, assess
from bot.quiz import load_bank
from bot.quiz.session import current


def slots_of(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def payload_entities(button):
    assert button["payload"].startswith("/quiz{")
    return json.loads(button["payload"][len("/quiz"):])


async def _started(tracker, dispatcher, domain, **entities):
    t = tracker(text='/quiz' + json.dumps(entities), intent="quiz", entities=[{"entity": k, "value": v} for k, v in entities.items()])
    return slots_of(await ActionQuiz().run(dispatcher, t, domain))


@pytest.mark.asyncio
async def test_quiz_me_offers_levels_and_topics_as_buttons(tracker, dispatcher, domain):
    events = slots_of(await ActionQuiz().run(dispatcher, tracker(text="quiz me", intent="quiz"), domain))
    assert events == {"quiz": None, "quiz_active": False}
    levels = [payload_entities(b) for b in dispatcher.messages[0]["buttons"]]
    assert {"quiz_level": "hard"} in levels
    topics = [payload_entities(b)["quiz_topic"] for b in dispatcher.messages[1]["buttons"]]
    assert topics == list(load_bank().topics)


@pytest.mark.asyncio
async def test_a_level_button_starts_the_quiz_with_answer_buttons(tracker, dispatcher, domain, fixed_today):
    events = await _started(tracker, dispatcher, domain, quiz_level="easy")
    assert events["quiz_active"] is True and events["quiz"]["level"] == "easy"
    question = dispatcher.messages[-1]
    assert question["text"].startswith("Question 1 of 10 · 0 right")
    q = current(events["quiz"])
    sc = q.scenario
    a = assess(Case.from_dict(sc.case_on(fixed_today)), fixed_today)  # the engine's own answer, for comparison
    assert sc.level == "easy" and a.status == "complete"
    assert [payload_entities(b)["quiz_answer"] for b in question["buttons"]] == [v for _, v in q.options]


@pytest.mark.asyncio
async def test_typed_commands_reach_the_quiz(tracker, dispatcher, domain):
    state = (await _started(tracker, dispatcher, domain, quiz_level="any"))["quiz"]
    for intent, text, expect in [("quiz_hint", "hint", "Hint:"), ("quiz_score", "what's my score?", "No answers yet."),
                                 ("why_asking", "why?", "This question is about"), ("dont_know", "no idea", "Hint:")]:
        d = type(dispatcher)()
        events = slots_of(await ActionQuiz().run(d, tracker(slots={"quiz": state, "quiz_active": True}, text=text,
                                                            intent=intent), domain))
        assert d.messages[0]["text"].startswith(expect), (intent, d.messages[0]["text"])
        assert events["quiz_active"] is True
    d = type(dispatcher)()
    # "skip this one" is also the guided flow's "I don't know" (dont_know): in a quiz it skips
    events = slots_of(await ActionQuiz().run(d, tracker(slots={"quiz": state, "quiz_active": True}, text="skip this one",
                                                        intent="dont_know"), domain))
    assert d.messages[0]["text"].startswith("Skipped.") and events["quiz"]["i"] == 1
    d = type(dispatcher)()
    raw = await ActionQuiz().run(d, tracker(slots={"quiz": events["quiz"], "quiz_active": True},
                                            text="stop the quiz", intent="quiz_stop"), domain)
    # the turn that ends the quiz listens next (the quiz rules no longer hold, and Rasa's fallback would undo it)
    assert raw[-1]["event"] == "followup" and raw[-1]["name"] == "action_listen"
    events = slots_of(raw)
    assert d.messages[0]["text"].startswith("Quiz stopped. You scored 0 out of 1.")
    assert d.messages[0]["custom"] == {"type": "quiz_report", "formats": ["html", "csv"]}
    assert events["quiz_active"] is False and events["quiz"]["done"] is True  # kept for the report


@pytest.mark.asyncio
async def test_a_typed_answer_is_marked(tracker, dispatcher, domain):
    state = (await _started(tracker, dispatcher, domain, quiz_level="any"))["quiz"]
    q = current(json.loads(json.dumps(state)))
    d = type(dispatcher)()
    events = slots_of(await ActionQuiz().run(d, tracker(slots={"quiz": state, "quiz_active": True},
                                                        text=q.correct_label.lower(), intent="inform"), domain))
    assert d.messages[0]["text"].startswith("Right:") and events["quiz"]["results"][0]["right"]


@pytest.mark.asyncio
async def test_start_again_ends_the_quiz_with_its_score(tracker, dispatcher, domain):
    state = (await _started(tracker, dispatcher, domain, quiz_topic="value"))["quiz"]
    d = type(dispatcher)()
    events = slots_of(await ActionConverse().run(d, tracker(slots={"quiz": state, "quiz_active": True},
                                                            text="start again", intent="start_again"), domain))
    assert d.messages[0]["text"].startswith("Quiz stopped.")
    assert events["quiz_active"] is False and events["quiz"]["stopped"] is True


@pytest.mark.asyncio
async def test_a_question_typed_mid_quiz_goes_to_the_conversation_and_the_quiz_waits(tracker, dispatcher, domain):
    state = (await _started(tracker, dispatcher, domain, quiz_level="any"))["quiz"]
    d = type(dispatcher)()
    t = tracker(slots={"quiz": state, "quiz_active": True}, text="what is the light touch threshold?", intent="faq")
    events = await ActionQuiz().run(d, t, domain)
    assert d.messages == [] and [e["event"] for e in events] == ["followup"] and events[0]["name"] == "action_converse"
    q = current(json.loads(json.dumps(state)))
    d = type(dispatcher)()  # a typed answer classified as a question is still an answer
    events = slots_of(await ActionQuiz().run(d, tracker(slots={"quiz": state, "quiz_active": True},
                                                        text=q.correct_label, intent="faq"), domain))
    assert d.messages[0]["text"].startswith("Right:") and events["quiz"]["results"][0]["right"]
