"""A quiz session as a state machine over a JSON-able dict (kept in the `quiz` slot). No Rasa here.

`handle(state, command, today, given=..., options=...)` is the one entry point: it returns the messages to send
and the next state. Commands: start, answer, hint, skip, why, score, stop, resume, dont_know.
"""
from __future__ import annotations

import copy
import json
import random
import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional

from .bank import LEVELS, Bank, QuizError, load_bank
from .questions import Question, build

QUESTIONS_PER_QUIZ = 10
PER_SCENARIO = 2  # at most this many questions from one scenario in a plan, so a quiz covers more stories
VERSION = 2
State = dict[str, Any]
Button = tuple[str, dict[str, str]]  # (title, entities of a /quiz payload)


@dataclass(frozen=True)
class Msg:
    text: str
    buttons: list[Button] = field(default_factory=list)
    custom: Optional[dict[str, Any]] = None

    def rasa_buttons(self) -> list[dict[str, str]]:
        """Rasa buttons whose payloads (/quiz{"quiz_answer": "..."}) every channel can send back as they are."""
        return [{"title": title, "payload": "/quiz" + json.dumps(entities, separators=(",", ":"))}
                for title, entities in self.buttons]


REPORT = {"type": "quiz_report", "formats": ["html", "csv"]}
# "skip this one", "pass", "next": officers' words for skipping, which the NLU shares with the guided flow's
# "I don't know" (so they may arrive as dont_know, as a fallback or as an answer that names no option).
SKIP = re.compile(r"^\s*(skip|pass|next)\b[\w\s']{0,25}[.!]?\s*$", re.I)
# "my name is Sam Patel": the name on the trainee's results (optional; asked for when a quiz starts).
NAME = re.compile(r"^\s*(?:my name is|my name's|name:|i am|i'm)\s+([A-Za-z][A-Za-z .'-]{0,58}[A-Za-z])\s*[.!]?\s*$", re.I)
ASK_NAME = "If you want your name on your results for a trainer, type \"my name is\" and your name (optional)."


# ---- starting -------------------------------------------------------------------------------------


def parse_choice(text: str, bank: Optional[Bank] = None) -> tuple[Optional[str], Optional[str]]:
    """The level and topic named in 'quiz me on thresholds, hard' (either may be None)."""
    bank = bank or load_bank()
    low = f" {str(text or '').lower()} "
    level = next((lv for lv in LEVELS if re.search(rf"\b{lv}\b", low)), None)
    topic = next((t for t, words in bank.topic_words.items() if any(w in low for w in words)), None)
    return level, topic


def choose(bank: Optional[Bank] = None) -> list[Msg]:
    bank = bank or load_bank()
    levels: list[Button] = [("Mixed quiz", {"quiz_level": "any"})] + [(lv.capitalize(), {"quiz_level": lv}) for lv in LEVELS]
    return [
        Msg(f"Training mode: {QUESTIONS_PER_QUIZ} questions on short scenarios, answered by the same rules as the assistant. "
            "At any time you can ask for a hint, skip, ask \"why?\", ask for your score, or stop. Choose a level:", levels),
        Msg("Or practise one topic:", [(label, {"quiz_topic": t}) for t, label in bank.topics.items()]),
    ]


def plan(bank: Bank, level: Optional[str], topic: Optional[str], seed: str, n: int = QUESTIONS_PER_QUIZ) -> list[list[str]]:
    """The questions of a quiz: topics taken in turn so a mixed quiz covers many, scenarios shuffled by `seed`."""
    rng = random.Random(seed)
    chosen = [s for s in bank.scenarios if (level in (None, "any") or s.level == level) and (topic is None or s.topic == topic)]
    if not chosen and level not in (None, "any"):  # a topic with nothing at that level: take the topic at any level
        chosen = [s for s in bank.scenarios if topic is None or s.topic == topic]
    by_topic: dict[str, list] = {}
    for s in chosen:
        by_topic.setdefault(s.topic, []).append(s)
    for group in by_topic.values():
        rng.shuffle(group)
    order = []
    groups = list(by_topic.values())
    rng.shuffle(groups)
    while any(groups):
        for group in groups:
            if group:
                order.append(group.pop(0))
    out: list[list[str]] = []
    for s in order:
        for kind in s.ask[:PER_SCENARIO]:
            if len(out) < n:
                out.append([s.id, kind])
    if len(out) < n:  # a small topic: use the scenarios' other questions too
        for s in order:
            for kind in s.ask[PER_SCENARIO:]:
                if len(out) < n:
                    out.append([s.id, kind])
    return out


