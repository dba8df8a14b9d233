"""Generated conversations: officers describe a purchase in plain words, answer the assistant's questions as
they would type them, correct themselves and ask things in the middle. Per capability, how many conversations
end with the right answer (regime, light touch, which side of the threshold, the value) within six turns.

    python -m tests.behaviour.conversations             the table (`make eval` prints it too)
    python -m tests.behaviour.conversations -v CAP      and every failed conversation of one capability

What is under test is the path a message really takes: Rasa's NLU model (models/assistant.tar.gz) picks the intent,
`actions.converse.incoming` turns it into the dialogue's input, `bot.assistant.dialogue.turn` answers. The officer's
side reads only the name of the question pending (as an officer reads the question) and answers it from the
story's facts. The expected answer is worked out here from the facts and the reference (thresholds §2.1-§2.3,
value §3, what is light touch §4.2-§4.3); nothing is imported from `bot` to compute it.

The services are described in an officer's plain words, each with other ways of saying it for when the assistant
asks again. They were written from the reference's categories, not from the assistant's catalogue.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import random
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Optional

from tests.behaviour.language import MONTHS, full, in_k

TODAY = date(2026, 11, 26)  # as the one-turn suite (tests/behaviour/report.py)
MAX_TURNS = 6
PASS_RATE = 0.95
MODEL = Path(__file__).resolve().parents[2] / "models" / "assistant.tar.gz"

# ---- what is bought, in plain words (reference §4.2 and §4.3) ----------------------------------------------------


@dataclass(frozen=True)
class Service:
    ways: tuple[str, ...]  # the officer's first words, then other ways of saying it when asked again
    light_touch: bool
    doing: str  # "to help older people ...": for "I've been asked to find a company {doing}"


SERVICES = [
    # Social work and welfare not in institutions, with or without accommodation (85300000-85312510; not PSR, §1.3)
    Service(("care and support for older people in their own homes", "home care", "domiciliary care"), True,
            "to look after older people in their own homes"),
    Service(("a supported housing service for young people leaving care", "supported accommodation for care leavers",
             "housing support for care leavers"), True, "to run supported housing for young people leaving care"),
    Service(("a day centre for adults with learning disabilities", "day services for adults with learning disabilities",
             "day care for disabled adults"), True, "to run a day centre for adults with learning disabilities"),
    Service(("a befriending scheme for lonely older residents", "befriending", "a befriending service"), True,
             "to run befriending for lonely older residents"),
    Service(("independent advocacy for adults with care needs", "advocacy", "an advocacy service"), True,
            "to provide independent advocacy for adults with care needs"),
    Service(("a refuge for women escaping domestic abuse", "a domestic abuse refuge", "refuge accommodation"), True,
            "to run a refuge for women escaping domestic abuse"),
    Service(("support for unpaid carers", "a carers support service", "carers' support"), True,
            "to support unpaid carers"),
    Service(("short breaks for disabled children", "respite care for disabled children", "short breaks"), True,
            "to provide short breaks for disabled children"),
    # Catering, education, recreation, security (55xxxxxx, 80xxxxxx, 92xxxxxx, 79700000-79723000)
    Service(("hot meals delivered to older people at home", "meals on wheels", "a meals on wheels service"), True,
            "to deliver hot meals to older people at home"),
    Service(("school meals for our primary schools", "school catering", "school meals"), True,
            "to cook school meals for our primary schools"),
    Service(("training courses for our foster carers", "training for foster carers", "foster carer training"), True,
            "to train our foster carers"),
    Service(("holiday activities for children in the summer", "a holiday activities programme",
             "children's holiday activities"), True, "to run summer holiday activities for children"),
    Service(("security guards for the civic centre", "guarding services", "manned guarding"), True,
            "to guard the civic centre"),
    Service(("a 24-hour alarm monitoring centre for our telecare users", "alarm monitoring", "telecare monitoring"),
            True, "to answer telecare alarm calls day and night"),
    # Commonly mistaken for light touch (§4.3): IT, cleaning, consultancy, grounds, printing
    Service(("a new case management system for adult social care", "case management software",
             "a social care IT system"), False, "to supply a case management system for adult social care"),
    Service(("cleaning of our council offices", "office cleaning", "cleaning services"), False,
            "to clean our council offices"),
    Service(("management consultants to review how we commission care", "management consultancy",
             "a consultancy review"), False, "to review how we commission care"),
    Service(("grounds maintenance in our parks", "parks grounds maintenance", "grounds maintenance"), False,
            "to look after the grass and borders in our parks"),
    Service(("printing of council leaflets", "printing services", "leaflet printing"), False,
            "to print our leaflets"),
]

# ---- the oracle (reference §2-§3) ----------------------------------------------------------------------------------

ACT_START = date(2025, 2, 24)
ACT_2026 = date(2026, 1, 1)


def threshold(light_touch: bool, commenced: date) -> float:
    """A London borough (sub-central): §2.3 rows 8 and 12 under the Act, §2.1 and §2.2 under PCR (2024 figures)."""
    if light_touch:
        return 663_540.0  # PCR from 2020 and the Act throughout (unchanged on 1 Jan 2026)
    if commenced >= ACT_2026:
        return 207_720.0
    return 214_904.0  # PCR 2024 - 24 Feb 2025, and the Act's first table (24 Feb 2025 - 31 Dec 2025)


@dataclass(frozen=True)
class Expect:
    regime: str  # "PA2023" | "PCR2015"
    light_touch: bool
    value_gbp: float
    above: bool


def expect(service: Service, annual: float, years: int, ext: int, commenced: date) -> Expect:
    value = annual * (years + ext)  # §3: the whole life, extension options included; amounts said with no VAT
    regime = "PA2023" if commenced >= ACT_START else "PCR2015"  # §1 steps 3-4 (no saving trigger before the date)
    return Expect(regime, service.light_touch, value, value >= threshold(service.light_touch, commenced))


# ---- how officers type the facts ------------------------------------------------------------------------------------


def money(x: float, rng: random.Random) -> str:
    return rng.choice([full(x), in_k(x), in_k(x)]) if x % 1000 == 0 else full(x)


def value_phrase(annual: float, years: int, ext: int, rng: random.Random) -> str:
    m = money(annual, rng)
    per = rng.choice(["a year", "per year", "pa", "per annum", "a yr", "each year"])
    if ext:
        term = rng.choice([f"for {years} years plus {ext}", f"over {years}+{ext} years", f"{years} years + {ext} year extension",
                           f"for {years} years with an option to extend by {ext}", f"{years}+{ext}"])
    else:
        term = rng.choice([f"for {years} years", f"over {years} years", f"{years} year contract", f"for {years} yrs"])
    lead = rng.choice(["", "about ", "around ", "roughly ", "c. ", "budget is ", "we think ", "it's about "])
    return f"{lead}{m} {per} {term}".strip()


def term_phrase(years: int, ext: int, rng: random.Random) -> str:
    if ext:
        return rng.choice([f"{years} years plus {ext}", f"{years}+{ext}", f"{years} years with a {ext} year extension",
                           f"{years} years, maybe {ext} more"])
    return rng.choice([f"{years} years", f"{years} yrs", f"it's a {years} year contract", f"{years} years, no extensions"])


def date_phrase(d: date, rng: random.Random) -> str:
    month = MONTHS[d.month - 1]
    if d < ACT_START:
        return rng.choice([f"we advertised in {month} {d.year}", f"the tender notice went out in {month} {d.year}",
                           f"it was advertised back in {month} {d.year}", f"{month} {d.year}, it's already out"])
    forms = [f"{month} {d.year}", f"we hope to go out to tender in {month} {d.year}", f"advert in {month} {d.year}",
             f"{month[:3]} {d.year}", f"tender notice {month} {d.year}", f"early {month} {d.year}",
             f"we want to start in {month} {d.year}", f"starting {month} {d.year}", f"start date {month} {d.year}",
             f"we'd like to kick off in {month} {d.year}"]
    if d.year == 2027 and d.month <= 10:
        forms += [f"next {month}", f"{month} next year", f"we want to start next {month}", f"starting next {month}"]
    return rng.choice(forms)


# ---- a story: the facts, how the officer opens and what they say when asked -------------------------------------------


@dataclass
class Story:
    capability: str
    first: str
    service: Service
    annual: float
    years: int
    ext: int
    commenced: date
    rng: random.Random
    after: list[str] = field(default_factory=list)  # said after the first answer (corrections)
    final: Optional[Expect] = None  # the answer expected at the end (else from the facts)
    midflow: Optional[str] = None  # asked instead of the first answer to a date question
    dont_know_first: set[str] = field(default_factory=set)  # questions first answered "not sure"
    asked: dict[str, int] = field(default_factory=dict)
    volunteered: Optional[str] = None  # the first reply to a value or date question gives both facts
    style: str = ""  # "terse" | "slips": how the replies are typed

    @property
    def expect(self) -> Expect:
        return self.final or expect(self.service, self.annual, self.years, self.ext, self.commenced)

    def reply(self, ask: Optional[str]) -> Optional[str]:
        """What the officer types when asked `ask` (the name of the pending question), or None if they can't."""
        text = self._reply(ask)
        if text is None or not self.style or self.asked.get(str(ask), 0) > 1:
            return text  # asked again: the officer types it out in full
        return terse(text, ask, self) if self.style == "terse" else slips(text, self.rng)

    def _reply(self, ask: Optional[str]) -> Optional[str]:
        n = self.asked.get(str(ask), 0)
        self.asked[str(ask)] = n + 1
        if ask in self.dont_know_first and n == 0:
            return self.rng.choice(["not sure yet", "don't know yet", "no idea at the moment", "tbc"])
        if ask == "date" and self.midflow and n == 0:
            return self.midflow
        if ask in ("value", "date") and self.volunteered and n == 0 and "volunteered" not in self.asked:
            self.asked["volunteered"] = 1
            return self.volunteered
        if ask in ("service", "service_unknown", "service_choice", "part_service"):
            ways = self.service.ways
            return ways[min(n + 1, len(ways) - 1)]
        if ask in ("value", "value_choice"):
            return value_phrase(self.annual, self.years, self.ext, self.rng)
        if ask == "term":
            return term_phrase(self.years, self.ext, self.rng)
        if ask in ("date", "date_confirm"):
            return date_phrase(self.commenced, self.rng) if n < 2 else f"{self.commenced:%d/%m/%Y}"
        if ask == "vat":
            return self.rng.choice(["no VAT", "the figures don't include VAT and none is charged", "VAT exempt"])
        if ask == "offer_check":  # "Want me to check this contract?": that is what the officer came for
            return self.rng.choice(["yes please", "yes", "go on then", "yes, check it"])
        if ask in ("exemption", "separable"):
            return "no"
        return None


