"""Form slots -> the `Case` dict the engine reads (`bot.ltr.Case.from_dict`).

The slots hold entity values exactly as the extractors in `bot.nlu` emit them (see domain.yml):

- service       catalogue id ("home_care") or the officer's own words
- cpv           list of 8-digit codes
- money         {"amount_gbp", "period"?, "vat"?, "years"?, "low_gbp"?}  or "unknown"
- duration      {"years", "extension_years"}                              or "unknown"
- vat           included | excluded | exempt | unknown
- commencement  {"date", "past", "event", "precision", "notice"}          or "unknown"
- buyer         sub_central | central | school | ... | unknown
- cross_border  yes | no | unknown

Slot values can be raw (the SDK asks which slots are required before validating them), so every
reader here tolerates anything and ignores what it cannot read. `notes` say, in plain words, how an
answer was read where that involved a choice the officer should know about.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from bot.ltr.model import BUYERS, CROSS_BORDER, VAT_STATUSES

UNKNOWN = "unknown"
CONTRACT_VALUE_PERIODS = (None, "total", "year", "month")
UNIT_RATE_PERIODS = ("week", "day", "hour")

# How a notice or platform named by the officer maps to the engine's commencement events.
_NOTICE_EVENTS_BEFORE_ACT = {
    "find_a_tender": "pcr_contract_notice",
    "ojeu": "pcr_contract_notice",
    "contracts_finder": "contracts_finder_advert",
    "pin": "pcr_pin",
    "transparency_notice": "transparency_notice",
}
_NOTICE_EVENTS_UNDER_ACT = {
    "find_a_tender": "tender_notice",
    "contracts_finder": "below_threshold_tender_notice",
    "transparency_notice": "transparency_notice",
}


@dataclass
class Reading:
    case: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def case_from_slots(slots: Mapping[str, Any], act_start: Optional[str] = None) -> Reading:
    """`act_start` (ISO date the Procurement Act took effect, from the knowledge base) tells a notice
    published before it (a PCR notice) from one published after (an Act notice)."""
    case: dict[str, Any] = {}
    notes: list[str] = []

    service = slots.get("service")
    if isinstance(service, str) and service.strip():
        case["service"] = service.strip()
    cpv = cpv_codes(slots.get("cpv"))
    if cpv:
        case["cpv"] = cpv

    value = value_from(slots.get("money"), slots.get("duration"))
    if value is not None:
        case["value"] = value

    vat = vat_from(slots.get("vat"), slots.get("money"))
    if vat is not None:
        case["vat"] = vat

    commencement = slots.get("commencement")
    if isinstance(commencement, Mapping) and commencement.get("date"):
        case["commenced"] = str(commencement["date"])
        event = commencement_event(commencement, act_start)
        if event:
            case["commencement_event"] = event
        if commencement.get("event") == "start":
            notes.append(
                f"You gave the date the contract starts ({commencement['date']}), so I've used it as the date the "
                "procurement starts. If a notice went out earlier, tell me when."
            )

    buyer = slots.get("buyer")
    if buyer in BUYERS:
        case["buyer"] = buyer
    elif buyer == UNKNOWN:
        notes.append("I've assumed the buyer is a London borough.")

    cross = slots.get("cross_border")
    if cross in CROSS_BORDER:
        case["cross_border_interest"] = cross
    return Reading(case, notes)


def cpv_codes(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(c) for c in items if isinstance(c, (str, int)) and str(c).isdigit() and len(str(c)) == 8]


def _is_money(value: Any) -> bool:
    return (
        isinstance(value, Mapping)
        and isinstance(value.get("amount_gbp"), (int, float))
        and not isinstance(value.get("amount_gbp"), bool)
        and value["amount_gbp"] >= 0
    )


def is_unit_rate(money: Any) -> bool:
    """A weekly, daily or hourly rate: a price, not the value of a contract."""
    return _is_money(money) and money.get("period") in UNIT_RATE_PERIODS


def _years(duration: Any) -> tuple[Optional[float], float]:
    if not isinstance(duration, Mapping):
        return None, 0.0
    years = duration.get("years")
    ext = duration.get("extension_years") or 0.0
    years = float(years) if isinstance(years, (int, float)) and not isinstance(years, bool) and years > 0 else None
    ext = float(ext) if isinstance(ext, (int, float)) and not isinstance(ext, bool) and ext >= 0 else 0.0
    return years, ext


def value_from(money: Any, duration: Any) -> Optional[dict[str, Any]]:
    """The Case `value`: a total, or a yearly figure with its term, or unknown. None when not known yet."""
    if money == UNKNOWN:
        return {"unknown": True}
    if not _is_money(money) or money.get("period") not in CONTRACT_VALUE_PERIODS:
        return None
    amount = float(money["amount_gbp"])
    period = money.get("period")
    if period in (None, "total"):
        return {"total_gbp": amount}
    annual = amount * 12 if period == "month" else amount
    said_years = money.get("years")
    years, ext = _years(duration)
    if isinstance(said_years, (int, float)) and not isinstance(said_years, bool) and said_years > 0:
        years = float(said_years)
    value: dict[str, Any] = {"annual_gbp": annual}
    if years is not None:
        value["years"] = years
        if ext:
            value["extension_years"] = ext
    return value


def needs_term(money: Any, duration: Any) -> bool:
    """A yearly or monthly figure needs the length of the contract to give a whole-life value."""
    if not _is_money(money) or money.get("period") not in ("year", "month"):
        return False
    said_years = money.get("years")
    if isinstance(said_years, (int, float)) and not isinstance(said_years, bool) and said_years > 0:
        return False
    return duration is None


def vat_from(vat: Any, money: Any) -> Optional[str]:
    if vat in VAT_STATUSES:
        return vat
    if _is_money(money) and money.get("vat") in VAT_STATUSES:
        return money["vat"]
    return None


def commencement_event(commencement: Mapping[str, Any], act_start: Optional[str]) -> Optional[str]:
    """The engine's commencement event for what the officer said happened on the date, if anything."""
    event, notice, when = commencement.get("event"), commencement.get("notice"), commencement.get("date")
    if event == "awarded" and commencement.get("past"):
        return "contract_awarded"
    if notice is None:
        # "We advertised in January 2025" without saying where: the engine states its assumption.
        return None
    before_act = bool(act_start and when and str(when) < act_start)
    table = _NOTICE_EVENTS_BEFORE_ACT if before_act else _NOTICE_EVENTS_UNDER_ACT
    return table.get(notice)
