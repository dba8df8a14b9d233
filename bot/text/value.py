"""One value phrase -> the Case `value` dict, for the `ltr` command's --value option.

    >>> parse_value_phrase("£180k pa for 3 years plus 2 one-year extensions")
    {'annual_gbp': 180000.0, 'years': 3.0, 'extension_years': 2.0}
    >>> parse_value_phrase("£700k inc VAT")
    {'total_gbp': 700000.0, 'vat': 'included'}

The result is the Case `value` dict plus a `vat` key when the phrase states the VAT status: pop
`vat` into the Case's own `vat` field before building the Case.

- A total ("£700k", "£3m over 5 years") gives `total_gbp`, with `years`/`extension_years` when said.
- A yearly or monthly amount gives `annual_gbp` (monthly x 12), with `years` and `extension_years`
  when the term is said (without a term there is no `years`: the assessment will ask).
- "don't know" / "unknown" / "tbc" gives `{"unknown": True}`.
- A range gives its top ("£600k-£700k" -> 700000): an estimate must not be understated.
"""
from __future__ import annotations

import re
from typing import Any

from bot.text.duration import parse_duration
from bot.text.money import parse_money

_UNKNOWN = re.compile(r"^\s*(?:unknown|not\s+known|not\s+sure|unsure|don'?t\s+know|do\s+not\s+know|no\s+idea|tbc|tbd|"
                      r"to\s+be\s+confirmed|n/?a)\s*[.!]?\s*$", re.I)


def parse_value_phrase(text: str) -> dict[str, Any]:
    """Raises ValueError with a plain message when the phrase does not give one usable amount."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("Give the estimated value, for example '£700k' or '£180k a year for 3 years'.")
    if _UNKNOWN.match(text):
        return {"unknown": True}
    amounts = parse_money(text)
    if not amounts and re.search(r"(?:£|\bgbp)\s*0+(?:\.0+)?(?![\d.,])", text, re.I):
        raise ValueError("The value must be more than £0.")
    if not amounts:
        raise ValueError(f"I could not find an amount of money in '{text}'. Try '£700k' or '£180k a year for 3 years'.")
    distinct = {(m.amount_gbp, m.period) for m in amounts}
    if len(distinct) > 1:
        raise ValueError(f"'{text}' has more than one amount. Give one figure: the whole-life total, or the yearly amount and the term.")
    money = amounts[0]
    if money.period in ("week", "day", "hour"):
        rate = {"week": "a weekly", "day": "a daily", "hour": "an hourly"}[money.period]
        raise ValueError(f"'{money.text}' is {rate} rate, not the contract's value. "
                         "Give the whole-life total, or the yearly amount and the term.")
    duration = parse_duration(text)
    years = duration.years if duration else money.years
    extension = duration.extension_years if duration else 0.0
    out: dict[str, Any]
    if money.period in ("year", "month"):
        annual = money.amount_gbp * (12 if money.period == "month" else 1)
        out = {"annual_gbp": round(annual, 2)}
        if years is not None:
            out["years"] = years
            out["extension_years"] = extension
    else:
        out = {"total_gbp": money.amount_gbp}
        if years is not None:
            out["years"] = years
        if extension:
            out["extension_years"] = extension
    if money.vat:
        out["vat"] = money.vat
    return out
