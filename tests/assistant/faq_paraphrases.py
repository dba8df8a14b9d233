"""Generated paraphrases of officers' questions, to measure the FAQ ranking per topic (not evaluation items).

topic x core question (written here, not taken from faq.yml's examples nor from ../shared/eval) x style (terse,
plain, formal, with the facts of a contract) x jargon (CDN, BTTN, CAN, TN, DA, PSR, LT...) x one typo. Deterministic.

    .venv/bin/python -m tests.assistant.faq_paraphrases      # top-1 accuracy per topic, and confident wrong answers
"""
from __future__ import annotations

import random
import re
from collections import defaultdict
from datetime import date
from typing import Iterator, Optional

CORES: dict[str, list[str]] = {
    "pipeline_notice": ["do light touch contracts need to be listed in the pipeline notice",
                        "which planned contracts must our pipeline notice include"],
    "contract_copy": ["when do we have to publish the signed contract for a light touch contract over 5 million",
                      "is there a deadline for putting a copy of the contract on the platform"],
    "performance_notices": ["must we publish a notice when a light touch provider performs poorly",
                            "do contract performance notices apply to light touch contracts"],
    "payments_compliance": ["do we still have to publish payments compliance notices for light touch contracts",
                            "must payments over 30k to a care provider be published"],
    "transparency_notice": ["before we direct award above threshold do we need a transparency notice",
                            "is a transparency notice required for a direct award"],
    "termination_notice": ["when a light touch contract comes to an end do we publish a contract termination notice",
                           "is a termination notice needed when the contract finishes"],
    "procurement_termination": ["we have decided not to go ahead with the tender, what notice do we publish",
                                "what happens if we abandon a procurement after the tender notice"],
    "exclusions": ["do we have to check bidders against the debarment list for light touch",
                   "do the exclusion grounds apply to light touch providers"],
    "remedies": ["can a losing bidder take us to court over a light touch award",
                 "what remedies do suppliers have for a light touch contract"],
    "objectives": ["do we have to have regard to the national procurement policy statement for light touch",
                   "do the section 12 procurement objectives apply to light touch"],
    "conditions": ["what conditions of participation can we ask care providers to meet",
                   "can we set a minimum turnover as a condition of participation"],
    "sme_below": ["below the threshold do we have to think about barriers for small businesses and charities",
                  "is there a duty to consider SMEs before inviting tenders for a small contract"],
    "saving_triggers": ["what event before 24 February 2025 keeps a procurement under PCR",
                        "does contacting a supplier before the act count as starting under PCR"],
    "transition_contracts": ["how long do contracts let under PCR 2015 keep running under PCR",
                             "until when do our old PCR contracts stay under the old rules"],
    "contracts_finder": ["do we still advertise on contracts finder",
                         "where are notices published now, contracts finder or the central digital platform"],
    "psr_start": ["when did the Provider Selection Regime come in",
                  "from what date do councils have to follow the Provider Selection Regime"],
    "psr_direct_award": ["when can we use direct award process C under the Provider Selection Regime",
                         "can we reappoint the existing provider without competition under the Provider Selection Regime"],
    "psr_criteria": ["what are the key criteria under the Provider Selection Regime",
                     "which criteria do we weigh when choosing a provider under the Provider Selection Regime"],
    "psr_records": ["what records must we keep under the Provider Selection Regime",
                    "do we publish an annual summary under the Provider Selection Regime"],
    "psr_mixed": ["a contract with health care and social care together, is it all under the Provider Selection Regime",
                  "how does the Provider Selection Regime treat a mixed health and care contract"],
    "details_notice": ["how long after signing do we publish the contract details notice for light touch",
                       "what is the deadline for the contract details notice"],
    "award_notice": ["do we need a contract award notice before signing a light touch contract",
                     "is the contract award notice still required for light touch"],
    "tender_notice": ["do we have to publish a tender notice for an above threshold light touch contract",
                      "must a light touch competition start with a tender notice"],
    "standstill": ["is there a standstill for light touch contracts",
                   "do we have to wait before signing a light touch contract"],
    "time_limits": ["is there a minimum tender period for light touch",
                    "how short can the tendering period be for light touch"],
    "kpis": ["must we publish three KPIs for a light touch contract",
             "are key performance indicators needed for a large light touch contract"],
    "notifiable": ["at what value do we have to publish a below-threshold tender notice",
                   "from what value is a below threshold contract notifiable"],
    "which_rules": ["does PCR 2015 or the Procurement Act apply to our procurement",
                    "which regime applies if we started before the act"],
    "pcr_pin": ["we advertised a light touch service by PIN before the act, is it still PCR",
                "is a reg 75 PIN a saving trigger"],
    "psr_councils": ["does the Provider Selection Regime apply to a council",
                     "are local authorities covered by the Provider Selection Regime"],
    "psr_threshold": ["is there a value threshold for the Provider Selection Regime",
                      "does the Provider Selection Regime apply to small contracts"],
    "modifications": ["can we modify a light touch contract",
                      "can we increase the hours on a light touch contract"],
    "user_choice": ["what is a user choice contract",
                    "can we award to the provider the service user chose"],
    "direct_award": ["can we direct award a light touch contract to the incumbent",
                     "what are the grounds for a direct award of a light touch contract"],
    "frameworks": ["how long can a light touch framework run",
                   "is there a maximum term for a light touch framework"],
    "below_threshold": ["what rules apply to a light touch contract under the threshold",
                        "what must we do for a below threshold light touch contract"],
    "threshold": ["what is the threshold for light touch services at the moment",
                  "how much does a light touch contract have to be worth to be above threshold"],
    "threshold_standard": ["what is the threshold for a council buying IT support",
                           "which threshold applies to services that are not light touch"],
    "threshold_concession": ["which threshold applies to a light touch concession where the operator keeps the fees",
                             "what is the concession threshold for light touch services"],
    "vat": ["should the contract value include VAT when comparing with the threshold",
            "is the threshold figure gross or net of VAT"],
    "value_lots": ["can we divide the service into lots to keep each one below threshold",
                   "are lots added together when valuing the contract"],
    "value_open_ended": ["how do we value a rolling placement with no end date",
                         "what value do we use when the duration is unknown"],
    "psr_public_health": ["which public health services fall under the Provider Selection Regime",
                          "is a health visiting service under the Provider Selection Regime"],
    "psr_social_care": ["does the Provider Selection Regime apply to domiciliary care",
                        "is adult social care under the Provider Selection Regime or light touch"],
    "mutuals": ["can we reserve a light touch contract for a public service mutual",
                "what conditions must a mutual meet to get a reserved contract"],
    "open_framework": ["how often does an open framework have to be reopened",
                       "what is the maximum length of an open framework"],
    "award_criteria": ["can service user views be part of the award criteria for light touch",
                       "can we score proximity to service users in a light touch evaluation"],
    "lots": ["must we consider dividing a light touch contract into lots",
             "do we have to give reasons for not using lots"],
    "market_engagement": ["can we talk to providers before the tender is published",
                          "is preliminary market engagement allowed for light touch"],
    "shortlisting": ["can we use a selection questionnaire to shortlist for a small contract",
                     "is a PQQ allowed below the threshold"],
    "schools": ["do the below threshold rules apply to an academy",
                "does a maintained school have to publish below threshold notices"],
    "conflicts": ["do we need a conflicts assessment for a light touch procurement",
                  "what are the conflicts of interest duties for light touch"],
    "saved_pcr_frameworks": ["can we still call off from our old PCR framework",
                             "when does a PCR dynamic purchasing system have to end"],
    "lord_young": ["do the lord young reforms apply to light touch services under PCR",
                   "were the lord young contracts finder duties tied to the standard or the light touch threshold"],
    "cross_border": ["do we still have to think about cross-border interest",
                     "does certain cross-border interest matter under the Procurement Act"],
    "termination_right": ["can we terminate a care contract if the provider ends up on the debarment list",
                          "does the act give us a right to terminate a light touch contract",
                          "implied termination rights under s78"],
    "specifications": ["do technical specification rules apply to a light touch tender",
                       "what does the act say about writing the specification",
                       "s56 technical specifications for light touch"],
    "psr": ["what is the Provider Selection Regime",
            "which processes does the Provider Selection Regime offer"],
}

