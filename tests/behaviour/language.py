"""How officers write the pieces of a message: amounts, terms, VAT, dates, services, and the noise around them.

Written from the issue's list (issue 17) and from how council officers write in e-mails and Teams, not from
any evaluation set. Nothing here reads the code under test.
"""
from __future__ import annotations

import random
import re
from datetime import date

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"]

# Light touch services that are not health care (so neither the PSR nor a standard threshold applies).
SERVICES = [
    "home care for older people", "domiciliary care", "supported living for adults with learning disabilities",
    "floating support", "day opportunities for adults with learning disabilities", "a domestic abuse refuge",
    "independent advocacy", "a carers' support service", "reablement", "extra care housing support",
    "homelessness outreach", "a befriending service", "meals on wheels", "an information and advice service",
]
INTROS = ["{svc}", "{Svc}", "We're recommissioning {svc}", "New contract for {svc}", "Re-tender of {svc}",
          "Looking to procure {svc}", "{Svc} contract", "Planning a tender for {svc}", "{Svc} recommission"]

VAT_PHRASES = {
    "exempt": ["VAT exempt", "no VAT (charity provider)", "exempt from VAT", "no VAT applies", "VAT: exempt",
               "not subject to VAT", "no VAT as the provider is a charity"],
    "included": ["inc VAT", "including VAT", "incl. VAT", "VAT inclusive", "inclusive of VAT", "gross (inc VAT)"],
    "excluded": ["+ VAT", "ex VAT", "excl. VAT", "plus VAT", "exclusive of VAT", "net of VAT", "before VAT"],
}

NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


# ---- amounts -------------------------------------------------------------------------------------------------

def number(x: float) -> str:
    """A number without trailing zeros: 1.2, 450, 1.25."""
    return f"{x:.6f}".rstrip("0").rstrip(".")


def full(x: float, comma: bool = True) -> str:
    """£1,200,000 or £26.40."""
    pence = round(x * 100) % 100
    if comma:
        return f"£{x:,.2f}" if pence else f"£{x:,.0f}"
    return f"£{x:.2f}" if pence else f"£{x:.0f}"


def in_k(x: float, comma: bool = False, upper: bool = False) -> str:
    """£450k, £1200k, £1,200k."""
    k = x / 1000
    s = f"{k:,.0f}" if comma else number(k)
    return f"£{s}{'K' if upper else 'k'}"


def in_m(x: float, upper: bool = False) -> str:
    """£1.2m, £1.25M."""
    return f"£{number(x / 1e6)}{'M' if upper else 'm'}"


