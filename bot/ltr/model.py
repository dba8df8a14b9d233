"""The two plain types of the rule module: what the officer told us (`Case`) and our answer (`Assessment`).

`Case.from_dict` is the single place where outside input (CLI JSON, Rasa slots, tests) is checked.
It raises `CaseError` naming the field, never anything else.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal, Optional

from . import cpv_catalogue
from .price import PERIOD_UNITS, PriceLine, Quantity, Value, stated_whole_life

REGIMES = ("PCR2015", "PA2023", "PSR", "none")
AIMS = ("framework", "open_framework", "dynamic_market", "mutual", "co_design", "pilot", "user_choice", "direct_award")
VAT_STATUSES = ("included", "excluded", "exempt", "unknown")
BUYERS = ("sub_central", "central", "school", "utility", "nhs_trust", "nhs_foundation_trust", "icb", "nhs_england")
CROSS_BORDER = ("yes", "no", "unknown")
# The exempted contracts of reference §1 step 1 (knowledge/exemptions.yml gives each its paragraph; a test keeps
# the two lists the same).
EXEMPTIONS = ("vertical_arrangement", "horizontal_arrangement", "land", "legal_litigation", "employment", "emergency_services",
              "research_and_development")
# The UK nations other than England (reference §11; knowledge/nations.yml says which rules govern each instead).
NATIONS = ("wales", "scotland", "northern_ireland")
COMMENCEMENT_EVENTS = (
    "tender_notice",
    "transparency_notice",
    "below_threshold_tender_notice",
    "tenders_invited",  # Act: tenders invited for a regulated below-threshold contract (SI 2025/1200 reg 3)
    "supplier_contacted",  # Act: a supplier contacted to start the award of another below-threshold contract
    "pcr_contract_notice",
    "pcr_framework_concluded",
    "pcr_vtn",  # PCR reg 99(3)(b) voluntary transparency notice
    "pcr_pin",
    "pcr_negotiated_contact",
    "contracts_finder_advert",
    "psr_notice",
    "contract_awarded",
)
# An absurd value is a typing slip, not a contract: the largest UK public contracts are tens of billions.
MAX_VALUE_GBP = 10**11  # £100bn
MAX_YEARS = 50


class CaseError(ValueError):
    """Bad input: `field` names the offending field, the message says what is wrong in plain words."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


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
    aims: tuple[str, ...] = ()  # routes the officer has in mind (AIMS); each gets a yes or "not open, because ..."
    exemption: Optional[str] = None  # the contract is exempt (EXEMPTIONS): no procurement regime applies
    health_service_purpose: Optional[bool] = None  # PSR: bought for the purposes of the NHS in England
    england: bool = True
    nation: Optional[str] = None  # the buyer is in another UK nation (NATIONS); then england is False

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
        kw["aims"] = _aims(data.get("aims"))
        # One fact, two spellings: `framework: true` and `aims: [framework]` mean the same thing.
        if kw["framework"] and "framework" not in kw["aims"]:
            kw["aims"] = ("framework",) + kw["aims"]
        kw["framework"] = "framework" in kw["aims"]
        if data.get("exemption") is not None:
            kw["exemption"] = _choice(data["exemption"], "exemption", EXEMPTIONS)
        if data.get("health_service_purpose") is not None:
            kw["health_service_purpose"] = _bool(data["health_service_purpose"], "health_service_purpose")
        kw["england"] = _bool(data.get("england", True), "england")
        if data.get("nation") is not None:
            kw["nation"] = _choice(data["nation"], "nation", NATIONS)
            if data.get("england") is True:
                raise CaseError("nation", f"a buyer in {kw['nation'].replace('_', ' ').title()} is not in England: "
                                          "leave out england, or set it to false")
            kw["england"] = False
        return cls(**kw)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["commenced"] = self.commenced.isoformat() if self.commenced else None
        d["cpv"] = list(self.cpv)
        d["parts"] = [dict(asdict(p), cpv=list(p.cpv)) for p in self.parts]
        d["aims"] = list(self.aims)
        if self.value is not None:
            d["value"] = self.value.to_dict()
        return d