def start(today: date, level: Optional[str] = None, topic: Optional[str] = None, bank: Optional[Bank] = None,
          seed: Optional[str] = None, n: int = QUESTIONS_PER_QUIZ) -> State:
    bank = bank or load_bank()
    if topic is not None and topic not in bank.topics:
        raise QuizError(f"no topic '{topic}'")
    if level not in (None, "any") and level not in LEVELS:
        raise QuizError(f"no level '{level}'")
    qid = seed or uuid.uuid4().hex[:12]
    return {"v": VERSION, "id": qid, "today": today.isoformat(), "level": level if level in LEVELS else None,
            "topic": topic, "plan": plan(bank, level, topic, qid, n), "i": 0, "tries": 0, "hinted": False,
            "results": [], "done": False, "stopped": False}


def is_state(state: Any) -> bool:
    return isinstance(state, dict) and state.get("v") == VERSION and isinstance(state.get("plan"), list)


def active(state: Any) -> bool:
    return is_state(state) and not state["done"]


# ---- asking ----------------------------------------------------------------------------------------------


def _today(state: State) -> date:
    return date.fromisoformat(state["today"])


def current(state: State, bank: Optional[Bank] = None) -> Optional[Question]:
    """The question to ask now; a planned question the bank can no longer make (scenario removed) is passed over."""
    bank = bank or load_bank()
    while not state["done"] and state["i"] < len(state["plan"]):
        sid, kind = state["plan"][state["i"]][:2]
        sc = bank.scenario(sid)
        if sc is not None and kind in sc.ask:
            try:
                return build(sc, kind, _today(state))
            except QuizError:
                pass
        del state["plan"][state["i"]]
    return None


def right_so_far(state: State) -> int:
    return sum(1 for r in state["results"] if r["right"])


def progress(state: State) -> str:
    """'Question 3 of 10 · 2 right' (pure: no engine call, so channels can show it on reconnect)."""
    n = min(state["i"] + 1, len(state["plan"]))
    return f"Question {n} of {len(state['plan'])} · {right_so_far(state)} right"


def ask(state: State, q: Question) -> Msg:
    sc = q.scenario
    again = len(state["plan"][state["i"]]) > 2
    lines = [progress(state),
             f"Scenario: {sc.title} ({sc.level}{', a topic to revisit' if again else ''})",
             q.story, q.text]
    return Msg("\n".join(lines), [(label, {"quiz_answer": value}) for label, value in q.options])


def _sentence(label: str) -> str:
    """An option quoted as the end of a sentence: one full stop ("Skipped. The answer was Publish … notice.")."""
    return label.rstrip(".") + "."


def _explain(q: Question) -> str:
    parts = ["Working: " + " ".join(q.working)] if q.working else []
    link = f" {q.link}" if q.link else ""
    said = q.rule.text in q.working
    parts.append(f"Deciding rule: {q.rule.ref}{link}" if said else f"Deciding rule: {q.rule.text} ({q.rule.ref}{link})")
    parts.append(f"What this teaches: {q.scenario.point}.")
    return "\n".join(parts)


def _label(q: Question, value: Optional[str]) -> str:
    return next((label for label, v in q.options if v == value), "") if value else ""


def _record(state: State, q: Question, given: Optional[str], right: bool, skipped: bool = False) -> None:
    """The question's result, with every answer tried (a wrong try before a skip included) and whether the trainee
    asked for a hint (a hint given after a wrong try was not asked for)."""
    tried = [*state.get("tried", []), *([_label(q, given)] if given else [])]
    state["results"].append({
        "n": len(state["results"]) + 1, "scenario": q.scenario.id, "title": q.scenario.title, "kind": q.kind,
        "topic": q.topic, "level": q.scenario.level, "question": q.text, "given": tried[-1] if tried else "",
        "tried": tried, "answer": q.correct_label, "right": right, "skipped": skipped,
        "hinted": bool(state.get("asked_hint")), "tries": len(tried), "rule": q.rule.ref, "explain": _explain(q),
    })


