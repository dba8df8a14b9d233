"""Loads and validates the knowledge files in bot/ltr/knowledge/.

A malformed file fails loudly with the file, the entry and the field named (`KnowledgeError`).
`rules_version` is derived from the files: the latest `reviewed` date plus a hash of their content.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional, Union

import yaml
from pydantic import BaseModel, Extra, Field, ValidationError, validator

from .model import AIMS

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
KNOWLEDGE_DIR = Path(__file__).parent / "knowledge"
FILES = ("dates.yml", "thresholds.yml", "parameters.yml", "labels.yml", "conditions.yml", "cpv.yml", "services.yml", "routes.yml", "obligations.yml", "faq.yml",
         "exemptions.yml", "nations.yml")
# The parameters and valuation references the engine reads; a file without one of them does not load.
_NUMBER, _IDS = float, list
REQUIRED_PARAMETERS: dict[str, type] = {
    "vat_rate": _NUMBER, "pcr_no_total_price_months": _NUMBER, "mutual_max_years_PCR2015": _NUMBER,
    "mutual_max_years_PA2023": _NUMBER, "kpi_and_copy_figure_gbp": _NUMBER, "central_buyers_PA2023": _IDS,
    "central_buyers_PCR2015": _IDS, "pcr_floor_sub_central_buyers": _IDS, "psr_relevant_authorities": _IDS,
    "nhs_bodies": _IDS, "pcr_saving_events": _IDS, "act_only_events": _IDS,
}
VALUATION_REGIMES = ("PA2023", "PCR2015", "PSR")
_CPV = re.compile(r"^\d{8}(-\d{8})?$")
_APPLIES = re.compile(r"^(PCR2015|PA2023|PSR|none)/(lt|std|any)/(above|below|any)$")


class KnowledgeError(ValueError):
    pass


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_population_by_field_name = True


class Threshold(_Strict):
    id: str
    regime: str
    kind: str
    amount_gbp: float
    vat_basis: str
    from_: date = Field(alias="from")
    to: Optional[date]
    ref: str
    source: str
    verified: bool

    @validator("regime")
    def _regime(cls, v: str) -> str:
        if v not in ("PCR2015", "PA2023"):
            raise ValueError("must be PCR2015 or PA2023")
        return v

    @validator("vat_basis")
    def _vat(cls, v: str) -> str:
        if v not in ("net", "inclusive"):
            raise ValueError("must be net or inclusive")
        return v

    @validator("to")
    def _order(cls, v: Optional[date], values: dict) -> Optional[date]:
        if v is not None and "from_" in values and v < values["from_"]:
            raise ValueError("ends before it starts")
        return v


def _check_cpv(codes: list[str]) -> list[str]:
    for c in codes:
        if not _CPV.match(c):
            raise ValueError(f"'{c}' is not a CPV code or range (8 digits, or 8digits-8digits)")
    return codes


class Category(_Strict):
    id: str
    label: str
    cpv: list[str]
    ref: str
    source: str
    verified: bool
    _c = validator("cpv", allow_reuse=True)(_check_cpv)


class CpvList(_Strict):
    cpv: list[str]
    ref: str
    source: str
    verified: bool
    excluded: list[str] = []
    limited: list[dict[str, str]] = []
    caveats: list[dict[str, str]] = []
    _c = validator("cpv", "excluded", allow_reuse=True)(_check_cpv)


class CodeCaveat(_Strict):
    cpv: list[str]
    text: str
    ref: str
    source: str
    verified: bool
    _c = validator("cpv", allow_reuse=True)(_check_cpv)


class UndecidedCode(_Strict):
    """A code the statutory list covers only "to the extent not" exempt: ask, offering catalogue entries."""

    cpv: list[str]
    question: str
    candidates: list[str]
    ref: str
    source: str
    verified: bool
    _c = validator("cpv", allow_reuse=True)(_check_cpv)


class Exemption(_Strict):
    """An exempted contract (PA 2023 Sch 2; PCR 2015 regs 7-17): `Case.exemption` names one by id."""

    id: str
    label: str
    text: str
    part: int
    act_ref: str
    pcr_ref: str
    source: str
    verified: bool
    question: str
    pcr_verified: bool = True
    not_for_profit: bool = False
    cues: list[str] = []
    hints: list[str] = []

    @validator("part")
    def _part(cls, v: int) -> int:
        if v not in (1, 2):
            raise ValueError("must be 1 or 2 (the Part of PA 2023 Sch 2)")
        return v


class Service(_Strict):
    id: str
    label: str
    kind: str
    terms: list[str]
    ref: str
    source: str
    verified: bool
    cpv: Optional[str] = None
    individual: bool = False
    exemption: Optional[str] = None  # an exemptions.yml id: the work described is always exempt
    warning: Optional[str] = None
    ambiguous_with: list[str] = []

    @validator("kind")
    def _kind(cls, v: str) -> str:
        if v not in ("service", "goods", "works"):
            raise ValueError("must be service, goods or works")
        return v

    @validator("cpv")
    def _cpv(cls, v: Optional[str]) -> Optional[str]:
        if v is not None:
            _check_cpv([v])
        return v

    @validator("terms")
    def _terms(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("needs at least one term")
        return [t.lower() for t in v]

    @validator("ambiguous_with", always=True)
    def _cpv_or_ambiguous(cls, v: list[str], values: dict) -> list[str]:
        if not v and not values.get("cpv"):
            raise ValueError("an entry needs a cpv code, or ambiguous_with listing the entries it could be")
        return v


def applies_to(applies: list[str], regime: str, lt: bool, above: Optional[bool]) -> bool:
    """Does a REGIME/CONTRACT/VALUE list cover this regime, contract type and side of the threshold?"""
    return _applies(tuple(applies), regime, lt, above)


@lru_cache(maxsize=4096)  # a few hundred distinct lists × regimes; assess() runs this for every entry
def _applies(applies: tuple[str, ...], regime: str, lt: bool, above: Optional[bool]) -> bool:
    for a in applies:
        r, c, v = a.split("/")
        if r != regime:
            continue
        if c != "any" and (c == "lt") != lt:
            continue
        if v != "any" and (above is None or (v == "above") != above):
            continue
        return True
    return False


def _check_applies(v: list[str]) -> list[str]:
    if not v:
        raise ValueError("needs at least one REGIME/CONTRACT/VALUE")
    for a in v:
        if not _APPLIES.match(a):
            raise ValueError(f"'{a}' is not REGIME/CONTRACT/VALUE, e.g. PA2023/lt/above")
    return v


class Condition(_Strict):
    id: str
    means: str
    ref: str


def _check_aims(v: list[str]) -> list[str]:
    for a in v:
        if a not in AIMS:
            raise ValueError(f"'{a}' is not one of {', '.join(AIMS)}")
    return v


class Route(_Strict):
    id: str
    label: str
    text: str
    applies: list[str]
    source: str
    ref_pcr: Optional[str] = None
    ref_pa: Optional[str] = None
    ref_psr: Optional[str] = None
    verified_pcr: bool = True
    verified_pa: bool = True
    needs: list[str] = []
    aims: list[str] = []  # the officer's aims (Case.aims) this route answers
    _a = validator("applies", allow_reuse=True)(_check_applies)
    _m = validator("aims", allow_reuse=True)(_check_aims)

    def ref_for(self, regime: str) -> Optional[str]:
        return {"PCR2015": self.ref_pcr, "PA2023": self.ref_pa, "PSR": self.ref_psr, "none": self.ref_pa}[regime]

    def verified_for(self, regime: str) -> bool:
        return self.verified_pcr if regime == "PCR2015" else self.verified_pa


class Obligation(_Strict):
    id: str
    text: str
    ref: str
    source: str
    verified: bool
    priority: int  # importance for the officer, 1 = most; Assessment.obligations is sorted by it (see obligations.yml)
    applies: list[str]
    needs: list[str] = []
    _a = validator("applies", allow_reuse=True)(_check_applies)


class Parameter(_Strict):
    id: str
    value: Union[float, list[str]]
    text: str
    ref: str
    source: str
    verified: bool


class ValuationRefs(_Strict):
    """The reference quoted for each part of the value working, for one regime (reference §3)."""

    whole_life: str
    vat: str
    vat_net: Optional[str] = None
    no_total: str
    lots: str
    framework: str
    concession: str


class Scope(_Strict):
    id: str
    text: str
    ref: str
    source: str
    verified: bool


class Nation(Scope):
    """A UK nation other than England (reference §11): which rules govern its buyers instead; `Case.nation` names
    one by id. `bodies` and `places` are how officers name its buyers (read by bot/text/facts.py)."""

    name: str
    adjective: str
    caveats: list[str] = []
    bodies: list[str] = []
    places: list[str] = []


class KeyDate(_Strict):
    id: str
    date: date
    text: str
    ref: str
    source: str
    verified: bool


class Faq(_Strict):
    id: str
    question: str
    answer: str
    ref: str
    source: str
    verified: bool
    examples: list[str] = []


@dataclass(frozen=True)
class Knowledge:
    dates: dict[str, KeyDate]
    thresholds: tuple[Threshold, ...]
    parameters: dict[str, Parameter]
    regime_names: dict[str, str]
    out_of_scope: dict[str, Scope]
    valuation: dict[str, ValuationRefs]
    categories: tuple[Category, ...]
    reservable_pa2023: CpvList
    reservable_pcr: CpvList
    psr: CpvList
    code_caveats: tuple[CodeCaveat, ...]
    undecided_codes: tuple[UndecidedCode, ...]
    services: tuple[Service, ...]
    routes: tuple[Route, ...]
    obligations: tuple[Obligation, ...]
    conditions: dict[str, Condition]
    faq: tuple[Faq, ...]
    exemptions: tuple[Exemption, ...]
    nations: tuple[Nation, ...]
    not_for_profit_words: tuple[str, ...]
    rules_version: str

    def number(self, parameter_id: str) -> float:
        value = self.parameters[parameter_id].value
        assert isinstance(value, float), parameter_id  # checked at load
        return value

    def ids(self, parameter_id: str) -> frozenset[str]:
        value = self.parameters[parameter_id].value
        assert isinstance(value, list), parameter_id  # checked at load
        return frozenset(value)

    def service(self, service_id: str) -> Optional[Service]:
        return next((s for s in self.services if s.id == service_id), None)

    def nation(self, nation_id: str) -> Optional[Nation]:
        return next((n for n in self.nations if n.id == nation_id), None)

    def exemption(self, exemption_id: str) -> Optional[Exemption]:
        return next((e for e in self.exemptions if e.id == exemption_id), None)

    def faq_entry(self, faq_id: str) -> Optional[Faq]:
        return next((f for f in self.faq if f.id == faq_id), None)

    def route(self, route_id: str) -> Optional[Route]:
        return next((r for r in self.routes if r.id == route_id), None)


def _read(directory: Path, name: str) -> dict[str, Any]:
    path = directory / name
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except FileNotFoundError:
        raise KnowledgeError(f"{name}: file missing") from None
    except yaml.YAMLError as e:
        raise KnowledgeError(f"{name}: not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise KnowledgeError(f"{name}: must be a mapping at the top level")
    return data


def _entries(name: str, data: dict, model: type[BaseModel], key: str = "entries", with_ids: bool = True,
             labels: Optional[dict[str, str]] = None) -> tuple:
    """Validated entries; `labels` (from labels.yml) gives each entry its label, so a label is typed once."""
    raw = data.get(key)
    if not isinstance(raw, list):
        raise KnowledgeError(f"{name}: needs a list '{key}'")
    defaults = data.get("defaults") or {}
    if labels is not None:
        ids = [e.get("id") for e in raw if isinstance(e, dict)]
        for i in ids:
            if i not in labels:
                raise KnowledgeError(f"labels.yml: no label for {name} entry {i}")
        for i in labels:
            if i not in ids:
                raise KnowledgeError(f"labels.yml: label for unknown {name} entry {i}")
        raw = [{**e, "label": labels[e["id"]]} if isinstance(e, dict) else e for e in raw]
    out, seen = [], set()
    for i, entry in enumerate(raw):
        label = entry.get("id", f"#{i + 1}") if isinstance(entry, dict) else f"#{i + 1}"
        if not isinstance(entry, dict):
            raise KnowledgeError(f"{name}: entry {label}: must be a mapping")
        try:
            obj = model.parse_obj({**defaults, **entry})
        except ValidationError as e:
            err = e.errors()[0]
            field = ".".join(str(x) for x in err["loc"])
            raise KnowledgeError(f"{name}: entry {label}: field '{field}': {err['msg']}") from None
        if with_ids:
            if obj.id in seen:
                raise KnowledgeError(f"{name}: entry {label}: duplicate id")
            seen.add(obj.id)
        out.append(obj)
    return tuple(out)


def _one(name: str, data: dict, key: str, model: type[BaseModel]) -> Any:
    try:
        return model.parse_obj(data.get(key))
    except ValidationError as e:
        err = e.errors()[0]
        field = ".".join(str(x) for x in err["loc"])
        raise KnowledgeError(f"{name}: entry {key}: field '{field}': {err['msg']}") from None


def _labels(data: dict, key: str) -> dict[str, str]:
    names = data.get(key)
    if not isinstance(names, dict) or not all(isinstance(v, str) and v.strip() for v in names.values()):
        raise KnowledgeError(f"labels.yml: {key} must map each id to some text")
    return names


def _regime_names(data: dict) -> dict[str, str]:
    names = data.get("regimes")
    if not isinstance(names, dict) or set(names) != {"PCR2015", "PA2023", "PSR", "none"}:
        raise KnowledgeError("labels.yml: regimes must name PCR2015, PA2023, PSR and none")
    if not all(isinstance(n, str) and n.strip() for n in names.values()):
        raise KnowledgeError("labels.yml: every regime name must be some text")
    return dict(names)


def load_knowledge_from(directory: Path) -> Knowledge:
    raw = {name: _read(directory, name) for name in FILES}
    digest = hashlib.sha256()
    reviewed: list[date] = []
    for name in FILES:
        digest.update(name.encode())
        digest.update((directory / name).read_bytes())
        meta = raw[name].get("meta") or {}
        if not isinstance(meta.get("reviewed"), date):
            raise KnowledgeError(f"{name}: meta.reviewed must be a date")
        reviewed.append(meta["reviewed"])
    exemptions = _entries("exemptions.yml", raw["exemptions.yml"], Exemption)
    services = _entries("services.yml", raw["services.yml"], Service)
    ids = {s.id for s in services}
    for s in services:
        if s.exemption is not None and s.exemption not in {e.id for e in exemptions}:
            raise KnowledgeError(f"services.yml: entry {s.id}: field 'exemption': unknown exemption '{s.exemption}'")
        for other in s.ambiguous_with:
            if other not in ids:
                raise KnowledgeError(f"services.yml: entry {s.id}: field 'ambiguous_with': unknown entry '{other}'")
    undecided = _entries("cpv.yml", raw["cpv.yml"], UndecidedCode, key="undecided", with_ids=False)
    for u in undecided:
        for sid in u.candidates:
            if sid not in ids:
                raise KnowledgeError(f"cpv.yml: undecided {u.cpv[0]}: field 'candidates': unknown service '{sid}'")
    conditions = {c.id: c for c in _entries("conditions.yml", raw["conditions.yml"], Condition)}
    for name, model in (("routes.yml", Route), ("obligations.yml", Obligation)):
        for entry in raw[name].get("entries") or []:
            for need in (entry.get("needs") or []) if isinstance(entry, dict) else []:
                if need not in conditions:
                    raise KnowledgeError(f"{name}: entry {entry.get('id')}: field 'needs': unknown condition '{need}'")
    parameters = {p.id: p for p in _entries("parameters.yml", raw["parameters.yml"], Parameter)}
    for pid, kind in REQUIRED_PARAMETERS.items():
        if pid not in parameters:
            raise KnowledgeError(f"parameters.yml: entry {pid}: missing (the engine needs it)")
        if not isinstance(parameters[pid].value, kind):
            raise KnowledgeError(f"parameters.yml: entry {pid}: field 'value': must be a {'number' if kind is float else 'list'}")
    valuation_raw = raw["parameters.yml"].get("valuation") or {}
    valuation = {r: _one("parameters.yml", valuation_raw, r, ValuationRefs) for r in VALUATION_REGIMES}
    kb = Knowledge(
        dates={d.id: d for d in _entries("dates.yml", raw["dates.yml"], KeyDate)},
        thresholds=_entries("thresholds.yml", raw["thresholds.yml"], Threshold),
        parameters=parameters,
        valuation=valuation,
        regime_names=_regime_names(raw["labels.yml"]),
        out_of_scope={o.id: o for o in _entries("labels.yml", raw["labels.yml"], Scope, key="out_of_scope")},
        categories=_entries("cpv.yml", raw["cpv.yml"], Category, key="light_touch_categories",
                            labels=_labels(raw["labels.yml"], "categories")),
        reservable_pa2023=_one("cpv.yml", raw["cpv.yml"], "reservable_pa2023", CpvList),
        reservable_pcr=_one("cpv.yml", raw["cpv.yml"], "reservable_pcr", CpvList),
        psr=_one("cpv.yml", raw["cpv.yml"], "psr", CpvList),
        code_caveats=_entries("cpv.yml", raw["cpv.yml"], CodeCaveat, key="caveats", with_ids=False),
        undecided_codes=undecided,
        services=services,
        routes=_entries("routes.yml", raw["routes.yml"], Route, labels=_labels(raw["labels.yml"], "routes")),
        obligations=_entries("obligations.yml", raw["obligations.yml"], Obligation),
        conditions=conditions,
        faq=_entries("faq.yml", raw["faq.yml"], Faq),
        exemptions=exemptions,
        nations=_entries("nations.yml", raw["nations.yml"], Nation),
        not_for_profit_words=tuple(str(w).lower() for w in raw["exemptions.yml"].get("not_for_profit_words") or []),
        rules_version=f"{max(reviewed).isoformat()}+{digest.hexdigest()[:8]}",
    )
    return kb


@lru_cache(maxsize=1)
def load_knowledge() -> Knowledge:
    """The project's knowledge base, loaded and validated once per process."""
    return load_knowledge_from(KNOWLEDGE_DIR)
