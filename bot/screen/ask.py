""""Ask about this row": one screened row as the message an officer would type in the chat, so the conversation
reads it with the same reader as every other message and answers it (or asks what the row left open).

The message says the row's facts as the screening read them (the value, the term and extensions, VAT, when the
procurement starts, the buyer), in the words the chat already understands, after the row's own words for what is
bought. What the row left open (a value "TBC", no start date) is left out, so the chat asks for it.
"""
from __future__ import annotations

import re
from typing import Any, Optional

from bot.assistant.understood import date_words

MAX_CHARS = 600  # well under the chat's 2,000-character limit
_WHAT_CHARS = 240
BUYER_SAYS = {
    "sub_central": "We are a London borough.",
    "central": "We are a central government department.",
    "school": "We are a school.",
    "utility": "We are a utility.",
    "nhs_trust": "We are an NHS trust.",
    "nhs_foundation_trust": "We are an NHS foundation trust.",
    "icb": "We are an integrated care board.",
    "nhs_england": "We are NHS England.",
}
VAT_SAYS = {"included": "including VAT", "excluded": "excluding VAT", "exempt": "VAT exempt"}
_SPACE = re.compile(r"\s+")


def _cell_text(read: dict[str, str], name: str) -> str:
    """The cell's own text from `read` ("Heading: text; Heading: text")."""
    said = read.get(name) or ""
    return "; ".join(part.split(": ", 1)[1] if ": " in part else part for part in said.split("; ") if part)


def _pounds(v: float) -> str:
    return f"£{v:,.0f}" if float(v).is_integer() else f"£{v:,.2f}"


def _years(n: float) -> str:
    n = float(n)
    if n.is_integer():
        return f"{int(n)} year{'s' if n != 1 else ''}"
    months = round(n * 12)
    return f"{months} months"


def _what(result: dict[str, Any]) -> str:
    read = result.get("read") or {}
    words = [_cell_text(read, name) for name in ("service", "title", "description")]
    text = _SPACE.sub(" ", " - ".join(w for w in words if w)).strip().lstrip("=+-@ \t")
    if len(text) > _WHAT_CHARS:
        text = text[:_WHAT_CHARS].rsplit(" ", 1)[0] + "…"
    case = result.get("case") or {}
    codes = [c for c in case.get("cpv") or [] if isinstance(c, str) and c.isdigit()]
    if codes:
        text = f"{text} (CPV {', '.join(codes[:3])})" if text else f"CPV {', '.join(codes[:3])}"
    return text


def _value(case: dict[str, Any]) -> Optional[str]:
    value = case.get("value")
    if not isinstance(value, dict) or value.get("unknown"):
        return None
    ext = value.get("extension_years") or 0
    years = value.get("years")
    if value.get("annual_gbp"):
        said = f"{_pounds(value['annual_gbp'])} a year"
        if years:
            said += f" for {_years(years)}"
            if ext:
                said += f" plus {_years(ext)} of extensions"
        return said
    if value.get("total_gbp"):
        said = f"{_pounds(value['total_gbp'])} in total"
        if years:
            said += f" over {_years(years + ext)}"
        return said
    return None


def chat_message(result: dict[str, Any]) -> str:
    """The row as one chat message, e.g. "Home care for older people, £1,200,000 a year for 3 years plus 2 years
    of extensions, including VAT. The procurement starts on 1 April 2027. We are a London borough."."""
    case = result.get("case") or {}
    first = [_what(result) or "A contract"]
    value = _value(case)
    if value:
        first.append(value)
        vat = VAT_SAYS.get(case.get("vat") or "")
        if vat:
            first.append(vat)
    sentences = [", ".join(first) + "."]
    commenced = case.get("commenced")
    if isinstance(commenced, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", commenced):
        if case.get("commencement_event") == "contracts_finder_advert":
            sentences.append(f"It was advertised on Contracts Finder on {date_words(commenced)}.")
        else:
            sentences.append(f"The procurement starts on {date_words(commenced)}.")
    buyer = BUYER_SAYS.get(case.get("buyer") or "")
    if buyer:
        sentences.append(buyer)
    text = " ".join(sentences)
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS].rsplit(" ", 1)[0]


__all__ = ["chat_message"]
