"""Plain-text rendering of an Assessment: the chat-sized answer (`render_answer`), the full text for the
`ltr` command (`render_assessment`) and the replies to follow-up questions.

Content comes only from the Assessment (names included: `regime_name`); this module decides wording
and order, nothing legal. The "not legal advice" note (`DISCLAIMER`) is placed by the caller: once per
conversation in chat, on every answer card.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Mapping, Optional, Sequence

from bot.ltr import load_knowledge
from bot.ltr.model import Assessment, Item
from bot.ltr.price import gbp as pounds

# A chat answer shows the three consequences that matter most; the rest is one question away.
TOP_CONSEQUENCES = 3
LEGAL_TEAM = "Check with your legal team: "
# Routes that are specific to light touch contracts come first: they are what the officer gains.
LT_SPECIFIC = ("R-USERCHOICE", "R-MUTUAL", "R-BESPOKE", "R-COPRODUCE", "R-NOMINTIME", "R-LT-FRAMEWORK", "R-PROCMOD",
               "R-PROXIMITY", "R-MOD-LT", "R-PSR-DA-C", "R-PSR-MSP", "R-PSR-COMP", "R-BELOW-PROPORTIONATE", "R-PILOT-BELOW")
# Follow-up questions the assistant understands (data/nlu/followups.yml), offered when they have more to say.
ASK_DUTIES = "what must we still do?"
ASK_OPTIONS = "what are our options?"
ASK_CHANGE = "what would change the answer?"
ASK_REFERENCES = "show the legal references"
# Said once per conversation in plain-text channels, and on every answer card (Slack, Teams).
DISCLAIMER = ("This is information to help you plan, not legal advice. Check important decisions with your "
              "legal team.")


def gbp(x: float | None) -> str:
    return "not known" if x is None else pounds(x)


def long_date(d: date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


def _bullets(items: Iterable[str]) -> list[str]:
    return [f"- {i}" for i in items]


def checked(i: Item, text: str) -> str:
    """Anything the reference could not confirm reaches the officer as a legal-team caveat."""
    return text if i.verified or "legal team" in text else LEGAL_TEAM + text


def item_line(i: Item) -> str:
    return checked(i, f"{i.text} ({i.ref})" if i.ref else i.text)


def route_title(r: Item) -> str:
    """A route's text is "Title: what it means"; a list shows the title, with the fact it rests on when the route is
    open only if that fact holds ("Reserve the contract to public service mutuals, only if the whole term … ")."""
    title = r.text.split(":")[0]
    return f"{title}, only if {r.condition}" if r.condition else title


def ranked_routes(a: Assessment) -> list[Item]:
    """Routes the officer asked about (Case.aims) first, then those open outright before those open only if a fact
    not given holds, each in turn those specific to light touch contracts first."""
    order = {rid: n for n, rid in enumerate(LT_SPECIFIC)}
    asked = _asked_routes(a)
    return sorted(a.routes, key=lambda r: (r.id not in asked, bool(r.condition), order.get(r.id, len(order))))


def _asked_routes(a: Assessment) -> set[str]:
    aims = set(a.case.aims) if a.case else set()
    if not aims:
        return set()
    return {r.id for r in load_knowledge().routes if aims.intersection(r.aims)}


def rules_updated(rules_version: str) -> str:
    """The date the rules were last reviewed, in words: the part of the version before its content hash
    ("2026-12-03+41d9bf9b" -> "3 December 2026"). Officers see this date, never the hash."""
    head = str(rules_version or "").split("+")[0]
    try:
        return long_date(date.fromisoformat(head))
    except ValueError:
        return "not stated"


def footer(a: Assessment) -> str:
    return f"Rules last updated {rules_updated(a.rules_version)}, applied on {long_date(a.as_of)}."


def regime_line(a: Assessment) -> str:
    return f"Rules: {a.regime_name}." if a.regime_name else "Rules: none that this tool covers."


def value_line(a: Assessment) -> str:
    basis = {"inclusive": " including VAT", "net": " excluding VAT"}.get(a.vat_basis or "", "")
    if a.threshold_gbp is None:
        return f"Estimated value: {gbp(a.estimated_value_gbp)}. No value threshold applies."
    return f"Threshold: {gbp(a.threshold_gbp)}{basis}. Estimated whole-life value: {gbp(a.estimated_value_gbp)}."


# ---- the chat-sized answer ---------------------------------------------------------------------


def render_answer(a: Assessment, understood: Sequence[Mapping[str, Any]], changed: Optional[str]) -> list[str]:
    """The answer as at most three chat messages: the headline (what changed first, then which rules,
    light touch or not, value against threshold, and the caveats that qualify it), what was understood,
    and the consequences that matter most with "more" follow-ups and the rules version."""
    if a.status == "needs_input":
        return [a.answer]
    shown = consequences(a)
    messages = [_headline(a, changed, shown)]
    if understood:
        messages.append("\n".join(["What I understood:", *_bullets(fact_line(f) for f in understood)]))
    tail = []
    if shown:
        tail += ["What this means for you:", *_bullets(consequence(a, i) for i in shown)]
    tail += [more_line(a, shown), footer(a)]
    messages.append("\n".join(tail))
    return messages


def consequences(a: Assessment) -> list[Item]:
    """The routes the officer asked about first (not open, then open), then duties and open routes in turn, each
    list in its own order of importance (the engine orders duties; routes are ranked by `ranked_routes`). Routes
    not open that the officer did not ask about wait behind "what are our options?" with the rest."""
    asked = _asked_routes(a)
    duties, routes = list(a.obligations), [r for r in ranked_routes(a) if r.id not in asked]
    picked = [*(r for r in a.routes_not_open if r.id in asked), *(r for r in a.routes if r.id in asked)][:TOP_CONSEQUENCES]
    while len(picked) < TOP_CONSEQUENCES and (duties or routes):
        for pool in (duties, routes):
            if pool and len(picked) < TOP_CONSEQUENCES:
                picked.append(pool.pop(0))
    return picked


def _headline(a: Assessment, changed: Optional[str], shown: list[Item]) -> str:
    lines = [changed] if changed else []
    lines.append(a.answer)
    if a.regime_name and a.regime_name not in a.answer:
        lines.append(regime_line(a))  # the answer may name the regime informally: name the instrument
    # Caveats on the answer itself, and on the consequences shown; those on items not shown come with them.
    hidden = {f"W-{i.id}" for i in [*a.obligations, *a.routes] if i not in shown}
    lines += [item_line(w) for w in a.warnings if w.id not in hidden]
    return "\n".join(lines)


def fact_line(f: Mapping[str, Any]) -> str:
    source = f" ({f['source']})" if f.get("source") else ""
    return f"{f.get('label', '')}: {f.get('text', '')}{source}"


def consequence(a: Assessment, i: Item) -> str:
    """A duty or a route not open in full; an open route by its title (its detail is one question away)."""
    if i in a.routes:
        return checked(i, f"Open to you: {route_title(i)} ({i.ref})")
    return item_line(i)


def more_line(a: Assessment, shown: list[Item]) -> str:
    asks = []
    if any(o not in shown for o in a.obligations):
        asks.append(ASK_DUTIES)
    if any(r not in shown for r in [*a.routes, *a.routes_not_open]):
        asks.append(ASK_OPTIONS)
    if a.missing or a.assumptions:
        asks.append(ASK_CHANGE)
    asks.append(ASK_REFERENCES)
    return "Ask me: " + " · ".join(asks)


# ---- the full text (the `ltr` command) ----------------------------------------------------------


def render_assessment(a: Assessment) -> str:
    """The whole answer as text, for the `ltr` command (chats use `render_answer`)."""
    if a.status == "needs_input":
        return "\n".join([a.answer, *_bullets(c.label for c in a.candidates)])
    lines = [a.answer, "", regime_line(a), value_line(a)]
    sections = [
        ("Options open to you:", [checked(r, f"{route_title(r)} ({r.ref})") for r in ranked_routes(a)]),
        ("Not open to you:", [item_line(r) for r in a.routes_not_open]),
        ("What you must still do:", [item_line(o) for o in a.obligations]),
        ("Caveats:", [item_line(w) for w in a.warnings]),
        ("Assumptions:", a.assumptions),
        ("What would change the answer:", a.missing),
        ("How this was decided:", [item_line(t) for t in a.trace]),
    ]
    for heading, items in sections:
        if items:
            lines += ["", heading, *_bullets(items)]
    lines += ["", footer(a)]
    return "\n".join(lines)


# ---- follow-up replies -------------------------------------------------------------------------


def render_obligations(a: Assessment) -> str:
    if not a.obligations:
        return "There are no procurement duties for this contract beyond your standing orders.\n" + footer(a)
    return "\n".join(["What you must still do:"] + _bullets(item_line(o) for o in a.obligations) + ["", footer(a)])


def render_routes(a: Assessment) -> str:
    """Every route listed: those open (ranked), then those not open with what would open them."""
    if not a.routes and not a.routes_not_open:
        return "No flexibility or innovation routes apply to this contract.\n" + footer(a)
    lines = ["Options open to you:", *_bullets(item_line(r) for r in ranked_routes(a))] if a.routes else \
        ["No flexibility or innovation routes are open for this contract as it stands."]
    if a.routes_not_open:
        lines += ["", "Not open to you:", *_bullets(item_line(r) for r in a.routes_not_open)]
    return "\n".join([*lines, "", footer(a)])


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