@dataclass(frozen=True)
class Item:
    """An obligation, route, warning or trace step: stable id, plain-English text, legal reference."""

    id: str
    text: str
    ref: str
    verified: bool = True
    source: str = ""
    label: str = ""  # a short name (routes: from labels.yml), so renderers need not cut it out of the text
    condition: str = ""  # routes open only if a fact not given holds: that fact ("a person … has chosen the provider")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "ref": self.ref, "verified": self.verified, "source": self.source,
                "label": self.label, "condition": self.condition}


@dataclass(frozen=True)
class Candidate:
    """A possible classification of a service when the text is ambiguous."""

    id: str
    label: str
    light_touch: bool
    cpv: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Profile:
    """What the law says about one CPV code."""

    cpv: str
    kind: str  # service | goods | works
    category_id: Optional[str]
    category_label: Optional[str]
    category_ref: Optional[str]
    psr: bool
    psr_limit: Optional[str]
    psr_caveat: Optional[str]
    reservable_pa2023: bool
    reservable_pcr: bool

    @property
    def light_touch(self) -> bool:
        return self.kind == "service" and self.category_id is not None


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
    # What renderers need, so that none of them reloads the knowledge or guesses (issue 9).
    regime_name: str = ""  # the regime's name from knowledge/labels.yml ("" when there is no regime)
    threshold_id: Optional[str] = None  # the thresholds.yml row used
    vat_basis: Optional[str] = None  # "inclusive" | "net": the basis of both threshold_gbp and estimated_value_gbp
    service_category_label: Optional[str] = None
    out_of_scope: Optional[Item] = None  # set when the tool does not cover the case; regime is then None
    routes_not_open: list[Item] = field(default_factory=list)  # routes not open, and why: asked about, or failing a condition the officer can change (with the fix)
    notifiable: Optional[bool] = None  # Act, below threshold: a notifiable below-threshold contract (s.87); else None

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
            "routes_not_open": [i.to_dict() for i in self.routes_not_open],
            "regime_name": self.regime_name,
            "threshold_id": self.threshold_id,
            "vat_basis": self.vat_basis,
            "service_category_label": self.service_category_label,
            "out_of_scope": self.out_of_scope.to_dict() if self.out_of_scope else None,
            "notifiable": self.notifiable,
            "rules_version": self.rules_version,
            "as_of": self.as_of.isoformat(),
            "case": self.case.to_dict() if self.case else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Assessment":
        """The inverse of `to_dict`, for renderers handed an answer as JSON (a channel's payload). The case is
        checked by `Case.from_dict`; the rest is the engine's own output and is taken as given."""
        items = lambda key: [Item(**i) for i in data.get(key) or []]  # noqa: E731
        case = data.get("case")
        return cls(
            regime=data.get("regime"), light_touch=data.get("light_touch"), above_threshold=data.get("above_threshold"),
            threshold_gbp=data.get("threshold_gbp"), estimated_value_gbp=data.get("estimated_value_gbp"),
            rules_version=str(data.get("rules_version") or ""), as_of=date.fromisoformat(str(data["as_of"])),
            status=data.get("status") or "complete", answer=str(data.get("answer") or ""),
            service_category=data.get("service_category"), cross_border_interest=data.get("cross_border_interest") or "",
            obligations=items("obligations"), routes=items("routes"), warnings=items("warnings"),
            assumptions=list(data.get("assumptions") or []), missing=list(data.get("missing") or []),
            trace=items("trace"), candidates=[Candidate(**c) for c in data.get("candidates") or []],
            case=Case.from_dict(case) if case else None, regime_name=data.get("regime_name") or "",
            threshold_id=data.get("threshold_id"), vat_basis=data.get("vat_basis"),
            service_category_label=data.get("service_category_label"),
            out_of_scope=Item(**data["out_of_scope"]) if data.get("out_of_scope") else None,
            routes_not_open=items("routes_not_open"), notifiable=data.get("notifiable"),
        )


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
        code = cpv_catalogue.normalise(str(c))
        if code is None:
            raise CaseError(name, f"'{c}' is not a CPV code (8 digits, e.g. 85312000)")
        if not cpv_catalogue.exists(code):
            raise CaseError(name, f"'{c}' is not in the CPV 2008 list")
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


