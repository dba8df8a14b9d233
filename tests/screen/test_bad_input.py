"""Files as they arrive: other encodings, other separators, stray characters, binary files, old Excel files,
spreadsheets without a column that says what is bought, enormous cells. Each is read, or refused with a plain
message (TableError); nothing crashes and one bad row never stops the rest."""
from __future__ import annotations

import io
from datetime import date

import pytest

from bot.screen import TableError, load, screen_row

AS_OF = date(2026, 12, 7)
CSV = ("Ref,Service,Annual value,Term,VAT,Start\r\n"
       "R1,Home care,£700k,3,Inc VAT,01/04/2027\r\n"
       "R2,Cleaning,£50k,2,Inc VAT,01/04/2027\r\n")


def answers(data: bytes, name: str = "f.csv") -> dict[str, dict]:
    return {r["row"]: r for r in (screen_row(row, AS_OF) for row in load(name, data).rows)}


def expected_answers(by_ref: dict[str, dict]) -> None:
    # home care £2.1m: light touch, above £663,540; cleaning £100k: not light touch, below £207,720
    assert (by_ref["R1"]["light_touch"], by_ref["R1"]["above_threshold"], by_ref["R1"]["estimated_value_gbp"]) == (True, True, 2_100_000)
    assert (by_ref["R2"]["light_touch"], by_ref["R2"]["above_threshold"], by_ref["R2"]["estimated_value_gbp"]) == (False, False, 100_000)


@pytest.mark.parametrize("data", [
    CSV.encode("utf-8"),
    b"\xef\xbb\xbf" + CSV.encode("utf-8"),
    CSV.encode("cp1252"),  # the pound sign is byte A3
    CSV.encode("utf-16"),
    CSV.replace(",", ";").encode("utf-8"),  # Excel in a European locale
    CSV.replace(",", "\t").encode("utf-8"),
    CSV.replace("\r\n", "\n").encode("utf-8"),
])
def test_encodings_and_separators_give_the_same_answers(data):
    expected_answers(answers(data))


def test_windows_1252_is_said():
    assert any("Windows-1252" in n for n in load("f.csv", CSV.encode("cp1252")).notes)


def test_stray_characters_and_ragged_rows():
    messy = ("Ref,Service,Annual value,Term,VAT,Start,,\r\n"
             "R1,\u00a0Home\u200b care\u00a0,\u00a3700k ,3,Inc VAT,01/04/2027,,,,\r\n"  # NBSP, zero-width space, extra cells
             "R2,Cleaning,£50k,2,Inc VAT\r\n"  # short row
             ",,,,,\r\n"
             "R3\r\n")  # a reference with nothing else: merged-cell debris, skipped
    by_ref = answers(messy.encode())
    assert by_ref["R1"]["light_touch"] is True and by_ref["R1"]["estimated_value_gbp"] == 2_100_000
    assert by_ref["R2"]["needs"]  # no start date: asked, not guessed
    assert "R3" not in by_ref


def test_a_bad_row_never_stops_the_rest():
    data = (CSV + "R9,Home care,£-5k,3,Inc VAT,01/04/2027\r\n"
            + "R10," + "home care " * 500 + ",£5k,1,,31/02/2027\r\n").encode()
    by_ref = answers(data)
    expected_answers(by_ref)
    assert by_ref["R10"]["status"] in ("complete", "needs_input")  # an answer, never an exception


@pytest.mark.parametrize("data, name, says", [
    (b"", "f.csv", "empty"),
    (b"\r\n\r\n,,,\r\n", "f.csv", "empty"),
    (b"\x00\x01\x02binary\x00" * 50, "f.csv", "binary"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", ".xls"),
    (b"Colour,Size\r\nred,9\r\n", "f.csv", "what is being bought"),
    (b"%PDF-1.4 not a table", "f.pdf", "not a CSV"),
    (b"PK\x03\x04 not really a workbook", "f.xlsx", "XLSX"),
])
def test_unreadable_files_are_refused_with_a_reason(data, name, says):
    with pytest.raises(TableError) as e:
        load(name, data)
    assert says in str(e.value)


def test_map_overrides_the_guess():
    data = b"Our ID,Thing,Money,Yrs,When\r\nX1,Home care,\xc2\xa3700k,3,01/04/2027\r\n"
    from bot.screen import parse_map

    loaded = load("f.csv", data, parse_map(["Our ID=ref", "Thing=service", "Money=annual_value", "Yrs=term", "When=start"]))
    r = screen_row(loaded.rows[0], AS_OF)
    assert r["row"] == "X1" and r["estimated_value_gbp"] == 2_100_000
    with pytest.raises(TableError):
        load("f.csv", data, parse_map(["Nope=ref"]))


def test_term_in_months_from_the_heading():
    data = "Service,Annual value,Term (months),VAT,Start\r\nHome care,£100k,36,Inc VAT,01/04/2027\r\n".encode()
    r = screen_row(load("f.csv", data).rows[0], AS_OF)
    assert r["estimated_value_gbp"] == 300_000


def test_xlsx_with_formulas_merged_cells_and_injection():
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Forward plan 2027/28"])
    ws.merge_cells("A1:F1")  # a merged title block
    ws.append(["Ref", "Service", "Annual value", "Term", "VAT", "Start"])
    ws.append(["R1", "Home care", 700000, 3, "Inc VAT", date(2027, 4, 1)])
    ws.append(["R2", "Cleaning", "=25000*2", 2, "Inc VAT", "01/04/2027"])  # a formula with no saved result
    ws.append(["=HYPERLINK(\"http://x\")", "Cleaning", 50000, 2, "Inc VAT", "01/04/2027"])
    buf = io.BytesIO()
    wb.save(buf)
    by_ref = answers(buf.getvalue(), "plan.xlsx")
    assert by_ref["R1"]["light_touch"] is True and by_ref["R1"]["estimated_value_gbp"] == 2_100_000
    assert by_ref["R2"]["status"] == "needs_input"  # the formula's text is never read as a value
