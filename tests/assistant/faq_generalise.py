"""How well the FAQ generalises to questions it has not seen: fresh questions, each asked six ways.

The cores here are written for this file from how officers ask (not faq.yml's examples, not faq_paraphrases.py's
cores, not ../shared/eval). Each core is asked as: plain, terse (the words that matter), formal (a long email
sentence), typo (realistic keyboard slips and common misspellings in its topic words, seeded), jargon (the
officers' abbreviations: CDN, BTTN, CAN, TN, PSR, DA, LTR, PA23, DPS, VEAT, KPIs, SV, ...), and facts (a contract
described first: a value, a date, a regime). Deterministic.

    .venv/bin/python -m tests.assistant.faq_generalise          # table per topic and per kind
    .venv/bin/python -m tests.assistant.faq_generalise -v       # ... and every miss

"right" = answered confidently on the right topic; "chooser" = not sure, the right topic among the buttons;
"miss" = not sure, right topic not offered; "WRONG" = answered confidently on another topic (must be 0).
"""
from __future__ import annotations

import random
import re
import sys
from collections import defaultdict
from datetime import date
from typing import Iterator

# topic -> fresh questions, in the words officers use.
CORES: dict[str, list[str]] = {
    "what_is_ltr": ["what does the light touch regime actually mean",
                    "can you explain light touch procurement in simple terms"],
    "what_counts": ["how do I know if my contract falls under light touch",
                    "what decides whether a service is treated as light touch"],
    "technology": ["does an IT system for adult social care count as light touch",
                   "is a case management software licence light touch"],
    "telecare": ["is a telecare alarm monitoring service light touch",
                 "are community alarms and telecare kit under the light touch rules"],
    "legal_services": ["is buying external legal advice light touch",
                       "are solicitors' services exempt or light touch"],
    "commonly_not_lt": ["which services do people wrongly assume are light touch",
                        "common mistakes about what is light touch"],
    "exempt_contracts": ["what kinds of contract are outside the procurement act altogether",
                         "which contracts don't need to follow the act at all"],
    "mixed_contracts": ["our contract is part care and part cleaning, is it light touch",
                        "how do we treat a contract mixing light touch services with goods"],
    "separable_below": ["can one part of the contract push the whole thing above threshold",
                        "a separable element meets its own threshold, does that stop light touch"],
    "threshold": ["how much is the light touch threshold now",
                  "at what value do the light touch rules kick in"],
    "threshold_2026": ["were the thresholds revised in January 2026",
                       "did the new year 2026 bring new threshold figures"],
    "threshold_standard": ["what's the threshold for normal services that aren't light touch",
                           "threshold for a council buying consultancy services"],
    "threshold_concession": ["threshold for a concession contract for light touch services",
                             "our provider is paid by charging users rather than by us, which threshold"],
    "threshold_utilities": ["what is the utilities threshold for light touch services",
                            "light touch threshold when a utility company is the buyer"],
    "threshold_buyer": ["is the threshold the same for NHS trusts and councils",
                        "do central government departments have a different light touch threshold"],
    "threshold_commencement": ["we began the procurement in late 2025, do the old thresholds apply",
                               "which year's thresholds apply if we advertised before January 2026"],
    "estimate_value": ["how do I work out the contract value for the threshold",
                       "do extension options count towards the estimated value"],
    "vat": ["is the threshold inclusive or exclusive of VAT",
            "do I add VAT before comparing the value with the threshold"],
    "value_at_threshold": ["what happens if the value is exactly the same as the threshold",
                           "our estimate equals the threshold to the pound, is that above it"],
    "value_open_ended": ["how do we value a contract with an indefinite term",
                         "valuing spot purchase placements with no fixed end"],
    "value_lots": ["do we aggregate lots to work out the value",
                   "if we split into lots is each lot valued on its own"],
    "value_framework": ["how do we estimate the value of a framework agreement",
                        "what value do we put on a framework for threshold purposes"],
    "which_rules": ["does our procurement fall under the old regulations or the new act",
                    "which legislation applies to a procurement we are starting now"],
    "pcr_pin": ["we only published a PIN for the light touch service before February 2025, are we still under PCR",
                "does a prior information notice published before the act keep us under the 2015 regs"],
    "saved_pcr_frameworks": ["can we keep calling off from a framework set up under PCR",
                             "what happens to our existing DPS now that the act is in force"],
    "historic": ["what rules applied to social care contracts before 2015",
                 "what were part B services under the 2006 regulations"],
    "psr": ["what is the PSR and how does it work",
            "explain the provider selection regime"],
    "psr_councils": ["is a local authority a relevant authority under the PSR",
                     "does the provider selection regime cover council commissioners"],
    "psr_threshold": ["is there a minimum value before the PSR applies",
                      "does the PSR have a financial threshold"],
    "psr_social_care": ["is social care covered by the PSR",
                        "do we use the PSR for residential care homes"],
    "psr_public_health": ["is a sexual health clinic contract under the PSR",
                          "which public health contracts does the PSR cover, like substance misuse"],
    "standstill": ["is a standstill period needed before awarding a light touch contract",
                   "how many days standstill for light touch"],
    "time_limits": ["what is the minimum time we must give bidders to respond for light touch",
                    "are there minimum timescales for a light touch tender"],
    "procedure": ["which procurement procedure should we use for light touch",
                  "can we design our own procedure for a light touch tender"],
    "award_criteria": ["can we include the views of people who use the service in the evaluation",
                       "can we evaluate on how close the provider is to service users"],
    "innovation": ["what freedom do we have to innovate in a light touch procurement",
                   "can we try an innovative approach to commissioning light touch services"],
    "market_engagement": ["are we allowed to hold market warming events before we tender",
                          "can we speak to suppliers about the service before going out to tender"],
    "lots": ["is there a duty to consider splitting the contract into lots",
             "do we have to explain why we did not use lots"],
    "notices": ["what notices are required for a light touch procurement",
                "list of notices we must publish for light touch under the act"],
    "tender_notice": ["do we need to advertise with a tender notice for light touch above threshold",
                      "is a tender notice mandatory for a light touch competition"],
    "award_notice": ["do we publish a contract award notice for light touch before signing",
                     "is a contract award notice required when awarding a light touch contract"],
    "details_notice": ["how many days do we have to publish the contract details notice for light touch",
                       "deadline for the contract details notice after signing a light touch contract"],
    "kpis": ["do we have to set and publish KPIs for a light touch contract over 5 million",
             "are key performance indicators required for light touch contracts"],
    "frameworks": ["what is the maximum length of a light touch framework",
                   "can a light touch framework last longer than four years"],
    "open_framework": ["how long can an open framework run for",
                       "when must an open framework be reopened to new suppliers"],
    "dynamic_market": ["what is a dynamic market under the act",
                       "can we use a dynamic market for care placements"],
    "mutuals": ["can we reserve the contract to a public service mutual",
                "what are the rules on reserving light touch contracts for mutuals"],
    "supported_employment": ["can a contract be reserved for supported employment providers",
                             "can we reserve a contract for businesses employing disabled people"],
    "user_choice": ["what is a user choice contract under the act",
                    "can we direct award because the service user chose that provider"],
    "direct_award": ["can we direct award a light touch contract without competition",
                     "when can we directly award a light touch contract"],
    "modifications": ["can we change a light touch contract after award",
                      "can we vary the contract value on a light touch contract"],
    "duties_above": ["what obligations still apply above threshold for light touch",
                     "which parts of the act apply to an above threshold light touch contract"],
    "conflicts": ["do we need to do a conflicts of interest assessment for light touch",
                  "are conflict of interest declarations required for a light touch tender"],
    "social_value": ["do we have to consider social value when buying services",
                     "does the social value act apply to light touch contracts"],
    "payment": ["how quickly must we pay suppliers",
                "what are the payment terms for public contracts"],
    "below_threshold": ["what rules apply to a light touch contract below the threshold",
                        "what do we have to do for a small light touch contract under the threshold"],
    "notifiable": ["from what value do we publish a notice for a below threshold contract",
                   "what is the notifiable threshold for a council"],
    "notifiable_central": ["what is the notifiable value for central government",
                           "what is the below threshold notice figure for an NHS trust"],
    "shortlisting": ["can we use a selection questionnaire below threshold",
                     "is shortlisting allowed for a below threshold tender"],
    "schools": ["do schools have to follow the below threshold rules",
                "do academies need to publish below threshold notices"],
    "reserving_below": ["can we reserve a below threshold contract to local SMEs",
                        "can we restrict a small tender to suppliers in our borough"],
    "lord_young": ["what were the Lord Young reforms about",
                   "did the Lord Young rules cover light touch contracts"],
    "cross_border": ["is cross-border interest still relevant after Brexit",
                     "do we need to consider cross-border interest for light touch"],
    "pipeline_notice": ["must we include light touch contracts in our pipeline notice",
                        "do we have to publish a pipeline notice for our light touch spend"],
    "contract_copy": ["do we have to publish the contract document itself for light touch",
                      "how long do we have to publish a copy of a light touch contract over 5 million"],
    "performance_notices": ["do we publish a notice if a light touch provider breaches the contract",
                            "does poor performance of a light touch contract have to be published"],
    "payments_compliance": ["do payment compliance notices cover light touch contracts",
                            "do we report our payment performance for light touch contracts"],
    "transparency_notice": ["do we need a transparency notice before a direct award",
                            "when must a transparency notice be published"],
    "termination_notice": ["do we have to publish a contract termination notice at the end of a light touch contract",
                           "is a termination notice needed when a light touch contract ends early"],
    "procurement_termination": ["what notice do we publish if we cancel a procurement",
                                "we are abandoning the tender, do we need to publish anything"],
    "exclusions": ["do we have to check the debarment list for a light touch tender",
                   "do exclusion grounds apply to bidders for light touch contracts"],
    "remedies": ["can a bidder challenge a light touch contract award in court",
                 "what remedies are open to an unsuccessful light touch bidder"],
    "objectives": ["do the procurement objectives in section 12 apply to light touch",
                   "do we need to have regard to the NPPS for light touch"],
    "conditions": ["what conditions of participation are allowed",
                   "can we ask bidders for a minimum turnover"],
    "sme_below": ["do we have to consider SMEs for a below threshold procurement",
                  "is there a duty to look at barriers to small businesses below threshold"],
    "saving_triggers": ["what counts as commencing a procurement before 24 February 2025",
                        "which actions before the act keep a procurement under PCR"],
    "transition_contracts": ["do contracts awarded under PCR 2015 stay under PCR for their whole term",
                             "how long do existing PCR contracts stay under the old rules"],
    "contracts_finder": ["do we still need to publish on contracts finder",
                         "has contracts finder been replaced by the central digital platform"],
    "psr_start": ["when did the PSR come into force",
                  "what date did the provider selection regime start"],
    "psr_direct_award": ["what is direct award process C under the PSR",
                         "when can we use direct award process A under the PSR"],
    "psr_criteria": ["what are the five key criteria under the PSR",
                     "which key criteria must we assess under the PSR"],
    "psr_records": ["what records do we need to keep under the PSR",
                    "does the PSR require an annual summary to be published"],
    "psr_mixed": ["our contract is mostly health care with some social care, is it all under the PSR",
                  "how does the PSR deal with a mixed procurement of health and other services"],
    "scotland": ["does the procurement act apply to Scottish councils",
                 "is scotland covered by the procurement act"],
    "wales": ["does the procurement act apply to welsh authorities",
              "what rules apply in wales"],
    "northern_ireland": ["does the procurement act cover northern ireland",
                         "are northern irish councils under the procurement act"],
    "termination_right": ["can we end a light touch contract early if the provider is debarred",
                          "is there an implied right to terminate under the procurement act",
                          "what does section 78 let us do if the supplier becomes excluded"],
    "specifications": ["what are the rules on technical specifications for a light touch tender",
                       "does section 56 on specifications apply to light touch",
                       "can our service specification be written so only the incumbent can meet it"],
    "legal_advice": ["is this legal advice",
                     "can I rely on these answers as legal advice"],
}