def terse(text: str, ask: Optional[str], st: "Story") -> str:
    rng = st.rng
    if ask in ("value", "value_choice"):
        k = f"{st.annual / 1000:g}k"
        term = f"{st.years}+{st.ext}" if st.ext else f"{st.years}y"
        return rng.choice([f"{k} pa {term}", f"£{k}/yr x {term}", f"{k} p/a, {term} yrs", f"£{k} pa, {term}"])
    if ask in ("date", "date_confirm") and st.commenced >= ACT_START:
        return rng.choice([f"{MONTHS[st.commenced.month - 1][:3]} {st.commenced:%y}", f"{st.commenced:%m/%y}",
                           f"{MONTHS[st.commenced.month - 1][:3]}-{st.commenced:%y}"])
    if ask == "vat":
        return rng.choice(["none", "exempt", "n/a - charity", "no vat"])
    return text


_SLIPS = {"about": "abuot", "around": "aroudn", "year": "yaer", "years": "yeras", "per annum": "per anum",
          "annum": "anum", "tender": "tendr", "notice": "notcie", "advert": "advret", "extension": "extention",
          "extend": "extnd", "option": "optoin", "roughly": "rougly", "budget": "budegt", "hope": "hpoe",
          "going": "goign", "don't": "dont", "include": "inlcude", "charged": "chagred"}


