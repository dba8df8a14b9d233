"""`ltr quiz-report`: a trainee's results read from a real tracker store, as a trainer would run it."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.quiz import handle
from bot.server.store import SQLConversationStore
from tests.cli.test_cli import REPO, ltr, no_traceback

TODAY = date(2026, 12, 3)


async def _store_a_quiz(db: str) -> None:
    """An easy quiz on the value topic (one scenario: home care, £180,000 a year for 3 years + 2): right, wrong twice,
    skipped (the last question, so the quiz ends); every state saved as the action would save it."""
    tracker = DialogueStateTracker("web-trainee", Domain.load(str(REPO / "domain.yml")).slots)
    state = None
    for command, given in [("start", None), ("answer", "gbp:900000"), ("answer", "below:PA-LT-2026"),
                           ("answer", "below:PA-LT-2026"), ("skip", None), ("stop", None)]:
        tracker.update(UserUttered(command, {"name": "quiz", "confidence": 1.0}))
        _, state = handle(state, command, TODAY, given=given, level="easy" if command == "start" else None,
                          topic="value" if command == "start" else None)
        tracker.update(SlotSet("quiz", state))
    other = DialogueStateTracker("web-someone-else", Domain.load(str(REPO / "domain.yml")).slots)
    other.update(UserUttered("hello", {"name": "greet", "confidence": 1.0}))
    store = SQLConversationStore(Domain.load(str(REPO / "domain.yml")), db=db)
    await store.save(tracker)
    await store.save(other)


@pytest.mark.asyncio
async def test_quiz_report_csv_and_html(tmp_path):
    db = str(tmp_path / "rasa.db")
    await _store_a_quiz(db)
    proc = ltr("quiz-report", "--db", db, "--format", "csv")
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    # The right answers are the law's (reference §2, §3): £180,000 × (3 + 2) = £900,000, at or above £663,540.
    assert [(r["Right answer"], r["Result"]) for r in rows] == [
        ("£900,000", "right"), ("Above the £663,540 threshold (light touch)", "wrong"), ("Yes", "skipped")]
    # A wrong try, then the second answer; the hint after the wrong try was not asked for.
    assert rows[1]["Answers given"].endswith("Below the £663,540 threshold (light touch)") and rows[1]["Hint used"] == "no"
    # Each question's topic is what it tests, not its scenario's: the value, the threshold, light touch.
    assert [r["Topic"] for r in rows] == ["Working out the whole-life value", "Thresholds",
                                         "Light touch services and the CPV schedule"]
    assert rows[1]["Deciding rule (legal reference)"].startswith("PA 2023 Sch 1")

    out = tmp_path / "report.html"
    proc = ltr("quiz-report", "--db", db, "--sender", "web-trainee", "--out", str(out))
    assert proc.returncode == 0 and "3 answers from 1 quiz" in proc.stdout
    page = out.read_text(encoding="utf-8")
    assert "Quiz 1: 1 right out of 3 answered" in page and "finished (3 of 3 questions)" in page
    assert "Topics to revisit:</strong> Light touch services and the CPV schedule; Thresholds" in page


def test_quiz_report_refuses_plainly(tmp_path):
    proc = ltr("quiz-report", "--db", str(tmp_path / "missing.db"))
    no_traceback(proc)
    assert proc.returncode == 2 and "does not exist" in proc.stderr
