"""Training mode: guided scenarios whose answers are computed by the rule engine, never typed by hand.

Pure Python, no Rasa: the state is a small dict a Rasa slot can carry
(`{"scenario": i, "question": j, "score": n, "answered": m}`), and every function returns a new one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from bot.ltr import Assessment, Case, assess, load_knowledge
from bot.ltr.knowledge import applies_to
from bot.ltr.model import Item

BANK = Path(__file__).parent / "scenarios.yml"
REGIME_OPTIONS = [("PCR 2015 light touch regime", "PCR2015"), ("Procurement Act 2023", "PA2023"),
                  ("Provider Selection Regime", "PSR"), ("None: it is exempt", "none")]
YES_NO = [("Yes", "yes"), ("No", "no")]
QUESTION_TEXT = {
    "regime": "Which rules govern this procurement?",
    "light_touch": "Is it a light touch contract?",
    "above_threshold": "Is it above the threshold that applies?",
    "route": "Which of these options is open to you?",
}
# The trace steps that decide each kind of question, in the order they are worth citing. Each entry is an id
# or a family: "T-PSR" matches T-PSR and every T-PSR-… id (the ids are listed in bot/ltr/ARCHITECTURE.md).
DECIDING_STEPS = {
    "regime": ("T-EXEMPT", "T-PSR", "T-ACT-APPLIES", "T-PCR-SAVED"),
    "light_touch": ("T-S10", "T-MAIN", "T-LIGHT-TOUCH", "T-NOT-LIGHT-TOUCH", "T-EXEMPT-SERVICE"),
    "above_threshold": ("T-S5", "T-ABOVE", "T-BELOW", "T-VALUE", "T-THRESHOLD"),
}


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    story: str
    as_of: date
    case: dict[str, Any]
    ask: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    scenario: Scenario
    kind: str
    text: str
    options: list[tuple[str, str]]  # (label, value)
    correct: str
    number: int  # 1-based, across the whole quiz
    total: int


@dataclass(frozen=True)
class Feedback:
    correct: bool
    text: str
    ref: str


class QuizError(ValueError):
    pass


@lru_cache(maxsize=1)
def load_bank(path: Path = BANK) -> tuple[Scenario, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for i, s in enumerate(data.get("scenarios") or []):
        sid = s.get("id", f"#{i + 1}")
        try:
            Case.from_dict(s["case"])
            sc = Scenario(s["id"], s["title"], s["story"], s["as_of"], s["case"], tuple(s["ask"]))
        except (KeyError, ValueError) as e:
            raise QuizError(f"{path.name}: scenario {sid}: {e}") from None
        for kind in sc.ask:
            if kind not in QUESTION_TEXT:
                raise QuizError(f"{path.name}: scenario {sid}: unknown question kind '{kind}'")
        out.append(sc)
    if not out:
        raise QuizError(f"{path.name}: no scenarios")
    return tuple(out)


def new_state() -> dict[str, int]:
    return {"scenario": 0, "question": 0, "score": 0, "answered": 0}


def _assessment(sc: Scenario) -> Assessment:
    return assess(Case.from_dict(sc.case), sc.as_of)


def _route_options(sc: Scenario, a: Assessment) -> tuple[list[tuple[str, str]], str]:
    """One route that is open (light-touch-specific first) and two that are not open for this regime at all."""
    from bot.render.text import ranked_routes

    kb = load_knowledge()
    right = ranked_routes(a)[0]
    # Wrong answers are routes closed whatever the other facts (a route closed only for a missing fact, such as
    # user choice, would be unfair). Tempting ones first: the same regime's routes for the other side of the
    # threshold or the other kind of contract; then other regimes' routes.
    lt, above, regime = bool(a.light_touch), a.above_threshold, a.regime or "none"
    closed = [r for r in kb.routes if not applies_to(r.applies, regime, lt, above)]
    closed.sort(key=lambda r: (not any(x.startswith(f"{regime}/") for x in r.applies), r.id))
    pool = closed[:4]
    offset = sum(map(ord, sc.id)) % max(len(pool) - 1, 1)  # a stable choice per scenario
    wrong = pool[offset:offset + 2]
    label = {r.id: r.label for r in kb.routes}
    options = [(label[right.id], right.id)] + [(r.label, r.id) for r in wrong]
    options.sort(key=lambda o: (sum(map(ord, o[1] + sc.id)) % 7, o[1]))  # shuffle, the same way every time
    return options, right.id


def _all_questions(bank: tuple[Scenario, ...]) -> list[tuple[int, int]]:
    return [(i, j) for i, sc in enumerate(bank) for j in range(len(sc.ask))]


def current_question(state: dict[str, int], bank: Optional[tuple[Scenario, ...]] = None) -> Optional[Question]:
    """The question to ask now, or None when the quiz is over."""
    bank = bank or load_bank()
    i, j = state.get("scenario", 0), state.get("question", 0)
    if i >= len(bank):
        return None
    sc = bank[i]
    kind = sc.ask[j]
    a = _assessment(sc)
    if kind == "regime":
        options, correct = REGIME_OPTIONS, a.regime or "none"
    elif kind == "light_touch":
        options, correct = YES_NO, "yes" if a.light_touch else "no"
    elif kind == "above_threshold":
        if a.above_threshold is None:
            raise QuizError(f"scenario {sc.id}: no threshold applies, so 'above_threshold' cannot be asked")
        options, correct = YES_NO, "yes" if a.above_threshold else "no"
    else:
        if not a.routes:
            raise QuizError(f"scenario {sc.id}: no routes are open, so 'route' cannot be asked")
        options, correct = _route_options(sc, a)
    order = _all_questions(bank)
    return Question(sc, kind, QUESTION_TEXT[kind], options, correct, order.index((i, j)) + 1, len(order))


def _deciding(a: Assessment, kind: str, correct: str) -> tuple[str, str]:
    if kind == "route":
        r: Optional[Item] = next((r for r in a.routes if r.id == correct), None)
        assert r is not None
        return r.text, r.ref
    for step_id in DECIDING_STEPS[kind]:
        steps = [t for t in a.trace if t.id == step_id or t.id.startswith(step_id + "-")]
        if steps:
            return steps[-1].text, steps[-1].ref
    return a.answer, ""


def answer(state: dict[str, int], given: str, bank: Optional[tuple[Scenario, ...]] = None) -> tuple[Feedback, dict[str, int]]:
    """Mark an answer; the feedback cites the rule that decided. Returns the next state."""
    bank = bank or load_bank()
    q = current_question(state, bank)
    if q is None:
        raise QuizError("the quiz is over")
    values = {v for _, v in q.options}
    labels = {label.lower(): v for label, v in q.options}
    value = given if given in values else labels.get(str(given).strip().lower())
    if value is None:
        raise QuizError(f"'{given}' is not one of the options")
    right = value == q.correct
    why, ref = _deciding(_assessment(q.scenario), q.kind, q.correct)
    right_label = next(label for label, v in q.options if v == q.correct)
    text = ("Correct. " if right else f"Not quite: the answer is {right_label}. ") + why
    nxt = dict(state)
    nxt["answered"] = state.get("answered", 0) + 1
    nxt["score"] = state.get("score", 0) + (1 if right else 0)
    if q.number < q.total:
        i, j = _all_questions(bank)[q.number]
        nxt["scenario"], nxt["question"] = i, j
    else:
        nxt["scenario"], nxt["question"] = len(bank), 0
    return Feedback(right, text, ref), nxt


def summary(state: dict[str, int]) -> str:
    n, score = state.get("answered", 0), state.get("score", 0)
    return f"You scored {score} out of {n}."
