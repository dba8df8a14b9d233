"""bench.cluster runs once at toy size (`--smoke`: 2 users, one round, 2 lock-race trials) against a
cluster of its own, so a change to bot.server.cluster cannot break `make bench` unnoticed. Only that it
runs through is checked: timings stay out of tests."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bench import cluster as bench_cluster
from bot.server.supervisor import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]


def test_cluster_benchmark_runs(tmp_path: Path) -> None:
    subprocess.run([str(ROOT / "scripts" / "train")], check=True, cwd=ROOT)
    out = tmp_path / "bench-cluster.json"
    assert bench_cluster.main(["--smoke", "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert set(figures["2_users"]) == {"one", "two"}
    assert figures["lock_race"]["through_nginx"]["trials"] == 2
