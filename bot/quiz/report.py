"""What a trainer sees of a trainee's quizzes: the quiz states kept with a conversation, as rows.

The states come from the stored conversation (the `quiz` slot's values), never from a browser. Each quiz has an
id; its last stored state is the one reported.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

from .bank import Bank, load_bank
from .session import State, by_topic, is_state, right_so_far

COLUMNS = ("trainee", "quiz", "n", "scenario", "topic", "level", "question", "given", "answer", "result", "hint", "tries", "rule")
KIND_NAMES = {
    "regime": "Which rules apply", "psr_or_act": "PSR or the Act", "light_touch": "Light touch or not",
    "above_threshold": "Above or below which threshold", "value": "Whole-life value", "aim": "Which route fits an aim",
    "route": "Which route is open", "must_do": "What must still be done",
}


def quiz_states(events: Iterable[dict[str, Any]]) -> list[State]:
    """The last state of each quiz in a conversation's events (dicts as Rasa stores them), oldest quiz first."""
    latest: dict[str, State] = {}
    for e in events:
        if e.get("event") == "slot" and e.get("name") == "quiz" and is_state(e.get("value")):
            latest.pop(e["value"]["id"], None)  # keep insertion order by the latest write
            latest[e["value"]["id"]] = e["value"]
    return list(latest.values())


def trainee(state: State) -> str:
    return str(state.get("name") or "")


def given(r: dict[str, Any]) -> str:
    """Every answer tried, in order ("Yes, then No"); "" when skipped without one."""
    tried = r.get("tried") or ([r["given"]] if r.get("given") else [])
    return ", then ".join(tried)


def result(r: dict[str, Any]) -> str:
    return "skipped" if r["skipped"] else "right" if r["right"] else "wrong"


def rows(states: Iterable[State], bank: Optional[Bank] = None) -> list[dict[str, str]]:
    bank = bank or load_bank()
    out = []
    for number, st in enumerate(states, 1):
        for r in st["results"]:
            out.append({
                "trainee": trainee(st), "quiz": str(number), "n": str(r["n"]), "scenario": r["title"], "topic": bank.topics.get(r["topic"], r["topic"]),
                "level": r["level"], "question": f"{KIND_NAMES.get(r['kind'], r['kind'])}: {r['question']}",
                "given": given(r), "answer": r["answer"], "result": result(r), "hint": "yes" if r["hinted"] else "no",
                "tries": str(r["tries"]), "rule": r["rule"],
            })
    return out


def summaries(states: Iterable[State], bank: Optional[Bank] = None) -> list[dict[str, Any]]:
    """Per quiz: when, choice, score, and right/asked per topic."""
    bank = bank or load_bank()
    out = []
    for number, st in enumerate(states, 1):
        out.append({
            "quiz": number, "trainee": trainee(st), "date": st["today"], "level": st.get("level") or "mixed",
            "topic": bank.topics.get(st.get("topic") or "", "mixed"), "right": right_so_far(st),
            "answered": len(st["results"]), "planned": len(st["plan"]),
            "status": "stopped" if st.get("stopped") else "finished" if st["done"] else "in progress",
            "topics": [(label, right, n) for _, label, right, n in by_topic(st, bank)],
        })
    return out