def slips(text: str, rng: random.Random) -> str:
    words = [w for w in _SLIPS if re.search(rf"\b{re.escape(w)}\b", text, re.I)]
    for w in rng.sample(words, min(len(words), 2)):
        text = re.sub(rf"\b{re.escape(w)}\b", _SLIPS[w], text, count=1, flags=re.I)
    return text


def _svc(rng: random.Random, lt: Optional[bool] = None) -> Service:
    return rng.choice([s for s in SERVICES if lt is None or s.light_touch == lt])


def _money_for(service: Service, above: bool, rng: random.Random, years: int, ext: int) -> float:
    """A yearly price clearly on one side of the threshold, whatever the VAT (the side never hangs on 20%)."""
    t = threshold(service.light_touch, date(2027, 1, 1))
    whole = t * (rng.uniform(1.35, 3.0) if above else rng.uniform(0.25, 0.7))
    return float(max(5_000, round(whole / (years + ext) / 5_000) * 5_000))


def _facts(rng: random.Random, lt: Optional[bool] = None, above: Optional[bool] = None, past: bool = False):
    service = _svc(rng, lt)
    years, ext = rng.choice([(3, 0), (3, 1), (3, 2), (4, 0), (4, 1), (5, 0), (2, 1), (2, 2)])
    above = rng.random() < 0.5 if above is None else above
    annual = _money_for(service, above, rng, years, ext)
    if past:
        commenced = date(rng.choice([2023, 2024]), rng.randrange(1, 13), 1)
    else:
        commenced = date(*rng.choice([(2027, m) for m in range(1, 13)] + [(2028, m) for m in range(1, 4)]), 1)
    return service, annual, years, ext, commenced


