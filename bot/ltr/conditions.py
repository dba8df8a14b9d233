"""The named conditions that obligations and routes list under `needs` (one registry for both).

Each condition answers yes or no for one case and says why in plain words; the why is what the trace and
"not open, because …" show. knowledge/conditions.yml lists the names with what each means and its
reference; `check_registry` (run when the knowledge loads) makes an unknown or unimplemented name a load
error, never a silent False. Figures and sets come from the knowledge (parameters.yml, thresholds.yml).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Optional

from .cpv_catalogue import cpv_in
from .knowledge import Knowledge, Threshold
from .model import Case, Profile
from .price import gbp
from .threshold import pick


@dataclass(frozen=True)
class Verdict:
    ok: bool
    why: str  # plain words, true either way: "the value, £40,000, is at or above the £30,000 notifiable figure"
    # When not ok, what would change that, for routes (reference §7: every route the case makes available):
    fix: str = ""  # the case fails, and the officer can change it: "shorten the term, extensions included, to 3 years"
    open_if: str = ""  # a fact is not known; the route is open if it holds: "a person (or their carer) has chosen …"


@dataclass
class Context:
    """The facts a condition may look at, settled before obligations and routes are chosen."""

    case: Case
    kb: Knowledge
    regime: str
    light_touch: bool
    above: Optional[bool]
    value_gbp: Optional[float]
    commenced: date
    profiles: list[Profile]
    codes: list[str]
    individual: bool  # the service is provided to a particular person (catalogue flag; True when not known)
    rnd: bool
    need: Callable[[str], None]  # records a fact that would change the answer
    _seen: dict[str, Verdict] = field(default_factory=dict)

    def check(self, name: str) -> Verdict:
        if name not in self._seen:
            self._seen[name] = CONDITIONS[name](self)
        return self._seen[name]

    def pick(self, regime: str, kind: str, on: date) -> Optional[Threshold]:
        return pick(self.kb, regime, kind, on)

    @property
    def utilities(self) -> bool:
        return self.case.utilities or self.case.buyer == "utility"


CONDITIONS: dict[str, Callable[[Context], Verdict]] = {}
RND_DIVISION = "73"  # CPV division 73: research and development services (the CPV list's own heading, not law)


def condition(name: str) -> Callable[[Callable[[Context], Verdict]], Callable[[Context], Verdict]]:
    def register(fn: Callable[[Context], Verdict]) -> Callable[[Context], Verdict]:
        CONDITIONS[name] = fn
        return fn
    return register


def _negate(name: str, positive: str) -> None:
    def fn(ctx: Context) -> Verdict:
        v = ctx.check(positive)
        return Verdict(not v.ok, v.why)
    CONDITIONS[name] = fn


def check_registry(kb_ids: set[str]) -> Optional[str]:
    """None when conditions.yml and this module name the same conditions; else what differs."""
    missing, extra = kb_ids - set(CONDITIONS), set(CONDITIONS) - kb_ids
    if missing:
        return f"no implementation for {sorted(missing)}"
    if extra:
        return f"implemented but not listed: {sorted(extra)}"
    return None


# ---- who buys, and which below-threshold rules apply ------------------------------------------------


@condition("school")
def _school(ctx: Context) -> Verdict:
    yes = ctx.case.buyer == "school"
    return Verdict(yes, "the buyer is a school" if yes else "the buyer is not a school")


_negate("not_school", "school")


@condition("part6")
def _part6(ctx: Context) -> Verdict:
    if ctx.regime != "PA2023":
        return Verdict(False, "Part 6 of the Act applies only to procurements under the Act")
    if ctx.case.buyer == "school":
        return Verdict(False, "Part 6 does not apply to schools (s.84(2))")
    if ctx.case.concession or ctx.utilities:
        return Verdict(False, "Part 6 does not apply to concessions or utilities contracts (s.84(1)(b))")
    return Verdict(True, "it is a regulated below-threshold contract, so Part 6 applies (s.84)")


@condition("outside_part6")
def _outside_part6(ctx: Context) -> Verdict:
    v = ctx.check("part6")
    return Verdict(ctx.regime == "PA2023" and not v.ok, v.why)


@condition("below_threshold_rules")
def _below_threshold_rules(ctx: Context) -> Verdict:
    """Below the threshold, a route built on the below-threshold rules needs those rules to apply."""
    if ctx.regime == "PA2023":
        return ctx.check("part6")
    return Verdict(True, "PCR 2015 Part 4 covers contracts below the threshold")


@condition("notifiable")
def _notifiable(ctx: Context) -> Verdict:
    central = ctx.case.buyer in ctx.kb.ids("central_buyers_PA2023")
    t = ctx.pick("PA2023", "notifiable_central" if central else "notifiable_sub_central",
                 max(ctx.commenced, ctx.kb.dates["act_start"].date))
    if ctx.value_gbp is None or t is None:
        return Verdict(True, "the value is not known, so it is treated as notifiable")
    yes = ctx.value_gbp >= t.amount_gbp
    return Verdict(yes, f"the value, {gbp(ctx.value_gbp)}, is {'at or above' if yes else 'below'} the "
                        f"{gbp(t.amount_gbp)} notifiable figure (s.87(4))")


@condition("pcr_chapter8")
def _pcr_chapter8(ctx: Context) -> Verdict:
    if ctx.regime != "PCR2015":
        return Verdict(False, "PCR Part 4 Chapter 8 applies only to PCR procurements")
    central = ctx.case.buyer in ctx.kb.ids("central_buyers_PCR2015") - ctx.kb.ids("pcr_floor_sub_central_buyers")
    floor = ctx.pick("PCR2015", "below_floor_central" if central else "below_floor_sub_central", ctx.commenced)
    health_nhs = any(p.psr for p in ctx.profiles) and ctx.case.buyer in ctx.kb.ids("nhs_bodies")
    if health_nhs:
        return Verdict(False, "Chapter 8 does not apply to NHS bodies buying health care services (reg 109)")
    if ctx.value_gbp is None or floor is None:
        return Verdict(False, "the value is not known")
    yes = ctx.value_gbp >= floor.amount_gbp
    return Verdict(yes, f"the value, {gbp(ctx.value_gbp)}, is {'at or above' if yes else 'below'} the "
                        f"{gbp(floor.amount_gbp)} floor for the Contracts Finder duties (reg 109(2))")


@condition("below_standard")
def _below_standard(ctx: Context) -> Verdict:
    if ctx.regime != "PCR2015" or ctx.value_gbp is None:
        return Verdict(False, "the value is not known")
    central = ctx.case.buyer in ctx.kb.ids("central_buyers_PCR2015")
    std = ctx.pick("PCR2015", "standard_central" if central else "standard_sub_central", ctx.commenced)
    if std is None:
        return Verdict(False, "no standard threshold applies on that date")
    yes = ctx.value_gbp < std.amount_gbp
    return Verdict(yes, f"the value, {gbp(ctx.value_gbp)}, is {'below' if yes else 'at or above'} the "
                        f"{gbp(std.amount_gbp)} standard threshold (reg 111)")


@condition("not_below_standard")
def _not_below_standard(ctx: Context) -> Verdict:
    v = ctx.check("below_standard")
    return Verdict(not v.ok and ctx.regime == "PCR2015" and ctx.value_gbp is not None, v.why)


@condition("over_5m")
def _over_5m(ctx: Context) -> Verdict:
    figure = ctx.kb.number("kpi_and_copy_figure_gbp")
    if ctx.value_gbp is None:
        return Verdict(True, f"the value is not known, so it may be over {gbp(figure)}")
    yes = ctx.value_gbp > figure
    return Verdict(yes, f"the value, {gbp(ctx.value_gbp)}, is {'over' if yes else 'not over'} {gbp(figure)}")


# ---- user choice, health care, reservation ------------------------------------------------------------


@condition("user_choice")
def _user_choice(ctx: Context) -> Verdict:
    if not ctx.individual:
        return Verdict(False, "the service is not provided to a particular person")
    if ctx.case.user_choice is None:
        ctx.need("whether a person (or their carer) has chosen a provider: a user choice direct award may be possible")
        return Verdict(False, "you have not said that a person (or their carer) has chosen a provider",
                       open_if="a person (or their carer) has chosen the provider")
    if not ctx.case.user_choice:
        return Verdict(False, "no person (or carer) has chosen a provider")
    if ctx.regime != "PA2023" or not ctx.light_touch:
        return Verdict(False, "user choice contracts exist only for light touch contracts under the Act")
    return Verdict(True, "a person (or their carer) has chosen a provider for a light touch service provided to them")


@condition("not_user_choice")
def _not_user_choice(ctx: Context) -> Verdict:
    yes = not (bool(ctx.case.user_choice) and ctx.regime == "PA2023" and ctx.light_touch)
    return Verdict(yes, "this is not a user choice award" if yes else "this is a user choice award")


@condition("psr_health")
def _psr_health(ctx: Context) -> Verdict:
    yes = (any(p.psr for p in ctx.profiles) and ctx.case.buyer in ctx.kb.ids("psr_relevant_authorities")
           and ctx.case.england)
    return Verdict(yes, "the service is a PSR health care service bought by a relevant authority" if yes
                   else "the service is not a PSR health care service")


_negate("not_psr_health", "psr_health")


@condition("pcr_pre2021")
def _pcr_pre2021(ctx: Context) -> Verdict:
    yes = (ctx.regime == "PCR2015" and ctx.commenced < ctx.kb.dates["treaty_end"].date
           and ctx.case.cross_border_interest != "no")
    year = ctx.kb.dates["treaty_end"].date.year
    return Verdict(yes, f"the procurement began before {year}" if yes else f"the procurement began in {year} or later")


@condition("mixed")
def _mixed(ctx: Context) -> Verdict:
    yes = len({p.light_touch for p in ctx.profiles}) > 1
    return Verdict(yes, "the contract mixes light touch and other services" if yes
                   else "the contract does not mix light touch and other services")


@condition("reservable")
def _reservable(ctx: Context) -> Verdict:
    if ctx.regime == "PCR2015":  # reg 77: only contracts exclusively for the listed codes; not NHS health care
        codes = ctx.codes or [p.cpv for p in ctx.profiles]
        if any(p.psr for p in ctx.profiles):
            return Verdict(False, "PCR reg 77 does not cover NHS health care services")
        yes = bool(codes) and all(cpv_in(c, ctx.kb.reservable_pcr.cpv) for c in codes)
        return Verdict(yes, "the services are on the PCR reg 77 list" if yes
                       else "PCR reg 77 covers only contracts exclusively for the listed services, and yours is not one")
    lt = [p for p in ctx.profiles if p.light_touch]
    yes = bool(lt) and all(p.reservable_pa2023 for p in lt)
    return Verdict(yes, "the services are reservable (marked R in PR24 Sch 1)" if yes
                   else "the services are not marked reservable (R) in PR24 Sch 1")


@condition("term_within_mutual_limit")
def _term_within_mutual_limit(ctx: Context) -> Verdict:
    limit = ctx.kb.number(f"mutual_max_years_{ctx.regime}") if ctx.regime in ("PCR2015", "PA2023") else None
    if limit is None:
        return Verdict(False, "reservation to mutuals exists only under PCR 2015 and the Act")
    ref = ctx.kb.parameters[f"mutual_max_years_{ctx.regime}"].ref
    term = ctx.case.term_years
    v = ctx.case.value
    if term is None and v is not None and v.years is not None:
        term = v.years + v.extension_years
    if term is None:
        ctx.need(f"the maximum term including extensions: reserving to a mutual needs {limit:g} years or less")
        return Verdict(False, f"the term is not known, and {ref} allows at most {limit:g} years",
                       open_if=f"the whole term, extensions included, is {limit:g} years or less ({ref})")
    if term <= limit:
        return Verdict(True, f"{ref} allows at most {limit:g} years; yours is {term:g}")
    return Verdict(False, f"the term, {term:g} years including extensions, is longer than the {limit:g} years {ref} allows",
                   fix=f"shorten the term, extensions included, to {limit:g} years")


@condition("rnd")
def _rnd(ctx: Context) -> Verdict:
    if ctx.rnd:
        return Verdict(True, "the service is research and development for public benefit")
    services = all(p.kind == "service" for p in ctx.profiles)
    if services and any(p.cpv.startswith(RND_DIVISION) for p in ctx.profiles):
        # Research and development services by their code: exempt only if for the public benefit, with no goods or works.
        return Verdict(False, "you have not said the research is for the public benefit",
                       open_if="the research and development is for the public benefit, with no goods or works in the contract")
    if services and "pilot" in ctx.case.aims:
        # A pilot may be research and development: the officer is told what would make it exempt.
        return Verdict(False, "you have not said the pilot is research and development",
                       open_if="the pilot is research and development of that kind")
    return Verdict(False, "the service is not research and development")
