"""The expected reading of a generated message, computed from the facts it was generated from.

Independent of the code under test: nothing here comes from `bot` (the threshold figures are read from the
knowledge file bot/ltr/knowledge/thresholds.yml with yaml, as data). The arithmetic is the reference's §3:
the whole-life value is every payment the contract can require, including options to extend, one-off costs
and any contingency the contract lets the buyer draw on; under the Procurement Act 2023 it includes VAT
(s.123(2)); the light touch threshold is met when the value is at or above it (reference §2.3, §8 item 7).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

THRESHOLDS_YML = Path(__file__).resolve().parents[2] / "bot" / "ltr" / "knowledge" / "thresholds.yml"
VAT_RATE = 0.20  # the UK standard rate (https://www.gov.uk/vat-rates)


@lru_cache(maxsize=1)
def _entries() -> list[dict]:
    return yaml.safe_load(THRESHOLDS_YML.read_text())["entries"]


def light_touch_threshold(commenced: date) -> float:
    """The Act's light touch threshold for a procurement commenced on that day (reference §2.3, row 8)."""
    for e in _entries():
        if e["regime"] == "PA2023" and e["kind"] == "light_touch" and e["from"] <= commenced and (
                e["to"] is None or commenced <= e["to"]):
            return float(e["amount_gbp"])
    raise ValueError(f"no Act light touch threshold for {commenced}")


@dataclass(frozen=True)
class Line:
    """One price line: `amount` × `quantity` × `per_year` a year × the years it runs.

    per_year None: the amount is a sum for the whole period it covers (a total, a year's figure in a year
    table, a lot's total). years None: the line runs for the whole term including unpriced extensions.
    vat None: the message's VAT status.
    """

    amount: float
    per_year: Optional[float] = None
    quantity: float = 1.0
    years: Optional[float] = None
    vat: Optional[str] = None

    def value(self, whole_term: float) -> float:
        if self.per_year is None:
            return self.amount * self.quantity
        years = self.years if self.years is not None else whole_term
        return self.amount * self.quantity * self.per_year * years


@dataclass(frozen=True)
class Facts:
    """What the officer's message says, as structured facts."""

    lines: tuple[Line, ...] = ()
    term_years: float = 0.0
    extension_years: tuple[float, ...] = ()
    one_off_gbp: float = 0.0
    contingency_pct: float = 0.0  # of the priced lines
    contingency_gbp: float = 0.0
    vat: str = "exempt"  # exempt | included | excluded (VAT is added on top)
    commenced: date = date(2027, 3, 1)
    range_gbp: Optional[tuple[float, float]] = None  # a whole-life range, as given
    readings_gbp: tuple[float, ...] = ()  # an unexplained figure: the whole-life values it could mean

    def whole_term(self) -> float:
        return self.term_years + sum(self.extension_years)


def _vat_factor(status: str) -> float:
    return 1 + VAT_RATE if status == "excluded" else 1.0


@dataclass(frozen=True)
class Expected:
    asks: bool
    value_gbp: Optional[float] = None  # VAT-inclusive whole-life value (the Act's basis)
    above: Optional[bool] = None
    threshold_gbp: float = 0.0
    readings_gbp: tuple[float, ...] = ()  # the VAT-inclusive values the figures could mean


def expected(f: Facts) -> Expected:
    """The value and threshold side the law gives these facts, or "asks" when the readings disagree."""
    thr = light_touch_threshold(f.commenced)
    factor = _vat_factor(f.vat)
    readings = f.readings_gbp or (f.range_gbp or ())
    if readings:
        values = tuple(x * factor for x in readings)
        sides = {v >= thr for v in values}
        if len(sides) > 1:
            return Expected(asks=True, threshold_gbp=thr, readings_gbp=values)
        # Both ends on one side: the Act values a contract at the most the buyer could expect to pay (§3.1).
        top = max(values)
        return Expected(asks=False, value_gbp=top, above=top >= thr, threshold_gbp=thr, readings_gbp=values)
    term = f.whole_term()
    priced = sum(ln.value(term) * _vat_factor(ln.vat or f.vat) for ln in f.lines)
    net_priced = sum(ln.value(term) for ln in f.lines)
    contingency = f.contingency_gbp + net_priced * f.contingency_pct / 100
    total = priced + (f.one_off_gbp + contingency) * factor
    return Expected(asks=False, value_gbp=total, above=total >= thr, threshold_gbp=thr)