OPENERS = ["We need a provider for {s}", "I'm looking to commission {s}", "We want to buy {s}", "Re-procuring {s}",
           "Can you help me with a contract for {s}?", "{S}", "Question about {s}", "We're planning to tender {s}",
           "Our team is recommissioning {s}. What rules apply?", "Procurement for {s} - which rules?"]
NEW_OFFICER = ["Hi, I have been asked to find a company {d}. Do I have to run a tender?",
               "Hello. My manager wants us to get an organisation {d}. What do I need to do?",
               "Hi there, I'm new to procurement. We need someone {d} - where do I start?",
               "Good morning. I've been asked to find a provider {d}. Do the procurement rules apply?",
               "Hi, we need an organisation {d}. Is there a process I have to follow?"]
MIDFLOW = ["what does light touch mean?", "sorry, why do you need the date?", "what counts as the start?",
           "is that when the advert goes out?"]


def _cap(s: str) -> str:
    return s[0].upper() + s[1:]


def _drip(rng: random.Random, lt: Optional[bool] = None, past: bool = False) -> Story:
    service, annual, years, ext, commenced = _facts(rng, lt=lt, past=past)
    s = service.ways[0]
    first = rng.choice(OPENERS).format(s=s, S=_cap(s))
    return Story("", first, service, annual, years, ext, commenced, rng)


def _new_officer(rng: random.Random) -> Story:
    service, annual, years, ext, commenced = _facts(rng)
    first = rng.choice(NEW_OFFICER).format(d=service.doing)
    return Story("", first, service, annual, years, ext, commenced, rng)


def _service_and_value(rng: random.Random) -> Story:
    service, annual, years, ext, commenced = _facts(rng)
    s = service.ways[rng.randrange(len(service.ways))]
    first = rng.choice([f"{_cap(s)}, {value_phrase(annual, years, ext, rng)}",
                        f"{_cap(s)} - {value_phrase(annual, years, ext, rng)}. Which rules apply?",
                        f"We're buying {s}, {value_phrase(annual, years, ext, rng)}",
                        f"{_cap(s)}. Value {value_phrase(annual, years, ext, rng)}. Above the threshold?"])
    return Story("", first, service, annual, years, ext, commenced, rng)


def _all_facts(service: Service, annual: float, years: int, ext: int, commenced: date, rng: random.Random) -> str:
    return rng.choice([
        f"{_cap(service.ways[0])}, {value_phrase(annual, years, ext, rng)}, {date_phrase(commenced, rng)}",
        f"{_cap(service.ways[1])}. {_cap(value_phrase(annual, years, ext, rng))}. {_cap(date_phrase(commenced, rng))}.",
    ])


def _correct_value(rng: random.Random) -> Story:
    service, annual, years, ext, commenced = _facts(rng)
    above = expect(service, annual, years, ext, commenced).above
    new = _money_for(service, not above, rng, years, ext)
    st = Story("", _all_facts(service, annual, years, ext, commenced, rng), service, annual, years, ext, commenced, rng)
    m = money(new, rng)
    st.after = [rng.choice([f"Sorry, I got that wrong: it's {m} a year, not {money(annual, rng)}",
                            f"correction - the annual value is {m}", f"Actually it's {m} per year",
                            f"my mistake, {m} a year"])]
    st.final = expect(service, new, years, ext, commenced)
    return st


