"""The value reader on officers' phrasings (tests/text/value_phrasings.yml, written before the reader from
how officers write and from reference §3): every amount's role, composed into the Case value."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.text.reader import read_message
from bot.text.value_reader import read_value

ROWS = yaml.safe_load((Path(__file__).parent / "value_phrasings.yml").read_text(encoding="utf-8"))
TODAY = date(2026, 11, 26)


def _per_lot_applied(v: dict) -> dict:
    """Lots (or beds "each") multiply the price: "3 beds at £1,100 a week each" is £3,300 a week either way."""
    v = dict(v)
    n = v.pop("lots", None)
    if n:
        for k in ("annual_gbp", "monthly_gbp", "weekly_gbp"):
            if k in v:
                v[k] *= n
    return v


def _same(got: dict, want: dict) -> bool:
    if "lots" not in want:
        got = _per_lot_applied(got)
    # The table leaves out extension_years where the extensions are priced on their own (extension_gbp says it all).
    priced = "extension_gbp" in want and "extension_years" not in want
    keys = {k for k in set(got) | set(want)
            if not (k == "extension_years" and (priced or not got.get(k) and not want.get(k)))}
    for k in keys:
        g, w = got.get(k), want.get(k)
        if isinstance(w, bool) or isinstance(g, bool):
            if bool(g) != bool(w):
                return False
        elif g is None or w is None or abs(float(g) - float(w)) > 0.5:
            return False
    return True


@pytest.mark.parametrize("row", ROWS, ids=[r["text"][:60] for r in ROWS])
def test_value_phrasing(row: dict) -> None:
    text = row["text"]
    if row.get("refuse"):
        assert read_value(text).problem, "an absurd or malformed figure must get a question, not a value"
        return
    if row.get("parts"):
        got = read_message(text, TODAY).parts
        assert sorted(round(p["value_gbp"]) for p in got) == sorted(round(p["value_gbp"]) for p in row["parts"])
        return
    reading = read_value(text)
    if row.get("ask"):
        assert reading.value is None and not reading.problem, f"must ask, not pick: read {reading.value}"
        return
    assert reading.value is not None, f"no value read (choices: {reading.choices})"
    assert _same(reading.value, row["value"]), f"read {reading.value}, expected {row['value']}"
    if row.get("vat"):
        message = read_message(text, TODAY)
        assert message.vat == row["vat"]
