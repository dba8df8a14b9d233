"""The widget's "Check a list": the table's rows (bot.screen.web.widget_view), the message "Ask about this row" sends
(bot.screen.ask), and the screenings held for downloads.

The message is read by the chat itself (bot.assistant.dialogue.turn, as the action server reads a typed message):
for every answered row of the council pipeline the chat must reach the answer the law gives for that row
(tests/screen/test_pipeline.py: EXPECTED, written from ../shared/domain/ltr-reference.md), and for a row that needs
more information it must ask for what the row left open.
"""
from __future__ import annotations

import os
from datetime import date

import pytest

from bot.assistant.dialogue import Incoming, new_state, turn
from bot.screen import load, screen_row
from bot.screen.ask import MAX_CHARS, chat_message
from bot.screen.output import csv_of_table, table_rows
from bot.screen.web import Held, widget_result, widget_view

HERE = os.path.join(os.path.dirname(__file__), "data")
AS_OF = date(2026, 12, 7)
LT, STD = 663_540.0, 207_720.0
# ref: (regime, light_touch, above_threshold, estimated value incl. VAT), from the law (see test_pipeline.py)
EXPECTED = {
    "A01": ("PA2023", True, True, 1_200_000 * 5),
    "A02": ("PA2023", True, False, 120_000 * 4),
    "A04": ("PA2023", True, True, 850_000),
    "A05": ("PA2023", True, False, 45_000 * 4 * 1.2),
    "A10": ("PA2023", True, True, 250_000 * 4),
    "A11": ("PA2023", True, False, 90_000 * 3),
    "A12": ("PA2023", True, True, 200_000 * 4),
    "A13": ("PA2023", False, True, 100_000 * 3),
    "A14": ("PA2023", True, True, 400_000 * 3),
    "@A17": ("PA2023", True, False, 300_000 * 2),
    "A18": ("PCR2015", True, True, 2_000_000),
    "A19": ("PA2023", True, False, 100_000 * 2),
    "C06": ("PA2023", False, True, 150_000 * 5),
    "C07": ("PA2023", False, True, 60_000 * 3 * 1.2),
    "C08": ("PA2023", False, False, 8_000),
    "C09": ("none", False, None, 50_000),
    "C21": ("PA2023", False, True, 200_000 * 2 * 1.2),
    "C22": ("PA2023", True, False, 12_000),
    "C24": ("PA2023", True, False, 300_000),
}
# what the chat must ask for, in its own words
ASKED = {"A03": "worth", "A20": "worth", "C23": "worth", "C25": "service"}


@pytest.fixture(scope="module")
def screened():
    with open(os.path.join(HERE, "pipeline.csv"), "rb") as f:
        loaded = load("pipeline.csv", f.read())
    return {r["row"]: r for r in (screen_row(row, AS_OF) for row in loaded.rows)}


@pytest.mark.parametrize("ref", sorted(EXPECTED))
def test_the_chat_reads_the_rows_message_to_the_answer_the_law_gives(screened, ref):
    message = chat_message(screened[ref])
    assert len(message) <= MAX_CHARS
    out = turn(new_state(), Incoming(text=message), AS_OF)
    a = out.assessment
    assert a is not None, [m.text for m in out.messages]
    regime, lt, above, value = EXPECTED[ref]
    assert (a.regime, bool(a.light_touch), a.above_threshold) == (regime, lt, above)
    assert a.estimated_value_gbp == pytest.approx(value)


@pytest.mark.parametrize("ref", sorted(ASKED))
def test_a_row_that_needs_more_information_makes_the_chat_ask_for_it(screened, ref):
    out = turn(new_state(), Incoming(text=chat_message(screened[ref])), AS_OF)
    assert out.assessment is None
    assert ASKED[ref] in " ".join(m.text for m in out.messages).lower()


def test_the_message_quotes_the_rows_own_words_and_never_starts_a_formula(screened):
    assert chat_message(screened["A01"]).startswith("Home care for older people, £1,200,000 a year for 3 years plus 2 years")
    assert chat_message(screened["A18"]).count("Contracts Finder") == 1  # advertised before the Act: PCR stays
    assert chat_message(screened["@A17"]).startswith("Domiciliary care (south)")  # the "-" the cell began with is dropped


def test_the_table_row_and_its_filters(screened):
    view = widget_view(screened["A01"])
    assert view["row"] == "A01" and view["what"] == "Home care for older people"
    assert view["rules"] == "Procurement Act 2023" and view["estimated_value_gbp"] == 6_000_000
    assert set(view["flags"]) == {"light_touch", "above_threshold"}
    assert widget_view(screened["C09"])["flags"] == ["exempt"] and widget_view(screened["C09"])["rules"] == "Exempt"
    assert "needs_input" in widget_view(screened["C25"])["flags"]
    assert widget_view(screened["A18"])["rules"] == "PCR 2015"
    assert not any(k in view for k in ("trace", "case", "obligations"))  # the table only, not the whole assessment


def test_the_counts_are_the_filters(screened):
    result = widget_result({"rows": list(screened.values()), "summary": {}, "columns": {}, "ignored": [], "notes": [],
                            "as_of": AS_OF.isoformat()}, "pipeline.csv", "k")
    # 16 light touch (13 answered + 3 care rows of unknown value), 13 above (10 + the same 3, treated as above
    # while the value is unknown), 4 needing input, no PSR, 1 exempt: see tests/e2e/test_widget_screen.py
    assert result["counts"] == {"light_touch": 16, "above_threshold": 13, "needs_input": 4, "psr": 0, "exempt": 1}


def test_a_held_screening_is_for_its_session_only_and_for_a_while():
    now = [0.0]
    held = Held(size=2, ttl=60, clock=lambda: now[0])
    table = list(table_rows([{"row": "=1+1", "status": "complete"}]))
    key = held.put("web-a", table)
    assert held.get("web-a", key) is table
    assert held.get("web-b", key) is None and held.get("web-a", "guess") is None and held.get("web-a", None) is None
    assert csv_of_table(held.get("web-a", key)).splitlines()[1].startswith("'=1+1")
    held.put("web-b", table)
    held.put("web-c", table)  # the oldest session goes
    assert held.get("web-a", key) is None
    key_c = held.put("web-c", table)
    now[0] = 61
    assert held.get("web-c", key_c) is None
