"""scripts/gate_results.py fails CI on failed stories or NLU below the floors (rasa test exits 0)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOORS = {"intent_weighted_f1": 0.95, "intent_min_f1": 0.8, "intent_min_support": 5}


def write_results(tmp: Path, correct: int, total: int, weighted: float, per_intent: dict) -> None:
    (tmp / "core").mkdir()
    (tmp / "nlu").mkdir()
    (tmp / "core" / "story_report.json").write_text(json.dumps(
        {"conversation_accuracy": {"accuracy": correct / total, "correct": correct, "with_warnings": 0, "total": total}}))
    (tmp / "core" / "failed_test_stories.yml").write_text("stories:\n- story: the broken one (tests/x.yml)\n  steps: []\n")
    report = {"accuracy": weighted, "weighted avg": {"f1-score": weighted}, "macro avg": {"f1-score": weighted}}
    report.update({k: {"f1-score": v, "support": 6} for k, v in per_intent.items()})
    (tmp / "nlu" / "intent_report.json").write_text(json.dumps(report))
    (tmp / "floors.yml").write_text(json.dumps(FLOORS))


def gate(tmp: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gate_results.py"), "--core", str(tmp / "core"),
         "--nlu", str(tmp / "nlu"), "--floors", str(tmp / "floors.yml")],
        capture_output=True, text=True)


def test_passes_when_everything_meets_the_floors(tmp_path):
    write_results(tmp_path, 19, 19, 0.97, {"assess": 0.96, "faq": 0.9})
    r = gate(tmp_path)
    assert r.returncode == 0, r.stdout


@pytest.mark.parametrize(
    "correct, weighted, per_intent, expected",
    [
        (18, 0.97, {"assess": 0.96}, "1 of 19 test stories failed: the broken one"),
        (19, 0.94, {"assess": 0.96}, "weighted F1 0.940"),
        (19, 0.97, {"assess": 0.96, "faq": 0.7}, "intent 'faq' F1 0.700"),
    ],
)
def test_fails_on_a_failed_story_or_a_missed_floor(tmp_path, correct, weighted, per_intent, expected):
    write_results(tmp_path, correct, 19, weighted, per_intent)
    r = gate(tmp_path)
    assert r.returncode == 1
    assert expected in r.stdout


def test_fails_when_results_are_missing(tmp_path):
    (tmp_path / "floors.yml").write_text(json.dumps(FLOORS))
    r = gate(tmp_path)
    assert r.returncode == 1 and "missing" in r.stdout