# Officers' shorthand: each phrase, and how it is also written.
JARGON = [
    ("contract details notice", ["CDN"]), ("contract award notice", ["CAN"]),
    ("below-threshold tender notice", ["BTTN"]), ("tender notice", ["TN"]), ("direct award", ["DA"]),
    ("Provider Selection Regime", ["PSR"]), ("light touch", ["LT", "LTR"]), ("Procurement Act", ["PA23", "the Act"]),
    ("PCR 2015", ["the 2015 regs", "PCR"]), ("key performance indicators", ["KPIs"]),
]
FACTS = ["we're buying home care at £400k a year for 3 years", "our advocacy contract is worth £45k",
         "supported living, £2.4m over 5 years, tender notice next April"]
STYLES = ("plain", "terse", "formal", "facts")


def _jargon(core: str) -> list[str]:
    out = [core]
    for full, short in JARGON:
        if full.lower() in core.lower():
            out.append(re.sub(re.escape(full), short[0], core, count=1, flags=re.I))
            break
    return out


def _typo(text: str, rng: random.Random) -> str:
    words = [w for w in re.findall(r"[A-Za-z]{6,}", text)]
    if not words:
        return text
    w = rng.choice(words)
    i = rng.randrange(1, len(w) - 2)
    slip = rng.choice(["drop", "swap", "double"])
    bad = w[:i] + w[i + 1:] if slip == "drop" else w[:i] + w[i + 1] + w[i] + w[i + 2:] if slip == "swap" else w[:i] + w[i] + w[i:]
    return text.replace(w, bad, 1)


