"""The installed `ltr` command, run as a user would run it (a real subprocess)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.ltr import Case, assess


def ltr_command() -> str:
    bin_dir = Path(sys.executable).parent
    found = shutil.which("ltr", path=str(bin_dir))
    assert found, f"the `ltr` entry point is not installed next to {sys.executable}"
    return found


LTR = ltr_command()
HOME_CARE = {
    "service": "home care",
    "cpv": ["85312000"],
    "value": {"annual_gbp": 180000, "years": 3, "extension_years": 2},
    "vat": "exempt",
    "commenced": "2026-04-01",
    "commencement_event": "tender_notice",
}


REPO = Path(__file__).resolve().parents[2]


def ltr(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    # PYTHONPATH: the installed command runs this checkout's code, even when the environment's editable
    # install points at another working copy (then the command and these tests would disagree).
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONPATH": str(REPO)}
    return subprocess.run([LTR, *args], input=stdin, capture_output=True, text=True, timeout=120, env=env)


def no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr


def test_assess_json_file_round_trips(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(HOME_CARE), encoding="utf-8")
    proc = ltr("assess", str(path), "--json")
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    case = Case.from_dict(HOME_CARE)
    assert out["case"] == case.to_dict()
    # the command's answer is exactly the engine's answer for the date it used
    expected = assess(case, as_of=date.fromisoformat(out["as_of"])).to_dict()
    assert out == json.loads(json.dumps(expected))
    # and it is the answer the reference gives: £180k × (3 + 2) = £900k, light touch, above £663,540
    assert out["regime"] == "PA2023"
    assert out["light_touch"] is True
    assert out["above_threshold"] is True
    assert out["threshold_gbp"] == pytest.approx(663540, abs=0.01)
    assert out["estimated_value_gbp"] == pytest.approx(900000, abs=0.01)


def test_dash_reads_the_case_from_stdin(tmp_path):
    proc = ltr("assess", "-", "--json", stdin=json.dumps(HOME_CARE))
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["case"] == Case.from_dict(HOME_CARE).to_dict()
    assert out["estimated_value_gbp"] == pytest.approx(900000, abs=0.01)


def test_flags_with_a_spoken_value():
    proc = ltr("assess", "--service", "home care", "--value", "£3m a year for 4 years plus 2",
               "--start", "2026-04-01", "--json")
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    value = out["case"]["value"]
    assert value["annual_gbp"] == pytest.approx(3_000_000)
    assert value["years"] == pytest.approx(4)
    assert value["extension_years"] == pytest.approx(2)
    assert out["case"]["commenced"] == "2026-04-01"
    assert out["regime"] == "PA2023"
    assert out["light_touch"] is True
    assert out["above_threshold"] is True
    # £3m × 6 years = £18m; VAT was not stated, so the figure is £18m or £18m plus VAT
    assert out["estimated_value_gbp"] in (pytest.approx(18_000_000), pytest.approx(21_600_000))


def test_readable_output_names_the_regime_threshold_and_rules_version(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(HOME_CARE), encoding="utf-8")
    proc = ltr("assess", str(path))
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "Procurement Act 2023" in text or "PA2023" in text, text
    assert "663,540" in text, text
    assert "rules last updated" in text.lower(), text  # the date the rules were reviewed, not a build hash


@pytest.mark.parametrize(
    "label, case, field_names",
    [
        ("unknown field", {**HOME_CARE, "servce": "home care"}, ["servce"]),
        ("negative value", {**HOME_CARE, "value": {"total_gbp": -5000}}, ["total_gbp", "value"]),
        ("impossible date", {**HOME_CARE, "commenced": "2026-02-30"}, ["commenced"]),
        ("absurd value", {**HOME_CARE, "value": {"total_gbp": 1e15}}, ["total_gbp", "value"]),
        ("unknown with a figure", {**HOME_CARE, "value": {"unknown": True, "total_gbp": 5}}, ["value.unknown"]),
        ("CPV code that does not exist", {**HOME_CARE, "cpv": ["99999999"]}, ["cpv"]),
        ("two recurring prices", {**HOME_CARE, "value": {"annual_gbp": 5, "monthly_gbp": 1, "years": 2}}, ["value.monthly_gbp"]),
    ],
)
def test_bad_json_input_is_one_line_naming_the_field(tmp_path, label, case, field_names):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    proc = ltr("assess", str(path), "--json")
    no_traceback(proc)
    assert proc.returncode == 2, f"{label}: exit {proc.returncode}; stderr {proc.stderr!r}"
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, f"{label}: expected one line on stderr, got {lines}"
    assert any(f in lines[0] for f in field_names), f"{label}: {lines[0]!r} does not name {field_names}"


@pytest.mark.parametrize(
    "label, args, field_names",
    [
        ("impossible date", ["--service", "home care", "--value", "£700k", "--start", "2026-02-30"], ["start", "commenced"]),
        ("negative value", ["--service", "home care", "--value", "-700000", "--start", "2026-04-01"], ["value"]),
        ("negative pounds", ["--service", "home care", "--value", "£-5k", "--start", "2026-04-01"], ["value"]),
        ("absurd value", ["--service", "home care", "--value", "1e15", "--start", "2026-04-01"], ["value"]),
    ],
)
def test_bad_flags_are_one_line_naming_the_field(label, args, field_names):
    proc = ltr("assess", *args, "--json")
    no_traceback(proc)
    assert proc.returncode == 2, f"{label}: exit {proc.returncode}; stderr {proc.stderr!r}"
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, f"{label}: expected one line on stderr, got {lines}"
    assert any(f in lines[0] for f in field_names), f"{label}: {lines[0]!r} does not name {field_names}"


def test_an_aim_that_is_not_open_is_answered_with_the_reason():
    # PCR reg 77: a contract reserved to a mutual lasts 3 years at most; this one runs 4.
    proc = ltr("assess", "--service", "home care", "--cpv", "85312000", "--value", "£200k a year for 4 years",
               "--start", "2024-03-01", "--event", "pcr_contract_notice", "--aim", "mutual", "--json")
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert [r["id"] for r in out["routes_not_open"]] == ["R-MUTUAL"]
    assert "3 years" in out["routes_not_open"][0]["text"]