# Officers' shorthand: the phrase as written out, and how it is also written (first match per core is used).
JARGON = [
    ("contract details notice", "CDN"), ("contract award notice", "CAN"), ("below threshold tender notice", "BTTN"),
    ("below threshold", "BT"), ("tender notice", "TN"), ("transparency notice", "VEAT notice"),
    ("direct award", "DA"), ("provider selection regime", "PSR"), ("key performance indicators", "KPIs"),
    ("social value", "SV"), ("dynamic purchasing system", "DPS"), ("dynamic market", "DM"),
    ("prior information notice", "PIN"), ("procurement act", "PA23"), ("the act", "PA23"),
    ("PCR 2015", "the 2015 regs"), ("the 2015 regs", "PCR15"), ("the old regulations", "PCR"),
    ("light touch", "LTR"), ("public service mutual", "PSM"), ("central digital platform", "CDP"),
    ("selection questionnaire", "SQ"), ("national procurement policy statement", "NPPS"),
]

FACTS = ["We're tendering home care at £400k a year for 3 years.",
         "Our advocacy contract is worth £45k and starts in April 2026.",
         "Supported living, £2.4m over 5 years, under the Procurement Act.",
         "It's a £90k substance misuse contract commissioned by the council.",
         "The procurement started in March 2024 under PCR 2015."]

