"""The benchmarks that start the servers run once at toy size (`--smoke`): a rename in the supervisor or
the servers cannot break `make bench` unnoticed. Each starts its own servers from the trained model.
Only that they run through is checked (no exception, every reply an answer): timings stay out of tests."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from bench import assistant as bench_assistant
from bench import eval as bench_eval
from bench import faq as bench_faq
from bench import profile as bench_profile

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
EVAL = Path(os.environ.get("LTA_EVAL_DIR") or bench_faq.DEFAULT_EVAL.parent)


@pytest.fixture(scope="module", autouse=True)
def model() -> None:
    subprocess.run([str(ROOT / "scripts" / "train")], check=True, cwd=ROOT)


def test_assistant_benchmark_runs(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    bench_assistant.main(["--smoke", "--json", str(out)])
    figures = json.loads(out.read_text())
    assert figures["assistant"]["2_users"]["turns"] > 0 and figures["stock"]["2_users"]["turns"] > 0
    assert figures["assistant"]["soak"]["errors"] == 0, figures["assistant"]["soak"]["first_errors"]


def test_profile_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_profile.main(["--smoke", "--out", str(tmp_path)]) == 0
    assert "1 users" in capsys.readouterr().out
    assert (tmp_path / "rasa.prof").stat().st_size > 0 and (tmp_path / "actions.prof").stat().st_size > 0


def test_profile_startup_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_profile.main(["--startup", "1", "--smoke"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if line.startswith(("rasa run", "speedups"))]
    assert len(rows) == 2
    assert rows[1][0] == "speedups" and rows[1][-1] == "False"  # no TensorFlow in Rasa started that way


@pytest.mark.skipif(not (EVAL / "score.py").is_file(), reason=f"the evaluation sets are not at {EVAL}")
def test_eval_runs(capfd: pytest.CaptureFixture[str]) -> None:
    bench_eval.main([str(EVAL), "--smoke"])  # 1 when an item misses its floor: a score, not a crash
    out = capfd.readouterr().out
    assert "reply latency p50" in out, out[-2000:]
