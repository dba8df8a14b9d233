"""Runs the generated behavioural suite on the one-turn dialogue and prints the per-capability table.

    python -m tests.behaviour.report            the table (`make eval` prints it at its end)
    python -m tests.behaviour.report -v CAP     and every failure of one capability

The system under test is black-box: `turn(new_state(), Incoming(text, "assess"), TODAY)`, the path a statement
of facts takes through Rasa (the NLU's "assess" intent). From the outcome: the whole-life value the engine used
(VAT basis included) and whether it is above the threshold, or the question it asked, and the start date it took.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from tests.behaviour.generate import Case, generate

TODAY = date(2026, 11, 26)  # the "today" of the project's evaluation runs (bench/dialogue.py)
PASS_RATE = 0.99
VALUE_ASKS = ("value", "value_choice")  # the questions that ask which figure (or reading) is meant


@dataclass(frozen=True)
class Reading:
    """What the assistant made of one message."""

    answered: bool
    value_gbp: Optional[float] = None
    above: Optional[bool] = None
    asks: Optional[str] = None  # the pending question when it did not answer
    commenced: Optional[str] = None
    error: Optional[str] = None

    def same_as(self, other: "Reading") -> bool:
        if self.answered != other.answered or self.asks != other.asks or self.above != other.above:
            return False
        if self.answered:
            return abs((self.value_gbp or 0) - (other.value_gbp or 0)) <= 1.0 and self.commenced == other.commenced
        return True

    def short(self) -> str:
        if self.error:
            return f"error {self.error}"
        if self.answered:
            side = "above" if self.above else "below" if self.above is False else "no threshold"
            figure = f"£{self.value_gbp:,.2f}" if self.value_gbp is not None else "no value"
            return f"{figure} {side}" + (f", from {self.commenced}" if self.commenced else "")
        return f"asks {self.asks}"


def read(text: str) -> Reading:
    from bot.assistant.dialogue import Incoming, new_state, turn

    try:
        out = turn(new_state(), Incoming(text=text, intent="assess"), TODAY)
    except Exception as e:  # a crash is a failure of the case, reported, not of the suite
        return Reading(False, error=f"{type(e).__name__}: {e}"[:120])
    commenced = (out.state.get("facts") or {}).get("commenced")
    a = out.assessment
    if a is not None:
        return Reading(True, a.estimated_value_gbp, a.above_threshold, None, commenced)
    return Reading(False, asks=(out.state.get("pending") or {}).get("ask"), commenced=commenced)


def _read_all(texts: list[str], workers: int) -> dict[str, Reading]:
    if workers <= 1 or len(texts) < 200:
        return {t: read(t) for t in texts}
    ctx = multiprocessing.get_context("spawn")  # not fork: the test process may have threads (server tests)
    with ctx.Pool(workers) as pool:
        return dict(zip(texts, pool.map(read, texts, chunksize=64)))


def judge(case: Case, got: Reading, base: Optional[Reading]) -> bool:
    if got.error:
        return False
    if case.kind == "value":
        e = case.expect
        return (got.answered and got.value_gbp is not None and abs(got.value_gbp - e.value_gbp) <= 1.0
                and got.above == e.above)
    if case.kind == "asks":
        return not got.answered and got.asks in VALUE_ASKS
    if case.kind == "date":
        lo, hi = case.window
        return got.answered and got.commenced is not None and lo.isoformat() <= got.commenced <= hi.isoformat()
    assert base is not None
    if case.kind == "same":
        return got.same_as(base)
    if not (got.answered and base.answered) or base.value_gbp is None or got.value_gbp is None:
        return False
    want = base.value_gbp * case.delta if case.kind == "times" else base.value_gbp + case.delta
    return abs(got.value_gbp - want) <= 1.0


def expectation(case: Case, base: Optional[Reading]) -> str:
    if case.kind == "value":
        e = case.expect
        return f"£{e.value_gbp:,.2f} {'above' if e.above else 'below'}"
    if case.kind == "asks":
        return "asks which reading: " + " or ".join(f"£{x:,.0f}" for x in case.expect.readings_gbp)
    if case.kind == "date":
        return f"start in {case.window[0]}..{case.window[1]}"
    b = base.short() if base else "?"
    if case.kind == "same":
        return f"same as the clean message ({b})"
    op = f"× {case.delta:g}" if case.kind == "times" else f"+ £{case.delta:,.2f}"
    return f"clean message's value {op} (clean: {b})"


@dataclass
class Row:
    capability: str
    n: int = 0
    passed: int = 0
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (message, expected, got)

    @property
    def rate(self) -> float:
        return self.passed / self.n if self.n else 0.0


def run(cases: Optional[list[Case]] = None, workers: Optional[int] = None) -> dict[str, Row]:
    """Every case read once (a message shared by several cases is read once), judged, grouped by capability."""
    cases = generate() if cases is None else cases
    texts = sorted({c.text for c in cases} | {c.base for c in cases if c.base})
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    readings = _read_all(texts, workers)
    rows: dict[str, Row] = {}
    for c in cases:
        row = rows.setdefault(c.capability, Row(c.capability))
        base = readings[c.base] if c.base else None
        got = readings[c.text]
        row.n += 1
        if judge(c, got, base):
            row.passed += 1
        else:
            row.failures.append((c.text, expectation(c, base), got.short()))
    return rows


def _one_line(text: str, width: int) -> str:
    flat = " ⏎ ".join(x.strip() for x in text.splitlines() if x.strip())
    return flat if len(flat) <= width else flat[:width - 1] + "…"


def table(rows: dict[str, Row], examples: int = 2) -> str:
    out = [f"{'capability':34s} {'n':>5s} {'passed':>6s} {'rate':>7s}  example failures (message → expected | got)"]
    for name in sorted(rows):
        r = rows[name]
        mark = "" if r.rate >= PASS_RATE else " ✗"
        out.append(f"{name:34s} {r.n:5d} {r.passed:6d} {r.rate:7.1%}{mark}")
        for text, want, got in r.failures[:examples]:
            out.append(f"    {_one_line(text, 110)}\n        → {want} | got {got}")
    n = sum(r.n for r in rows.values())
    ok = sum(r.passed for r in rows.values())
    good = sum(r.rate >= PASS_RATE for r in rows.values())
    out.append(f"{'ALL':34s} {n:5d} {ok:6d} {ok / n:7.1%}  ({good}/{len(rows)} capabilities at ≥ {PASS_RATE:.0%})")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-v", metavar="CAPABILITY", help="print every failure of this capability")
    p.add_argument("--examples", type=int, default=2)
    args = p.parse_args(argv)
    rows = run()
    print("\nGenerated behavioural suite (tests/behaviour): one turn, per capability")
    print(table(rows, args.examples))
    if args.v:
        for text, want, got in rows[args.v].failures:
            print(f"\n{text}\n  → expected {want}\n  → got {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
