"""Every benchmark module that needs no server runs once at toy size (`--smoke`), so a rename cannot break
`make bench` unnoticed. Only that they run is checked: timings stay out of tests. The modules that start
servers have their smoke runs in tests/e2e/test_bench_smoke.py and tests/cluster/test_bench_smoke.py."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench import assess, dialogue, faq

# ../shared/eval next to the checkout, as `make eval` finds it (LTA_EVAL_DIR elsewhere, e.g. in a git worktree).
EVAL = Path(os.environ.get("LTA_EVAL_DIR") or faq.DEFAULT_EVAL.parent)
needs_eval = pytest.mark.skipif(not (EVAL / "score.py").is_file(), reason=f"the evaluation sets are not at {EVAL}")


def test_assess_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assess.main(["--smoke"])
    out = capsys.readouterr().out
    assert f"{len(assess.CASES)} calls over {len(assess.CASES)} mixed cases" in out  # one round of every case


@needs_eval
def test_dialogue_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert dialogue.main([str(EVAL), "--smoke"]) == 0
    out = capsys.readouterr().out
    for section in ("oneshot:", "multiturn:", "faq (the FAQ intent"):
        assert section in out
    assert "TOTAL 1/1" in out or "TOTAL 0/1" in out  # one item per section


def test_dialogue_without_the_evaluation_sets_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert dialogue.main([str(tmp_path), "--smoke"]) == 0
    assert "skipped" in capsys.readouterr().out


@needs_eval
def test_faq_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert faq.main(["--eval", str(EVAL / "faq.yaml"), "--smoke"]) == 0
    assert "must_not_contain hits" in capsys.readouterr().out


def test_load_benchmark_sorts_each_officers_replies_into_one_outcome() -> None:
    """bench.load's own smoke run starts servers (tests/e2e/test_capacity.py); its sorting is checked here."""
    from bench.load import classify
    from bot.server.capacity import BUSY, CANNOT_WORK_OUT, NOT_ANSWERED, QUEUED

    assert classify(["Roughly what is the contract worth?"]) == "answered"
    assert classify([QUEUED, "Roughly what is the contract worth?", "more"]) == "queued_then_answered"
    assert classify([BUSY]) == "told_to_retry" and classify([QUEUED, NOT_ANSWERED]) == "told_to_retry"
    assert classify([CANNOT_WORK_OUT]) == "apology"
    assert classify([]) == "lost" and classify([QUEUED]) == "lost"  # queued, then never answered
