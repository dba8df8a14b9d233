"""One officer message -> the facts it states about a procurement (`Reading`), each in the Case's terms.

Pure: the caller passes `today` and whether the case already has a value (which changes how a lone
"plus a £90k set-up fee" or "there's an optional fourth year at £200k" is read). The dialogue
(`bot.assistant.dialogue`) decides what to do with the facts; nothing here decides the law.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional

from bot.ltr.match import ServiceMatch
from bot.text.dates import DateMention, find_dates, parse_date
from bot.text.facts import (ExemptionMention, parse_buyer, parse_cross_border, parse_exemption, parse_nation, parse_part_change,
                            parse_user_choice, parse_vat_status)
from bot.text.services import CpvMention, find_cpv, purchase
from bot.text.spelling import fix_slips
from bot.text.value_reader import ValueReading, read_value
from bot.text.vat import find_vat

_CORRECTION = re.compile(
    r"\b(?:actually|sorry|correction|correct(?:ing)?\s+(?:that|myself)|i\s+meant|meant\s+to\s+say|my\s+mistake|my\s+bad|"
    r"scratch\s+that|instead|rather\s+than|not\s+\w+\s+but|should\s+(?:be|have\s+said)|wrong|hang\s+on|wait|oops|forgot|"
    r"turns\s+out|update|changed?|to\s+clarify|just\s+to\s+be\s+clear|on\s+reflection|thinking\s+about\s+it|i\s+mis\w+)\b"
    r"|\bnot\s+£|\bnot\s+(?:the\s+)?\d",
    re.I)
_PERIOD_ONLY = [
    ("year", re.compile(r"\b(?:per\s+(?:year|annum)|a\s+year|each\s+year|annual(?:ly)?|yearly|p\.?a\.?|every\s+year)\b", re.I)),
    ("month", re.compile(r"\b(?:per\s+month|a\s+month|monthly|each\s+month|pcm)\b", re.I)),
    ("total", re.compile(r"\b(?:in\s+total|the\s+total|whole[\s-]life|overall|for\s+the\s+whole\s+(?:contract|term))\b", re.I)),
]
_CONCESSION = re.compile(
    r"\bconc[ae]ss?ions?\b|(?:operator|provider|contractor|they)\s+(?:keeps?|retains?|takes?|collects?)\s+(?:all\s+)?(?:the\s+)?"
    r"(?:takings|income|revenue|fees|profits?|charges|receipts)|(?:we|council)\s+(?:don'?t|do\s+not|won'?t)\s+pay\s+(?:them|the\s+operator|anything)"
    r"|paid\s+(?:by|from)\s+(?:the\s+)?(?:users|customers|the\s+public)|(?:income|revenue)\s+from\s+(?:users|customers|visitors)",
    re.I)
_NOT_CONCESSION = re.compile(r"\bnot\s+a\s+concession\b", re.I)
_UTILITIES = re.compile(r"\butilit(?:y|ies)\s+(?:contract|activity|activities|sector|procurement)|\bfor\s+(?:our|the)\s+(?:heat\s+network|water|energy|gas|electricity)\s+(?:activity|network|supply)", re.I)
_FRAMEWORK = re.compile(r"\bframework(?:\s+agreement)?s?\b|\bfw\b|\bpanel\b|\bapproved\s+(?:provider|supplier)\s+list\b", re.I)
_OPEN_FRAMEWORK = re.compile(r"\bopen\s+framework\b|\breopen\w*\s+(?:the\s+)?framework|\badd\s+(?:new\s+)?(?:providers|suppliers)\s+(?:later|over\s+time|each\s+year)", re.I)
_DYNAMIC = re.compile(r"\bdynamic\s+(?:market|purchasing\s+system)\b|\bdps\b|\bflexible\s+(?:purchasing\s+system|contracting\s+arrangement)\b", re.I)
_MUTUAL = re.compile(r"\bmutual\b|\bspin[\s-]?out\b|\breserv\w*\s+(?:it\s+|the\s+contract\s+|this\s+)?(?:to|for)\b|\bstaff[\s-]led\b|\bpublic\s+service\s+mutual", re.I)
_CODESIGN = re.compile(r"\bco[\s-]?(?:design|produc\w+|creat\w+)\b|\bwith\s+(?:service\s+)?users\s+(?:involved|on\s+the\s+panel)|\blived\s+experience\b", re.I)
_PILOT = re.compile(r"\bpilot\w*\b|\btrial\b|\bproof\s+of\s+concept\b|\binnovation\s+partnership\b|\btest\s+and\s+learn\b|\bresearch\b", re.I)
_DIRECT_AWARD = re.compile(r"\bdirect(?:ly)?\s*(?:-\s*)?award\w*|\bwithout\s+(?:a\s+)?(?:competition|tender\w*)|\bjust\s+give\s+it\s+to\b|\bsingle\s+source\b|\bincumbent\b", re.I)
_DONT_KNOW = re.compile(
    r"^\s*(?:i\s+)?(?:don'?t|do\s+not|dont)\s+know\b|^\s*(?:dunno|not\s+sure|unsure|no\s+idea|not\s+known|unknown|tbc|no\s+clue|"
    r"can'?t\s+say|i'?m\s+not\s+sure|haven'?t\s+decided|not\s+decided|not\s+yet\s+(?:known|decided))\b", re.I)
_SEPARABLE_NO = re.compile(
    r"\b(?:can(?:'t|not)|could(?:n'?t|\s+not)|not)\s+(?:really\s+)?(?:reasonably\s+)?(?:be\s+)?(?:bought|procured|purchased|split|"
    r"separated|supplied|tendered)(?:\s+it)?\s*(?:sep[ae]rately|apart|on\s+(?:its|their)\s+own|under\s+a\s+separate\s+contract|$|\b)|"
    r"\bcan'?t\s+(?:really\s+)?split\b|\bwould\s+break\s+the\s+(?:integrated\s+)?service\b|"
    r"\bmaterial(?:ly)?\s+adverse\s+effect\b|\bwithout\s+harming\b|\bwould\s+(?:harm|undermine|compromise)\b|\bnot\s+separable\b|\binseparable\b|\bpart\s+of\s+the\s+(?:same\s+)?(?:response\s+)?service\b", re.I)
_SEPARABLE_YES = re.compile(
    r"\b(?:can|could)\b[^.;?!]{0,40}?\b(?:sep[ae]rate(?:ly|d)?|split|apart|on\s+(?:its|their)\s+own)\b|\bseparable\b|"
    r"\bseparate\s+lots?\b", re.I)
# How officers say no VAT is charged on a service (reference §3.1: many care services are VAT-exempt).
_NO_VAT = re.compile(
    r"\b(?:won'?t|don'?t|doesn'?t|do\s+not|does\s+not|will\s+not|can'?t)\s+charge\s+(?:any\s+)?vat\b|\bcharit(?:y|ies|able)\b[^.?!]{0,30}\bno\s+vat\b|"
    r"\b(?:provider|they|it)(?:'s|\s+is|\s+are|'re)\s+(?:a\s+)?(?:registered\s+)?charit(?:y|ies)\b|\bcqc[\s-]registered\b|\bcharity\s+provider\b|"
    r"\bprovider\s+will\s+be\s+a\s+charity\b|\bvat\s+doesn'?t\s+apply\b", re.I)
_NEGATED = re.compile(r"(?:\bnot|n't)\s+$", re.I)
_VAT_ON_TOP = re.compile(r"\b(?:charges?|charging|add(?:s|ing)?)\s+vat\s+on\s+top\b|\bvat\s+(?:will\s+be\s+|is\s+)?(?:added|on\s+top)\b", re.I)
_BARE_VAT = re.compile(r"(?:^|[,;(]\s*|\s)(gross|net|charity)\s*(?:[,;.)]|$)", re.I)
_FOR_NHS = re.compile(r"\bfor\s+the\s+(?:purposes\s+of\s+the\s+)?nhs\b|\bnhs[\s-]funded\b|\bon\s+behalf\s+of\s+the\s+(?:icb|nhs)\b", re.I)
_NOT_FOR_NHS = re.compile(r"\bnot\s+(?:for|on\s+behalf\s+of)\s+the\s+nhs\b|\bpublic\s+health\s+grant\b", re.I)
_MAX_TERM = re.compile(r"\b(?:max(?:imum)?|total|overall|up\s+to|no\s+more\s+than)\s+(?:term\s+(?:of\s+)?)?(\d{1,2})\s*(?:years?|yrs?)\b", re.I)


@dataclass
class Reading:
    """The facts one message states. Everything is optional: most messages state only a few."""

    text: str
    services: list[ServiceMatch] = field(default_factory=list)  # what is bought first (bot.text.purchase)
    client: Optional[ServiceMatch] = None  # a service named only as whom it is for, treated differently in law
    cpv: list[CpvMention] = field(default_factory=list)
    value: ValueReading = field(default_factory=ValueReading)
    parts: list[dict[str, Any]] = field(default_factory=list)  # mixed contract: [{"service", "value_gbp", "words"}]
    vat: Optional[str] = None
    date: Optional[DateMention] = None
    dates: list[DateMention] = field(default_factory=list)
    buyer: Optional[str] = None
    cross_border: Optional[str] = None
    flags: dict[str, Any] = field(default_factory=dict)  # Case fields: concession, utilities, framework, user_choice, ...
    aims: list[str] = field(default_factory=list)
    exemption: Optional[ExemptionMention] = None  # an exempted contract named, clearly or as a hint to ask about
    part_change: Optional[str] = None  # "add" | "remove": a part added to (or taken out of) the contract described
    separable: Optional[bool] = None
    correction: bool = False
    period_only: Optional[str] = None  # "that's per year": a new period for the amount already given
    dont_know: bool = False
    question: bool = False

    @property
    def has_case_facts(self) -> bool:
        dated = self.date is not None and self.date.event is not None  # "today" alone is not a fact of a case
        return bool(self.services or self.cpv or self.value.found or self.parts or dated or self.vat or self.buyer
                    or self.flags or self.aims or self.exemption or self.period_only or self.separable is not None
                    or (self.value.term is not None))

    @property
    def describes_contract(self) -> bool:
        """Enough to be a new contract rather than an answer: a service, or a value with something else."""
        return bool(self.services or self.cpv or self.parts) or (self.value.found and bool(self.date))


# A forwarded or quoted e-mail's header lines: their dates and names are the e-mail's, not the procurement's.
_MAIL_HEADER = re.compile(
    r"^[ \t>]*(?:from|sent|to|cc|bcc|date|importance|received|reply-to)[ \t]*:.*$|^[ \t>]*-{2,}[ \t]*(?:original|forwarded)"
    r"[ \t]+message[ \t]*-{2,}.*$|^[ \t>]*on\b[^\n]{0,80}\bwrote:[ \t]*$", re.I | re.M)


def without_mail_headers(text: str) -> str:
    """The message with e-mail header lines blanked (same length, so every offset still points at the original)."""
    return _MAIL_HEADER.sub(lambda m: " " * len(m.group()), text)


# A sentence about the contract in place now: its price and dates are history, not the new procurement's.
_CURRENT = re.compile(r"\b(?:current|existing|previous|old|incumbent|present|expiring|last)\s+(?:contract|provider|service|"
                      r"arrangement|deal|agreement|framework)\b|\bcontract\s+(?:we\s+have\s+)?(?:now|currently|at\s+the\s+moment)\b",
                      re.I)
_NEW = re.compile(r"\b(?:new\s+(?:one|contract|service|deal|arrangement|agreement|provider|procurement|tender|framework)|next|"
                  r"future|re-?(?:tender|procure|commission)\w*|will|going\s+to|plan\w*|from\s+now)\b", re.I)
_SENTENCE = re.compile(r"(?:[^.;!?\n]|\.(?=\w))+(?:[.;!?]+|\n+|$)")  # "£1.1m" does not end a sentence
_FIGURE = re.compile(r"£\s?\d|\d\s*(?:k|m)\b|\b\d{4}\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)


def without_current_contract(text: str) -> str:
    """The message with each sentence about the current contract blanked ("The current contract started in 2021 and
    costs £60k a year. The new one will be ..."), when other sentences give figures or dates of their own: the
    new procurement's value and start are read from those. Same length, so offsets still point at the original."""
    spans = [(m.start(), m.end()) for m in _SENTENCE.finditer(text)]
    old = [(a, b) for a, b in spans if _CURRENT.search(text, a, b) and not _NEW.search(text, a, b)]
    if not old or not any(_FIGURE.search(text, a, b) for a, b in spans if (a, b) not in old):
        return text
    out = list(text)
    for a, b in old:
        out[a:b] = [" "] * (b - a)
    return "".join(out)


def read_message(text: str, today: date, has_value: bool = False) -> Reading:
    text = fix_slips(text)  # read as corrected: every offset below is into this text
    r = Reading(text=text)
    text = without_mail_headers(text)
    r.cpv = find_cpv(text)
    bought = purchase(text)  # what is bought is read from every sentence, the current contract's included
    r.services, r.client = bought.services, bought.client
    text = without_current_contract(text)
    low = text.lower()
    r.value = read_value(text, has_value=has_value)
    r.vat = r.value.vat
    vat = parse_vat_status(text)
    if vat is not None and vat.value != "unknown":
        r.vat = vat.value
    if any(status == "exempt" and not _NEGATED.search(text[max(0, s - 8):s]) for status, s, _ in find_vat(text)):
        # "£110k pa ex VAT - though the trust is VAT exempt for this": no VAT is chargeable, so the price
        # without VAT is the whole price (reference §3.1).
        r.vat = "exempt"
    if _VAT_ON_TOP.search(text):
        r.vat = "excluded"
    elif _NO_VAT.search(text):
        r.vat = "exempt"
    elif r.vat is None and r.value.amounts:
        bare = _BARE_VAT.search(text)  # "…, gross", "…, net", "charity": officers' shorthand beside a figure
        if bare:
            r.vat = "included" if bare.group(1).lower() == "gross" else "excluded" if bare.group(1).lower() == "net" else "exempt"
    r.dates = find_dates(text, today)
    r.date = parse_date(text, today)
    buyer = parse_buyer(text)
    r.buyer = buyer.value if buyer else None
    cross = parse_cross_border(text)
    r.cross_border = cross.value if cross else None
    r.correction = bool(_CORRECTION.search(text))
    r.dont_know = bool(_DONT_KNOW.search(text))
    r.question = "?" in text or bool(re.match(r"\s*(?:what|which|how|when|why|who|where|do|does|did|is|are|can|could|should|must|will|would|have|has)\b", low))
    if not r.value.found and not r.value.amounts:
        for period, rx in _PERIOD_ONLY:
            if rx.search(text):
                r.period_only = period
                break
    _flags(text, r)
    _term_from_dates(text, r)
    _parts(text, r)
    return r


_RANGE = re.compile(r"\bfrom\b[^.;]{3,30}?\b(?:to|until|till|-|–)\b", re.I)


def _term_from_dates(text: str, r: Reading) -> None:
    """"£210k a year from 1 April 2027 to 31 March 2030": the dates give the term."""
    v = r.value.value
    if not v or "years" in v or not any(k in v for k in ("annual_gbp", "monthly_gbp", "weekly_gbp")):
        return
    dated = [d for d in r.dates if d.date is not None]
    if len(dated) >= 2 and _RANGE.search(text[dated[0].start - 6:dated[1].end]):
        days = (dated[1].date - dated[0].date).days + 1
        v["years"] = round(days / 365.25 * 4) / 4  # to the quarter year: "1 April 2027 to 31 March 2030" is 3


def _flags(text: str, r: Reading) -> None:
    f = r.flags
    if _CONCESSION.search(text) and not _NOT_CONCESSION.search(text):
        f["concession"] = True
    if _UTILITIES.search(text):
        f["utilities"] = True
    if _FRAMEWORK.search(text):
        f["framework"] = True
        r.aims.append("framework")
    if _OPEN_FRAMEWORK.search(text):
        f["framework"] = True
        r.aims.append("open_framework")
    if _DYNAMIC.search(text):
        r.aims.append("dynamic_market")
    if _MUTUAL.search(text):
        r.aims.append("mutual")
    if _CODESIGN.search(text):
        r.aims.append("co_design")
    if _PILOT.search(text):
        r.aims.append("pilot")
    if _DIRECT_AWARD.search(text):
        r.aims.append("direct_award")
    choice = parse_user_choice(text)
    if choice is not None:
        f["user_choice"] = choice
        if choice:
            r.aims.append("user_choice")
    nation = parse_nation(text)
    if nation is not None:
        f["england"] = False
        f["nation"] = nation.value
    r.exemption = parse_exemption(text)
    r.part_change = parse_part_change(text)
    stated = " ".join(x for x in re.split(r"(?<=[.?!])\s+", text) if not x.rstrip().endswith("?"))  # not questions
    if _SEPARABLE_NO.search(stated) or re.search(r"\b(?:can(?:'t|not)|could(?:n'?t|\s+not)|won'?t|wouldn'?t)\b[^.;?!]{0,40}?"
                                                r"\b(?:sep[ae]rate(?:ly)?|split|apart)\b", stated, re.I):
        r.separable = False
    elif _SEPARABLE_YES.search(stated):
        r.separable = True
    if _FOR_NHS.search(text):
        f["health_service_purpose"] = True
    elif _NOT_FOR_NHS.search(text):
        f["health_service_purpose"] = False
    m = _MAX_TERM.search(text)
    if m:
        f["term_years"] = float(m.group(1))


_HARD_STOP = re.compile(r"[.;:()\[\]=?!,]|\s[-–—]\s|\b(?:for|of|is|are|was|incl\w*|about|around|approx\w*|roughly|on|costs?|"
                        r"worth|budget|spend|priced|years?|yrs?|months?)\b", re.I)
_JOINED = re.compile(r"\+(?!\s*vat)|&|\band\b|\bplus\b(?!\s+vat)|,", re.I)
_LABEL = re.compile(r"^(?:lot|yr|year|y)\s*\d{1,2}\b", re.I)
_PRONOUN = re.compile(r"^(?:it|this|that|them|these|those|one|which)$", re.I)
# A part called just "care" in a care contract ("care £400k + devices £250k") is social care (CPV 85310000).
_BARE_CARE = re.compile(r"^(?:care|care\s+(?:and|&)\s+(?:support|activities)|care\s+element|the\s+care\s+service|care\s+service)$", re.I)
_LEADING = re.compile(r"^(?:[\s,+&(]|\band\b|\bplus\b|\bthe\b|\ba\b|\ban\b|\bour\b|\bthen\b|\balso\b|\bwith\b|\bboth\b[^,)]*[,)])+", re.I)


_TRAILING = re.compile(r"(?:[\s(~]|\b(?:is|are|was|were|at|costs?|of|=|about|around|approx\w*|roughly|c\.?)\b)+$", re.I)


def _words_before(text: str, start: int, floor: int) -> tuple[str, int]:
    """The few words naming what an amount is for, written just before it ("devices £250k", "day care (£300k)")."""
    chunk = _TRAILING.sub("", text[floor:start])
    lead = _LEADING.match(chunk)
    offset = lead.end() if lead else 0
    piece = chunk[offset:]
    stops = [m for m in _HARD_STOP.finditer(piece) if piece[m.end():].strip(" (")]
    while stops and _PRONOUN.match(piece[stops[-1].end():].strip(" (")):  # "training for care staff on it £100k"
        piece = piece[:stops[-1].start()]
        stops = [m for m in _HARD_STOP.finditer(piece) if piece[m.end():].strip(" (")]
    seg = piece[stops[-1].end():] if stops else piece
    seg_start = floor + offset + (stops[-1].end() if stops else 0)
    words = _LEADING.sub("", seg.strip(" (-–—:,")).strip()
    if len(words.split()) > 4:
        seg_start += len(seg) - len(" ".join(words.split()[-3:])) - 1
        words = " ".join(words.split()[-3:])
    return words, seg_start


_OF_WORDS = re.compile(r"\s*(?:a\s+year|pa|per\s+year|a\s+month)?\s*(?:of|for|on|is|are|goes\s+on)\s+(?:the\s+|for\s+)?([a-z][a-z &'-]{2,60}?)(?=[,.;:)(]|\s+(?:and|over|for|but|which|that|is|are|so)\b|$)", re.I)


def _component_parts(text: str, r: Reading) -> bool:
    """"£1.5m a year including £100k a year of health promotion": the whole, and a named part within it."""
    comps = [a for a in r.value.amounts if a.role == "component"]
    mains = [a for a in r.value.amounts if a.role in ("recurring", "total")]
    if len(comps) != 1 or len(mains) != 1 or not r.services or r.value.value is None:
        return False
    comp, main = comps[0], mains[0]
    m = _OF_WORDS.match(text, comp.money.end)
    if not m or comp.money.amount_gbp >= main.money.amount_gbp:
        return False
    term = r.value.term
    per = {"year": 1, "month": 12, "week": 52}
    factor = 1.0
    if main.money.period in per:
        years = main.money.years or (term.years + term.extension_years if term else None)
        if not years:
            return False
        factor = per[main.money.period] * years
    comp_words = m.group(1).strip()
    comp_match = next((s for s in r.services if s.start >= m.start(1) - 1), None)
    first = next((s for s in r.services if s.end <= main.money.start + 1), r.services[0])
    r.parts = [
        {"service": first.id, "words": first.text, "value_gbp": round((main.money.amount_gbp - comp.money.amount_gbp) * factor, 2)},
        {"service": comp_match.id if comp_match else comp_words, "words": comp_match.text if comp_match else comp_words,
         "value_gbp": round(comp.money.amount_gbp * factor, 2)},
    ]
    return True


def _parts(text: str, r: Reading) -> None:
    """Two or more services, each with its own amount ("home care £2.4m + devices £150k"): a mixed contract."""
    if _component_parts(text, r):
        if r.separable is not None:
            for p in r.parts:
                p["separable"] = r.separable
        return
    amounts = [a for a in r.value.amounts
               if a.role not in ("other", "compared", "restated", "one_off", "extension", "table", "contingency", "line")]
    if len(amounts) < 2:
        return
    segments: list[tuple[str, Optional[ServiceMatch], Any]] = _named_after(text, r, amounts)
    if segments:
        _add_parts(r, segments)
        return
    floor = 0
    for a in amounts:
        words, seg_start = _words_before(text, a.money.start, floor)
        match = next((s for s in r.services if s.start >= seg_start - 1 and s.end <= a.money.start + 1), None)
        if match is None and not _BARE_CARE.match(words):
            # "training for care staff on it £100k": the service named earlier in the same stretch
            match = next((s for s in reversed(r.services) if s.start >= floor and s.end <= a.money.start + 1), None)
        if match is None and not segments and r.services and r.services[0].end <= a.money.start and not _BARE_CARE.match(words):
            match = r.services[0]  # "Older people's day centre: care & activities £500k + ...": the service named first
        segments.append((words, match, a))
        floor = a.money.end
    named = [s for s in segments if s[0] or s[1]]
    if len(named) < 2 or len(named) != len(segments):
        return
    if any(_LABEL.match(w) for w, _, _ in named):
        return  # "Lot 1 £315k, Lot 2 £290k", "Yr1: £240k": lots or years of one contract, not parts
    joined = all(_JOINED.search(text[a.money.end:b.money.start]) for (_, _, a), (_, _, b) in zip(named, named[1:]))
    if not all(s[1] or _BARE_CARE.match(s[0]) for s in named) and not joined:
        return  # words the catalogue does not know name a part only when the amounts are added together
    if len({w.lower() for w, _, _ in named}) < 2:
        return
    _add_parts(r, named)


def _named_after(text: str, r: Reading, amounts: list[Any]) -> list[tuple[str, Optional[ServiceMatch], Any]]:
    """"£600k for the platform and £100k for the training": each amount followed by the service it pays for."""
    out: list[tuple[str, Optional[ServiceMatch], Any]] = []
    for i, a in enumerate(amounts):
        m = _OF_WORDS.match(text, a.money.end)
        limit = amounts[i + 1].money.start if i + 1 < len(amounts) else len(text)
        if not m or m.start(1) >= limit:
            return []
        match = next((s for s in r.services if m.start(1) - 1 <= s.start < min(m.end(1) + 1, limit)), None)
        if match is None:
            return []
        out.append((match.text, match, a))
    return out if len({s.id for _, s, _ in out if s}) == len(out) else []


def _add_parts(r: Reading, named: list[tuple[str, Optional[ServiceMatch], Any]]) -> None:
    term = r.value.term
    for words, match, a in named:
        m = a.money
        factor = 1.0
        if m.period in ("year", "month", "week"):
            per_year = {"year": 1, "month": 12, "week": 52}[m.period]
            years = m.years or (term.years + term.extension_years if term else None)
            if not years:
                r.parts = []
                return  # a yearly price with no term: leave it to the value question
            factor = per_year * years
        if match is None and _BARE_CARE.match(words):
            r.parts.append({"service": "social_work", "words": words, "value_gbp": round(m.amount_gbp * factor, 2)})
            continue
        r.parts.append({"service": match.id if match else words, "words": match.text if match else words,
                        "value_gbp": round(m.amount_gbp * factor, 2)})
    if r.separable is not None:
        for p in r.parts:
            p["separable"] = r.separable


__all__ = ["Reading", "read_message"]
