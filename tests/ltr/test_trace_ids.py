"""Trace ids name outcomes, not steps (issue 9), and are documented once, in bot/ltr/ARCHITECTURE.md.

- every id the engine can emit is a row of the "Trace ids" table (read from the source, from every threshold
  kind the threshold step can pick, and from every trace the scenario table and the quiz bank produce);
- the table has no stale rows, no duplicate ids and no two ids with the same meaning;
- no two different outcomes share an id: each id is pinned below to the outcome the law gives it
  (e.g. `T-BELOW` only when the value is below the threshold used, `T-PART6-NOT-APPLY` only for the buyers
  and contracts s.84 leaves out), and ids naming alternative outcomes of one step never appear together.
"""
from __future__ import annotations

import re
from datetime import date
from itertools import product
from pathlib import Path
from typing import Callable

import pytest
import yaml

from bot.ltr import Assessment, Case, assess, load_knowledge
from bot.ltr.run import Run
from bot.ltr.threshold import threshold

ROOT = Path(__file__).resolve().parents[2]
LTR = ROOT / "bot" / "ltr"
KB = load_knowledge()


def _table() -> dict[str, str]:
    """The "Trace ids" table of ARCHITECTURE.md: id -> outcome."""
    text = (LTR / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("## Trace ids", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        m = re.match(r"\|\s*`(T-[^`]+)`\s*\|[^|]*\|\s*(.+?)\s*\|\s*$", line)
        if m:
            assert m.group(1) not in rows, f"{m.group(1)} is listed twice"
            rows[m.group(1)] = m.group(2)
    return rows


TABLE = _table()
FAMILIES = {k[: -len("<id>")]: k for k in TABLE if k.endswith("-<id>")}  # "T-DUTY-" -> "T-DUTY-<id>"
EXACT = {k for k in TABLE if not k.endswith("-<id>")}


def _documented(tid: str) -> bool:
    if tid in EXACT:
        return True
    known = {"T-DUTY-": {o.id for o in KB.obligations}, "T-OPEN-": {r.id for r in KB.routes},
             "T-NOT-OPEN-": {r.id for r in KB.routes}}
    return any(tid.startswith(p) and tid[len(p):] in known.get(p, set()) for p in FAMILIES)


# ---- the table ---------------------------------------------------------------------------------------------


def test_the_table_lists_ids_once_and_no_two_ids_share_a_meaning():
    assert len(EXACT) >= 40
    meanings = list(TABLE.values())
    assert len(set(meanings)) == len(meanings), [m for m in meanings if meanings.count(m) > 1]
    assert set(FAMILIES) == {"T-DUTY-", "T-OPEN-", "T-NOT-OPEN-"}


def _source_ids() -> tuple[set[str], set[str]]:
    """Ids written in the engine's source: literal ids, and f-string families ("T-DUTY-" from f"T-DUTY-{o.id}")."""
    literal, family = set(), set()
    for path in LTR.glob("*.py"):
        src = path.read_text(encoding="utf-8")
        literal |= set(re.findall(r"""(?<![fF])["'](T-[A-Z0-9-]*[A-Z0-9])["']""", src))
        family |= set(re.findall(r"""[fF]["'](T-[A-Z0-9-]+-)\{""", src))
    return literal, family


def test_every_id_in_the_engine_source_is_in_the_table_and_every_row_is_emitted_somewhere():
    literal, family = _source_ids()
    assert literal - EXACT == set(), "ids the engine writes that the table does not list"
    assert family == set(FAMILIES), "id families the engine writes vs the table"
    assert EXACT - literal == set(), "table rows no engine code emits"


def test_every_threshold_row_the_threshold_step_can_pick_has_a_documented_id():
    buyers = {"sub_central", "school", "nhs_foundation_trust", "utility", *KB.ids("central_buyers_PA2023"),
              *KB.ids("central_buyers_PCR2015")}
    seen = set()
    for regime, on in (("PCR2015", date(2023, 6, 1)), ("PA2023", date(2026, 4, 1))):
        for buyer, lt, utilities, concession, works in product(sorted(buyers), *[(False, True)] * 4):
            utilities = utilities or buyer == "utility"
            if regime == "PCR2015" and (utilities or concession or works):
                continue  # out of scope before the threshold step (PCR-era utilities, concessions and works)
            case = Case.from_dict({"buyer": buyer, "concession": concession, "utilities": utilities})
            run = Run(case, on, KB)
            thr = threshold(run, regime, lt, on, utilities, works)
            tid = run.trace[-1].id
            assert tid in EXACT, tid
            assert KIND_OF[tid] == thr.kind, (tid, thr.id)
            seen.add(tid)
    assert seen == set(KIND_OF)


# ---- each id is emitted for one outcome only ------------------------------------------------------------------

# The thresholds.yml kind each threshold id names (Act Sch 1; PCR reg 5).
KIND_OF = {
    "T-THRESHOLD-LIGHT-TOUCH": "light_touch",
    "T-THRESHOLD-LIGHT-TOUCH-CONCESSION": "light_touch_concession",
    "T-THRESHOLD-LIGHT-TOUCH-UTILITIES": "light_touch_utilities",
    "T-THRESHOLD-CENTRAL": "standard_central",
    "T-THRESHOLD-SUB-CENTRAL": "standard_sub_central",
    "T-THRESHOLD-WORKS": "works_other",
    "T-THRESHOLD-UTILITIES-WORKS": "utilities_works",
    "T-THRESHOLD-UTILITIES": "utilities_other",
    "T-THRESHOLD-CONCESSION": "concession_other",
}
ROW_KIND = {t.id: t.kind for t in KB.thresholds}


def _single(a: Assessment) -> bool:
    """One service, under a regime that has a light touch answer."""
    return not a.case.parts and a.regime in ("PA2023", "PCR2015")


def _outside_part6(a: Assessment) -> bool:  # s.84: schools, concessions and utilities contracts
    return a.case.buyer == "school" or a.case.concession or a.case.utilities or a.case.buyer == "utility"


Check = Callable[[Assessment, set], bool]
OUTCOME: dict[str, Check] = {
    "T-OUT-OF-SCOPE": lambda a, ids: a.out_of_scope is not None and a.regime is None,
    "T-LIGHT-TOUCH": lambda a, ids: not _single(a) or a.light_touch is True or "T-S10" in ids,
    "T-NOT-LIGHT-TOUCH": lambda a, ids: not _single(a) or a.light_touch is False,
    "T-NOT-LIGHT-TOUCH-WORKS": lambda a, ids: not _single(a) or a.light_touch is False,
    "T-NOT-LIGHT-TOUCH-GOODS": lambda a, ids: not _single(a) or a.light_touch is False,
    "T-EXEMPT-SERVICE": lambda a, ids: bool(a.case.parts) or a.regime == "none",
    "T-EXEMPT": lambda a, ids: a.regime == "none" and a.above_threshold is None,
    "T-VALUE-NOT-COMPARED": lambda a, ids: a.regime == "none" and a.estimated_value_gbp is not None,
    "T-PSR-APPLIES": lambda a, ids: a.regime == "PSR" and not a.case.parts,
    "T-PSR-MIXED-APPLIES": lambda a, ids: a.regime == "PSR" and bool(a.case.parts),
    "T-PSR-NOT-ENGLAND": lambda a, ids: a.regime != "PSR" and not a.case.england,
    "T-PSR-NOT-RELEVANT-AUTHORITY": lambda a, ids: a.regime != "PSR",
    "T-PSR-BEFORE-START": lambda a, ids: a.regime != "PSR" and a.case.commenced < KB.dates["psr_start"].date,
    "T-PSR-NOT-HEALTH-PURPOSE": lambda a, ids: a.regime != "PSR" and a.case.health_service_purpose is False,
    "T-PSR-MIXED-HEALTH-NOT-MAIN": lambda a, ids: a.regime != "PSR" and bool(a.case.parts),
    "T-PSR-MIXED-OTHERS-SEPARABLE": lambda a, ids: a.regime != "PSR" and any(p.separable for p in a.case.parts),
    "T-PSR-MIXED-SEPARABILITY-UNKNOWN": lambda a, ids: a.regime != "PSR" and any(p.separable is None for p in a.case.parts),
    "T-ACT-APPLIES": lambda a, ids: a.regime == "PA2023" and (a.case.commenced or a.as_of) >= KB.dates["act_start"].date,
    "T-ACT-APPLIES-ACT-NOTICE": lambda a, ids: a.regime == "PA2023" and (a.case.commenced or a.as_of) < KB.dates["act_start"].date,
    "T-ACT-APPLIES-LT-PIN": lambda a, ids: a.regime == "PA2023" and a.case.commencement_event == "pcr_pin",
    "T-PCR-SAVED": lambda a, ids: a.regime == "PCR2015" or a.out_of_scope is not None,
    "T-PCR-SAVED-PIN": lambda a, ids: (a.regime == "PCR2015" or a.out_of_scope is not None) and a.case.commencement_event == "pcr_pin",
    "T-PCR-SAVED-ASSUMED": lambda a, ids: (a.regime == "PCR2015" or a.out_of_scope is not None) and any("saving event" in m for m in a.assumptions),
    "T-MAIN-LIGHT-TOUCH": lambda a, ids: a.light_touch is True or "T-S10" in ids,
    "T-MAIN-OTHER": lambda a, ids: a.light_touch is False or a.out_of_scope is not None,
    "T-VALUE": lambda a, ids: a.estimated_value_gbp is not None,
    "T-VALUE-TREATED-ABOVE": lambda a, ids: a.regime == "PA2023" and a.estimated_value_gbp is None and a.above_threshold is True,
    "T-VALUE-NO-TOTAL-MONTHLY": lambda a, ids: a.regime != "PA2023" and a.estimated_value_gbp is not None,
    "T-VAT-ADDED": lambda a, ids: a.case.vat == "excluded" and a.vat_basis in ("inclusive", None),
    "T-VAT-REMOVED": lambda a, ids: a.case.vat == "included" and a.vat_basis in ("net", None),
    "T-VAT-AS-GIVEN": lambda a, ids: (a.case.vat, a.vat_basis) in (("included", "inclusive"), ("excluded", "net"))
    or (a.vat_basis is None and a.case.vat in ("included", "excluded")),
    "T-VAT-NOT-CHARGED": lambda a, ids: a.case.vat == "exempt",
    "T-VAT-BY-LINE": lambda a, ids: a.case.value is not None and any(line.vat for line in a.case.value.lines),
    **{tid: (lambda k: lambda a, ids: ROW_KIND.get(a.threshold_id) == k)(kind) for tid, kind in KIND_OF.items()},
    "T-ABOVE": lambda a, ids: a.above_threshold is True and a.estimated_value_gbp >= a.threshold_gbp,
    "T-BELOW": lambda a, ids: a.estimated_value_gbp < a.threshold_gbp and (a.above_threshold is False or "T-S5" in ids),
    "T-S5": lambda a, ids: a.above_threshold is True and a.estimated_value_gbp < a.threshold_gbp,
    "T-S10": lambda a, ids: a.light_touch is False,
    "T-CROSS-BORDER-TEST": lambda a, ids: a.cross_border_interest == "assess",
    "T-CROSS-BORDER-NOT-A-TEST": lambda a, ids: a.cross_border_interest == "not_a_test",
    "T-PART6-APPLIES-NOTIFIABLE": lambda a, ids: a.notifiable is True and not _outside_part6(a),
    "T-PART6-APPLIES-NOT-NOTIFIABLE": lambda a, ids: a.notifiable is False and not _outside_part6(a),
    "T-PART6-NOT-APPLY": lambda a, ids: a.notifiable is False and _outside_part6(a),
}
# Ids naming alternative outcomes of one step: at most one of each group in a trace.
ONE_OF = [
    {"T-EXEMPT"}, {"T-OUT-OF-SCOPE"}, {"T-S5"}, {"T-S10"},
    {t for t in EXACT if t.startswith("T-PSR-")},
    {t for t in EXACT if t.startswith(("T-ACT-APPLIES", "T-PCR-SAVED"))},
    {"T-MAIN-LIGHT-TOUCH", "T-MAIN-OTHER"},
    {"T-VALUE", "T-VALUE-TREATED-ABOVE", "T-VALUE-NO-TOTAL-MONTHLY", "T-VALUE-NOT-COMPARED"},
    {t for t in EXACT if t.startswith("T-VAT-")},
    set(KIND_OF),
    {"T-ABOVE", "T-BELOW"},
    {"T-CROSS-BORDER-TEST", "T-CROSS-BORDER-NOT-A-TEST"},
    {t for t in EXACT if t.startswith("T-PART6-")},
]

# Cases the scenario table does not otherwise reach, each written from the rule that gives the outcome.
EXTRA = [
    # PSR reg 3: the non-health part could be bought separately, so not a PSR mixed procurement.
    ({"parts": [{"cpv": ["85100000"], "value_gbp": 600000}, {"cpv": ["79620000"], "value_gbp": 100000, "separable": True}],
      "vat": "exempt", "commenced": "2026-04-01"}, date(2026, 4, 1)),
    # PSR reg 3: separability not known, so the PSR is not assumed.
    ({"parts": [{"cpv": ["85100000"], "value_gbp": 600000}, {"cpv": ["79620000"], "value_gbp": 100000}],
      "vat": "exempt", "commenced": "2026-04-01"}, date(2026, 4, 1)),
    # A supplies code (CPV division 33): goods, not a light touch service.
    ({"cpv": ["33600000"], "value": {"total_gbp": 100000}, "vat": "included", "commenced": "2026-04-01"}, date(2026, 4, 1)),
    # Works (CPV division 45) under the Act: the works threshold.
    ({"cpv": ["45000000"], "value": {"total_gbp": 1000000}, "vat": "included", "commenced": "2026-04-01"}, date(2026, 4, 1)),
    # A light touch utilities contract under the Act.
    ({"service": "home care", "utilities": True, "value": {"total_gbp": 500000}, "vat": "included",
      "commenced": "2026-04-01"}, date(2026, 4, 1)),
    # Below the threshold, a school: Part 6 does not apply (s.84(2)).
    ({"service": "home care", "buyer": "school", "value": {"total_gbp": 100000}, "vat": "included",
      "commenced": "2026-04-01"}, date(2026, 4, 1)),
    # The Act, not light touch: a utilities contract, a concession, utilities works.
    ({"cpv": ["79620000"], "utilities": True, "value": {"total_gbp": 500000}, "vat": "included", "commenced": "2026-04-01"},
     date(2026, 4, 1)),
    ({"cpv": ["79620000"], "concession": True, "value": {"total_gbp": 500000}, "vat": "included", "commenced": "2026-04-01"},
     date(2026, 4, 1)),
    ({"cpv": ["45000000"], "utilities": True, "value": {"total_gbp": 500000}, "vat": "included", "commenced": "2026-04-01"},
     date(2026, 4, 1)),
    # Begun before the Act with no saving event named: PCR 2015 on the assumption that one happened (asked).
    ({"service": "home care", "value": {"total_gbp": 500000}, "vat": "included", "commenced": "2024-06-01"}, date(2026, 4, 1)),
    # An Act-only notice dated before the Act: the Act applies (and the date is queried).
    ({"service": "home care", "value": {"total_gbp": 500000}, "vat": "included", "commenced": "2024-12-01",
      "commencement_event": "tender_notice"}, date(2026, 4, 1)),
    # Below the threshold and below the notifiable figure: Part 6 applies, not notifiable.
    ({"service": "home care", "value": {"total_gbp": 20000}, "vat": "included", "commenced": "2026-04-01"}, date(2026, 4, 1)),
    # A table whose rows say their own VAT: care exempt, equipment before VAT.
    ({"service": "home care", "value": {"lines": [{"amount_gbp": 300000, "label": "Care", "vat": "exempt"},
                                                  {"amount_gbp": 50000, "label": "Equipment", "vat": "excluded"}]},
      "commenced": "2026-04-01"}, date(2026, 4, 1)),
]


def _iso(obj):
    """YAML reads 2026-04-01 as a date; the Case contract takes ISO strings."""
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, dict):
        return {k: _iso(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_iso(v) for v in obj]
    return obj


def _corpus() -> list[tuple[str, Assessment]]:
    from bot.quiz import load_bank

    table = yaml.safe_load((ROOT / "tests" / "ltr" / "scenarios.yml").read_text(encoding="utf-8"))
    runs = []
    for r in table["scenarios"]:
        on = r.get("as_of", table["defaults"]["as_of"])
        on = date.fromisoformat(on) if isinstance(on, str) else on
        runs.append((r["name"], assess(Case.from_dict(_iso(r["case"])), as_of=on)))
    quiz_day = date.fromisoformat(table["defaults"]["as_of"]) if isinstance(table["defaults"]["as_of"], str) else table["defaults"]["as_of"]
    runs += [(f"quiz {s.id}", assess(Case.from_dict(s.case_on(quiz_day)), as_of=quiz_day)) for s in load_bank().scenarios]
    runs += [(f"extra {i}", assess(Case.from_dict(c), as_of=on)) for i, (c, on) in enumerate(EXTRA)]
    return runs


CORPUS = _corpus()


def test_every_documented_id_is_pinned_to_one_outcome():
    assert set(OUTCOME) == EXACT


@pytest.mark.parametrize("name, a", CORPUS, ids=[n for n, _ in CORPUS])
def test_each_id_emitted_names_the_outcome_reached(name, a):
    ids = [t.id for t in a.trace]
    undocumented = [t for t in ids if not _documented(t)]
    assert not undocumented, f"not in ARCHITECTURE.md's table: {undocumented}"
    for group in ONE_OF:
        both = [t for t in ids if t in group]
        assert len(both) <= 1, f"alternative outcomes together: {both}"
    wrong = [t for t in set(ids) if t in OUTCOME and not OUTCOME[t](a, set(ids))]
    assert not wrong, f"ids whose outcome the assessment contradicts: {wrong}; trace {ids}"
    for tid in ids:
        if tid.startswith("T-DUTY-"):
            assert tid[len("T-DUTY-"):] in {o.id for o in a.obligations}
        elif tid.startswith("T-OPEN-"):
            assert tid[len("T-OPEN-"):] in {r.id for r in a.routes}
        elif tid.startswith("T-NOT-OPEN-"):
            rid = tid[len("T-NOT-OPEN-"):]
            assert rid in {r.id for r in a.routes_not_open} and rid not in {r.id for r in a.routes}


def test_the_corpus_reaches_every_reachable_id():
    reached = {t.id for _, a in CORPUS for t in a.trace}
    # The engine answers "out of scope" for a buyer outside England before the PSR step, so the PSR's own
    # England-only branch is kept as a guard for psr_applies() called alone, and no full assessment reaches it.
    assert EXACT - reached == {"T-PSR-NOT-ENGLAND"}
