"""What `ltr screen` writes: CSV, XLSX and JSON by extension, decision records, formula injection neutralised
in every file, exit codes 0 / 1 / 2. Run as a user runs it (a real subprocess)."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.screen.output import safe, to_csv

REPO = Path(__file__).resolve().parents[2]
PIPELINE = str(REPO / "tests" / "screen" / "data" / "pipeline.csv")
EVIL = ("Ref,Service,Annual value,Term,VAT,Start\r\n"
        "=1+2,Home care <script>alert(1)</script>,£700k,3,Inc VAT,01/04/2027\r\n"
        "+SUM(A1),Cleaning,£50k,2,Inc VAT,01/04/2027\r\n"
        "-2+3,Cleaning,£40k,2,Inc VAT,01/04/2027\r\n"
        "@cmd,Cleaning,£30k,2,Inc VAT,01/04/2027\r\n")


def ltr(*args: str) -> subprocess.CompletedProcess:
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONPATH": path}
    proc = subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, timeout=300, env=env,
                          cwd=str(REPO))
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


@pytest.mark.parametrize("text, written", [("=1+2", "'=1+2"), ("+44 20", "'+44 20"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
                                           ("\tx", "'\tx"), ("Home care", "Home care"), ("£5", "£5")])
def test_safe(text, written):
    assert safe(text) == written


def test_every_text_cell_of_the_csv_is_neutralised(tmp_path):
    out = tmp_path / "o.csv"
    evil = tmp_path / "evil.csv"
    evil.write_text(EVIL, encoding="utf-8")
    proc = ltr("screen", str(evil), "--as-of", "2026-12-07", "--out", str(out))
    assert proc.returncode == 0  # every row answered
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "Row"
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    assert [r[0] for r in rows[1:]] == ["'=1+2", "'+SUM(A1)", "'-2+3", "'@cmd"]


def test_json_has_the_fields_of_ltr_assess(tmp_path):
    proc = ltr("screen", PIPELINE, "--as-of", "2026-12-07", "--out", "-")
    assert proc.returncode == 1  # four rows need input
    rows = json.loads(proc.stdout)
    assert len(rows) == 23
    first = rows[0]
    for k in ("row", "status", "regime", "light_touch", "threshold_gbp", "estimated_value_gbp", "above_threshold",
              "notifiable", "missing", "warnings", "notices", "routes_open", "needs", "as_of", "rules_version"):
        assert k in first, k
    assert first["row"] == "A01" and first["status"] == "complete"
    assert "trace" not in first
    assert {r["status"] for r in rows} == {"complete", "needs_input"}


def test_exit_codes(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("Service,Value,VAT,Start\r\nHome care,£700k,Inc VAT,01/04/2027\r\n", encoding="utf-8")
    assert ltr("screen", str(good), "--as-of", "2026-12-07").returncode == 0
    assert ltr("screen", PIPELINE, "--as-of", "2026-12-07").returncode == 1
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01" * 100)
    proc = ltr("screen", str(bad))
    assert proc.returncode == 2 and "binary" in proc.stderr
    assert ltr("screen", str(tmp_path / "missing.csv")).returncode == 2
    assert ltr("screen", str(good), "--as-of", "2026-13-40").returncode == 2
    assert ltr("screen", str(good), "--out", str(tmp_path / "o.txt")).returncode == 2
    assert ltr("screen", str(good), "--map", "Nope").returncode == 2


def test_the_text_report_says_which_columns_were_used_and_counts():
    proc = ltr("screen", PIPELINE, "--as-of", "2026-12-07")
    assert "Est. Annual Value (£) → annual value" in proc.stdout
    assert "23 rows: 19 answered, 4 need input." in proc.stdout
    assert "A03: Needs" in proc.stdout


def test_records_are_escaped(tmp_path):
    evil = tmp_path / "evil.csv"
    evil.write_text(EVIL, encoding="utf-8")
    records = tmp_path / "records"
    ltr("screen", str(evil), "--as-of", "2026-12-07", "--records", str(records))
    names = sorted(os.listdir(records))
    assert len([n for n in names if n.endswith(".html")]) == 4 and len([n for n in names if n.endswith(".md")]) == 4
    for n in names:
        text = (records / n).read_text(encoding="utf-8")
        assert "<script>alert" not in text
        assert not n.startswith((".", "-")) and "/" not in n


def test_xlsx_out_is_text_never_formulas(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    evil = tmp_path / "evil.csv"
    evil.write_text(EVIL, encoding="utf-8")
    out = tmp_path / "o.xlsx"
    assert ltr("screen", str(evil), "--as-of", "2026-12-07", "--out", str(out)).returncode == 0
    ws = openpyxl.load_workbook(out).active
    assert ws.cell(row=2, column=1).value == "'=1+2"
    for row in ws.iter_rows(min_row=2):
        for c in row:
            assert c.data_type != "f"
            assert not (isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@")))


def test_csv_writer_directly():
    text = to_csv([{"row": "=x", "status": "complete", "notices": ["tender notice"], "light_touch": True}])
    assert text.startswith("\ufeff")
    assert "'=x" in text and "yes" in text and "tender notice" in text
