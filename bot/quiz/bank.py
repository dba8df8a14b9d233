"""The scenario bank (scenarios.yml): facts only, with dates relative to the day the quiz is taken.

A scenario is loaded once per file version; its dates and its story are resolved for a given day
(`Scenario.case_on(today)`, `Scenario.story_on(today)`), so a story written today still reads true next year.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from bot.ltr import Case
from bot.ltr.model import CaseError

BANK = Path(__file__).parent / "scenarios.yml"
LEVELS = ("easy", "medium", "hard")
# The kinds of question a scenario may ask for (its `ask` list), each with the question put to the trainee;
# questions.py makes each kind from the engine's answer.
KINDS = {
    "regime": "Which rules govern this procurement?",
    "psr_or_act": "Is it procured under the Provider Selection Regime, the Procurement Act 2023 or PCR 2015?",
    "light_touch": "Is it a light touch contract?",
    "above_threshold": "Is it above or below the threshold, and which threshold?",
    "value": "What is the whole-life value to compare with the threshold?",
    "aim": "Which route fits what the team wants to do?",
    "route": "Which of these routes is open to you?",
    "must_do": "Which of these must you still do?",
}
RELATIVE = re.compile(r"^([+-]\d{1,3})([dm])$")


class QuizError(ValueError):
    pass


def shift(today: date, spec: Any) -> Any:
    """'+3m' / '-2m' / '+45d' from today; anything else (an ISO date, a fixed past date) as written."""
    m = RELATIVE.match(spec) if isinstance(spec, str) else None
    if not m:
        return spec
    n, unit = int(m.group(1)), m.group(2)
    if unit == "d":
        return today + timedelta(days=n)
    months = today.year * 12 + today.month - 1 + n
    year, month = divmod(months, 12)
    month += 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def long_date(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    level: str
    topic: str
    point: str  # what it teaches
    trace: str  # the engine trace id that shows the teaching point
    story: str
    case: dict[str, Any]
    ask: tuple[str, ...]

    def case_on(self, today: date) -> dict[str, Any]:
        case = dict(self.case)
        if "commenced" in case:
            case["commenced"] = shift(today, case["commenced"])
        return case

    def story_on(self, today: date) -> str:
        """The story with its start date in words: "goes out {start}" -> "goes out on 1 March 2027", and after a
        preposition of its own "from {start}" -> "from 1 March 2027" (never "from on")."""
        commenced = Case.from_dict(self.case_on(today)).commenced
        when = long_date(commenced) if commenced else None
        story = re.sub(r"\b(from|by|until|before|after) \{start\}", lambda m: f"{m.group(1)} {when}" if when else "soon",
                       self.story)
        return story.replace("{start}", f"on {when}" if when else "soon")


@dataclass(frozen=True)
class Bank:
    topics: dict[str, str]  # id -> what it covers, in the order trainers wrote them
    topic_words: dict[str, tuple[str, ...]]  # id -> words officers use to ask for it
    scenarios: tuple[Scenario, ...]

    def scenario(self, scenario_id: str) -> Optional[Scenario]:
        return next((s for s in self.scenarios if s.id == scenario_id), None)


def _scenario(s: Any, i: int, topics: dict[str, str], kinds: tuple[str, ...], name: str) -> Scenario:
    sid = s.get("id", f"#{i + 1}") if isinstance(s, dict) else f"#{i + 1}"
    try:
        teaches = s["teaches"]
        sc = Scenario(str(s["id"]), str(s["title"]), str(s["level"]), str(s["topic"]), str(teaches["point"]),
                      str(teaches["trace"]), str(s["story"]), dict(s["case"]), tuple(s["ask"]))
        Case.from_dict(sc.case_on(date(2026, 1, 1)))
    except (KeyError, TypeError, CaseError) as e:
        raise QuizError(f"{name}: scenario {sid}: {e}") from None
    if sc.level not in LEVELS:
        raise QuizError(f"{name}: scenario {sid}: level must be one of {', '.join(LEVELS)}")
    if sc.topic not in topics:
        raise QuizError(f"{name}: scenario {sid}: topic '{sc.topic}' is not listed under topics")
    for kind in sc.ask:
        if kind not in kinds:
            raise QuizError(f"{name}: scenario {sid}: unknown question kind '{kind}' (one of {', '.join(kinds)})")
    return sc


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> Bank:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    raw_topics = data.get("topics") or {}
    try:
        topics = {str(k): str(v["label"]) for k, v in raw_topics.items()}
        words = {str(k): tuple(str(w).lower() for w in v.get("words") or ()) for k, v in raw_topics.items()}
    except (KeyError, TypeError, AttributeError):
        raise QuizError(f"{path.name}: each topic needs a label (and may list words)") from None
    scenarios = tuple(_scenario(s, i, topics, tuple(KINDS), path.name) for i, s in enumerate(data.get("scenarios") or []))
    if not scenarios:
        raise QuizError(f"{path.name}: no scenarios")
    ids = [s.id for s in scenarios]
    dupes = sorted({x for x in ids if ids.count(x) > 1})
    if dupes:
        raise QuizError(f"{path.name}: scenario ids used twice: {', '.join(dupes)}")
    return Bank(topics, words, scenarios)


def load_bank(path: Path = BANK) -> Bank:
    """The bank, read again when the file changes (a trainer's new scenario needs no restart)."""
    return _load(path, path.stat().st_mtime)
