"""Scenario table (tests/ltr/scenarios.yml): facts in domain language -> what the reference says.

One test per row, named by the row's sentence. Every expected value was worked out by hand from the
legal reference, never from the engine.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.ltr import Case, assess

SCENARIO_FILE = Path(__file__).with_name("scenarios.yml")
ALLOWED_EXPECT = {
    "regime", "light_touch", "above_threshold", "threshold_gbp", "estimated_value_gbp", "status",
    "routes_include", "routes_exclude", "obligations_include", "warnings_nonempty", "trace_include",
    "mentions", "trace_mentions", "cross_border_interest", "vat_basis", "threshold_id", "out_of_scope",
    "routes_not_open_include", "notifiable",
}
MONEY_KEYS = ("threshold_gbp", "estimated_value_gbp")
EXACT_KEYS = ("regime", "light_touch", "above_threshold", "status", "vat_basis", "threshold_id", "notifiable")


def _jsonable(obj: Any) -> Any:
    """YAML turns 2026-04-01 into a date; the Case JSON contract is ISO strings."""
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_jsonable(v) for v in obj]
    return obj


def load_scenarios() -> list[dict[str, Any]]:
    data = yaml.safe_load(SCENARIO_FILE.read_text(encoding="utf-8"))
    default_as_of = data["defaults"]["as_of"]
    rows = []
    for row in data["scenarios"]:
        unknown = set(row["expect"]) - ALLOWED_EXPECT
        assert not unknown, f"{row['name']}: unknown expectation keys {sorted(unknown)}"
        as_of = row.get("as_of", default_as_of)
        if isinstance(as_of, str):
            as_of = date.fromisoformat(as_of)
        rows.append({"name": row["name"], "as_of": as_of, "case": _jsonable(row["case"]), "expect": row["expect"]})
    return rows


SCENARIOS = load_scenarios()


def test_the_table_is_big_enough_and_names_are_unique():
    names = [r["name"] for r in SCENARIOS]
    assert len(names) >= 75, f"only {len(names)} scenarios"
    dupes = {n for n in names if names.count(n) > 1}
    assert not dupes, f"duplicate scenario names: {dupes}"


def test_every_regime_is_covered():
    regimes = {r["expect"].get("regime") for r in SCENARIOS}
    assert {"PCR2015", "PA2023", "PSR", "none"} <= regimes


@pytest.mark.parametrize("row", SCENARIOS, ids=[r["name"] for r in SCENARIOS])
def test_scenario(row, ltr_text):
    case = Case.from_dict(row["case"])
    result = assess(case, as_of=row["as_of"]).to_dict()
    expect = row["expect"]
    problems: list[str] = []

    for key in EXACT_KEYS:
        if key in expect and result.get(key) != expect[key]:
            problems.append(f"{key}: expected {expect[key]!r}, got {result.get(key)!r}")

    for key in MONEY_KEYS:
        if key not in expect:
            continue
        want, got = expect[key], result.get(key)
        if want is None or got is None:
            if want != got:
                problems.append(f"{key}: expected {want!r}, got {got!r}")
        elif got != pytest.approx(want, abs=0.01):
            problems.append(f"{key}: expected £{want:,.2f}, got £{got:,.2f}")

    if "cross_border_interest" in expect:
        got = str(result.get("cross_border_interest") or "")
        if not got.startswith(expect["cross_border_interest"]):
            problems.append(f"cross_border_interest: expected to start with {expect['cross_border_interest']!r}, got {got!r}")

    if "out_of_scope" in expect:
        got_scope = (result.get("out_of_scope") or {}).get("id")
        if got_scope != expect["out_of_scope"]:
            problems.append(f"out_of_scope: expected {expect['out_of_scope']!r}, got {got_scope!r}")

    closed = [r["id"] for r in result.get("routes_not_open") or []]
    for rid in expect.get("routes_not_open_include", []):
        if rid not in closed:
            problems.append(f"route {rid} should be listed as not open; routes_not_open were {closed}")

    route_ids = [r["id"] for r in result.get("routes") or []]
    for rid in expect.get("routes_include", []):
        if rid not in route_ids:
            problems.append(f"route {rid} missing; routes were {route_ids}")
    for rid in expect.get("routes_exclude", []):
        if rid in route_ids:
            problems.append(f"route {rid} offered but should not be; routes were {route_ids}")

    obligation_ids = [o["id"] for o in result.get("obligations") or []]
    for oid in expect.get("obligations_include", []):
        if oid not in obligation_ids:
            problems.append(f"obligation {oid} missing; obligations were {obligation_ids}")

    trace_ids = [t["id"] for t in result.get("trace") or []]
    for tid in expect.get("trace_include", []):
        if tid not in trace_ids:
            problems.append(f"trace step {tid} missing; trace was {trace_ids}")

    if "warnings_nonempty" in expect and bool(result.get("warnings")) != expect["warnings_nonempty"]:
        problems.append(f"warnings: expected {'some' if expect['warnings_nonempty'] else 'none'}, "
                        f"got {[w['id'] for w in result.get('warnings') or []]}")

    absent = ltr_text.missing(ltr_text.output(result), expect.get("mentions", []))
    if absent:
        problems.append(f"not mentioned in obligations/routes/warnings/assumptions/missing: {absent}")
    absent = ltr_text.missing(ltr_text.trace(result), expect.get("trace_mentions", []))
    if absent:
        problems.append(f"not mentioned in the trace: {absent}; trace refs were {[t['ref'] for t in result.get('trace') or []]}")

    if problems:
        summary = {k: result.get(k) for k in ("status", "regime", "light_touch", "above_threshold",
                                               "threshold_gbp", "estimated_value_gbp", "answer")}
        pytest.fail(f"{row['name']}\n  case: {json.dumps(row['case'])}\n  got: {json.dumps(summary)}\n  - "
                    + "\n  - ".join(problems))