def _correct_term(rng: random.Random) -> Story:
    service, annual, years, ext, commenced = _facts(rng)
    new_years = years + 2 if years <= 3 else years - 2
    st = Story("", _all_facts(service, annual, years, ext, commenced, rng), service, annual, years, ext, commenced, rng)
    st.after = [rng.choice([f"Sorry, the initial term is {new_years} years, not {years}",
                            f"correction: it's {new_years} years initially", f"Actually it'll run for {new_years} years"
                            + (f" plus {ext}" if ext else ""), f"I meant {new_years} years not {years}"])]
    st.final = expect(service, annual, new_years, ext, commenced)
    return st


def _correct_date(rng: random.Random) -> Story:
    service, annual, years, ext, _ = _facts(rng)
    past = date(2024, rng.randrange(1, 13), 1)
    future = date(2027, rng.randrange(2, 11), 1)
    st = Story("", _all_facts(service, annual, years, ext, past, rng), service, annual, years, ext, past, rng)
    month = MONTHS[future.month - 1]
    st.after = [rng.choice([f"Sorry, I was wrong about the date: we haven't advertised yet, it'll be {month} {future.year}",
                            f"correction - the tender notice will go out in {month} {future.year}",
                            f"actually we're not going out until {month} {future.year}"])]
    st.final = expect(service, annual, years, ext, future)
    return st


def _dont_know_value(rng: random.Random) -> Story:
    st = _drip(rng)
    st.dont_know_first = {"value"}
    # Answered on an unknown value (treated as above the threshold, §3.1), the officer comes back with the figure.
    st.after = [rng.choice(["I've checked with finance: ", "ok, found out - ", "Update: ", ""]) +
                value_phrase(st.annual, st.years, st.ext, rng)]
    return st


def _midflow(rng: random.Random) -> Story:
    st = _drip(rng)
    st.midflow = rng.choice(MIDFLOW)
    return st


def _volunteer(rng: random.Random) -> Story:
    """Asked one thing, the officer answers it and adds another fact in the same reply."""
    st = _drip(rng)
    both = [lambda: f"{value_phrase(st.annual, st.years, st.ext, rng)}, and we'd {date_phrase(st.commenced, rng)}",
            lambda: f"{_cap(date_phrase(st.commenced, rng))}. It's {value_phrase(st.annual, st.years, st.ext, rng)}",
            lambda: f"{value_phrase(st.annual, st.years, st.ext, rng)} - {date_phrase(st.commenced, rng)}"]
    st.volunteered = rng.choice(both)()
    return st


def _change_service(rng: random.Random) -> Story:
    """The officer named the wrong service and puts it right after the answer."""
    service, annual, years, ext, commenced = _facts(rng)
    other = rng.choice([x for x in SERVICES if x.light_touch != service.light_touch])
    st = Story("", _all_facts(other, annual, years, ext, commenced, rng), service, annual, years, ext, commenced, rng)
    right = service.ways[rng.randrange(len(service.ways))]
    wrong = other.ways[0]
    st.after = [rng.choice([f"Sorry, it's {right}, not {wrong}", f"correction: the service is {right}",
                            f"Actually I meant {right}", f"my mistake - it's {right}"])]
    return st


def _old_contract(rng: random.Random) -> Story:
    """The current contract's figures and dates are mentioned beside the new one's: only the new one counts."""
    service, annual, years, ext, commenced = _facts(rng)
    old_annual = float(round(annual * rng.uniform(0.5, 0.8) / 1000) * 1000)
    old_start = rng.choice([2019, 2020, 2021, 2022])
    s = service.ways[0]
    first = rng.choice([
        f"The current contract for {s} started in {old_start} and costs {money(old_annual, rng)} a year. The new one will be "
        f"{value_phrase(annual, years, ext, rng)}, {date_phrase(commenced, rng)}.",
        f"We're re-tendering {s}. Existing contract: {money(old_annual, rng)} pa since {old_start}. New contract: "
        f"{value_phrase(annual, years, ext, rng)}. {_cap(date_phrase(commenced, rng))}.",
    ])
    return Story("", first, service, annual, years, ext, commenced, rng)


