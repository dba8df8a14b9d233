"""Training mode through the real action: the right answer is what the engine says for the
scenario's facts (worked out here, not taken from the quiz module)."""
from __future__ import annotations

from bot.ltr import Case, assess
from bot.quiz import load_bank
from actions.quiz import ActionQuiz


def slots_of(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def engine_regime(scenario) -> str:
    return assess(Case.from_dict(scenario.case), as_of=scenario.as_of).regime


async def test_quiz_me_starts_with_the_first_scenario(tracker, dispatcher, domain):
    first = load_bank()[0]
    events = slots_of(await ActionQuiz().run(dispatcher, tracker(text="quiz me", intent="quiz"), domain))
    assert events["quiz_active"] is True and events["quiz"]["answered"] == 0
    question = dispatcher.messages[-1]
    assert first.story in question["text"] and "Question 1 of" in question["text"]
    assert all(b["payload"].startswith('/quiz{"quiz_answer": ') for b in question["buttons"])


async def test_a_right_answer_scores_and_cites_the_rule(tracker, dispatcher, domain):
    first = load_bank()[0]
    assert first.ask[0] == "regime"
    state = {"scenario": 0, "question": 0, "score": 0, "answered": 0}
    right = engine_regime(first)
    t = tracker(slots={"quiz": state, "quiz_active": True}, text="", intent="quiz",
                entities=[{"entity": "quiz_answer", "value": right}])
    events = slots_of(await ActionQuiz().run(dispatcher, t, domain))
    assert dispatcher.messages[0]["text"].startswith("Correct.")
    assert events["quiz"]["score"] == 1 and events["quiz"]["answered"] == 1


async def test_a_wrong_answer_says_what_is_right(tracker, dispatcher, domain):
    first = load_bank()[0]
    wrong = "PSR" if engine_regime(first) != "PSR" else "PA2023"
    t = tracker(slots={"quiz": {"scenario": 0, "question": 0, "score": 0, "answered": 0}, "quiz_active": True},
                intent="quiz", entities=[{"entity": "quiz_answer", "value": wrong}])
    events = slots_of(await ActionQuiz().run(dispatcher, t, domain))
    assert dispatcher.messages[0]["text"].startswith("Not quite")
    assert events["quiz"]["score"] == 0 and events["quiz"]["answered"] == 1


async def test_an_answer_that_is_not_an_option_asks_again(tracker, dispatcher, domain):
    t = tracker(slots={"quiz": {"scenario": 0, "question": 0, "score": 0, "answered": 0}, "quiz_active": True},
                text="bananas", intent="inform")
    assert await ActionQuiz().run(dispatcher, t, domain) == []
    assert dispatcher.messages[0]["text"] == "Please choose one of the options."
    assert dispatcher.messages[1]["buttons"]


async def test_the_last_answer_gives_the_score_and_ends_training_mode(tracker, dispatcher, domain):
    bank = load_bank()
    last = {"scenario": len(bank) - 1, "question": len(bank[-1].ask) - 1, "score": 3, "answered": 17}
    from bot.quiz import current_question

    option = current_question(last).options[0][1]
    t = tracker(slots={"quiz": last, "quiz_active": True}, intent="quiz", entities=[{"entity": "quiz_answer", "value": option}])
    events = slots_of(await ActionQuiz().run(dispatcher, t, domain))
    assert events == {"quiz": None, "quiz_active": False}
    assert "out of 18" in dispatcher.messages[-1]["text"]
