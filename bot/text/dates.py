"""Dates and what happened on them: "next April", "Feb 2025", "we advertised in January 2025",
"already went out on FTS", "contract was awarded in 2024", "starting next month".

Relative dates are read against `today`, which the caller passes (these functions never read the
clock). A period stands for its first day (`date`: "procurement starts in Q2 26/27" is 1 July 2026)
and `latest` is its last day, so a caller can see when a period runs across a change in the rules
(24 February 2025, 1 January 2026) and ask. `precision` says what the words named.

How London borough officers write dates, and how they are read:

- Quarters are UK financial-year quarters: Q1 April-June, Q2 July-September, Q3 October-December,
  Q4 January-March of the following calendar year ("Q4 25/26" is January-March 2026). A quarter with
  a financial year ("Q2 26/27", "Q1 FY27/28", "Q3 next FY") or none ("end of Q3": the next one still
  running) is a financial quarter; a quarter with one calendar year ("Q2 2027") is a calendar quarter.
- Financial years run 1 April-31 March: "FY27/28", "FY 2027-28", "2027/28", "26/27" (a bare two-digit
  pair only with "/", not after "aged", and in the two-digit-year window below), "next FY", "this FY".
- Day before month, always (UK order): "01/04/2027", "1.4.27", "27 Apr" are days; "04/27" and
  "2027-04" are months. A month-first numeric date ("04/27/2027") is not read.
- A two-digit number after a month name ("Apr 27", "Jan 27") is a year when 20NN lies between five
  years before and three years after today (UK writers put the day first, so "Apr 27" is April 2027);
  otherwise it is a day ("April 9", "May 31").
- "early", "mid", "late", "start of", "end of" pick the first, middle, last-quarter or last month of
  the period they qualify ("end of Q3": December; "late 2026": October 2026; "early next year").
- Seasons: spring March-May, summer June-August, autumn September-November, winter December-February
  (winter 2026 is December 2026-February 2027). A season without a year is the next one, and needs a
  cue ("in the spring", "TN summer") or to open the message, so that "spring clean" is no date.
- "After the elections": London borough elections are held on the first Thursday in May every four
  years (2018, 2022, 2026, 2030). The legal reference does not cover them, so this is read as the day
  after the next borough polling day on or after today, with `assumption` saying so to the officer.

`event` says what the date is the date of:

- 'advertised': the procurement was or will be put out (tender notice or "TN", contract notice, ITT, PIN,
                "go to market", "out to tender", an advert, FTS, Contracts Finder)
- 'awarded':    the contract was or will be awarded/signed
- 'start':      the contract or service starts (not the same thing as the procurement starting)

`notice` names the platform or notice type when one is mentioned ('find_a_tender',
'contracts_finder', 'ojeu', 'pin', 'transparency_notice').
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional

from bot.text.numbers import small_number


@dataclass(frozen=True)
class DateMention:
    date: Optional[date]
    past: Optional[bool]
    event: Optional[str] = None  # 'advertised' | 'awarded' | 'start' | None
    precision: Optional[str] = None  # 'day' | 'month' | 'quarter' | 'season' | 'year' | None when no date
    notice: Optional[str] = None
    start: int = 0
    end: int = 0
    text: str = ""
    latest: Optional[date] = None  # the last day of the period named; None when a single day is named
    assumption: Optional[str] = None  # how words that name no date were read ("after the elections")
    year_said: bool = False  # the words fix the year ("Apr 27", "Q4 25/26"); False when it was inferred ("in March")
    said: str = ""  # the date with the words that name its event, as written ("TN Apr 27", "go live April '27")

    def runs_across(self, boundary: date) -> bool:
        """True when the period named starts before `boundary` and ends on or after it."""
        return self.date is not None and self.latest is not None and self.date < boundary <= self.latest

    def to_dict(self) -> dict:
        return {
            "date": self.date.isoformat() if self.date else None,
            "past": self.past,
            "event": self.event,
            "precision": self.precision,
            "notice": self.notice,
            "latest": self.latest.isoformat() if self.latest else None,
        }


_MONTHS = {
    "january": 1, "jan": 1, "janurary": 1, "janaury": 1, "february": 2, "feb": 2, "febuary": 2, "feburary": 2,
    "march": 3, "mar": 3, "april": 4, "apr": 4, "aprl": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "agust": 8, "september": 9, "sept": 9, "sep": 9, "septmber": 9, "october": 10,
    "oct": 10, "november": 11, "nov": 11, "novmber": 11, "december": 12, "dec": 12, "decmber": 12,
}
_MONTH = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR4 = r"(?:19|20)\d{2}"
_ORD = r"(?:st|nd|rd|th)?"
# Month words that are also ordinary words need a cue before them ("we may", "march on").
_AMBIGUOUS_MONTHS = {"may", "mar", "march", "jan", "dec", "sep", "aug"}
_MONTH_CUE = re.compile(
    r"(?:\b(?:in|from|by|until|till|til|since|during|before|after|of|on|around|early|mid|late|end\s+of|start\s+of|"
    r"beginning\s+of|middle\s+of|next|last|this|coming|for|starting|start|begin|beginning|commencing|due|to|"
    r"the|as\s+of|went\s+out|go\s+live|live|notice|tender|tendering|advertise|advertised|advertising|published|issued|"
    r"market|out|tn|itt|pin|gtm|advert)\s*)$"
)

_FY = r"(?:fy|financial\s+year|fin\s+year)"
_NOT_A_UNIT = r"(?!\s*(?:years?|yrs?|months?|weeks?|days?|hours?|hrs?|nights?|beds?|places?|people|k\b|m\b|%|\+))"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(rf"\b(?P<y>{_YEAR4})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})\b")),
    ("dmy_num", re.compile(r"(?<![\d/.])(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>(?:19|20)?\d{2})(?![\d/])")),
    ("dmy", re.compile(rf"\b(?P<d>\d{{1,2}}){_ORD}(?:\s+of)?\s+{_MONTH},?\s+(?P<y>{_YEAR4}|'\d{{2}})\b")),
    ("mdy", re.compile(rf"\b{_MONTH}\s+(?P<d>\d{{1,2}}){_ORD},?\s+(?P<y>{_YEAR4})\b")),
    # financial quarters and years: "Q2 26/27", "Q1 FY 2027-28", "Q3 next FY", "FY27/28", "2027/28", "next FY"
    ("fq", re.compile(rf"\bq(?P<q>[1-4])\s*(?:of\s+)?(?:{_FY}\s*)?(?P<y>(?:20)?\d{{2}})\s*[/-]\s*(?P<y2>(?:20)?\d{{2}})\b(?!\s*[/-]\s*\d)")),
    ("fq_rel", re.compile(rf"\bq(?P<q>[1-4])\s*(?:of\s+)?(?:(?P<rel>next|this|last|current|previous)\s+{_FY}|(?P<y>{_YEAR4}|'?\d{{2}})(?![\d/-]))?(?![\w:)])")),
    ("fy", re.compile(rf"\b(?:(?P<fy>{_FY})\s*)?(?P<y>(?:20)?\d{{2}})\s*(?P<sep>[/-])\s*(?P<y2>(?:20)?\d{{2}})\b(?!\s*[/-]\s*\d){_NOT_A_UNIT}")),
    ("rel_fy", re.compile(rf"\b(?P<rel>next|this|last|current|previous|the\s+coming|coming)\s+{_FY}\b")),
    ("my", re.compile(rf"\b{_MONTH}(?:\s+of)?,?\s*(?:(?P<y>{_YEAR4})\b|(?:'|’|-)\s?(?P<y2>\d{{2}})\b|\s(?P<y3>\d{{2}})\b(?![/.:]\d){_NOT_A_UNIT})")),
    ("iso_month", re.compile(rf"\b(?P<y>{_YEAR4})-(?P<m>\d{{2}})\b(?!-)")),
    ("my_num", re.compile(rf"(?<![\w/.£$€-])(?P<m>\d{{1,2}})/(?P<y>{_YEAR4}|\d{{2}})(?![\d/]){_NOT_A_UNIT}")),
    ("dm", re.compile(rf"\b(?P<d>\d{{1,2}}){_ORD}(?:\s+of)?\s+{_MONTH}(?![a-z])")),
    ("md", re.compile(rf"\b{_MONTH}\s+(?P<d>\d{{1,2}}){_ORD}\b(?!\s*(?:years?|months?|weeks?|days?|k\b|m\b|%))")),
    ("season_year", re.compile(rf"\b(?P<s>spring|summer|autumn|fall|winter)\s*(?:of\s+)?(?P<y>{_YEAR4}|'\d{{2}}|\d{{2}}\b)")),
    ("season", re.compile(r"\b(?:(?P<rel>next|this|last|coming|the\s+coming)\s+)?(?P<s>spring|summer|autumn|winter)\b"
                          r"(?!\s*(?:holidays?|schemes?|programmes?|school|camps?|terms?|activit\w*|clubs?|play\w*|fair|fete|reading|"
                          r"pressures?|clean\w*|fuel|funding|grant))")),
    ("of_the", re.compile(r"\b(?P<part>end|start|beginning|middle)\s+of\s+the\s+(?P<what>financial\s+year|year|quarter)\b")),
    ("rel_unit", re.compile(r"\b(?P<rel>next|this|last|previous|coming|the\s+coming|the\s+next)\s+(?P<unit>week|month|year|quarter)\b")),
    ("in_n", re.compile(r"\bin\s+(?:about\s+|around\s+|roughly\s+)?(?P<n>\d+|[a-z]+|a|an)\s+(?P<unit>days?|weeks?|months?|years?)(?:'?s?\s+time)?\b")),
    ("n_ago", re.compile(r"\b(?P<n>\d+|[a-z]+|a|an)\s+(?P<unit>days?|weeks?|months?|years?)\s+ago\b")),
    ("day_word", re.compile(r"\b(?P<w>today|tomorrow|yesterday|asap|as\s+soon\s+as\s+possible|right\s+away|immediately)\b")),
    ("elections", re.compile(r"\bafter\s+(?:the\s+)?(?:(?:next|coming|may|local|council|borough|london\s+borough|london)\s+)*elections?\b")),
    ("month", re.compile(rf"\b(?:(?P<rel>next|last|this|coming|the\s+coming|previous)\s+)?{_MONTH}(?![a-z])")),
    ("year", re.compile(rf"(?:(?<=mid-)|(?<![\w£$€.,/-]))(?P<y>{_YEAR4})(?![\d,]|\.\d|\s*(?:k|m|bn|million|thousand)\b|\s*[/-]\s*\d)")),
]
# A modifier before a period picks part of it: "end of Q3", "late 2026", "early next year", "mid-2027".
_MODIFIER = re.compile(r"\b(?:the\s+)?(?P<part>early|mid|middle\s+of|late|end\s+of|start\s+of|beginning\s+of)\s*-?\s*(?:the\s+)?$")
_PRECISION_MONTHS = {"day": 0, "month": 1, "quarter": 3, "season": 3, "year": 12}
_SEASON_MONTH = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
# How many years either side of today a two-digit year may name ("Apr 27", "04/27", "26/27").
_SHORT_YEARS_BACK, _SHORT_YEARS_AHEAD = 5, 3

_EVENT_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("advertised", re.compile(
        r"\b(?:advertis\w*|advert\b|went\s+out|gone\s+out|go(?:es)?\s+out|going\s+out|put\s+(?:it\s+|this\s+|them\s+)?out|"
        r"publish\w*|issued|issue\s+the\s+(?:tender|itt|notice)|out\s+to\s+tender|tender\s+notices?\b|tender(?:ed|ing)?\b|went\s+to\s+(?:the\s+)?market|"
        r"go(?:es|ing)?\s+(?:out\s+)?to\s+market|went\s+live\s+on|\btns?\b|\bgtm\b|\beoi\b|launch\w*|notice\b|fts\b|find\s+a\s+tender|contracts\s+finder|ojeu|"
        r"official\s+journal|\bted\b|\bpin\b|\bitt\b|invitation\s+to\s+tender|procurement\s+(?:started|began|begins|begun|"
        r"commenced|commences|starts|will\s+start|will\s+begin|kicked\s+off|kicks\s+off)|started\s+the\s+procurement|"
        r"(?:start|begin|commence|kick)(?:ed|ing|s)?\s+(?:off\s+)?the\s+procurement|approached\s+(?:the\s+)?market|"
        r"quotes?\b|quotations?\b|rfqs?\b|request\s+for\s+quot\w+|invit\w+\s+(?:quotes|tenders|bids)|"
        r"(?:contact|approach)\w*\s+(?:the\s+|a\s+|one\s+)?(?:provider|supplier|home|school|charity|agency|firm)s?|"
        r"process\s+(?:starts?|begins?|will\s+start|kicks\s+off)|instruct\w*)")),
    ("awarded", re.compile(r"\b(?:award\w*|signed|let\s+the\s+contract|contract\s+was\s+let|entered\s+into|concluded)")),
    ("start", re.compile(
        r"\b(?:start\w*|commenc\w*|begin\w*|began|go(?:es|ing)?\s+live|go[- ]live|live\s+from|kick\w*\s+off|mobilis\w*|"
        r"runs?\s+from|due\s+to\s+start|from)\b")),
]
_NOTICES: list[tuple[str, re.Pattern[str]]] = [
    ("find_a_tender", re.compile(r"\b(?:fts|find\s+a\s+tender(?:\s+service)?)\b")),
    ("contracts_finder", re.compile(r"\bcontracts?\s+finder\b")),
    ("ojeu", re.compile(r"\b(?:ojeu|ted|official\s+journal)\b")),
    ("pin", re.compile(r"\b(?:pin|prior\s+information\s+notice)\b")),
    ("transparency_notice", re.compile(r"\btransparency\s+notice\b")),
]
_LAW_BEFORE = re.compile(r"\b(?:act|acts|regulations?|regs|pcr|pa|si|directive|rules|order|measure|code|guidance|ppn|sch(?:edule)?)\s*$")
_LAW_AFTER = re.compile(r"\s*(?:act|regulations?|regs|rules|directive|ppn)\b")
_PAST = re.compile(
    r"\b(?:went|gone|was|were|did|had|have|has|advertised|published|issued|awarded|signed|started|began|commenced|"
    r"launched|already|ago|previously|earlier|last|put\s+it\s+out|tendered|let)\b")
_FUTURE = re.compile(
    r"\b(?:will|shall|going\s+to|plan\w*|intend\w*|hope\w*|expect\w*|want\w*|aim\w*|due|next|upcoming|coming|"
    r"would|'ll|about\s+to|to\s+be|by|starting|from)\b")


def find_dates(text: str, today: date) -> list[DateMention]:
    """Every date mention in `text`, left to right, each with the event nearest to it."""
    low = text.lower().replace("’", "'")
    raw: list[tuple[int, int, date, str, bool, Optional[str], bool]] = []  # start, end, date, precision, by tense, ...
    taken: list[tuple[int, int]] = []
    for kind, rx in _PATTERNS:
        for m in rx.finditer(low):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            got = _resolve(kind, m, low, today)
            if got is None:
                continue
            d, precision, by_tense = got
            start = m.start()
            modifier = _MODIFIER.search(low, 0, start) if precision in ("year", "quarter", "season") else None
            if modifier is not None and not any(modifier.start() < e and s < start for s, e in taken):
                d, precision = _narrow(modifier.group("part"), d, precision), "month"
                start = modifier.start()
            assumption = _ELECTION_ASSUMPTION.format(day=_long(d - timedelta(days=1))) if kind == "elections" else None
            raw.append((start, m.end(), d, precision, by_tense, assumption, kind in _YEAR_SAID
                        or (kind == "fq_rel" and bool(m.group("y")))))
            taken.append((start, m.end()))
    raw.sort()
    notice = _notice(low)
    events = _bind_events(low, [(s, e) for s, e, *_ in raw])
    out = []
    for (s, e, d, precision, by_tense, assumption, year_said), bound in zip(raw, events):
        event = bound[0] if bound else None
        # the words that give the date and its event, as the officer wrote them ("TN Apr 27")
        said = text[min(s, bound[1]):max(e, bound[2])] if bound and abs(bound[1] - s) <= 40 else text[s:e]
        sentence = _sentence(low, s, e)
        past_tense = _past_tense(low[sentence[0]:sentence[1]])
        if by_tense and past_tense and d > today:
            d = _shift_back(d, precision)
        latest = _latest(d, precision)
        out.append(DateMention(d, _is_past(d, latest, today, past_tense), event, precision, notice, s, e, text[s:e],
                               latest, assumption, year_said, said.strip()))
    return out


def parse_date(text: str, today: date) -> Optional[DateMention]:
    """The date that matters in `text` (the first one tied to an event, else the first one), or, when
    no date is given but an event is ("already went out on FTS"), a mention with `date` None."""
    mentions = find_dates(text, today)
    for m in mentions:
        if m.event is not None:
            return m
    if mentions:
        return mentions[0]
    low = text.lower()
    event = _nearest_event(low, len(low), len(low), (0, len(low)))
    notice = _notice(low)
    # Only an event that has already happened is worth reporting without a date ("already went out on FTS").
    if event not in ("advertised", "awarded", None) or (event is None and notice is None) or not _past_tense(low):
        return None
    return DateMention(None, True, event or "advertised", None, notice, 0, 0, "")


# ---- resolving a match to a date ---------------------------------------------------------------


def _resolve(kind: str, m: re.Match[str], low: str, today: date) -> Optional[tuple[date, str, bool]]:
    """(date, precision, whether a past-tense sentence moves it back a year) or None when not a date."""
    g = m.groupdict()
    try:
        if kind in ("iso", "dmy_num", "dmy", "mdy"):
            month = int(g["m"]) if g.get("m") else _MONTHS[g["mon"]]
            return date(_year(g["y"]), month, int(g["d"])), "day", False  # day first: "04/27/2027" is no date
        if kind == "fq":
            y, y2 = _year(g["y"]), _year(g["y2"])
            return (_fq_start(int(g["q"]), y), "quarter", False) if y2 == y + 1 else None
        if kind == "fq_rel":
            q = int(g["q"])
            if g["y"]:  # "Q2 2027": one calendar year, a calendar quarter
                return date(_year(g["y"]), (q - 1) * 3 + 1, 1), "quarter", False
            fy = _fy_of(today)
            if g["rel"]:
                return _fq_start(q, fy + _STEP[g["rel"]]), "quarter", False
            d = _fq_start(q, fy)  # "Q3" alone: the next one, or the one running now
            return (d if _add_months(d, 3) > today else _fq_start(q, fy + 1)), "quarter", True
        if kind == "fy":
            y, y2 = _year(g["y"]), _year(g["y2"])
            short = len(g["y"]) == 2
            if y2 != y + 1 or (short and not g["fy"] and (g["sep"] != "/" or not _short_year_ok(y, today)
                                                      or _AGES.search(low, 0, m.start()))):
                return None  # "16-17", "25-26 hours", "ages 25/26": not financial years
            return date(y, 4, 1), "year", False
        if kind == "rel_fy":
            return date(_fy_of(today) + _STEP[g["rel"]], 4, 1), "year", False
        if kind == "my":
            if g["y3"]:  # "Apr 27": a year when it can be one (see the module's note), else a day ("md")
                if g["mon"] == "may" and not _cued(low, m.start()):
                    return None  # "we may 26"
                y = 2000 + int(g["y3"])
                return (date(y, _MONTHS[g["mon"]], 1), "month", False) if _short_year_ok(y, today) else None
            return date(_year(g["y"] or g["y2"]), _MONTHS[g["mon"]], 1), "month", False
        if kind in ("iso_month", "my_num"):
            y = _year(g["y"])
            if len(g["y"]) == 2 and not _short_year_ok(y, today):
                return None
            return date(y, int(g["m"]), 1), "month", False
        if kind in ("dm", "md"):
            month = _MONTHS[g["mon"]]
            if g["mon"] in _AMBIGUOUS_MONTHS and kind == "md" and not _MONTH_CUE.search(low[:m.start()]):
                return None
            d = _next_or_same(today, month, int(g["d"]))
            return d, "day", True
        if kind == "season_year":
            return date(_year(g["y"]), _SEASON_MONTH[g["s"]], 1), "season", False
        if kind == "season":
            if not g["rel"] and not _cued(low, m.start()):
                return None  # "spring clean", "winter pressures"
            month = _SEASON_MONTH[g["s"]]
            rel = g["rel"] or "next"
            if rel == "last":
                return date(today.year if month < today.month else today.year - 1, month, 1), "season", True
            if rel == "this":
                return date(today.year, month, 1), "season", False
            return _next_or_same(today, month, 1), "season", False
        if kind == "of_the":  # "by the end of the year": this year, financial year or quarter
            what = g["what"].split()[0]
            if what == "financial":
                d, precision = date(_fy_of(today), 4, 1), "year"
            else:
                d, precision = _relative_unit("this", what, today)[:2]
            part = {"middle": "middle of"}.get(g["part"], g["part"] + " of")
            return _narrow(part, d, precision), "month", False
        if kind == "rel_unit":
            return _relative_unit(g["rel"], g["unit"], today)
        if kind in ("in_n", "n_ago"):
            n = small_number(g["n"])
            if n is None or n != int(n) or n > 100:
                return None
            sign = 1 if kind == "in_n" else -1
            return _offset(today, sign * int(n), g["unit"].rstrip("s"))
        if kind == "day_word":
            w = g["w"]
            if w == "tomorrow":
                return today + timedelta(days=1), "day", False
            if w == "yesterday":
                return today - timedelta(days=1), "day", False
            return today, "day", False
        if kind == "elections":
            return _borough_polling_day(today) + timedelta(days=1), "day", False
        if kind == "month":
            mon = g["mon"]
            if mon in _AMBIGUOUS_MONTHS and not g["rel"] and not _MONTH_CUE.search(low[:m.start()]):
                return None
            if mon in ("mar", "jan", "dec", "sep", "aug") and not g["rel"] and not re.search(r"\b(?:in|from|by|until|since|of|next|last|tn)\s*$", low[:m.start()]):
                return None
            return _month_relative(g["rel"], _MONTHS[mon], today), "month", not g["rel"]
        if kind == "year":
            y = int(g["y"])
            if not 2000 <= y <= 2100 or _LAW_BEFORE.search(low[:m.start()]) or _LAW_AFTER.match(low, m.end()):
                return None  # "Procurement Act 2023", "PCR 2015", "the 2023 Act" name laws, not dates
            return date(y, 1, 1), "year", False
    except (ValueError, KeyError):
        return None
    return None


_YEAR_SAID = {"iso", "dmy_num", "dmy", "mdy", "fq", "fy", "my", "iso_month", "my_num", "season_year", "elections", "year"}
_STEP = {"next": 1, "coming": 1, "the coming": 1, "this": 0, "current": 0, "last": -1, "previous": -1}
_ELECTION_ASSUMPTION = ("read as the day after the next London borough elections, held on {day} (the first Thursday "
                        "in May, every four years)")


_AGES = re.compile(r"\b(?:aged?|ages|year\s+olds?)\s*$")


def _cued(low: str, start: int) -> bool:
    """A word that can be something else ("may", "spring") is a date after a cue ("in", "TN") or at the start."""
    return not low[:start].strip() or bool(_MONTH_CUE.search(low[:start]))


def _fy_of(d: date) -> int:
    """The calendar year in which the financial year containing `d` starts (1 April)."""
    return d.year if d.month >= 4 else d.year - 1


def _fq_start(q: int, fy: int) -> date:
    """First day of quarter `q` of the financial year starting 1 April `fy` (Q4 is January-March of fy + 1)."""
    return _add_months(date(fy, 4, 1), 3 * (q - 1))


def _short_year_ok(y: int, today: date) -> bool:
    return today.year - _SHORT_YEARS_BACK <= y <= today.year + _SHORT_YEARS_AHEAD


def _narrow(part: str, d: date, precision: str) -> date:
    """The month of a period that "early", "mid", "late", "start of" or "end of" picks."""
    n = _PRECISION_MONTHS[precision]
    index = {"early": 0, "start of": 0, "beginning of": 0, "mid": n // 2, "middle of": n // 2,
             "late": n - max(1, n // 4), "end of": n - 1}[re.sub(r"\s+", " ", part)]
    return _add_months(date(d.year, d.month, 1), index)


def _latest(d: date, precision: str) -> Optional[date]:
    months = _PRECISION_MONTHS.get(precision, 0)
    return _add_months(date(d.year, d.month, 1), months) - timedelta(days=1) if months else None


def _borough_polling_day(today: date) -> date:
    """The next London borough polling day on or after `today`: the first Thursday in May of 2018, 2022, 2026, ..."""
    year = today.year + (2 - today.year) % 4
    while True:
        may1 = date(year, 5, 1)
        polling = may1 + timedelta(days=(3 - may1.weekday()) % 7)
        if polling >= today:
            return polling
        year += 4


def _long(d: date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


def _year(y: str) -> int:
    y = y.strip("'’- ")
    return 2000 + int(y) if len(y) == 2 else int(y)


def _month_relative(rel: Optional[str], month: int, today: date) -> date:
    rel = (rel or "").replace("the ", "")
    if rel in ("next", "coming"):
        year = today.year if month > today.month else today.year + 1
    elif rel in ("last", "previous"):
        year = today.year if month < today.month else today.year - 1
    elif rel == "this":
        year = today.year
    else:  # no qualifier: the next one (this month counts); shifted back later if the sentence is in the past
        year = today.year if month >= today.month else today.year + 1
    return date(year, month, 1)


def _next_or_same(today: date, month: int, day: int) -> date:
    d = date(today.year, month, day)
    return d if d >= today else date(today.year + 1, month, day)


def _relative_unit(rel: str, unit: str, today: date) -> tuple[date, str, bool]:
    step = _STEP[rel.replace("the next", "next")]
    if unit == "week":
        return today + timedelta(weeks=step), "day", False
    if unit == "month":
        return _add_months(date(today.year, today.month, 1), step), "month", False
    if unit == "quarter":
        q_start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        return _add_months(q_start, 3 * step), "quarter", False
    return date(today.year + step, 1, 1), "year", False


def _offset(today: date, n: int, unit: str) -> tuple[date, str, bool]:
    if unit == "day":
        return today + timedelta(days=n), "day", False
    if unit == "week":
        return today + timedelta(weeks=n), "day", False
    if unit == "month":
        return _add_months(date(today.year, today.month, 1), n), "month", False
    return _add_months(date(today.year, today.month, 1), 12 * n), "month", False


def _add_months(d: date, n: int) -> date:
    k = d.year * 12 + d.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def _shift_back(d: date, precision: str) -> date:
    """A month (or quarter) said in a past-tense sentence is the last one, not the next one."""
    try:
        return date(d.year - 1, d.month, d.day)
    except ValueError:  # 29 February
        return date(d.year - 1, d.month, 28)


def _is_past(d: date, latest: Optional[date], today: date, past_tense: bool) -> Optional[bool]:
    if latest is None:
        return d < today
    if latest < today:
        return True
    if d > today:
        return False
    return past_tense  # the period includes today: the verb decides


# ---- context --------------------------------------------------------------------------------


def _sentence(low: str, s: int, e: int) -> tuple[int, int]:
    left = max(low.rfind(c, 0, s) for c in ".!?;\n")
    right_candidates = [i for i in (low.find(c, e) for c in ".!?;\n") if i != -1]
    # A full stop inside a number or abbreviation ("inc. VAT", "£1.2m") is not a sentence end.
    while left > 0 and not (left + 1 >= len(low) or low[left + 1].isspace()):
        left = max(low.rfind(c, 0, left) for c in ".!?;\n")
    return left + 1, min(right_candidates) if right_candidates else len(low)


def _cues(low: str, a: int, b: int) -> list[tuple[int, int, int, str]]:
    """Event cues between a and b as (start, end, rank, event); a longer, more specific cue wins an overlap."""
    out: list[tuple[int, int, int, str]] = []
    for rank, (event, rx) in enumerate(_EVENT_CUES):
        for m in rx.finditer(low, a, b):
            if not any(m.start() < ce and cs < m.end() for cs, ce, _, _ in out):
                out.append((m.start(), m.end(), rank, event))
    return out


def _distance(cue: tuple[int, int, int, str], s: int, e: int) -> int:
    cs, ce = cue[0], cue[1]
    if ce <= s:
        return s - ce
    return cs - e + 10  # a cue after the date binds less closely than one before it


def _bind_events(low: str, spans: list[tuple[int, int]]) -> list[Optional[tuple[str, int, int]]]:
    """Each event cue belongs to the nearest date in its sentence; a date takes its closest cue.
    -> per date, (event, cue start, cue end) or None."""
    best: list[Optional[tuple[int, int, str, int, int]]] = [None] * len(spans)
    sentences = [_sentence(low, s, e) for s, e in spans]
    for sentence in dict.fromkeys(sentences):
        members = [k for k, sent in enumerate(sentences) if sent == sentence]
        for cue in _cues(low, *sentence):
            outside = [k for k in members if not spans[k][0] <= cue[0] < spans[k][1]]
            if not outside:
                continue
            k = min(outside, key=lambda j: _distance(cue, *spans[j]))
            key = (max(_distance(cue, *spans[k]), 0), cue[2], cue[3], cue[0], cue[1])
            if best[k] is None or key < best[k]:  # type: ignore[operator]
                best[k] = key
    return [(b[2], b[3], b[4]) if b else None for b in best]


def _nearest_event(low: str, s: int, e: int, sentence: tuple[int, int]) -> Optional[str]:
    best: Optional[tuple[int, int, str]] = None
    for cue in _cues(low, *sentence):
        if s <= cue[0] < e:
            continue
        key = (max(_distance(cue, s, e), 0), cue[2], cue[3])
        if best is None or key < best:
            best = key
    return best[2] if best else None


def _notice(low: str) -> Optional[str]:
    for name, rx in _NOTICES:
        if rx.search(low):
            return name
    return None


def _past_tense(clause: str) -> bool:
    return bool(_PAST.search(clause)) and not _FUTURE.search(clause)
