"""A council forward plan, as such plans look (a title block, section headings, blank lines, a duplicated row,
mixed headings and messy values), screened on 7 December 2026. Every expected answer is worked out from the
law (../shared/domain/ltr-reference.md), not from the code:

- procurements starting in 2027 or 2028 fall under the Procurement Act 2023 (ref §1 step 4);
- the light touch threshold is £663,540 and the sub-central goods and services threshold £207,720, both
  including VAT (§2.3 rows 8 and 12, from 1 January 2026); values are whole-life, options included, with VAT
  (§3.1): "ex VAT" figures gain 20%;
- below the threshold a contract of £30,000 or more is notifiable: a below-threshold tender notice and a
  contract details notice (§6.2);
- health, social and related services (85000000-85323000), hotel and restaurant services (meals on wheels),
  alarm monitoring (79711000), library management (79995000) and education and training (80000000) are light
  touch; software (48000000), cleaning, grounds maintenance, goods and agency staffing are not (§4.2, §4.3);
- legal representation in proceedings is exempt (§1 step 1);
- a Contracts Finder advert published before 24 February 2025 keeps PCR 2015 (§1.1); its LTR threshold is
  £663,540 including VAT (§2.1).
"""
from __future__ import annotations

import json
import os
from datetime import date

import pytest

from bot.screen import load, screen_row, summary

HERE = os.path.join(os.path.dirname(__file__), "data")
AS_OF = date(2026, 12, 7)
LT, STD = 663_540.0, 207_720.0

# ref: (regime, light_touch, above_threshold, threshold, estimated value incl. VAT, notifiable)
EXPECTED = {
    "A01": ("PA2023", True, True, LT, 1_200_000 * 5, None),  # £1.2m a year, 3 + 1 + 1 years, including VAT
    "A02": ("PA2023", True, False, LT, 120_000 * 4, True),  # c.£120k pa, 2+1+1, VAT-exempt
    "A04": ("PA2023", True, True, LT, 850_000, None),  # residential care, £850k in total
    "A05": ("PA2023", True, False, LT, 45_000 * 4 * 1.2, True),  # advocacy, 3 + 1 years, ex VAT
    "A10": ("PA2023", True, True, LT, 250_000 * 4, None),  # 2 years + 2 x 12 months
    "A11": ("PA2023", True, False, LT, 90_000 * 3, True),  # meals on wheels: hotel and restaurant services
    "A12": ("PA2023", True, True, LT, 200_000 * 4, None),  # alarm monitoring 79711000
    "A13": ("PA2023", False, True, STD, 100_000 * 3, None),  # equipment: goods, not light touch
    "A14": ("PA2023", True, True, LT, 400_000 * 3, None),
    "@A17": ("PA2023", True, False, LT, 300_000 * 2, True),  # domiciliary care
    "A18": ("PCR2015", True, True, LT, 2_000_000, None),  # advertised on Contracts Finder in January 2025
    "A19": ("PA2023", True, False, LT, 100_000 * 2, True),  # library management
    "C06": ("PA2023", False, True, STD, 150_000 * 5, None),  # software
    "C07": ("PA2023", False, True, STD, 60_000 * 3 * 1.2, None),  # cleaning: £216,000 with VAT, just above
    "C08": ("PA2023", False, False, STD, 8_000, False),  # under £30,000: not notifiable
    "C21": ("PA2023", False, True, STD, 200_000 * 2 * 1.2, None),  # agency staff: Table 2 only for defence
    "C22": ("PA2023", True, False, LT, 12_000, False),  # training: education services
    "C24": ("PA2023", True, False, LT, 300_000, True),  # CPV 85312000 alone says what it is
}
NEEDS = {"A03": ("value", "start"), "A20": ("value",), "C23": ("value",), "C25": ("service",)}


@pytest.fixture(scope="module")
def results():
    with open(os.path.join(HERE, "pipeline.csv"), "rb") as f:
        loaded = load("pipeline.csv", f.read())
    return loaded, {r["row"]: r for r in (screen_row(row, AS_OF) for row in loaded.rows)}


def test_every_contract_row_gets_one_answer_and_the_rest_is_skipped(results):
    loaded, by_ref = results
    # 23 contracts; the title block, the section headings, blank lines and the repeated A01 are not rows
    assert sorted(by_ref) == sorted(list(EXPECTED) + list(NEEDS) + ["C09"])
    assert any("repeats line" in n for n in loaded.notes)
    assert loaded.columns["Est. Annual Value (£)"] == "annual_value"
    assert loaded.columns["Tender Notice Date"] == "start"
    assert "Lead Officer" in loaded.ignored


@pytest.mark.parametrize("ref", sorted(EXPECTED))
def test_each_row_is_answered_as_the_law_says(results, ref):
    r = results[1][ref]
    regime, lt, above, threshold, value, notifiable = EXPECTED[ref]
    assert r["status"] == "complete", r["needs"]
    assert (r["regime"], r["light_touch"], r["above_threshold"]) == (regime, lt, above)
    assert r["threshold_gbp"] == pytest.approx(threshold)
    assert r["estimated_value_gbp"] == pytest.approx(value)
    assert r["notifiable"] is notifiable


def test_the_notices_follow_the_answer(results):
    by_ref = results[1]
    assert "tender notice" in by_ref["A01"]["notices"]
    assert "contract details notice (within 120 days)" in by_ref["A01"]["notices"]  # light touch: 120 days (s.53)
    assert "contract details notice (within 120 days)" not in by_ref["C06"]["notices"]
    assert by_ref["A02"]["notices"][0] == "below-threshold tender notice"
    assert by_ref["C08"]["notices"] == []  # below £30,000
    assert by_ref["A01"]["routes_open"] > by_ref["C06"]["routes_open"] >= 0


def test_exempt_legal_representation(results):
    r = results[1]["C09"]
    assert r["regime"] == "none" and r["status"] == "complete" and r["notices"] == []


@pytest.mark.parametrize("ref", sorted(NEEDS))
def test_rows_that_cannot_be_answered_say_what_is_missing(results, ref):
    r = results[1][ref]
    assert r["status"] == "needs_input"
    said = " ".join(r["needs"])
    words = {"value": "value", "start": "procurement starts", "service": "service"}
    for what in NEEDS[ref]:
        assert words[what] in said


def test_the_same_words_mean_the_same_as_in_the_chat(results):
    """"c.£120k pa" and "2+1+1" read as the chat reads them: £120,000 a year for 2 years plus 2 of extensions."""
    case = results[1]["A02"]["case"]
    assert case["value"]["annual_gbp"] == 120_000 and case["value"]["years"] == 2 and case["value"]["extension_years"] == 2
    assert case["vat"] == "exempt"


def test_the_summary_counts(results):
    s = summary(list(results[1].values()))
    assert s["rows"] == 23 and s["needs_input"] == 4
    assert s["regime"]["PCR2015"] == 1 and s["regime"]["none"] == 1
    assert s["light_touch"]["light touch"] == sum(1 for e in EXPECTED.values() if e[1]) + 3  # A03, A20, C23 are care
    assert json.dumps(s)  # plain JSON
