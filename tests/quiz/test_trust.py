"""A quiz a trainer can trust (issue 19, item 6): "why?" is about the question asked, hints and deciding rules come
from the question's own kind, options do not give themselves away, easy options stay within the case's rules,
each question's topic is what it tests, and the results keep the trainee's name, every try and only the hints the
trainee asked for."""
from __future__ import annotations

import re
from datetime import date

import pytest

from bot.ltr import load_knowledge
from bot.quiz import build, handle, load_bank, start
from bot.quiz.bank import QuizError
from bot.quiz.questions import assessment
from bot.quiz.report import rows
from bot.quiz.session import current

TODAY = date(2026, 12, 3)
BANK = load_bank()


def questions(kind: str | None = None):
    for sc in BANK.scenarios:
        for k in sc.ask:
            if kind in (None, k):
                try:
                    yield build(sc, k, TODAY)
                except QuizError:
                    continue


def test_stories_read_as_english_around_the_start_date():
    for sc in BANK.scenarios:
        story = sc.story_on(TODAY)
        assert "from on " not in story and "{start}" not in story, sc.id


def test_a_light_touch_question_is_decided_by_the_light_touch_lists_not_the_psr_schedule():
    for q in questions("light_touch"):
        assert not q.rule.ref.startswith("PSR"), (q.scenario.id, q.rule.ref)


def test_a_hint_about_mixed_contracts_only_for_a_mixed_contract():
    for q in questions("light_touch"):
        mixed = bool(q.scenario.case.get("parts"))
        assert ("In a mix" in q.hint) == mixed, q.scenario.id


def test_no_option_gives_itself_away_and_duties_are_of_similar_length():
    for q in questions("must_do"):
        labels = [label for label, _ in q.options]
        assert not any(re.search(r"\(not [^)]*\)", label) for label in labels), labels
        right = q.correct_label
        # The right duty is neither the only long one nor the only short one.
        lengths = sorted(len(label) for label in labels)
        assert not (len(right) == lengths[-1] and lengths[-1] > 1.5 * lengths[-2]), labels
        assert not (len(right) == lengths[0] and lengths[0] * 1.5 < lengths[1]), labels


def test_easy_questions_offer_routes_of_the_cases_own_rules():
    """Finding: "PSR direct award process C" offered at easy level on a council contract under the Act."""
    kb = load_knowledge()
    for q in questions():
        if q.scenario.level != "easy" or q.kind not in ("route", "aim"):
            continue
        regime = assessment(q.scenario, TODAY).regime
        own = [r for r in kb.routes if any(x.startswith(f"{regime}/") for x in r.applies)]
        if len(own) < 4:  # too few routes of its own to choose wrong ones from
            continue
        for label, value in q.options:
            route = kb.route(value)
            if route is not None and value != q.correct:
                assert any(x.startswith(f"{regime}/") for x in route.applies), (q.scenario.id, regime, label)


@pytest.mark.parametrize("kind, topic", [("light_touch", "light-touch"), ("above_threshold", "thresholds"),
                                         ("value", "value"), ("must_do", "duties")])
def test_each_question_is_tagged_with_what_it_tests(kind, topic):
    for q in questions(kind):
        if q.scenario.topic == "mixed" and kind == "light_touch":
            assert q.topic == "mixed"  # a mixed contract's light touch question tests the mix
        else:
            assert q.topic == topic, (q.scenario.id, q.scenario.topic)


def test_why_explains_the_question_being_asked():
    state = start(TODAY, seed="why-seed")
    q1 = current(state)
    _, state = handle(state, "answer", TODAY, given=q1.correct)
    q2 = current(state)
    msgs, state = handle(state, "why", TODAY)
    assert q2.scenario.point.rstrip(".") in msgs[0].text and q2.hint in msgs[0].text
    assert q1.scenario.point == q2.scenario.point or q1.scenario.point.rstrip(".") not in msgs[0].text


def test_a_skip_after_a_wrong_try_keeps_the_try_and_the_full_stop_is_single():
    state = start(TODAY, "medium", "duties", seed="skip-seed")
    q = current(state)
    wrong = next(v for _, v in q.options if v != q.correct)
    _, state = handle(state, "answer", TODAY, given=wrong)
    msgs, state = handle(state, "skip", TODAY)
    assert ".." not in msgs[0].text
    result = state["results"][-1]
    assert result["skipped"] and result["tried"] == [next(label for label, v in q.options if v == wrong)]
    [row] = rows([state])
    assert row["given"] == result["tried"][0] and row["result"] == "skipped" and row["hint"] == "no"


def test_a_hint_the_trainee_asked_for_is_reported_and_one_given_after_a_wrong_try_is_not():
    state = start(TODAY, seed="hint-seed")
    q = current(state)
    _, state = handle(state, "hint", TODAY)
    _, state = handle(state, "answer", TODAY, given=q.correct)
    q2 = current(state)
    _, state = handle(state, "answer", TODAY, given=next(v for _, v in q2.options if v != q2.correct))
    _, state = handle(state, "answer", TODAY, given=q2.correct)
    first, second = rows([state])
    assert first["hint"] == "yes" and second["hint"] == "no"
    assert second["given"] == f"{next(label for label, v in q2.options if v != q2.correct)}, then {q2.correct_label}"


def test_the_trainee_may_give_a_name_for_the_results():
    msgs, state = handle(None, "start", TODAY, level="easy")
    assert "my name is" in msgs[0].text  # asked at the start, optional
    q = current(state)
    msgs, state = handle(state, "answer", TODAY, given="My name is Sam Patel", pass_on=True)
    assert state["name"] == "Sam Patel" and msgs[-1].text.endswith(q.text)  # the same question again
    _, state = handle(state, "answer", TODAY, given=q.correct)
    assert rows([state])[0]["trainee"] == "Sam Patel"
    from datetime import datetime, timezone

    from bot.render.quiz_report import render_html

    page = render_html([state], datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc))
    assert "<strong>Trainee:</strong> Sam Patel" in page
