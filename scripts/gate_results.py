#!/usr/bin/env python3
"""Fail CI on `rasa test` results: `rasa test` itself exits 0 even when test stories fail.

    python scripts/gate_results.py [--core results/core] [--nlu results/nlu] [--floors tests/nlu/floors.yml]

Checks:
- every test story in tests/conversations passed (story_report.json: conversation_accuracy);
- the held-out intent evaluation (tests/nlu/heldout_intents.yml) meets the committed floors:
  weighted F1, and a minimum F1 for every intent with enough held-out examples.
Prints one line per check; exits 1 if any fails (or a results file is missing).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

AVERAGES = ("accuracy", "micro avg", "macro avg", "weighted avg")


def load_json(path: Path) -> Any:
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: did `rasa test` run?")
    return json.loads(path.read_text(encoding="utf-8"))


def check_stories(core_dir: Path) -> list[str]:
    acc = load_json(core_dir / "story_report.json")["conversation_accuracy"]
    if acc["total"] == 0:
        return ["no test stories were run"]
    if acc["correct"] < acc["total"]:
        failed = core_dir / "failed_test_stories.yml"
        names = [line.split("story:", 1)[1].strip() for line in failed.read_text(encoding="utf-8").splitlines()
                 if line.strip().startswith("- story:")] if failed.is_file() else []
        return [f"{acc['total'] - acc['correct']} of {acc['total']} test stories failed: " + "; ".join(names)]
    print(f"ok   test stories: {acc['correct']}/{acc['total']} passed")
    return []


def check_intents(nlu_dir: Path, floors: dict[str, Any]) -> list[str]:
    report = load_json(nlu_dir / "intent_report.json")
    errors = []
    weighted = report["weighted avg"]["f1-score"]
    floor = float(floors["intent_weighted_f1"])
    line = f"held-out intent weighted F1 {weighted:.3f} (floor {floor:.2f})"
    if weighted < floor:
        errors.append(line)
    else:
        print("ok   " + line)
    min_f1, min_support = float(floors.get("intent_min_f1", 0.0)), int(floors.get("intent_min_support", 5))
    weak = [
        f"intent '{name}' F1 {scores['f1-score']:.3f} is below {min_f1:.2f} (confused with {scores.get('confused_with', {})})"
        for name, scores in sorted(report.items())
        if name not in AVERAGES and isinstance(scores, dict)
        and scores.get("support", 0) >= min_support and scores["f1-score"] < min_f1
    ]
    if not weak:
        print(f"ok   every intent with {min_support}+ held-out examples has F1 >= {min_f1:.2f}")
    return errors + weak


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--core", type=Path, default=Path("results/core"))
    p.add_argument("--nlu", type=Path, default=Path("results/nlu"))
    p.add_argument("--floors", type=Path, default=Path("tests/nlu/floors.yml"))
    args = p.parse_args(argv)
    try:
        floors = yaml.safe_load(args.floors.read_text(encoding="utf-8"))
        errors = check_stories(args.core) + check_intents(args.nlu, floors)
    except (FileNotFoundError, KeyError, ValueError) as e:
        errors = [f"cannot read the results: {e}"]
    for e in errors:
        print("FAIL " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