VALUE_FIELDS = ("total_gbp", "annual_gbp", "monthly_gbp", "weekly_gbp", "years", "extension_years", "extension_gbp",
                "one_off_gbp", "lots", "open_ended", "unknown", "lines", "contingency_pct", "contingency_gbp")
LINE_FIELDS = ("amount_gbp", "per", "quantities", "years", "label", "option", "vat")
_UNIT = re.compile(r"[a-z][a-z ]{0,30}")


def _unit(v: Any, name: str) -> str:
    if not isinstance(v, str) or not _UNIT.fullmatch(v.strip().lower()):
        raise CaseError(name, "must be a unit in words, such as \"hour\", \"night\" or \"placement\"")
    return v.strip().lower()


def _line(v: Any, i: int) -> PriceLine:
    name = f"value.lines[{i}]"
    if not isinstance(v, dict):
        raise CaseError(name, "must be an object such as {\"amount_gbp\": 26.4, \"per\": [\"hour\"]}")
    for k in v:
        if k not in LINE_FIELDS:
            raise CaseError(f"{name}.{k}", "unknown field")
    if "amount_gbp" not in v:
        raise CaseError(f"{name}.amount_gbp", "is needed")
    amount = _money(v["amount_gbp"], f"{name}.amount_gbp")
    per = tuple(_unit(u, f"{name}.per") for u in _list(v.get("per"), f"{name}.per"))
    quantities = []
    for j, q in enumerate(_list(v.get("quantities"), f"{name}.quantities")):
        qn = f"{name}.quantities[{j}]"
        if not isinstance(q, dict) or "count" not in q or "unit" not in q or set(q) - {"count", "unit", "per"}:
            raise CaseError(qn, "must be an object such as {\"count\": 3100, \"unit\": \"hour\", \"per\": \"week\"}")
        count = _number(q["count"], f"{qn}.count")
        if count <= 0:
            raise CaseError(f"{qn}.count", "must be more than 0")
        qper = _choice(q["per"], f"{qn}.per", PERIOD_UNITS) if q.get("per") is not None else None
        quantities.append(Quantity(count, _unit(q["unit"], f"{qn}.unit"), qper))
    years = _years(v["years"], f"{name}.years") if v.get("years") is not None else None
    if years == 0:
        raise CaseError(f"{name}.years", "must be more than 0")
    label = _text(v["label"], f"{name}.label") if v.get("label") else ""
    vat = _choice(v["vat"], f"{name}.vat", VAT_STATUSES[:3]) if v.get("vat") is not None else None
    return PriceLine(amount, per, tuple(quantities), years, label, _bool(v.get("option", False), f"{name}.option"), vat)
RECURRING_FIELDS = ("annual_gbp", "monthly_gbp", "weekly_gbp")
MAX_LOTS = 1000