def _come_back(state: State, bank: Bank, topic: str) -> None:
    """A missed topic comes back later: a question on it not yet asked replaces a later one on another topic."""
    plan_, i = state["plan"], state["i"]
    planned = {(p[0], p[1]) for p in plan_}
    used = {p[0] for p in plan_}
    level = state.get("level")
    pool = [(s.id, k) for s in bank.scenarios if s.topic == topic and (level is None or s.level == level)
            for k in s.ask if (s.id, k) not in planned]
    pool.sort(key=lambda p: (p[0] in used, p))  # a new story first
    later = [j for j in range(i + 2, len(plan_)) if len(plan_[j]) == 2
             and (bank.scenario(plan_[j][0]) is None or bank.scenario(plan_[j][0]).topic != topic)]
    if not pool or not later:
        return
    del plan_[later[-1]]
    plan_.insert(min(i + 2, len(plan_)), [pool[0][0], pool[0][1], "again"])


def _next(state: State, bank: Bank) -> list[Msg]:
    state["i"] += 1
    state["tries"], state["hinted"], state["asked_hint"], state["tried"] = 0, False, False, []
    q = current(state, bank)
    if q is None:
        return finish(state, bank)
    return [ask(state, q)]


# ---- the end ---------------------------------------------------------------------------------------------


def by_topic(state: State, bank: Optional[Bank] = None) -> list[tuple[str, str, int, int]]:
    """(topic id, label, right, asked) for each topic asked, in the bank's order."""
    bank = bank or load_bank()
    out = []
    for t, label in bank.topics.items():
        rs = [r for r in state["results"] if r["topic"] == t]
        if rs:
            out.append((t, label, sum(1 for r in rs if r["right"]), len(rs)))
    return out


def to_revisit(state: State, bank: Optional[Bank] = None) -> list[str]:
    return [label for _, label, right, asked in by_topic(state, bank) if right < asked]


def score_text(state: State, bank: Optional[Bank] = None) -> str:
    asked = len(state["results"])
    text = f"You have {right_so_far(state)} right out of {asked} answered"
    if not state["done"]:
        text += f" ({progress(state)})"
    topics = by_topic(state, bank)
    if topics:
        text += ". By topic: " + "; ".join(f"{label} {right}/{n}" for _, label, right, n in topics)
    return text + "."


def finish(state: State, bank: Optional[Bank] = None, stopped: bool = False) -> list[Msg]:
    bank = bank or load_bank()
    state["done"], state["stopped"] = True, stopped
    asked = len(state["results"])
    head = "Quiz stopped. " if stopped else "That's the end of the quiz. "
    text = head + f"You scored {right_so_far(state)} out of {asked}."
    revisit = to_revisit(state, bank)
    if revisit:
        text += " Topics to revisit: " + "; ".join(revisit) + "."
    elif asked:
        text += " Nothing to revisit: well done."
    text += " You can download your results below. Ask me about a real contract whenever you are ready, or say \"quiz me\" for another quiz."
    return [Msg(text, custom=dict(REPORT))]


# ---- one turn --------------------------------------------------------------------------------------------


def _typed(q: Question, given: str) -> Optional[str]:
    value = q.value_of(given)
    if value is None:
        text = str(given).strip().lower().rstrip(".!")
        if text in ("yes", "y", "yeah", "yep", "correct", "true") and q.value_of("yes"):
            value = "yes"
        elif text in ("no", "n", "nope", "false") and q.value_of("no"):
            value = "no"
        elif text.isdigit() and 1 <= int(text) <= len(q.options):
            value = q.options[int(text) - 1][1]
    return value


