"""The bank: every scenario loads, every question is answered by the engine, and every teaching point is still
shown by the engine's trace. A knowledge change that silently breaks a scenario fails here."""
from __future__ import annotations

from datetime import date

import pytest

from bot.ltr import Case, assess
from bot.quiz import KINDS, LEVELS, build, load_bank
from bot.quiz.bank import shift

BANK = load_bank()
TODAYS = (date(2026, 12, 3), date(2028, 7, 15))  # two different days the quiz is taken
QUESTIONS = [(sc, kind) for sc in BANK.scenarios for kind in sc.ask]


def test_the_bank_is_broad_enough():
    assert len(BANK.scenarios) >= 40
    assert {s.level for s in BANK.scenarios} == set(LEVELS)
    assert {k for s in BANK.scenarios for k in s.ask} >= {"regime", "light_touch", "above_threshold", "value", "aim",
                                                           "must_do", "psr_or_act"}
    asked_regimes = {assess(Case.from_dict(s.case_on(TODAYS[0])), TODAYS[0]).regime for s in BANK.scenarios}
    assert asked_regimes == {"PCR2015", "PA2023", "PSR", "none"}
    assert all(any(s.topic == t for s in BANK.scenarios) for t in BANK.topics)


def test_value_bands_are_all_covered():
    # Bands from the reference §2: £30,000 (s.87(4) notifiable), £207,720 (sub-central standard, 2026),
    # £663,540 (light touch). Expected figures are the law's, not read from the engine.
    values = [assess(Case.from_dict(s.case_on(TODAYS[0])), TODAYS[0]).estimated_value_gbp for s in BANK.scenarios]
    values = [v for v in values if v is not None]
    assert any(v < 30_000 for v in values)
    assert any(30_000 <= v < 207_720 for v in values)
    assert any(207_720 <= v < 663_540 for v in values)
    assert any(v >= 663_540 for v in values)


@pytest.mark.parametrize("today", TODAYS)
@pytest.mark.parametrize("sc", BANK.scenarios, ids=lambda s: s.id)
def test_every_teaching_point_is_shown_by_the_engine(sc, today):
    a = assess(Case.from_dict(sc.case_on(today)), today)
    assert a.status == "complete", a.missing
    assert sc.trace in [t.id for t in a.trace], f"{sc.id}: the engine no longer shows '{sc.point}' ({sc.trace})"


@pytest.mark.parametrize("today", TODAYS)
@pytest.mark.parametrize("sc, kind", QUESTIONS, ids=lambda x: getattr(x, "id", x))
def test_every_answer_is_recomputed_by_the_engine(sc, kind, today):
    q = build(sc, kind, today)
    a = assess(Case.from_dict(sc.case_on(today)), today)
    values = [v for _, v in q.options]
    assert len(values) == len(set(values)) >= 2 and q.correct in values
    expected = {
        "regime": a.regime, "psr_or_act": a.regime,
        "light_touch": "yes" if a.light_touch else "no",
        "above_threshold": f"{'above' if a.above_threshold else 'below'}:{a.threshold_id}",
        "value": f"gbp:{round(a.estimated_value_gbp or 0)}",
        "must_do": q.correct if q.correct in {o.id for o in a.obligations} else None,
    }
    if kind in expected:
        assert q.correct == expected[kind]
    if kind == "aim":
        open_ids = {r.id for r in a.routes}
        assert q.correct in open_ids or (q.correct == "none" and not any(v in open_ids for v in values))
    # the deciding rule is one of the engine's own steps, with the law's reference, never the internal document's
    # (a light touch question cites the light touch lists where the step cites only the PSR's schedule)
    step = next(t for t in a.trace if t.id == q.rule.id and t.text == q.rule.text)
    assert step.ref == q.rule.ref or (kind == "light_touch" and step.ref.startswith("PSR") and not q.rule.ref.startswith("PSR"))
    assert q.rule.ref and "§" not in q.rule.ref and "reference" not in q.rule.ref.lower()
    assert q.text == KINDS[kind]


def test_stories_never_go_stale():
    sc = BANK.scenario("home-care-extensions")
    first, later = (sc.story_on(t) for t in TODAYS)
    assert "on 3 April 2027" in first and "on 15 November 2028" in later
    for today in TODAYS:  # a relative start date is always after the day of the quiz
        for s in BANK.scenarios:
            c = Case.from_dict(s.case_on(today))
            if isinstance(s.case.get("commenced"), str) and s.case["commenced"].startswith("+"):
                assert c.commenced > today


def test_relative_dates():
    assert shift(date(2026, 1, 31), "+1m") == date(2026, 2, 28)
    assert shift(date(2026, 12, 3), "+3m") == date(2027, 3, 3)
    assert shift(date(2026, 12, 3), "-45d") == date(2026, 10, 19)
    assert shift(date(2026, 12, 3), "2024-11-15") == "2024-11-15"


@pytest.mark.parametrize("scenario, kind, expected", [
    # Written from the reference (§1, §2, §3, §4), not read from the engine.
    ("home-care-extensions", "value", "gbp:900000"),                    # £180k × (3 + 2) years
    ("home-care-extensions", "above_threshold", "above:PA-LT-2026"),    # £900k >= £663,540
    ("alarm-monitoring-ex-vat", "value", "gbp:696000"),                 # £580k + 20% VAT
    ("saas-for-send", "above_threshold", "below:PA-SUB-2026"),          # £150k < £207,720
    ("substance-misuse", "psr_or_act", "PSR"),                          # PSR Sch 1, relevant authority
    ("pcr-supported-living", "regime", "PCR2015"),                      # contract notice before 24 Feb 2025
    ("residential-care-after-start", "regime", "PA2023"),               # 3 March 2025 is after 24 Feb 2025
    ("litigation", "regime", "none"),                                   # PA 2023 Sch 2 para 14
    ("tech-enabled-care-s10", "light_touch", "no"),                     # s.10: £300k tech >= £207,720
    ("pcr-cleaning-2021", "value", "gbp:200000"),                       # £240k incl. VAT, net before 2022
    ("mutual-too-long", "aim", "none"),                                 # s.33: 5 years at most
])
def test_answers_match_the_law(scenario, kind, expected):
    assert build(BANK.scenario(scenario), kind, TODAYS[0]).correct == expected


def test_feedback_links_go_to_the_law():
    q = build(BANK.scenario("tech-enabled-care-s10"), "light_touch", TODAYS[0])
    assert q.rule.id == "T-S10" and q.rule.ref.startswith("PA 2023 s.10")
    assert q.link == "https://www.legislation.gov.uk/ukpga/2023/54"