def _email(rng: random.Random) -> Story:
    """A forwarded e-mail: names, a phone number, a meeting date, then the facts."""
    service, annual, years, ext, commenced = _facts(rng)
    s = service.ways[rng.randrange(len(service.ways))]
    meeting = rng.choice(["Monday 14 December", "the 9th", "next Thursday", "2 December"])
    first = (f"Hi both,\n\nFollowing our meeting on {meeting}, we need to decide the route for {s}. "
             f"{_cap(value_phrase(annual, years, ext, rng))}. {_cap(date_phrase(commenced, rng))}.\n\n"
             f"Can you confirm which rules apply?\n\nThanks,\nJo Smith\nCommissioning Officer\n020 7946 0{rng.randrange(100, 999)}")
    return Story("", first, service, annual, years, ext, commenced, rng)


def _terse(rng: random.Random) -> Story:
    """Answers in as few characters as officers type on a phone: "120k pa", "3+1", "Apr 27", "none"."""
    st = _drip(rng)
    st.style = "terse"
    return st


def _slips(rng: random.Random) -> Story:
    """Answers with the typing slips of a hurried officer in the words around the figures."""
    st = _drip(rng)
    st.style = "slips"
    return st


def _make(cap: str, build: Callable[[random.Random], Story]) -> Callable[[random.Random], Story]:
    def f(rng: random.Random) -> Story:
        s = build(rng)
        s.capability = cap
        return s
    return f


CAPABILITIES: dict[str, Callable[[random.Random], Story]] = {
    "conv_drip_light_touch": _make("conv_drip_light_touch", lambda r: _drip(r, lt=True)),
    "conv_drip_not_light_touch": _make("conv_drip_not_light_touch", lambda r: _drip(r, lt=False)),
    "conv_new_officer": _make("conv_new_officer", _new_officer),
    "conv_service_and_value": _make("conv_service_and_value", _service_and_value),
    "conv_pcr_era": _make("conv_pcr_era", lambda r: _drip(r, past=True)),
    "conv_correct_value": _make("conv_correct_value", _correct_value),
    "conv_correct_term": _make("conv_correct_term", _correct_term),
    "conv_correct_date": _make("conv_correct_date", _correct_date),
    "conv_dont_know_then_value": _make("conv_dont_know_then_value", _dont_know_value),
    "conv_question_midflow": _make("conv_question_midflow", _midflow),
    "conv_volunteers_a_second_fact": _make("conv_volunteers_a_second_fact", _volunteer),
    "conv_change_service": _make("conv_change_service", _change_service),
    "conv_old_contract_beside_new": _make("conv_old_contract_beside_new", _old_contract),
    "conv_forwarded_email": _make("conv_forwarded_email", _email),
    "conv_terse_answers": _make("conv_terse_answers", _terse),
    "conv_typing_slips_in_answers": _make("conv_typing_slips_in_answers", _slips),
}


def generate(per_capability: int = 40, seed: int = 2026) -> list[Story]:
    out = []
    for cap, build in sorted(CAPABILITIES.items()):
        rng = random.Random(f"{seed}:{cap}")  # a capability's stories stay the same when others are added
        out += [build(rng) for _ in range(per_capability)]
    return out


# ---- the system under test: NLU model + the action's mapping + the dialogue ------------------------------------------


class Assistant:
    def __init__(self, model: Path = MODEL) -> None:
        logging.disable(logging.WARNING)
        import structlog  # Rasa's processor logs every parse at debug level through structlog

        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
        from rasa.core.agent import Agent

        self.agent = Agent.load(str(model))
        self.loop = asyncio.new_event_loop()

    def parse(self, text: str) -> dict[str, Any]:
        return self.loop.run_until_complete(self.agent.parse_message(text))

    def say(self, state: Optional[dict[str, Any]], text: str) -> Any:
        from rasa_sdk import Tracker

        from actions.converse import incoming
        from bot.assistant.dialogue import turn

        tracker = Tracker("behaviour", {}, self.parse(text), [], False, None, {}, "")
        return turn(state, incoming(tracker), TODAY)