def handle(state: Any, command: str, today: date, given: Optional[str] = None, level: Optional[str] = None,
           topic: Optional[str] = None, bank: Optional[Bank] = None, pass_on: bool = False) -> tuple[list[Msg], Optional[State]]:
    """One turn of the quiz. `state` is the slot's value (None or a finished quiz when none is running).

    pass_on: the message may be meant for the assistant (a question typed mid-quiz): when it names no option,
    no messages are returned and the state is unchanged, so the caller hands it to the conversation."""
    bank = bank or load_bank()
    state = copy.deepcopy(state)  # the caller's slot value is never changed in place
    running = state if active(state) else None
    if command == "start":
        if running is not None:  # never restart by accident: say where the quiz stands instead
            q = current(running, bank)
            if q is not None:
                return [Msg("You are already in a quiz. Say \"stop the quiz\" to end it."), ask(running, q)], running
        if level is None and topic is None and given:
            level, topic = parse_choice(given, bank)
        if level is None and topic is None:
            return choose(bank), state
        new = start(today, level, topic, bank)
        q = current(new, bank)
        if q is None:
            return [Msg("There are no scenarios for that choice yet.")] + choose(bank), state
        what = bank.topics[topic] if topic else "a mix of topics"
        lvl = f", {level} level" if level in LEVELS else ""
        return [Msg(f"Quiz on {what}{lvl}: {len(new['plan'])} questions. {ASK_NAME}"), ask(new, q)], new
    if command == "score":
        if not is_state(state) or not state["results"]:
            if running is not None and (q := current(running, bank)) is not None:
                return [Msg("No answers yet."), ask(running, q)], running
            return [Msg("You have not answered any quiz questions yet. Say \"quiz me\" to start.")], state
        msgs = [Msg(score_text(state, bank), custom=dict(REPORT))]
        if running is not None and (q := current(running, bank)) is not None:
            msgs.append(ask(running, q))
        return msgs, state
    if command == "why" and is_state(state) and running is None:
        last = state["results"][-1] if state["results"] else None
        return [Msg(last["explain"] if last else "There is nothing to explain yet.")], state
    if running is None:
        return [Msg("There is no quiz running. Say \"quiz me\" to start one.")], state
    q = current(running, bank)
    if q is None:
        return finish(running, bank), running
    if command in ("answer", "dont_know") and SKIP.match(given or "") and _typed(q, given or "") is None:
        command = "skip"
    named = NAME.match(given or "") if command == "answer" and _typed(q, given or "") is None else None
    if named:
        running["name"] = " ".join(named.group(1).split())
        return [Msg(f"Thank you, {running['name']}: your name will be on your results."), ask(running, q)], running
    if command == "resume":
        return [Msg(f"Welcome back. You are on {progress(running).lower()}."), ask(running, q)], running
    if command == "stop":
        return finish(running, bank, stopped=True), running
    if command == "why":  # about the question being asked now (the last one's working came with its feedback)
        running["hinted"] = running["asked_hint"] = True
        return [Msg(f"This question is about: {q.scenario.point.rstrip('.')}. Hint: {q.hint}"), ask(running, q)], running
    if command in ("hint", "dont_know") and not (command == "dont_know" and (running["hinted"] or running["tries"])):
        running["hinted"] = running["asked_hint"] = True
        return [Msg(f"Hint: {q.hint}"), ask(running, q)], running
    if command in ("skip", "dont_know"):
        _record(running, q, None, False, skipped=True)
        _come_back(running, bank, q.topic)
        return [Msg(f"Skipped. The answer was {_sentence(q.correct_label)}\n{_explain(q)}")] + _next(running, bank), running
    value = _typed(q, given or "")
    if value is None and pass_on:
        return [], state
    if value is None:
        return [Msg("Please choose one of the options (or say \"hint\", \"skip\" or \"stop the quiz\")."), ask(running, q)], running
    if value == q.correct:
        _record(running, q, value, True)
        return [Msg(f"Right: {_sentence(q.correct_label)}\n{_explain(q)}")] + _next(running, bank), running
    if running["tries"] == 0 and not running["hinted"]:
        running["tries"], running["hinted"] = 1, True  # a hint the trainee did not ask for: not "hint used"
        running["tried"] = [*running.get("tried", []), _label(q, value)]
        return [Msg(f"Not quite. Hint: {q.hint} Have another go."), ask(running, q)], running
    _record(running, q, value, False)
    _come_back(running, bank, q.topic)
    return [Msg(f"Not quite: the answer is {_sentence(q.correct_label)}\n{_explain(q)}")] + _next(running, bank), running