# How an email to the procurement team wraps a question.
FORMAL = ["Good afternoon, I would be grateful if you could advise {core}, please?",
          "Dear colleague, we are reviewing our commissioning approach and would like to check {core}.",
          "Hi team, a query from the service lead: {core}? Many thanks.",
          "I should be grateful for your guidance on the following point: {core}?",
          "Hello, for our forthcoming procurement board paper, can you tell me {core}?"]

KINDS = ("plain", "terse", "formal", "typo", "jargon", "facts")

# Common misspellings officers make, beyond keyboard slips.
MISSPELT = {
    "threshold": ["threshhold", "thresold", "treshold"], "procurement": ["procurment", "procurmeent", "procuremnt"],
    "framework": ["framwork", "framewrok", "frameowrk"], "contract": ["contarct", "contrat", "contracr"],
    "platform": ["platfrom", "platorm"], "notice": ["noticed", "notce", "notie"], "standstill": ["standstil", "stanstill"],
    "tender": ["tendor", "tnder"], "commencement": ["commencment"], "commenced": ["commenced", "comenced"],
    "direct": ["dirrect"], "award": ["awrad", "aword"], "provider": ["provder", "proivder"],
    "selection": ["selction"], "regime": ["regieme", "regeime"], "details": ["detials"], "performance": ["peformance"],
    "termination": ["terminaton"], "transparency": ["transparancy", "transparecy"], "pipeline": ["pipline"],
    "exclusion": ["exlusion"], "debarment": ["debarrment"], "conditions": ["condtions"], "participation": ["participaton"],
    "modify": ["modfy"], "modification": ["modifcation"], "criteria": ["critera"], "concession": ["concesion"],
    "mutual": ["mutal"], "separate": ["seperate"], "value": ["vaule"], "light": ["ligth"], "touch": ["tuoch"],
    "organisation": ["organization"], "programme": ["program"], "licence": ["license"],
}
# Keys next to each other on a UK keyboard, for substitutions.
_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
_NEAR = {c: "".join(r[j] for j in (i - 1, i + 1) if 0 <= j < len(r)) for r in _ROWS for i, c in enumerate(r)}