def words(n: int) -> str:
    """Whole numbers in British English words: "four hundred and fifty thousand"."""
    if n < 20:
        return NUMBER_WORDS[n]
    if n < 100:
        return TENS[n // 10] + ("-" + NUMBER_WORDS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        return NUMBER_WORDS[n // 100] + " hundred" + (" and " + words(rest) if rest else "")
    for size, name in ((10**9, "billion"), (10**6, "million"), (1000, "thousand")):
        if n >= size:
            head, rest = divmod(n, size)
            tail = "" if not rest else (" and " + words(rest) if rest < 100 else " " + words(rest))
            return words(head) + " " + name + tail
    raise ValueError(n)


def in_words(x: float, rng: random.Random) -> str:
    """"one point two million pounds", "four hundred and fifty thousand pounds"."""
    if x >= 1e6 and x % 1e5 == 0 and x % 1e6 and rng.random() < 0.6:
        whole, tenth = divmod(int(x // 100000), 10)
        return f"{words(whole)} point {words(tenth)} million pounds"
    return f"{words(int(x))} pounds"


def plain(x: float, rng: random.Random) -> str:
    """The commonest ways of writing a whole-life or yearly figure: £450,000, £450k, £1.2m."""
    options = [full(x)]
    if x % 1000 == 0 and x < 1e6:
        options += [in_k(x)] * 2
    if x >= 1e6 and x % 10000 == 0:
        options += [in_m(x)] * 2
    return rng.choice(options)


def count(n: int, rng: random.Random) -> str:
    """A small count in digits or words: 3, Three."""
    return words(n).capitalize() if rng.random() < 0.5 else str(n)


# ---- terms ------------------------------------------------------------------------------------------------------

def years_phrase(n: int, rng: random.Random) -> str:
    if n == 1:
        return rng.choice(["for a year", "for 1 year", "for one year", "over 12 months"])
    return rng.choice([f"for {n} years", f"over {n} years", f"for {n} yrs", f"{n} year contract",
                       f"{n}-year term", f"term {n} years", f"over a {n} year term"])


def term_plus(initial: int, ext: tuple[int, ...], rng: random.Random) -> str:
    """"3+1+1", "3 + 2", "3 years plus 2", "3 years with the option to extend for a further 2 years"."""
    e = "+".join(str(x) for x in ext)
    total_ext = sum(ext)
    forms = [f"{initial}+{e}", f"{initial} + {' + '.join(str(x) for x in ext)}", f"{initial}+{e} years",
             f"{initial} years + {' + '.join(str(x) for x in ext)}", f"term {initial}+{e}"]
    if len(ext) == 1:
        forms += [f"{initial} years plus {ext[0]}",
                  f"{initial} years with the option to extend for a further {total_ext} year{'s' if total_ext > 1 else ''}",
                  f"{initial} years plus a {ext[0]} year extension option"]
    elif len(set(ext)) == 1 and ext[0] == 1:
        forms += [f"{initial} years plus {words(len(ext))} one-year extensions",
                  f"initial {initial} years, extendable by {' + '.join('1' for _ in ext)}"]
    return rng.choice(forms)


def term_bracket(initial: int, ext: tuple[int, ...], rng: random.Random) -> str:
    """"4 (+1)", "4 (+1+1)", "4yrs (+1)", "2 (+1 +1)"."""
    e = "+".join(str(x) for x in ext)
    return rng.choice([f"{initial} (+{e})", f"{initial} (+{' +'.join(str(x) for x in ext)})", f"{initial}yrs (+{e})",
                       f"{initial} years (+{e})", f"{initial} (+ {e})"])


# ---- VAT and dates ----------------------------------------------------------------------------------------------

# The plainest ways, for tests that are not about VAT (the VAT capabilities use every phrase above).
PLAIN_VAT_PHRASES = {"exempt": ["VAT exempt", "no VAT (charity provider)", "exempt from VAT"],
                     "included": ["inc VAT", "including VAT", "inclusive of VAT"]}


def vat(status: str, rng: random.Random, plain: bool = False) -> str:
    return rng.choice((PLAIN_VAT_PHRASES if plain else VAT_PHRASES)[status])


def start_month(rng: random.Random) -> date:
    """A first-of-month commencement after today's (26 Nov 2026) and under the Act's 2026 thresholds."""
    y, m = rng.choice([(2027, m) for m in range(1, 13)] + [(2028, m) for m in range(1, 7)])
    return date(y, m, 1)


def date_clause(d: date, rng: random.Random) -> str:
    month = MONTHS[d.month - 1]
    return rng.choice([f"tender notice {month} {d.year}", f"going out to tender in {month} {d.year}",
                       f"advert out {month} {d.year}", f"procurement starts {month} {d.year}",
                       f"tender notice to be published in {month} {d.year}",
                       f"we plan to advertise in {month} {d.year}"])


def service_intro(rng: random.Random) -> str:
    svc = rng.choice(SERVICES)
    return rng.choice(INTROS).format(svc=svc, Svc=svc[0].upper() + svc[1:])


def join(clauses: list[str], rng: random.Random) -> str:
    sep = rng.choice([", ", ", ", ", ", ". ", "; ", " – ", "\n"])
    text = sep.join(clauses)
    return text[0].upper() + text[1:]


# ---- noise (must never change the reading) -------------------------------------------------------------------------

GREETINGS = ["Hi,", "Hi team,", "Hello,", "Morning all,", "Good afternoon,", "Hiya", "Hi there, hope you're well.",
             "Dear Procurement,"]
SIGN_OFFS = ["Thanks", "Many thanks,\nSam", "Cheers, Priya", "Kind regards,\nJo Okafor\nCommissioning Manager, Adults' Services",
             "Thanks in advance!", "Best wishes\nTom", "Ta", "Regards, Amira (Children's Commissioning)"]
EMAIL_HEADERS = [
    "---------- Forwarded message ---------\nFrom: Jo Okafor <jo.okafor@example.gov.uk>\nSent: Thursday, 12 November 2026 09:14\n"
    "To: Procurement Team\nSubject: RE: recommissioning - value check\n\n",
    "From: Commissioning Team\nSent: 03 November 2026 16:40\nTo: Legal Services\nSubject: FW: light touch?\n\n",
    "-----Original Message-----\nFrom: Smith, Alex\nSent: 24/11/2026 11:02\nSubject: Re: tender plan\n\n",
    "FW: value for LTR check\n\nBegin forwarded message:\n\n",
]
TEAMS_PREFIXES = ["[10:42] Smith, Jo (Adults)\n", "Quick one - ", "@Procurement bot ", "Q for the bot: ",
                  "(edited) ", "fyi ", "Following up from the stand-up - "]
TEAMS_SUFFIXES = [" - shout if Qs", " ta", " 👍", " (sorry, on mobile)", " lmk", " - thx"]
EMOJI = ["🙂", "👍", "🙏", "✅", "📎", "😅"]
BULLETS = ["• ", "- ", "* ", "· "]
QUESTION_TAGS = [" – above LTR?", " - is this over the threshold?", ". Light touch?", " – which side of the threshold?",
                 ". Does the LTR apply?"]

# Words a typo must not touch: the ones that carry the facts (units, periods, VAT, terms, dates, services).
_PROTECTED = re.compile(
    r"year|yr|annum|annual|calendar|month|week|night|hour|session|placement|room|term|time|total|value|worth|contract|lot|vat|exempt|"
    r"charity|inclusive|including|exclusive|plus|extend|extension|option|contingency|one-off|set-up|setup|fee|"
    r"mobilisation|implementation|notice|tender|advert|procure|start|between|around|about|circa|approx|region|"
    r"million|thousand|hundred|pound|each|every|only|figure|cost|price|budget|range|care|support|living|service|"
    r"refuge|advocacy|reablement|outreach|befriending|meals|wheels|opportunities|disabilities|older|people|adults|"
    r"housing|information|advice|domestic|abuse|homeless|carers|floating|learning|accommodation|temporary|hotel|"
    r"children|residential|tuition|club|young|leavers|" + "|".join(m.lower()[:3] for m in MONTHS) + "|" +
    "|".join(sorted({w for s in SERVICES for w in re.findall(r"[a-z]{4,}", s)})) + "|" +
    "|".join(w for w in NUMBER_WORDS + TENS if w), re.I)


def typo(text: str, rng: random.Random) -> str:
    """Two adjacent letters swapped in one or two ordinary words (never in a number or a fact-bearing word)."""
    def candidates(t: str) -> list[tuple[int, str]]:
        return [(m.start(), m.group()) for m in re.finditer(r"\b[A-Za-z]{5,}\b", t) if not _PROTECTED.search(m.group())]
    words_ = candidates(text)
    if not words_:  # every word carries a fact: the typo goes in a line of the officer's own
        text = rng.choice(["Could you please check this?", "Grateful for a steer on this one.", "Looking for advice:"]) + \
            "\n" + text
        words_ = candidates(text)
    for start, w in rng.sample(words_, min(len(words_), rng.choice([1, 2]))):
        i = rng.randrange(1, len(w) - 2)
        bad = w[:i] + w[i + 1] + w[i] + w[i + 2:]
        text = text[:start] + bad + text[start + len(w):]
    return text
