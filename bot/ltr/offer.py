"""Obligations and routes for a settled case (reference §5-§7): which apply, in what order, and why.

Every obligation and route offered gets a trace step saying why. Every route the case makes available is
listed, whether or not the officer named it; a route the officer asked about (Case.aims), or one whose
condition the case fails but could meet, is listed in `not_open` as "not open, because …" with the fix. Obligations come most important first,
by the `priority` field of obligations.yml (file order breaks ties).
"""
from __future__ import annotations

from typing import Callable, Optional, Sequence

from .conditions import Context, Verdict
from .knowledge import Knowledge, applies_to
from .model import Item

StepFn = Callable[[str, str, str], None]
WarnFn = Callable[[str, str, str, str], None]


def _side(above: Optional[bool]) -> str:
    return "above the threshold" if above else "below the threshold" if above is False else "whatever the value"


def _kind(lt: bool) -> str:
    return "a light touch contract" if lt else "a contract that is not light touch"


def _why_open(ctx: Context) -> str:
    names = ctx.kb.regime_names
    if ctx.regime == "PSR":
        return f"the {names['PSR']} applies"
    if ctx.regime == "none":
        return "the contract is exempt"
    return f"this is {_kind(ctx.light_touch)} {_side(ctx.above)} under the {names[ctx.regime]}"


def _why_closed(applies: list[str], ctx: Context) -> str:
    """Why a REGIME/CONTRACT/VALUE list does not cover this case, in words."""
    regime, lt, above, names = ctx.regime, ctx.light_touch, ctx.above, ctx.kb.regime_names
    mine = [a.split("/") for a in applies if a.startswith(regime + "/")]
    if not mine:
        where = sorted({names[a.split("/")[0]] for a in applies})
        return f"it exists only under the {' and the '.join(where)}"
    if not any(c == "any" or (c == "lt") == lt for _, c, _ in mine):
        return "it is only for light touch contracts" if not lt else "it is not for light touch contracts"
    if above is None:
        return "it depends on the value, which is not known"
    return "it is only for contracts " + ("below" if above else "above") + " the threshold"


def _needs(names: list[str], ctx: Context) -> tuple[bool, list[Verdict]]:
    """All met, and the verdicts up to the first that is not: a condition after a failed one is not asked
    (a service that cannot be reserved needs no question about the term)."""
    verdicts: list[Verdict] = []
    for n in names:
        verdicts.append(ctx.check(n))
        if not verdicts[-1].ok:
            return False, verdicts
    return True, verdicts


def obligations(kb: Knowledge, ctx: Context, step: StepFn, warn: WarnFn) -> list[Item]:
    chosen = []
    why = _why_open(ctx)
    for o in kb.obligations:
        if not applies_to(o.applies, ctx.regime, ctx.light_touch, ctx.above):
            continue
        met, verdicts = _needs(o.needs, ctx)
        if not met:
            continue
        reasons = "; ".join([why] + [v.why for v in verdicts])
        step(f"T-DUTY-{o.id}", f"{o.text} This applies because {reasons}.", o.ref)
        chosen.append((o.priority, o))
        if not o.verified:
            warn(f"W-{o.id}", f"This duty is not confirmed: {o.text}", o.ref, o.source)
    chosen.sort(key=lambda t: t[0])  # stable: file order breaks ties
    return [Item(o.id, o.text, o.ref, o.verified, o.source) for _, o in chosen]


def routes(kb: Knowledge, ctx: Context, step: StepFn, warn: WarnFn) -> tuple[list[Item], list[Item]]:
    """(routes open, routes not open): every route the case makes available, named by the officer or not.

    Open: the route covers this regime, contract and side of the threshold, and its conditions hold, or hold
    if a fact not yet given is true (then it is open "only if" that fact holds). Not open, because …: a route
    the officer asked about (Case.aims), or one whose condition the case fails in a way the officer can change
    (a term longer than a reservation allows), with the change that would open it."""
    aims = set(ctx.case.aims)
    open_, closed = [], []
    regime_name = kb.regime_names[ctx.regime]
    why_open = _why_open(ctx)
    for r in kb.routes:
        asked = bool(aims) and bool(aims.intersection(r.aims))
        ok = applies_to(r.applies, ctx.regime, ctx.light_touch, ctx.above)
        if not ok and not asked:
            continue
        ref = r.ref_for(ctx.regime) or r.ref_pa or r.ref_pcr or r.ref_psr or ""
        why = why_open if ok else _why_closed(r.applies, ctx)
        verdicts: list[Verdict] = []
        failed: Optional[Verdict] = None
        if ok:
            ok, verdicts = _needs(r.needs, ctx)
            if not ok:
                failed = verdicts[-1]
                why = failed.why
        if ok or (failed is not None and failed.open_if):
            verified = r.verified_for(ctx.regime)
            reasons = "; ".join([why_open] + [v.why for v in verdicts if v.ok])
            condition = failed.open_if if failed is not None else ""
            only_if = f" Open only if {condition}." if condition else ""
            open_.append(Item(r.id, f"{r.label}: {r.text}{only_if}", ref, verified, r.source, label=r.label,
                              condition=condition))
            if failed is not None:
                step(f"T-OPEN-{r.id}", f"{r.label}: open if {failed.open_if}, because {reasons}.", ref)
            else:
                step(f"T-OPEN-{r.id}", f"{r.label}: open, because {reasons}.", ref)
            if not verified:
                warn(f"W-{r.id}", f"The exact legal basis for '{r.label.lower()}' under the {regime_name} is not confirmed.",
                     ref, r.source)
        elif asked or (failed is not None and failed.fix):
            fix = f"; {failed.fix} to use it" if failed is not None and failed.fix else ""
            item = Item(r.id, f"{r.label}: not open, because {why}{fix}.", ref, r.verified_for(ctx.regime), r.source,
                        label=r.label)
            closed.append(item)
            step(f"T-NOT-OPEN-{r.id}", item.text, ref)
    return open_, closed


def answered(kb: Knowledge, aims: Sequence[str], open_: list[Item], closed: list[Item]) -> list[str]:
    """The answer to each route the officer asked about (Case.aims): not open because …, open, or open only if …."""
    asked = {r.id for r in kb.routes if set(aims) & set(r.aims)}
    out = [i.text for i in closed if i.id in asked]
    for r in open_:
        if r.id in asked:
            out.append(f"{r.label}: open only if {r.condition}." if r.condition else f"{r.label}: open.")
    return out
