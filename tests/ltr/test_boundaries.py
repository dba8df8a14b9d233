"""Every threshold at £1 below, at and £1 above; every date boundary on the day before, of and after.

The boundaries are read from the knowledge files, but every expected figure comes from the tables
below, typed by hand from the legal reference (§2.1-§2.4, §1, §3, §6.3). A knowledge entry whose
amount or VAT basis differs from the reference fails here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Optional

import pytest

from bot.ltr import Case, assess
from bot.ltr.knowledge import load_knowledge

AS_OF = date(2026, 11, 26)
PCR_START = date(2015, 2, 26)          # PCR reg 118: earlier procurements are PCR 2006 (out of scope)
ACT_START = date(2025, 2, 24)          # SI 2024/716 reg 2(2); PCR saving triggers must be before this day
THRESHOLDS_2026 = date(2026, 1, 1)     # SI 2025/1200
PCR_VAT_INCLUSIVE = date(2022, 1, 1)   # SI 2021/1221
PSR_START = date(2024, 1, 1)           # PSR reg 29
PIN_26_9_CUTOFF = date(2023, 5, 26)    # SI 2024/716 reg 5: reg 26(9) PIN before this day saves PCR
TREATY_END = date(2021, 1, 1)          # §6.3: cross-border interest only for PCR commenced before 2021
REFERENCE_DATES = [PCR_START, ACT_START, THRESHOLDS_2026, PCR_VAT_INCLUSIVE, PSR_START, PIN_26_9_CUTOFF, TREATY_END]

NET, INCL = "net", "inclusive"

# (regime, kind) -> [(from, amount, vat basis)], each period running to the next one's start.
# Typed from reference §2.1 (PCR LTR), §2.2 (PCR standard), §2.3 (Act Sch 1), §2.4 (below-threshold).
REFERENCE: dict[tuple[str, str], list[tuple[date, float, str]]] = {
    ("PCR2015", "light_touch"): [
        (date(2015, 2, 26), 625_050, NET), (date(2016, 1, 1), 589_148, NET), (date(2018, 1, 1), 615_278, NET),
        (date(2020, 1, 1), 663_540, NET), (date(2022, 1, 1), 663_540, INCL), (date(2024, 1, 1), 663_540, INCL)],
    ("PCR2015", "standard_sub_central"): [
        (date(2015, 2, 26), 172_514, NET), (date(2016, 1, 1), 164_176, NET), (date(2018, 1, 1), 181_302, NET),
        (date(2020, 1, 1), 189_330, NET), (date(2022, 1, 1), 213_477, INCL), (date(2024, 1, 1), 214_904, INCL)],
    ("PCR2015", "standard_central"): [
        (date(2015, 2, 26), 111_676, NET), (date(2016, 1, 1), 106_047, NET), (date(2018, 1, 1), 118_133, NET),
        (date(2020, 1, 1), 122_976, NET), (date(2022, 1, 1), 138_760, INCL), (date(2024, 1, 1), 139_688, INCL)],
    ("PCR2015", "below_floor_sub_central"): [(date(2015, 2, 26), 25_000, NET), (date(2022, 1, 1), 25_000, INCL)],
    ("PCR2015", "below_floor_central"): [(date(2015, 2, 26), 10_000, NET), (date(2022, 1, 1), 10_000, INCL)],
    ("PA2023", "light_touch"): [(ACT_START, 663_540, INCL), (THRESHOLDS_2026, 663_540, INCL)],
    ("PA2023", "light_touch_concession"): [(ACT_START, 5_372_609, INCL), (THRESHOLDS_2026, 5_372_609, INCL)],
    ("PA2023", "light_touch_utilities"): [(ACT_START, 884_720, INCL), (THRESHOLDS_2026, 884_720, INCL)],
    ("PA2023", "standard_sub_central"): [(ACT_START, 214_904, INCL), (THRESHOLDS_2026, 207_720, INCL)],
    ("PA2023", "standard_central"): [(ACT_START, 139_688, INCL), (THRESHOLDS_2026, 135_018, INCL)],
    ("PA2023", "utilities_other"): [(ACT_START, 429_809, INCL), (THRESHOLDS_2026, 415_440, INCL)],
    ("PA2023", "utilities_works"): [(ACT_START, 5_372_609, INCL), (THRESHOLDS_2026, 5_193_000, INCL)],
    ("PA2023", "concession_other"): [(ACT_START, 5_372_609, INCL), (THRESHOLDS_2026, 5_193_000, INCL)],
    ("PA2023", "works_other"): [(ACT_START, 5_372_609, INCL), (THRESHOLDS_2026, 5_193_000, INCL)],
    ("PA2023", "defence_security_works"): [(ACT_START, 5_372_609, INCL), (THRESHOLDS_2026, 5_193_000, INCL)],
    ("PA2023", "defence_security_concession"): [(ACT_START, 5_372_609, INCL), (THRESHOLDS_2026, 5_193_000, INCL)],
    ("PA2023", "defence_security_other"): [(ACT_START, 429_809, INCL), (THRESHOLDS_2026, 415_440, INCL)],
    ("PA2023", "notifiable_central"): [(ACT_START, 12_000, INCL)],
    ("PA2023", "notifiable_sub_central"): [(ACT_START, 30_000, INCL)],
}
# Figures the reference itself marks UNVERIFIED (§2.2): the engine must caveat them.
UNVERIFIED = {("PCR2015", "standard_central", date(2015, 2, 26)), ("PCR2015", "standard_central", date(2018, 1, 1))}
REGIME_END = {"PCR2015": ACT_START - timedelta(days=1), "PA2023": None}


def reference_figure(regime: str, kind: str, day: date) -> Optional[tuple[float, str, date]]:
    """(amount, vat basis, period start) the reference gives for `day`, or None outside its tables."""
    periods = REFERENCE.get((regime, kind))
    if not periods or day < periods[0][0]:
        return None
    end = REGIME_END[regime]
    if end is not None and day > end:
        return None
    chosen = None
    for start, amount, basis in periods:
        if day >= start:
            chosen = (amount, basis, start)
    return chosen


# ------------------------------------------------------------------ knowledge entries vs the reference

KB = load_knowledge()
ENTRIES = list(KB.thresholds)


def _from(entry: Any) -> date:
    return getattr(entry, "from_", None) or getattr(entry, "from")


def _ids(entries: list[Any]) -> list[str]:
    return [e.id for e in entries]


@pytest.mark.parametrize("entry", ENTRIES, ids=_ids(ENTRIES))
def test_knowledge_threshold_matches_reference(entry):
    start, end = _from(entry), entry.to
    periods = REFERENCE.get((entry.regime, entry.kind))
    assert periods, f"{entry.id}: the reference tables in this test have no ({entry.regime}, {entry.kind})"
    # every reference period the entry spans must carry the entry's figure and VAT basis
    probe_days = [start] + [p[0] for p in periods if p[0] > start and (end is None or p[0] <= end)]
    for day in probe_days:
        ref = reference_figure(entry.regime, entry.kind, day)
        assert ref is not None, f"{entry.id}: starts {start}, before the reference has a figure"
        amount, basis, _ = ref
        assert entry.amount_gbp == amount, f"{entry.id} on {day}: knowledge £{entry.amount_gbp:,.0f}, reference £{amount:,.0f}"
        assert entry.vat_basis == basis, f"{entry.id} on {day}: knowledge VAT basis {entry.vat_basis}, reference {basis}"
    assert bool(entry.ref), f"{entry.id}: empty ref"


@pytest.mark.parametrize("key", list(REFERENCE), ids=[f"{r}-{k}" for r, k in REFERENCE])
def test_every_reference_period_is_in_the_knowledge(key):
    regime, kind = key
    if kind.startswith(("defence", "works", "utilities_works")):
        pytest.skip("not needed for a borough's services contracts; checked only if the knowledge holds it")
    for start, amount, basis in REFERENCE[key]:
        covering = [e for e in ENTRIES if e.regime == regime and e.kind == kind
                    and _from(e) <= start and (e.to is None or e.to >= start)]
        assert len(covering) == 1, f"{regime} {kind} from {start}: {len(covering)} knowledge entries cover it"


def test_unverified_reference_figures_are_not_marked_verified():
    for e in ENTRIES:
        if (e.regime, e.kind, _from(e)) in UNVERIFIED:
            assert e.verified is False, f"{e.id}: the reference marks this figure UNVERIFIED"


# ------------------------------------------------------------------ building cases

LT_SERVICE = {"service": "home care", "cpv": ["85312000"]}             # PR24 Sch 1 / PCR Sch 3, not PSR
IT_SERVICE = {"service": "IT support services", "cpv": ["72250000"]}   # not light touch (§4.3)
CAR_PARK = {"service": "car park management", "cpv": ["98351000"]}     # not light touch
PSR_SERVICE = {"service": "community health services", "cpv": ["85323000"], "health_service_purpose": True}

KIND_CASE: dict[str, dict[str, Any]] = {
    "light_touch": {**LT_SERVICE},
    "light_touch_concession": {**LT_SERVICE, "concession": True},
    "light_touch_utilities": {**LT_SERVICE, "utilities": True, "buyer": "utility"},
    "standard_sub_central": {**IT_SERVICE},
    "standard_central": {**IT_SERVICE, "buyer": "central"},
    "utilities_other": {**IT_SERVICE, "utilities": True, "buyer": "utility"},
    "concession_other": {**CAR_PARK, "concession": True},
}
FLOOR_CASE: dict[str, dict[str, Any]] = {
    "below_floor_sub_central": {**LT_SERVICE},
    "below_floor_central": {"service": "training services", "cpv": ["80500000"], "buyer": "central"},
    "notifiable_sub_central": {**LT_SERVICE},
    "notifiable_central": {"service": "training services", "cpv": ["80500000"], "buyer": "central"},
}


def event_for(day: date, boundary: Optional[date] = None) -> str:
    # Around the Act's start the same PCR event is used on all three days, so only the date differs.
    if boundary == ACT_START or day < ACT_START:
        return "pcr_contract_notice"
    return "tender_notice"


def run(case: dict[str, Any], as_of: date = AS_OF) -> dict[str, Any]:
    return assess(Case.from_dict(case), as_of=as_of).to_dict()


def fmt(result: dict[str, Any]) -> str:
    keys = ("regime", "light_touch", "above_threshold", "threshold_gbp", "estimated_value_gbp", "cross_border_interest")
    return str({k: result.get(k) for k in keys})


# ------------------------------------------------------------------ £1 below / at / £1 above every threshold


@dataclass(frozen=True)
class ValueProbe:
    entry_id: str
    regime: str
    kind: str
    day: date
    figure: float          # the amount compared with the threshold, in the entry's VAT basis
    given: float           # what the officer types
    vat: str
    expect_above: bool

    @property
    def label(self) -> str:
        return f"{self.entry_id} {self.kind} £{self.figure:,.0f} vat={self.vat}"


def value_probes() -> list[ValueProbe]:
    probes = []
    for e in ENTRIES:
        if e.kind not in KIND_CASE:
            continue
        ref = reference_figure(e.regime, e.kind, _from(e))
        if ref is None:
            continue
        amount, basis, _ = ref
        for delta in (-1, 0, 1):
            figure = amount + delta
            variants = [(figure, "included")] if basis == INCL else [(figure, "excluded"), (round(figure * 1.2, 2), "included")]
            for given, vat in variants:
                probes.append(ValueProbe(e.id, e.regime, e.kind, _from(e), figure, given, vat, delta >= 0))
    return probes


VALUE_PROBES = value_probes()


@pytest.mark.parametrize("probe", VALUE_PROBES, ids=[p.label for p in VALUE_PROBES])
def test_threshold_value_boundary(probe: ValueProbe):
    case = {**KIND_CASE[probe.kind], "value": {"total_gbp": probe.given}, "vat": probe.vat,
            "commenced": probe.day.isoformat(), "commencement_event": event_for(probe.day)}
    result = run(case)
    amount = reference_figure(probe.regime, probe.kind, probe.day)[0]
    where = f"{probe.label} on {probe.day}: {fmt(result)}"
    assert result["regime"] == probe.regime, where
    assert result["threshold_gbp"] == pytest.approx(amount, abs=0.01), where
    assert result["estimated_value_gbp"] == pytest.approx(probe.figure, abs=0.01), where
    assert result["above_threshold"] is probe.expect_above, where
    if (probe.regime, probe.kind, probe.day) in UNVERIFIED:
        assert result["warnings"], f"{where}: figure is UNVERIFIED in the reference but no warning was given"


def floor_entries() -> list[Any]:
    return [e for e in ENTRIES if e.kind in FLOOR_CASE]


@pytest.mark.parametrize("entry", floor_entries(), ids=_ids(floor_entries()))
def test_below_threshold_floor(entry, ltr_text):
    """At the notifiable figure (Act s.87) / the Contracts Finder floor (PCR reg 109) duties appear."""
    ref = reference_figure(entry.regime, entry.kind, _from(entry))
    assert ref is not None
    amount, basis, _ = ref
    # PCR reg 1(6): regs 110 and 112 applied to non-Crown bodies only from 1 April 2015.
    day = max(_from(entry), date(2015, 4, 1))
    vat = "included" if basis == INCL else "excluded"
    event = "contracts_finder_advert" if entry.regime == "PCR2015" else "below_threshold_tender_notice"
    results = {}
    for delta in (-1, 0, 1):
        case = {**FLOOR_CASE[entry.kind], "value": {"total_gbp": amount + delta}, "vat": vat,
                "commenced": day.isoformat(), "commencement_event": event}
        results[delta] = run(case)
        assert results[delta]["regime"] == entry.regime, fmt(results[delta])
        assert results[delta]["above_threshold"] is False, fmt(results[delta])
        assert results[delta]["estimated_value_gbp"] == pytest.approx(amount + delta, abs=0.01)
    ids = {d: sorted(o["id"] for o in r["obligations"]) for d, r in results.items()}
    assert ids[-1] != ids[0], f"{entry.id}: nothing changes at £{amount:,.0f} (obligations {ids[0]})"
    assert ids[0] == ids[1], f"{entry.id}: obligations differ between £{amount:,.0f} and £1 more"
    needle = "s.87" if entry.regime == "PA2023" else "reg 112"
    for d in (0, 1):
        assert not ltr_text.missing(ltr_text.output(results[d]), [needle]), \
            f"{entry.id} at £{amount + d:,.0f}: {needle} not mentioned"


# ------------------------------------------------------------------ the day before, of and after every date boundary


def boundary_dates() -> list[date]:
    days = set(REFERENCE_DATES)
    for e in ENTRIES:
        days.add(_from(e))
        if e.to is not None:
            days.add(e.to + timedelta(days=1))
    for d in getattr(KB, "dates", {}).values():
        days.add(d.date)
    return sorted(days)


@dataclass(frozen=True)
class DayProbe:
    boundary: date
    day: date
    probe: str

    @property
    def label(self) -> str:
        offset = {-1: "day-before", 0: "day-of", 1: "day-after"}[(self.day - self.boundary).days]
        return f"{self.boundary} {offset} {self.probe}"


DAY_PROBE_KINDS = ["light_touch", "standard_sub_central", "standard_central", "light_touch_concession",
                   "light_touch_utilities", "psr", "pcr_pin_26_9", "cross_border"]
PROBE_TOTAL = {"light_touch": 720_000, "standard_sub_central": 240_000, "standard_central": 150_000,
               "light_touch_concession": 6_000_000, "light_touch_utilities": 900_000}


def regime_on(day: date) -> str:
    return "PCR2015" if day < ACT_START else "PA2023"


def day_probes() -> list[DayProbe]:
    out = []
    for b in boundary_dates():
        for offset in (-1, 0, 1):
            day = b + timedelta(days=offset)
            if day < PCR_START:
                continue  # PCR 2006 territory: outside the reference
            for kind in DAY_PROBE_KINDS:
                if kind in PROBE_TOTAL and reference_figure(regime_on(day), kind, day) is None:
                    continue  # e.g. no light touch concession figure under PCR 2015 in the reference
                out.append(DayProbe(b, day, kind))
    return out


DAY_PROBES = day_probes()


@pytest.mark.parametrize("p", DAY_PROBES, ids=[p.label for p in DAY_PROBES])
def test_date_boundary(p: DayProbe):
    day, event = p.day, event_for(p.day, p.boundary)
    base = {"commenced": day.isoformat(), "commencement_event": event}

    if p.probe == "psr":
        # PSR from 1 Jan 2024 for a borough's NHS-purpose community health services, whatever else applies.
        result = run({**PSR_SERVICE, **base, "value": {"total_gbp": 900_000}, "vat": "exempt"})
        want = "PSR" if day >= PSR_START else "PCR2015"
        assert result["regime"] == want, f"{p.label}: {fmt(result)}"
        if want == "PSR":
            assert result["above_threshold"] is None, f"{p.label}: PSR has no threshold; {fmt(result)}"
        return

    if p.probe == "pcr_pin_26_9":
        # A sub-central reg 26(9) PIN saves PCR only if submitted before 26 May 2023 (SI 2024/716 reg 5).
        result = run({**IT_SERVICE, "commenced": day.isoformat(), "commencement_event": "pcr_pin",
                      "value": {"total_gbp": 500_000}, "vat": "included"})
        want = "PCR2015" if day < PIN_26_9_CUTOFF else "PA2023"
        assert result["regime"] == want, f"{p.label}: {fmt(result)}"
        return

    if p.probe == "cross_border":
        result = run({**LT_SERVICE, **base, "value": {"total_gbp": 900_000}, "vat": "exempt"})
        want = "assess" if regime_on(day) == "PCR2015" and day < TREATY_END else "not_a_test"
        assert str(result["cross_border_interest"]).startswith(want), f"{p.label}: {fmt(result)}"
        return

    regime = regime_on(day)
    ref = reference_figure(regime, p.probe, day)
    if ref is None:
        pytest.skip(f"the reference has no {p.probe} figure under {regime}")
    amount, basis, _ = ref
    total = PROBE_TOTAL[p.probe]
    result = run({**KIND_CASE[p.probe], **base, "value": {"total_gbp": total}, "vat": "included"})
    compared = total / 1.2 if basis == NET else total
    where = f"{p.label} ({regime}, £{amount:,.0f} {basis}): {fmt(result)}"
    assert result["regime"] == regime, where
    assert result["threshold_gbp"] == pytest.approx(amount, abs=0.01), where
    assert result["estimated_value_gbp"] == pytest.approx(compared, abs=0.01), where
    assert result["above_threshold"] is (compared >= amount), where


# ------------------------------------------------------------------ who the below-threshold figures apply to

BUYER_FLOORS = [
    # (label, regime day, event, extra case fields, figure, does something change at the figure?)
    ("PCR NHS trust uses the £25k floor, not £10k (reg 109)", date(2024, 6, 1), "contracts_finder_advert",
     {"buyer": "nhs_trust"}, 25_000, True),
    ("PCR NHS trust: nothing starts at £10k (reg 109)", date(2024, 6, 1), "contracts_finder_advert",
     {"buyer": "nhs_trust"}, 10_000, False),
    ("Act NHS trust is central: notifiable from £12k (s.87(4), PR24 Sch 2)", date(2026, 4, 1), None,
     {"buyer": "nhs_trust"}, 12_000, True),
    ("Act NHS foundation trust is central: notifiable from £12k", date(2026, 4, 1), None,
     {"buyer": "nhs_foundation_trust"}, 12_000, True),
    ("Act NHS England is central: notifiable from £12k", date(2026, 4, 1), None,
     {"buyer": "nhs_england"}, 12_000, True),
    ("Act borough: nothing starts at £12k", date(2026, 4, 1), None, {}, 12_000, False),
    ("Act school: Part 6 does not apply, so nothing starts at £30k (s.84(2))", date(2026, 4, 1), None,
     {"buyer": "school"}, 30_000, False),
    ("Act concession: outside Part 6, so nothing starts at £30k (s.84(1)(b))", date(2026, 4, 1), None,
     {"concession": True}, 30_000, False),
    ("Act utilities contract: outside Part 6, so nothing starts at £30k (s.84(1))", date(2026, 4, 1), None,
     {"utilities": True, "buyer": "utility"}, 30_000, False),
]


@pytest.mark.parametrize("label, day, event, extra, figure, changes", BUYER_FLOORS, ids=[b[0] for b in BUYER_FLOORS])
def test_who_the_below_threshold_figures_apply_to(label, day, event, extra, figure, changes):
    ids = {}
    for delta in (-1, 0):
        case = {**LT_SERVICE, **extra, "value": {"total_gbp": figure + delta}, "vat": "included",
                "commenced": day.isoformat()}
        if event:
            case["commencement_event"] = event
        result = run(case)
        assert result["above_threshold"] is False, f"{label}: {fmt(result)}"
        ids[delta] = sorted(o["id"] for o in result["obligations"])
    if changes:
        assert ids[-1] != ids[0], f"{label}: obligations are the same either side of £{figure:,}: {ids[0]}"
    else:
        assert ids[-1] == ids[0], f"{label}: obligations change at £{figure:,}: {ids[-1]} -> {ids[0]}"


# ---- the other legal parameters (parameters.yml), typed from the reference -----------------------------------
# §3.2 reg 6(19): 48 months; §5.1 reg 77: 3 years; §5.2 s.33: 5 years; §5.2 s.52/s.53: £5 million;
# §2.3: NHS trusts, foundation trusts and NHS England are central under the Act; §2.2: NHS Trusts central under PCR.
REFERENCE_PARAMETERS = {
    "pcr_no_total_price_months": 48,
    "mutual_max_years_PCR2015": 3,
    "mutual_max_years_PA2023": 5,
    "kpi_and_copy_figure_gbp": 5_000_000,
}
REFERENCE_SETS = {
    "central_buyers_PA2023": {"central", "nhs_trust", "nhs_foundation_trust", "nhs_england"},
    "central_buyers_PCR2015": {"central", "nhs_trust", "nhs_england"},
    "psr_relevant_authorities": {"sub_central", "icb", "nhs_trust", "nhs_foundation_trust", "nhs_england"},
}


@pytest.mark.parametrize("pid, figure", sorted(REFERENCE_PARAMETERS.items()))
def test_legal_parameter_matches_the_reference(pid, figure):
    assert load_knowledge().number(pid) == figure


@pytest.mark.parametrize("pid, members", sorted(REFERENCE_SETS.items()))
def test_legal_set_matches_the_reference(pid, members):
    assert load_knowledge().ids(pid) == members


@pytest.mark.parametrize("years, open_", [(3, True), (3.5, False)])
def test_pcr_mutual_limit_boundary(years, open_):
    case = {"service": "home care", "cpv": ["85312000"], "aims": ["mutual"], "term_years": years,
            "value": {"total_gbp": 900000}, "vat": "exempt", "commenced": "2024-06-01", "commencement_event": "pcr_contract_notice"}
    a = assess(Case.from_dict(case), AS_OF)
    assert ("R-MUTUAL" in [r.id for r in a.routes]) is open_
    assert ("R-MUTUAL" in [r.id for r in a.routes_not_open]) is not open_