def _value(v: Any) -> Value:
    """Checks the value object; any contradiction is refused naming the field, never guessed."""
    if not isinstance(v, dict):
        raise CaseError("value", "must be an object such as {\"total_gbp\": 700000}")
    for k in v:
        if k not in VALUE_FIELDS:
            raise CaseError(f"value.{k}", "unknown field")
    given = {k: x for k, x in v.items() if x is not None}
    unknown = _bool(given.get("unknown", False), "value.unknown")
    open_ended = _bool(given.get("open_ended", False), "value.open_ended")
    money = {k: _money(given[k], f"value.{k}") for k in ("total_gbp", *RECURRING_FIELDS, "extension_gbp", "one_off_gbp")
             if k in given}
    years = _years(given["years"], "value.years") if "years" in given else None
    ext = _years(given.get("extension_years", 0), "value.extension_years")
    lots = given.get("lots", 1)
    if isinstance(lots, bool) or not isinstance(lots, (int, float)) or lots != int(lots) or lots < 1:
        raise CaseError("value.lots", "must be a whole number, 1 or more")
    if lots > MAX_LOTS:
        raise CaseError("value.lots", f"{lots:g} lots is not plausible")
    lots = int(lots)
    if unknown:
        figures = [k for k, x in given.items()
                   if k != "unknown" and x is not False and not (k == "extension_years" and x == 0) and not (k == "lots" and x == 1)]
        if figures:
            raise CaseError("value.unknown", f"cannot be true when {figures[0]} is also given")
        return Value(unknown=True)
    lines = tuple(_line(x, i) for i, x in enumerate(_list(given.get("lines"), "value.lines")))
    contingency_pct = _number(given["contingency_pct"], "value.contingency_pct") if "contingency_pct" in given else None
    if contingency_pct is not None and not 0 < contingency_pct <= 100:
        raise CaseError("value.contingency_pct", "must be a percentage between 0 and 100")
    contingency_gbp = _money(given["contingency_gbp"], "value.contingency_gbp") if "contingency_gbp" in given else None
    if contingency_pct is not None and contingency_gbp is not None:
        raise CaseError("value.contingency_gbp", "give the contingency as a percentage or an amount, not both")
    recurring = [k for k in RECURRING_FIELDS if k in money]
    if lines:
        clash = next((k for k in ("total_gbp", *RECURRING_FIELDS, "extension_gbp") if k in money), None)
        if clash:
            raise CaseError(f"value.{clash}", "give price lines or a single price, not both")
        if open_ended:
            raise CaseError("value.open_ended", "price lines need a term: an open-ended contract has no total")
    if len(recurring) > 1:
        raise CaseError(f"value.{recurring[1]}", f"give one recurring price, not both {recurring[0]} and {recurring[1]}")
    if "total_gbp" in money and recurring:
        raise CaseError(f"value.{recurring[0]}", "give total_gbp or a recurring price, not both")
    if years is not None and years == 0:
        raise CaseError("value.years", "must be more than 0")
    if "extension_gbp" in money and not ext:
        raise CaseError("value.extension_gbp", "needs extension_years (how long the priced extensions run)")
    if open_ended:
        for k in ("total_gbp", "years", "extension_gbp"):
            if k in given:
                raise CaseError(f"value.{k}", "cannot be given for an open-ended contract (no end date, so no total)")
        if ext:
            raise CaseError("value.extension_years", "cannot be given for an open-ended contract")
    if "total_gbp" not in money and not recurring and not lines:
        if not open_ended:
            what = next((k for k in ("one_off_gbp", "years", "extension_years", "extension_gbp", "lots") if k in given), None)
            if what:
                raise CaseError(f"value.{what}", "needs a price too: total_gbp or a recurring price (annual_gbp, monthly_gbp, weekly_gbp)")
            raise CaseError("value", "needs total_gbp, a recurring price with years, open_ended: true or unknown: true")
        if "one_off_gbp" in money or lots > 1:
            raise CaseError("value.open_ended", "with a one-off cost or lots needs a recurring price too")
    if ext and years is None and not open_ended:
        raise CaseError("value.years", "needed with extension_years: the initial term the price covers")
    out = Value(total_gbp=money.get("total_gbp"), annual_gbp=money.get("annual_gbp"), monthly_gbp=money.get("monthly_gbp"),
                weekly_gbp=money.get("weekly_gbp"), years=years, extension_years=ext, extension_gbp=money.get("extension_gbp"),
                one_off_gbp=money.get("one_off_gbp"), lots=lots, open_ended=open_ended, lines=lines,
                contingency_pct=contingency_pct, contingency_gbp=contingency_gbp)
    whole = stated_whole_life(out)  # the arithmetic lives once, in price.py
    if whole is not None and whole > MAX_VALUE_GBP:
        raise CaseError("value", "the whole-life value is not plausible")
    return out


def _aims(v: Any) -> tuple[str, ...]:
    out: list[str] = []
    for a in _list(v, "aims"):
        if a not in AIMS:
            raise CaseError("aims", f"'{a}' is not one of: {', '.join(AIMS)}")
        if a not in out:
            out.append(a)
    return tuple(out)


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
