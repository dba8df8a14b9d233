"""Plain-text rendering of an Assessment, for chat replies and the `ltr` command.

Content comes only from the Assessment; this module decides wording and order, nothing legal.
"""
from __future__ import annotations

from typing import Iterable

from bot.ltr.model import Assessment, Item
from bot.ltr.value import gbp as pounds

REGIME_NAMES = {
    "PCR2015": "Public Contracts Regulations 2015 (light touch regime, regs 74-77)",
    "PA2023": "Procurement Act 2023",
    "PSR": "Health Care Services (Provider Selection Regime) Regulations 2023",
    "none": "None: the contract is outside the procurement rules",
}
TOP_ROUTES = 4
TOP_OBLIGATIONS = 4
# Routes that are specific to light touch contracts come first: they are what the officer gains.
LT_SPECIFIC = ("R-USERCHOICE", "R-MUTUAL", "R-BESPOKE", "R-COPRODUCE", "R-NOMINTIME", "R-LT-FRAMEWORK", "R-PROCMOD",
               "R-PROXIMITY", "R-MOD-LT", "R-PSR-DA-C", "R-PSR-MSP", "R-PSR-COMP", "R-BELOW-PROPORTIONATE", "R-PILOT-BELOW")


def gbp(x: float | None) -> str:
    return "not known" if x is None else pounds(x)


def _bullets(items: Iterable[str]) -> list[str]:
    return [f"- {i}" for i in items]


def _item(i: Item) -> str:
    return f"{i.text} ({i.ref})"


def ranked_routes(a: Assessment) -> list[Item]:
    order = {rid: n for n, rid in enumerate(LT_SPECIFIC)}
    return sorted(a.routes, key=lambda r: order.get(r.id, len(order)))


def value_line(a: Assessment) -> str:
    if a.threshold_gbp is None:
        return f"Estimated value: {gbp(a.estimated_value_gbp)}. No value threshold applies."
    return f"Threshold: {gbp(a.threshold_gbp)} including VAT. Estimated whole-life value: {gbp(a.estimated_value_gbp)}."


def footer(a: Assessment) -> str:
    return f"Rules version {a.rules_version}, applied on {a.as_of.isoformat()}."


def render_assessment(a: Assessment, full: bool = False) -> str:
    """The reply to an assessment: short by default (chat), everything with full=True (CLI, records)."""
    if a.status == "needs_input":
        lines = [a.answer]
        lines += _bullets(c.label for c in a.candidates)
        return "\n".join(lines)
    lines = [a.answer, "", f"Rules: {REGIME_NAMES.get(a.regime or 'none', a.regime)}.", value_line(a)]
    routes = ranked_routes(a)
    if routes:
        lines += ["", "Options open to you:"]
        shown = routes if full else routes[:TOP_ROUTES]
        lines += _bullets(f"{r.text.split(':')[0]} ({r.ref})" for r in shown)
        if len(routes) > len(shown):
            lines.append(f"- and {len(routes) - len(shown)} more (ask 'tell me more about the options').")
    if full and a.obligations:
        lines += ["", "What you must still do:"] + _bullets(_item(o) for o in a.obligations)
    elif a.obligations:
        lines += ["", "What you must still do (first steps):"] + _bullets(_item(o) for o in a.obligations[:TOP_OBLIGATIONS])
    if a.warnings:
        lines += ["", "Caveats:"] + _bullets(w.text for w in a.warnings)
    if a.assumptions:
        lines += ["", "Assumptions:"] + _bullets(a.assumptions)
    if full and a.missing:
        lines += ["", "What would change the answer:"] + _bullets(a.missing)
    if full:
        lines += ["", "How this was decided:"] + _bullets(_item(t) for t in a.trace)
    lines += ["", footer(a)]
    return "\n".join(lines)


def render_obligations(a: Assessment) -> str:
    if not a.obligations:
        return "There are no procurement duties for this contract beyond your standing orders.\n" + footer(a)
    return "\n".join(["What you must still do:"] + _bullets(_item(o) for o in a.obligations) + ["", footer(a)])


def render_routes(a: Assessment) -> str:
    if not a.routes:
        return "No flexibility or innovation routes apply to this contract.\n" + footer(a)
    return "\n".join(["Options open to you:"] + _bullets(_item(r) for r in ranked_routes(a)) + ["", footer(a)])


def render_route(a: Assessment, route_id: str) -> str | None:
    r = next((r for r in a.routes if r.id == route_id), None)
    if r is None:
        return None
    caveat = "" if r.verified else "\nThis legal basis is not confirmed: check with your legal team."
    return f"{r.text}\nLegal basis: {r.ref}.{caveat}"


def render_missing(a: Assessment) -> str:
    if not a.missing:
        return "Nothing I know of would change this answer, on the facts you gave.\n" + footer(a)
    return "\n".join(["These would change, or firm up, the answer:"] + _bullets(a.missing) + ["", footer(a)])


def render_references(a: Assessment) -> str:
    seen: list[str] = []
    for i in [*a.trace, *a.obligations, *a.routes, *a.warnings]:
        if i.ref and i.ref not in seen:
            seen.append(i.ref)
    return "\n".join(["Legal references used:"] + _bullets(seen) + ["", footer(a)])