@dataclass
class Result:
    story: Story
    ok: bool
    transcript: list[tuple[str, str]]
    why: str = ""


def _pending(out: Any) -> Optional[str]:
    return (out.state.get("pending") or {}).get("ask")


def play(assistant: Assistant, story: Story) -> Result:
    transcript: list[tuple[str, str]] = []
    state: Optional[dict[str, Any]] = None

    def say(text: str) -> Any:
        nonlocal state
        out = assistant.say(state, text)
        state = out.state
        transcript.append((text, " / ".join(m.text for m in out.messages)[:300]))
        return out

    try:
        out = say(story.first)
        turns = 1
        answered = out.assessment
        while turns < MAX_TURNS and (answered is None or _pending(out)):
            text = story.reply(_pending(out))
            if text is None:
                if answered is not None:
                    break
                return Result(story, False, transcript, f"no answer and nothing it could reply to (pending {_pending(out)})")
            out = say(text)
            turns += 1
            answered = out.assessment or answered
        for text in story.after:
            out = say(text)
            while out.assessment is None and _pending(out) and len(transcript) < MAX_TURNS + len(story.after):
                reply = story.reply(_pending(out))
                if reply is None:
                    break
                out = say(reply)
            answered = out.assessment
    except Exception as e:  # a crash fails the conversation, not the suite
        return Result(story, False, transcript, f"{type(e).__name__}: {e}"[:200])
    if answered is None:
        return Result(story, False, transcript, f"no answer in {MAX_TURNS} turns")
    e = story.expect
    got = (answered.regime, answered.light_touch, answered.above_threshold)
    want = (e.regime, e.light_touch, e.above)
    if got != want:
        return Result(story, False, transcript, f"got {got}, expected {want}")
    value = answered.estimated_value_gbp
    if value is None or not (e.value_gbp - 1 <= value <= e.value_gbp * 1.2 + 1):  # VAT may be added, never less
        return Result(story, False, transcript, f"value {value}, expected {e.value_gbp:,.0f} (or +20% VAT)")
    return Result(story, True, transcript)


@dataclass
class Row:
    capability: str
    results: list[Result] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.results)

    @property
    def passed(self) -> int:
        return sum(r.ok for r in self.results)

    @property
    def rate(self) -> float:
        return self.passed / self.n if self.n else 0.0


def run(stories: Optional[list[Story]] = None, assistant: Optional[Assistant] = None) -> dict[str, Row]:
    assistant = assistant or Assistant()
    rows: dict[str, Row] = {}
    for s in stories if stories is not None else generate():
        rows.setdefault(s.capability, Row(s.capability)).results.append(play(assistant, s))
    return rows


def table(rows: dict[str, Row], examples: int = 1) -> str:
    out = [f"{'capability':30s} {'n':>4s} {'passed':>6s} {'rate':>7s}  example failures"]
    for name in sorted(rows):
        r = rows[name]
        out.append(f"{name:30s} {r.n:4d} {r.passed:6d} {r.rate:7.1%}{'' if r.rate >= PASS_RATE else ' ✗'}")
        for f in [x for x in r.results if not x.ok][:examples]:
            out.append(f"    {f.why}\n      " + "\n      ".join(f"> {a[:100]}\n        < {b[:160]}" for a, b in f.transcript))
    n = sum(r.n for r in rows.values())
    ok = sum(r.passed for r in rows.values())
    out.append(f"{'ALL':30s} {n:4d} {ok:6d} {ok / n:7.1%}  ({sum(r.rate >= PASS_RATE for r in rows.values())}/{len(rows)} "
               f"capabilities at ≥ {PASS_RATE:.0%})")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-v", metavar="CAPABILITY")
    p.add_argument("-n", type=int, default=40, help="conversations per capability")
    p.add_argument("--examples", type=int, default=1)
    args = p.parse_args(argv)
    rows = run(generate(args.n))
    print("\nGenerated conversations (tests/behaviour/conversations.py): several turns, per capability")
    print(table(rows, args.examples))
    if args.v:
        for f in [x for x in rows[args.v].results if not x.ok]:
            print(f"\n{f.why}\n  " + "\n  ".join(f"> {a}\n    < {b}" for a, b in f.transcript))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
