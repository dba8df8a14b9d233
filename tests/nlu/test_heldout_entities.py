"""Held-out accuracy of the money and service extractors on officers' messages they were not
built from (tests/nlu/heldout_entities.yml), run through the real components. The floors are the
project's commitments; the misses are printed so a failure says what to fix."""
from pathlib import Path

import pytest
import yaml

from bot.nlu.money_extractor import MoneyExtractor
from bot.nlu.service_extractor import ServiceExtractor

HELDOUT = Path(__file__).with_name("heldout_entities.yml")
AMOUNT_FLOOR = 0.98
SERVICE_FLOOR = 0.95


@pytest.fixture(scope="module")
def examples():
    return yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["examples"]


def _score(rows):
    misses = [r for r in rows if r[1] != r[2]]
    return 1 - len(misses) / len(rows), misses


def _report(name, accuracy, misses, total):
    print(f"\n{name}: {accuracy:.1%} exact over {total} messages ({len(misses)} misses)")
    for text, expected, got in misses:
        print(f"  MISS {text!r}: expected {expected}, got {got}")


def test_heldout_is_big_enough(examples):
    with_amount = [e for e in examples if e.get("amount")]
    with_service = [e for e in examples if e.get("service")]
    assert len(with_amount) >= 120
    assert len(with_service) >= 80


def test_money_amount_exact(examples, run, make, values):
    money = make(MoneyExtractor)
    rows = []
    for e in examples:
        if "amount" in e:
            got = values(run(e["text"], money), "amount")
            rows.append((e["text"], [float(a) for a in e["amount"]], got))
    accuracy, misses = _score(rows)
    _report("money amount", accuracy, misses, len(rows))
    assert accuracy >= AMOUNT_FLOOR


def test_service_id(examples, run, make, values):
    services = make(ServiceExtractor)
    rows = []
    for e in examples:
        if "service" in e:
            got = values(run(e["text"], services), "service")
            rows.append((e["text"], sorted(e["service"]), sorted(got)))
    accuracy, misses = _score(rows)
    _report("service id", accuracy, misses, len(rows))
    assert accuracy >= SERVICE_FLOOR


def test_service_ids_exist_in_the_catalogue(examples):
    from bot.ltr.knowledge import load_knowledge

    ids = {s.id for s in load_knowledge().services}
    unknown = {sid for e in examples for sid in e.get("service", []) if sid not in ids}
    assert unknown == set()
