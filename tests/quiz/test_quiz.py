"""Training mode: answers come from the engine; feedback cites the deciding rule; the score is kept."""
from __future__ import annotations

import pytest

from bot.ltr import Case, assess
from bot.quiz import QuizError, answer, current_question, load_bank, new_state, summary


def _walk(choose):
    state, seen = new_state(), []
    while (q := current_question(state)) is not None:
        fb, state = answer(state, choose(q))
        seen.append((q, fb))
    return state, seen


def test_the_bank_loads_and_every_scenario_is_a_valid_case():
    bank = load_bank()
    assert len(bank) >= 8
    for sc in bank:
        Case.from_dict(sc.case)


# Expected answers written from the reference (§1, §4, §2.3), not read from the engine.
@pytest.mark.parametrize("scenario, kind, expected", [
    ("home-care-2026", "regime", "PA2023"),
    ("home-care-2026", "above_threshold", "yes"),          # £180k x 5 years = £900k >= £663,540
    ("saas-for-send", "light_touch", "no"),                 # software is not light touch (§4.3)
    ("saas-for-send", "above_threshold", "no"),             # £150k < £207,720 sub-central 2026
    ("substance-misuse", "regime", "PSR"),                  # 85312500 in PSR Sch 1, borough, 2026
    ("pcr-supported-living", "regime", "PCR2015"),          # contract notice before 24 Feb 2025
    ("school-meals-small", "above_threshold", "no"),
    ("alarm-monitoring-ex-vat", "above_threshold", "yes"),  # £580k + 20% VAT = £696k >= £663,540
    ("litigation", "regime", "none"),                       # exempt (Sch 2 para 14)
])
def test_correct_answers_match_the_law(scenario, kind, expected):
    state = new_state()
    while (q := current_question(state)) is not None:
        if q.scenario.id == scenario and q.kind == kind:
            assert q.correct == expected
            return
        _, state = answer(state, q.correct)
    pytest.fail(f"no {kind} question for {scenario}")


def test_route_questions_offer_one_open_route_and_wrong_ones_that_are_closed():
    _, seen = _walk(lambda q: q.correct)
    route_qs = [q for q, _ in seen if q.kind == "route"]
    assert route_qs
    for q in route_qs:
        open_ids = {r.id for r in assess(Case.from_dict(q.scenario.case), q.scenario.as_of).routes}
        values = [v for _, v in q.options]
        assert len(values) == 3 and len(set(values)) == 3
        assert [v for v in values if v in open_ids] == [q.correct]


def test_all_right_scores_full_marks_and_each_feedback_cites_a_rule():
    state, seen = _walk(lambda q: q.correct)
    assert state["score"] == state["answered"] == len(seen)
    for _, fb in seen:
        assert fb.correct and fb.text.startswith("Correct.") and fb.ref
    assert summary(state) == f"You scored {len(seen)} out of {len(seen)}."


def test_a_wrong_answer_is_marked_wrong_and_explained():
    state = new_state()
    q = current_question(state)
    wrong = next(v for _, v in q.options if v != q.correct)
    fb, state = answer(state, wrong)
    assert not fb.correct and fb.text.startswith("Not quite: the answer is") and fb.ref
    assert state["score"] == 0 and state["answered"] == 1


def test_answers_may_be_given_by_label_and_nonsense_is_refused():
    state = new_state()
    q = current_question(state)
    label = next(label for label, v in q.options if v == q.correct)
    fb, _ = answer(state, label.upper())
    assert fb.correct
    with pytest.raises(QuizError):
        answer(state, "banana")


def test_the_quiz_ends():
    state, seen = _walk(lambda q: q.options[0][1])
    assert current_question(state) is None
    assert seen[-1][0].number == seen[-1][0].total == len(seen)
    with pytest.raises(QuizError):
        answer(state, "yes")