def keyboard_slip(word: str, rng: random.Random) -> str:
    """One realistic slip inside a word (first letter kept): a dropped, swapped, doubled or neighbouring key."""
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    slip = rng.choice(["drop", "swap", "double", "near"])
    if slip == "drop":
        return word[:i] + word[i + 1:]
    if slip == "swap" and i + 1 < len(word) and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if slip == "near" and word[i].lower() in _NEAR:
        return word[:i] + rng.choice(_NEAR[word[i].lower()]) + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def typo(text: str, rng: random.Random) -> str:
    """The text with two slips in its longer words, a known misspelling preferred where one exists."""
    out = text
    tokens = [w for w in re.findall(r"[A-Za-z]{5,}", text)]
    rng.shuffle(tokens)
    done = 0
    for w in tokens:
        if done == 2:
            break
        low = w.lower()
        bad = rng.choice(MISSPELT[low]) if low in MISSPELT else keyboard_slip(w, rng)
        if bad != w:
            out = re.sub(rf"\b{re.escape(w)}\b", bad, out, count=1)
            done += 1
    return out


def jargon(core: str) -> str:
    for full, short in JARGON:
        if re.search(rf"\b{re.escape(full)}\b", core, re.I):
            return re.sub(rf"\b{re.escape(full)}\b", short, core, count=1, flags=re.I)
    return core