def _style(core: str, style: str, n: int) -> str:
    if style == "terse":
        return re.sub(r"^(?:do|does|is|are|can|must|what|when)\s+(?:we\s+|there\s+|a\s+)?", "", core, flags=re.I)
    if style == "formal":
        return f"Could you please confirm {core}?"
    if style == "facts":
        return f"{FACTS[n % len(FACTS)]} - {core}?"
    return f"{core}?"


def paraphrases(seed: int = 24) -> Iterator[tuple[str, str]]:
    """(question, topic) pairs: every core in every style and jargon form, each also with one typo."""
    rng = random.Random(seed)
    for topic, cores in CORES.items():
        for n, core in enumerate(cores):
            for form in _jargon(core):
                for style in STYLES:
                    q = _style(form, style, n)
                    yield q, topic
                    yield _typo(q, rng), topic


def measure(as_of: date = date(2026, 11, 26), questions: Optional[list[tuple[str, str]]] = None
            ) -> tuple[dict[str, tuple[int, int]], list[tuple[str, str, str]]]:
    """Per topic (right first, asked), and the confident answers on the wrong topic."""
    from bot.assistant.faq import faq_reply, rank_topics, topic_of
    from bot.ltr import load_knowledge

    kb = load_knowledge()
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    wrong: list[tuple[str, str, str]] = []
    for q, topic in questions if questions is not None else paraphrases():
        per[topic][1] += 1
        per[topic][0] += topic_of(rank_topics(q, kb)[0][0].id) == topic
        r = faq_reply(q, as_of=as_of)
        if r.confident and r.faq_id and topic_of(r.faq_id) != topic and r.faq_id != "is_light_touch":
            wrong.append((q, topic, r.faq_id))
    return {t: (v[0], v[1]) for t, v in per.items()}, wrong


if __name__ == "__main__":
    per, wrong = measure()
    right = sum(r for r, _ in per.values())
    asked = sum(n for _, n in per.values())
    for topic, (r, n) in sorted(per.items(), key=lambda kv: kv[1][0] / kv[1][1]):
        print(f"{topic:24} {r:3}/{n:<3} {r / n:5.0%}")
    print(f"top-1 overall: {right}/{asked} = {right / asked:.1%}; confident and wrong: {len(wrong)}")
    for q, topic, got in wrong:
        print(f"  WRONG {got} for {topic}: {q}")
