"""The two plain types of the rule module: what the officer told us (`Case`) and our answer (`Assessment`).

`Case.from_dict` is the single place where outside input (CLI JSON, Rasa slots, tests) is checked.
It raises `CaseError` naming the field, never anything else.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal, Optional

REGIMES = ("PCR2015", "PA2023", "PSR", "none")
VAT_STATUSES = ("included", "excluded", "exempt", "unknown")
BUYERS = ("sub_central", "central", "school", "utility", "nhs_trust", "nhs_foundation_trust", "icb", "nhs_england")
CROSS_BORDER = ("yes", "no", "unknown")
COMMENCEMENT_EVENTS = (
    "tender_notice",
    "transparency_notice",
    "below_threshold_tender_notice",
    "pcr_contract_notice",
    "pcr_pin",
    "pcr_negotiated_contact",
    "contracts_finder_advert",
    "psr_notice",
    "contract_awarded",
)
# An absurd value is a typing slip, not a contract: the largest UK public contracts are tens of billions.
MAX_VALUE_GBP = 100_000_000_000
MAX_YEARS = 50


class CaseError(ValueError):
    """Bad input: `field` names the offending field, the message says what is wrong in plain words."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class Value:
    """Estimated value as given: a whole-life total, or annual × years (+ optional extension years), or unknown."""

    total_gbp: Optional[float] = None
    annual_gbp: Optional[float] = None
    years: Optional[float] = None
    extension_years: float = 0.0
    unknown: bool = False


@dataclass(frozen=True)
class Part:
    """One element of a mixed contract."""

    service: Optional[str] = None
    cpv: tuple[str, ...] = ()
    value_gbp: Optional[float] = None
    separable: Optional[bool] = None


@dataclass(frozen=True)
class Case:
    service: Optional[str] = None
    cpv: tuple[str, ...] = ()
    parts: tuple[Part, ...] = ()
    value: Optional[Value] = None
    vat: str = "unknown"
    commenced: Optional[date] = None
    commencement_event: Optional[str] = None
    buyer: str = "sub_central"
    concession: bool = False
    utilities: bool = False
    cross_border_interest: str = "unknown"
    term_years: Optional[float] = None
    user_choice: Optional[bool] = None
    # Optional facts beyond the core set.
    framework: bool = False
    exempt: Optional[str] = None  # an exemption the officer already knows applies, e.g. "litigation legal services"
    health_service_purpose: Optional[bool] = None  # PSR: bought for the purposes of the NHS in England
    england: bool = True

    # ---- construction from untrusted input -------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Case":
        if not isinstance(data, dict):
            raise CaseError("case", "must be a JSON object")
        known = set(cls.__dataclass_fields__)
        for key in data:
            if key not in known:
                raise CaseError(key, "unknown field")
        kw: dict[str, Any] = {}
        if data.get("service") is not None:
            kw["service"] = _text(data["service"], "service")
        kw["cpv"] = _cpv_list(data.get("cpv"), "cpv")
        kw["parts"] = tuple(_part(p, i) for i, p in enumerate(_list(data.get("parts"), "parts")))
        if data.get("value") is not None:
            kw["value"] = _value(data["value"])
        kw["vat"] = _choice(data.get("vat", "unknown"), "vat", VAT_STATUSES)
        if data.get("commenced") is not None:
            kw["commenced"] = _date(data["commenced"], "commenced")
        if data.get("commencement_event") is not None:
            kw["commencement_event"] = _choice(data["commencement_event"], "commencement_event", COMMENCEMENT_EVENTS)
        kw["buyer"] = _choice(data.get("buyer") or "sub_central", "buyer", BUYERS)
        kw["concession"] = _bool(data.get("concession", False), "concession")
        kw["utilities"] = _bool(data.get("utilities", False), "utilities")
        kw["cross_border_interest"] = _choice(
            data.get("cross_border_interest") or "unknown", "cross_border_interest", CROSS_BORDER
        )
        if data.get("term_years") is not None:
            kw["term_years"] = _years(data["term_years"], "term_years")
        if data.get("user_choice") is not None:
            kw["user_choice"] = _bool(data["user_choice"], "user_choice")
        kw["framework"] = _bool(data.get("framework", False), "framework")
        if data.get("exempt") is not None:
            kw["exempt"] = _text(data["exempt"], "exempt")
        if data.get("health_service_purpose") is not None:
            kw["health_service_purpose"] = _bool(data["health_service_purpose"], "health_service_purpose")
        kw["england"] = _bool(data.get("england", True), "england")
        return cls(**kw)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["commenced"] = self.commenced.isoformat() if self.commenced else None
        d["cpv"] = list(self.cpv)
        d["parts"] = [dict(asdict(p), cpv=list(p.cpv)) for p in self.parts]
        if self.value is not None:
            d["value"] = {k: v for k, v in asdict(self.value).items() if v not in (None, False) or k == "extension_years"}
        return d


@dataclass(frozen=True)
class Item:
    """An obligation, route, warning or trace step: stable id, plain-English text, legal reference."""

    id: str
    text: str
    ref: str
    verified: bool = True
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "ref": self.ref, "verified": self.verified, "source": self.source}


@dataclass(frozen=True)
class Candidate:
    """A possible classification of a service when the text is ambiguous."""

    id: str
    label: str
    light_touch: bool
    cpv: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Status = Literal["complete", "needs_input"]