_LEADS = re.compile(r"^(?:can you |could you )?(?:do|does|did|is|are|was|were|can|could|must|should|what|when|how|which|"
                    r"will)\s+(?:we\s+|I\s+|there\s+|a\s+|an\s+|the\s+|it\s+|our\s+|you\s+)?(?:have to\s+|need to\s+|"
                    r"still\s+|is\s+|are\s+|be\s+)?", re.I)


def terse(core: str) -> str:
    short = _LEADS.sub("", core)
    return short + "?" if len(short.split()) >= 2 else core + "?"


def forms(core: str, n: int, rng: random.Random) -> dict[str, str]:
    return {
        "plain": f"{core[0].upper()}{core[1:]}?",
        "terse": terse(core),
        "formal": FORMAL[n % len(FORMAL)].format(core=core),
        "typo": typo(core, rng) + "?",
        "jargon": jargon(core) + "?",
        "facts": f"{FACTS[n % len(FACTS)]} {core[0].upper()}{core[1:]}?",
    }


def questions(seed: int = 2024) -> Iterator[tuple[str, str, str]]:
    """(question, topic, kind) for every core in every kind. Deterministic for a seed."""
    rng = random.Random(seed)
    n = 0
    for topic, cores in CORES.items():
        for core in cores:
            for kind, q in forms(core, n, rng).items():
                yield q, topic, kind
            n += 1


CLASSIFICATION_TOPICS = {"is_light_touch", "what_counts", "legal_services", "technology", "telecare"}


def outcome(q: str, topic: str, as_of: date) -> tuple[str, str]:
    from bot.assistant.faq import faq_reply, topic_of

    r = faq_reply(q, as_of=as_of)
    if r.confident:
        got = topic_of(r.faq_id or "")
        if got == topic or (r.faq_id == "is_light_touch" and topic in CLASSIFICATION_TOPICS):
            return "right", got
        return "WRONG", got
    offered = [re.search(r'"faq_id": "([^"]+)"', b["payload"]).group(1) for b in r.buttons]
    return ("chooser" if topic in {topic_of(o) for o in offered} else "miss"), ",".join(offered)


def measure(as_of: date = date(2026, 11, 26), seed: int = 2024):
    rows = []
    for q, topic, kind in questions(seed):
        result, got = outcome(q, topic, as_of)
        rows.append((q, topic, kind, result, got))
    return rows


def table(rows) -> str:
    out = []
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_topic: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for _, topic, kind, result, _ in rows:
        by_kind[kind][result] += 1
        by_topic[topic][result] += 1
    head = f"{'':24} {'right':>6} {'chooser':>8} {'miss':>5} {'WRONG':>6} {'of':>4}"
    out.append(head)
    for kind in KINDS:
        c = by_kind[kind]
        out.append(f"{kind:24} {c['right']:6} {c['chooser']:8} {c['miss']:5} {c['WRONG']:6} {sum(c.values()):4}")
    t = defaultdict(int)
    for c in by_kind.values():
        for k, v in c.items():
            t[k] += v
    n = sum(t.values())
    out.append(f"{'ALL':24} {t['right']:6} {t['chooser']:8} {t['miss']:5} {t['WRONG']:6} {n:4}"
               f"   right {t['right'] / n:.1%}, right or in chooser {(t['right'] + t['chooser']) / n:.1%}")
    out.append("")
    out.append("per topic, worst first:")
    for topic, c in sorted(by_topic.items(), key=lambda kv: kv[1]["right"] / sum(kv[1].values())):
        if c["right"] < sum(c.values()):
            out.append(f"{topic:24} {c['right']:6} {c['chooser']:8} {c['miss']:5} {c['WRONG']:6} {sum(c.values()):4}")
    return "\n".join(out)


if __name__ == "__main__":
    rows = measure()
    print(table(rows))
    if "-v" in sys.argv:
        for q, topic, kind, result, got in rows:
            if result != "right":
                print(f"{result:7} {kind:6} {topic:22} -> {got:40} | {q}")
