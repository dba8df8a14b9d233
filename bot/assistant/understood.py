""""What I understood": every fact the answer rests on, in plain words, with where it came from.

Each fact: {"id", "label", "text", "source", "change"}. `source` is "you said", "you didn't know" (the officer
answered "I don't know"), "assumed" or "default"; `change` is the button payload that asks for that fact again.
The officer's own words are quoted only for what they said. The value's working is the engine's own trace steps
(the total, then any VAT step), so the row ends on exactly the figure compared with the threshold.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Optional

from bot.assistant.questions import service_label
from bot.ltr import Assessment, load_knowledge
from bot.ltr.price import gbp
from bot.render.text import long_date

BUYER_WORDS = {"sub_central": "a London borough (or other local authority)", "central": "central government",
               "school": "a school or academy", "utility": "a utility", "nhs_trust": "an NHS trust",
               "nhs_foundation_trust": "an NHS foundation trust", "icb": "an integrated care board",
               "nhs_england": "NHS England"}
VAT_WORDS = {"included": "the figures include VAT", "excluded": "VAT is added on top of the figures",
             "exempt": "no VAT is charged", "unknown": "not known"}
EVENT_WORDS = {"tender_notice": "tender notice", "transparency_notice": "transparency notice",
               "below_threshold_tender_notice": "below-threshold tender notice",
               "pcr_contract_notice": "PCR contract notice", "pcr_pin": "prior information notice",
               "pcr_negotiated_contact": "first contact with suppliers", "contracts_finder_advert": "Contracts Finder advert",
               "psr_notice": "PSR notice", "contract_awarded": "contract awarded"}
AIM_WORDS = {"framework": "a framework", "open_framework": "an open framework", "dynamic_market": "a dynamic market",
             "mutual": "reserving the contract to a mutual", "co_design": "co-design with users", "pilot": "a pilot",
             "user_choice": "the user's choice of provider", "direct_award": "a direct award"}


def _change(fact: str) -> str:
    return f'/inform{{"fact": "{fact}"}}'


def date_words(iso: str) -> str:
    """An ISO date in words, as the answer writes dates: "2026-04-01" -> "1 April 2026"."""
    return long_date(date.fromisoformat(iso))


# Trace steps that change the value on its way to the figure compared with the threshold.
VALUE_STEPS = ("T-VALUE", "T-VAT-ADDED", "T-VAT-REMOVED")
DIDNT_KNOW = "you didn't know"


def value_working(a: Assessment) -> Optional[str]:
    """Each step from the figure given to the estimated value in the answer ("... = £2,250,000. Values include
    VAT: £2,250,000 + VAT at 20% = £2,700,000.")."""
    steps = [t.text for t in a.trace if t.id.startswith(VALUE_STEPS)]
    return " ".join(steps) if steps else None


def understood_facts(st: dict[str, Any], a: Assessment) -> list[dict[str, Any]]:
    facts, source, words = st["facts"], st["source"], st["words"]
    out: list[dict[str, Any]] = []

    def add(fid: str, label: str, text: str, src: str, change: Optional[str] = None) -> None:
        out.append({"id": fid, "label": label, "text": text, "source": src, "change": change or _change(fid)})

    if facts.get("parts"):
        add("parts", "Services", words.get("parts") or "; ".join(str(p.get("service")) for p in facts["parts"]),
            source.get("parts", "you said"))
    else:
        sid = facts.get("service")
        label = service_label(sid) if isinstance(sid, str) and service_label(sid) != sid else None
        said = words.get("service") or words.get("cpv") or facts.get("service") or ", ".join(facts.get("cpv") or [])
        text = f"{label} (\"{said}\")" if label and said and label.lower() != str(said).lower() else (label or str(said))
        if words.get("service_for"):  # the head of the purchase decided over the client group it is for
            kind = ("a health care service under the PSR" if a.regime == "PSR" else "a light touch service"
                    if a.light_touch else "not a light touch service")
            who = str(words["service_for"])
            who = who[0].lower() + who[1:] if who[1:2].islower() else who  # "Adult social care" -> "adult social care"
            text = f"I read this as {text}, which is {kind}, although it is for {who} — change?"
        add("service", "Service", text, source.get("service", source.get("cpv", "you said")))
    if st.get("added"):
        add("parts", "Parts added", "; ".join(f"{p.get('words') or p.get('service')} £{float(p.get('value_gbp') or 0):,.0f}"
                                              for p in st["added"]), source.get("parts", "you said"))
    working = value_working(a)
    if (facts.get("value") or {}).get("unknown"):
        add("value", "Value", "not known yet", DIDNT_KNOW)
    elif working is not None:
        add("value", "Value", working, source.get("value", "you said"))
    vat = facts.get("vat")
    if vat == "unknown":
        add("vat", "VAT", "not known: see the assumptions", DIDNT_KNOW)
    else:
        add("vat", "VAT", VAT_WORDS.get(vat, "not known") if vat else "not said: see the assumptions",
            source.get("vat", "you said") if vat else "assumed")
    if facts.get("commenced"):
        event = EVENT_WORDS.get(facts.get("commencement_event") or "", "procurement starts")
        text = f"{event} on {date_words(facts['commenced'])}"
        said = source.get("commenced", "you said")
        if said == "assumed":
            text += " (you didn't know the date, so I assumed it starts today)"
        elif words.get("commenced"):
            text += f" (\"{words['commenced']}\"{'; ' + st['date_note'] if st.get('date_note') else ''})"
        add("date", "Date", text, said)
    buyer = facts.get("buyer") or "sub_central"
    add("buyer", "Buyer", BUYER_WORDS.get(buyer, buyer), source.get("buyer", "default"))
    if facts.get("aims"):
        add("aims", "You asked about", ", ".join(AIM_WORDS.get(x, x) for x in facts["aims"]), "you said", "")
    for flag, label in (("concession", "Concession"), ("utilities", "Utilities contract")):
        if facts.get(flag):
            add(flag, label, "yes", source.get(flag, "you said"), "")
    if facts.get("exemption"):
        entry = load_knowledge().exemption(str(facts["exemption"]))
        text = entry.label if entry else str(facts["exemption"])
        if words.get("exemption"):
            text += f" (\"{words['exemption']}\")"
        add("exemption", "Exemption", text, source.get("exemption", "you said"), "")
    elif source.get("exemption") == "assumed":
        add("exemption", "Exemption", "assumed not exempt", "assumed", "")
    if facts.get("england") is False:
        nation = load_knowledge().nation(str(facts.get("nation") or ""))
        add("england", "Where", f"{nation.name}, outside England" if nation else "outside England", "you said", "")
    return out


def headline_key(a: Assessment) -> list[Any]:
    return [a.regime, a.light_touch, a.above_threshold]


def changed_note(last: Optional[dict[str, Any]], a: Assessment) -> Optional[str]:
    """After a correction: what changed, and whether the answer did ("Value now £1,000,000 — the answer changed: above the threshold")."""
    if not last:
        return None
    parts = []
    before = (last.get("case") or {}).get("service")
    now = a.case.service if a.case is not None else None
    if before and now and before != now:
        parts.append(f"Service now {service_label(now)}")
    if last.get("value") != a.estimated_value_gbp and a.estimated_value_gbp is not None:
        parts.append(f"{'value' if parts else 'Value'} now {gbp(a.estimated_value_gbp)}")
    if last.get("key") == headline_key(a):
        return (", ".join(parts) + " — the answer is the same.") if parts else "I've updated the case: the answer is the same."
    what = []
    old_key = last.get("key") or [None, None, None]
    if len(old_key) > 1 and old_key[1] != a.light_touch and a.light_touch is not None:
        what.append("a light touch contract" if a.light_touch else "not a light touch contract")
    if a.above_threshold is True:
        what.append("above the threshold")
    elif a.above_threshold is False:
        what.append("below the threshold")
    elif a.regime == "PSR":
        what.append("the Provider Selection Regime applies")
    elif a.regime == "none":
        what.append("outside the procurement rules")
    lead = (", ".join(parts) + " — the answer") if parts else "The answer"
    return f"{lead} changed: {', '.join(what) if what else 'see below'}."