@dataclass
class Assessment:
    regime: Optional[str]
    light_touch: Optional[bool]
    above_threshold: Optional[bool]
    threshold_gbp: Optional[float]
    estimated_value_gbp: Optional[float]
    rules_version: str
    as_of: date
    status: Status = "complete"
    answer: str = ""
    service_category: Optional[str] = None
    cross_border_interest: str = ""
    obligations: list[Item] = field(default_factory=list)
    routes: list[Item] = field(default_factory=list)
    warnings: list[Item] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    trace: list[Item] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    case: Optional[Case] = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "answer": self.answer,
            "regime": self.regime,
            "light_touch": self.light_touch,
            "above_threshold": self.above_threshold,
            "threshold_gbp": self.threshold_gbp,
            "estimated_value_gbp": self.estimated_value_gbp,
            "service_category": self.service_category,
            "cross_border_interest": self.cross_border_interest,
            "obligations": [i.to_dict() for i in self.obligations],
            "routes": [i.to_dict() for i in self.routes],
            "warnings": [i.to_dict() for i in self.warnings],
            "assumptions": list(self.assumptions),
            "missing": list(self.missing),
            "trace": [i.to_dict() for i in self.trace],
            "candidates": [c.to_dict() for c in self.candidates],
            "rules_version": self.rules_version,
            "as_of": self.as_of.isoformat(),
            "case": self.case.to_dict() if self.case else None,
        }


# ---- field checkers ------------------------------------------------------------------------


def _text(v: Any, name: str) -> str:
    if not isinstance(v, str) or not v.strip():
        raise CaseError(name, "must be some text")
    if len(v) > 2000:
        raise CaseError(name, "is too long (2,000 characters at most)")
    return v.strip()


def _list(v: Any, name: str) -> list:
    if v is None:
        return []
    if not isinstance(v, list):
        raise CaseError(name, "must be a list")
    return v


def _cpv_list(v: Any, name: str) -> tuple[str, ...]:
    if isinstance(v, str):
        v = [v]
    out = []
    for c in _list(v, name):
        code = str(c).strip().split("-")[0]
        if not (code.isdigit() and len(code) == 8):
            raise CaseError(name, f"'{c}' is not a CPV code (8 digits, e.g. 85312000)")
        out.append(code)
    return tuple(out)


def _number(v: Any, name: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise CaseError(name, "must be a number")
    if v != v or v in (float("inf"), float("-inf")):
        raise CaseError(name, "must be a finite number")
    if v < 0:
        raise CaseError(name, "cannot be negative")
    return float(v)


def _money(v: Any, name: str) -> float:
    n = _number(v, name)
    if n > MAX_VALUE_GBP:
        raise CaseError(name, f"£{n:,.0f} is not a plausible contract value")
    return n


def _years(v: Any, name: str) -> float:
    n = _number(v, name)
    if n > MAX_YEARS:
        raise CaseError(name, f"{n:g} years is not a plausible contract term")
    return n


def _bool(v: Any, name: str) -> bool:
    if not isinstance(v, bool):
        raise CaseError(name, "must be true or false")
    return v


def _choice(v: Any, name: str, allowed: tuple[str, ...]) -> str:
    if v not in allowed:
        raise CaseError(name, f"must be one of: {', '.join(allowed)}")
    return v


def _date(v: Any, name: str) -> date:
    if isinstance(v, date):
        return v
    if not isinstance(v, str):
        raise CaseError(name, "must be a date like 2026-04-01")
    try:
        d = date.fromisoformat(v.strip())
    except ValueError:
        raise CaseError(name, f"'{v}' is not a real date (use YYYY-MM-DD)") from None
    if d.year < 2006 or d.year > 2100:
        raise CaseError(name, f"{d.isoformat()} is outside the dates these rules cover")
    return d


def _value(v: Any) -> Value:
    if not isinstance(v, dict):
        raise CaseError("value", "must be an object such as {\"total_gbp\": 700000}")
    allowed = {"total_gbp", "annual_gbp", "years", "extension_years", "unknown"}
    for k in v:
        if k not in allowed:
            raise CaseError(f"value.{k}", "unknown field")
    if v.get("unknown"):
        if not isinstance(v["unknown"], bool):
            raise CaseError("value.unknown", "must be true or false")
        return Value(unknown=True)
    ext = _years(v.get("extension_years", 0) or 0, "value.extension_years")
    if v.get("total_gbp") is not None:
        if v.get("annual_gbp") is not None:
            raise CaseError("value", "give total_gbp or annual_gbp, not both")
        return Value(total_gbp=_money(v["total_gbp"], "value.total_gbp"), extension_years=ext,
                     years=_years(v["years"], "value.years") if v.get("years") is not None else None)
    if v.get("annual_gbp") is not None:
        annual = _money(v["annual_gbp"], "value.annual_gbp")
        years = _years(v["years"], "value.years") if v.get("years") is not None else None
        if years is not None and years == 0:
            raise CaseError("value.years", "must be more than 0")
        if years is not None and annual * (years + ext) > MAX_VALUE_GBP:
            raise CaseError("value", "the whole-life value is not plausible")
        return Value(annual_gbp=annual, years=years, extension_years=ext)
    raise CaseError("value", "needs total_gbp, or annual_gbp with years, or unknown: true")


def _part(p: Any, i: int) -> Part:
    name = f"parts[{i}]"
    if not isinstance(p, dict):
        raise CaseError(name, "must be an object")
    for k in p:
        if k not in ("service", "cpv", "value_gbp", "separable"):
            raise CaseError(f"{name}.{k}", "unknown field")
    if p.get("service") is None and not p.get("cpv"):
        raise CaseError(name, "needs a service or a CPV code")
    return Part(
        service=_text(p["service"], f"{name}.service") if p.get("service") is not None else None,
        cpv=_cpv_list(p.get("cpv"), f"{name}.cpv"),
        value_gbp=_money(p["value_gbp"], f"{name}.value_gbp") if p.get("value_gbp") is not None else None,
        separable=_bool(p["separable"], f"{name}.separable") if p.get("separable") is not None else None,
    )
