"""Officers' messages generated from structured facts, one generator per capability (CheckList-style).

Each generator draws the facts of one contract (price lines, term, extensions, VAT, one-off costs, contingency,
ranges, start date), writes them the way an officer might, and returns a `Case`: the message and what a right
reading of it is. Three kinds of test (Ribeiro et al., "Beyond Accuracy: Behavioral Testing of NLP Models with
CheckList", ACL 2020):
  minimum functionality  the value and threshold side (oracle.expected), a question, or the start date;
  invariance             noise around the same message never changes the reading;
  direction              adding "+ VAT" multiplies the value by 1.2; an extension, a contingency or a one-off cost
                         adds exactly its amount.
Deterministic for a seed; nothing here imports the code under test.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable, Optional

from tests.behaviour import language as L
from tests.behaviour.oracle import VAT_RATE, Expected, Facts, Line, expected, light_touch_threshold

SEED = 20261207
PER_CAPABILITY = 100


@dataclass(frozen=True)
class Case:
    capability: str
    kind: str  # "value" | "asks" | "date" | "same" | "times" | "plus"
    text: str
    expect: Optional[Expected] = None  # value, asks
    window: Optional[tuple[date, date]] = None  # date: the commencement date must fall in it (inclusive)
    base: Optional[str] = None  # same, times, plus: the message this one is compared with
    delta: float = 0.0  # times: the factor; plus: the amount added (VAT-inclusive)


GENERATORS: dict[str, Callable[[random.Random], "Case"]] = {}


def capability(name: str):
    def register(fn):
        GENERATORS[name] = lambda rng: fn(rng, name)
        return fn
    return register


def _borderline(e: Expected) -> bool:
    """Within 3% of the threshold: kept out of the value tests so that a rounding slip is not a side error."""
    return not e.asks and abs((e.value_gbp or 0) - e.threshold_gbp) < 0.03 * e.threshold_gbp


def _value_case(name: str, rng: random.Random, draw: Callable[[random.Random], tuple[list[str], Facts]]) -> Case:
    for _ in range(50):
        clauses, facts = draw(rng)
        e = expected(facts)
        if not _borderline(e):
            return Case(name, "asks" if e.asks else "value", L.join(clauses, rng), expect=e)
    raise RuntimeError(f"{name}: no draw away from the threshold")


def _usual_vat(rng: random.Random) -> str:
    """VAT stated in the commonest neutral ways (a factor of 1) for tests that are not about VAT."""
    return rng.choice(["exempt", "exempt", "included"])


def _frame(rng: random.Random, value_clauses: list[str], vat: str, start: date) -> list[str]:
    clauses = [L.service_intro(rng)] + value_clauses + [L.vat(vat, rng, plain=True), L.date_clause(start, rng)]
    if rng.random() < 0.3:  # VAT and date in the other order
        clauses[-1], clauses[-2] = clauses[-2], clauses[-1]
    return clauses


def _annual(rng: random.Random) -> float:
    return rng.choice([rng.randrange(40, 400, 5) * 1000, rng.randrange(100, 950, 10) * 1000])


def _years(rng: random.Random) -> int:
    return rng.choice([1, 2, 3, 3, 4, 5, 5, 6, 7])


# ---- whole-life figures, terms and extensions ----------------------------------------------------------------------

@capability("total_plain")
def _total_plain(rng, name):
    def draw(rng):
        total = rng.choice([rng.randrange(100, 990, 5) * 1000, rng.randrange(10, 60) * 100000])
        n, vat, start = _years(rng), _usual_vat(rng), L.start_month(rng)
        v = L.plain(total, rng)
        clause = rng.choice([f"{v} over {max(n, 2)} years", f"{v} in total", f"total value {v}", f"worth {v} over the whole contract",
                             f"{v} whole life", f"{v} total contract value ({n} years)", f"estimated value {v}"])
        return _frame(rng, [clause], vat, start), Facts(lines=(Line(total),), vat=vat, commenced=start)
    return _value_case(name, rng, draw)


@capability("annual_x_term")
def _annual_term(rng, name):
    def draw(rng):
        a, n, vat, start = _annual(rng), _years(rng), _usual_vat(rng), L.start_month(rng)
        v = L.plain(a, rng)
        per = rng.choice([f"{v} a year", f"{v} per annum", f"{v} pa", f"{v} p.a.", f"{v} per year", f"{v} annually",
                          f"annual value {v}", f"{v}/yr"])
        return (_frame(rng, [per, L.years_phrase(n, rng)], vat, start),
                Facts(lines=(Line(a, per_year=1),), term_years=n, vat=vat, commenced=start))
    return _value_case(name, rng, draw)


def _ext(rng: random.Random) -> tuple[int, ...]:
    return rng.choice([(1,), (2,), (1, 1), (1, 1), (2, 1), (1, 1, 1), (2, 2)])


@capability("term_plus_extensions")
def _term_plus(rng, name):
    def draw(rng):
        a, n, ext, vat, start = _annual(rng), rng.choice([2, 3, 3, 4, 5]), _ext(rng), _usual_vat(rng), L.start_month(rng)
        v = L.plain(a, rng)
        per = rng.choice([f"{v} a year", f"{v} pa", f"{v} per annum", f"{v} p.a."])
        return (_frame(rng, [per, L.term_plus(n, ext, rng)], vat, start),
                Facts(lines=(Line(a, per_year=1),), term_years=n, extension_years=ext, vat=vat, commenced=start))
    return _value_case(name, rng, draw)


@capability("term_bracket_extensions")
def _term_bracket(rng, name):
    def draw(rng):
        a, n, ext, vat, start = _annual(rng), rng.choice([2, 3, 4, 5]), _ext(rng), _usual_vat(rng), L.start_month(rng)
        v = L.plain(a, rng)
        per = rng.choice([f"{v} pa", f"{v} a year", f"{v} p.a."])
        return (_frame(rng, [f"{per}, {L.term_bracket(n, ext, rng)}"], vat, start),
                Facts(lines=(Line(a, per_year=1),), term_years=n, extension_years=ext, vat=vat, commenced=start))
    return _value_case(name, rng, draw)


@capability("priced_extension")
def _priced_extension(rng, name):
    def draw(rng):
        a, n, e = _annual(rng), rng.choice([2, 3, 4]), rng.choice([1, 2])
        ea = a + rng.choice([0, 10000, 20000, 25000])
        vat, start = _usual_vat(rng), L.start_month(rng)
        clauses = [f"{L.plain(a, rng)} a year for {n} years"]
        if rng.random() < 0.5:
            clauses.append(rng.choice([f"the optional {e}-year extension is priced at {L.plain(ea, rng)} a year",
                                       f"extension option ({e} yr{'s' if e > 1 else ''}) at {L.plain(ea, rng)} pa"]))
        else:
            clauses.append(rng.choice([f"plus a {e}-year extension valued at {L.plain(ea * e, rng)}",
                                       f"the {e} year extension would cost {L.plain(ea * e, rng)} in total"]))
        return (_frame(rng, clauses, vat, start),
                Facts(lines=(Line(a, per_year=1, years=n), Line(ea, per_year=1, years=e)), term_years=n, vat=vat,
                      commenced=start))
    return _value_case(name, rng, draw)


# ---- rates × volumes -----------------------------------------------------------------------------------------------

@capability("monthly_price")
def _monthly(rng, name):
    def draw(rng):
        m, n, vat, start = rng.randrange(4, 80) * 1000 + rng.choice([0, 500]), _years(rng), _usual_vat(rng), L.start_month(rng)
        v = L.full(m) if m % 1000 else L.plain(m, rng)
        per = rng.choice([f"{v} a month", f"{v} per month", f"{v} pcm", f"{v} per calendar month", f"{v} monthly",
                          f"{v}/month"])
        return (_frame(rng, [per, L.years_phrase(n, rng)], vat, start),
                Facts(lines=(Line(m, per_year=12),), term_years=n, vat=vat, commenced=start))
    return _value_case(name, rng, draw)


@capability("weekly_price")
def _weekly(rng, name):
    def draw(rng):
        w, n, vat, start = rng.randrange(500, 20000, 50), _years(rng), _usual_vat(rng), L.start_month(rng)
        v = L.full(w)
        per = rng.choice([f"{v} a week", f"{v} per week", f"{v} pw", f"{v} p/w", f"{v} weekly", f"{v}/wk"])
        return (_frame(rng, [per, L.years_phrase(n, rng)], vat, start),
                Facts(lines=(Line(w, per_year=52),), term_years=n, vat=vat, commenced=start))
    return _value_case(name, rng, draw)


@capability("hourly_rate_x_hours")
def _hourly(rng, name):
    def draw(rng):
        r = rng.randrange(1950, 3200, 5) / 100
        h, n, vat, start = rng.choice([40, 120, 250, 600, 1200, 3100]), rng.choice([1, 2, 3, 4, 5]), _usual_vat(rng), L.start_month(rng)
        hours = f"{h:,}"
        clause = rng.choice([f"{L.full(r)} an hour, {hours} hours a week, {L.years_phrase(n, rng)}",
                             f"{L.full(r)}/hr for {hours} hrs per week, 52 weeks a year, {L.years_phrase(n, rng)}",
                             f"rate {L.full(r)} per hour x {hours} hours per week, {L.years_phrase(n, rng)}",
                             f"{hours} hours a week at {L.full(r)} an hour, {L.years_phrase(n, rng)}"])
        return (_frame(rng, [clause], vat, start),
                Facts(lines=(Line(r, per_year=52, quantity=h),), term_years=n, vat=vat, commenced=start))
    return _value_case(name, rng, draw)


@capability("nightly_rate_x_rooms")
def _nightly(rng, name):
    def draw(rng):
        r, rooms, n = rng.randrange(45, 160), rng.randrange(2, 40), rng.choice([1, 2, 3])
        vat, start = _usual_vat(rng), L.start_month(rng)
        svc = rng.choice(["Temporary accommodation", "Hotel rooms for homeless households", "Emergency accommodation",
                          "B&B rooms for families"])
        span = "every night for a year" if n == 1 and rng.random() < 0.5 else f"every night, {L.years_phrase(n, rng)}"
        clause = rng.choice([f"{L.full(r)} a night for {rooms} rooms, {span}",
                             f"{rooms} rooms at {L.full(r)} per room per night, 365 nights a year, {L.years_phrase(n, rng)}",
                             f"{L.full(r)} per night x {rooms} rooms, {span}"])
        clauses = [svc, clause, L.vat(vat, rng, plain=True), L.date_clause(start, rng)]
        return clauses, Facts(lines=(Line(r, per_year=365, quantity=rooms),), term_years=n, vat=vat, commenced=start)
    return _value_case(name, rng, draw)


@capability("placement_per_week")
def _placement(rng, name):
    def draw(rng):
        r, k, n = rng.randrange(600, 5500, 50), rng.randrange(2, 12), rng.choice([1, 2, 3, 4])
        vat, start = _usual_vat(rng), L.start_month(rng)
        svc = rng.choice(["Children's residential placements", "Semi-independent placements", "Shared Lives placements",
                          "Residential care placements"])
        clause = rng.choice([f"{L.full(r)} per placement per week for {k} placements, {L.years_phrase(n, rng)}",
                             f"{k} placements at {L.full(r)} a week each, {L.years_phrase(n, rng)}",
                             f"{L.full(r)} pw per placement x {k} placements, {L.years_phrase(n, rng)}"])
        clauses = [svc, clause, L.vat(vat, rng, plain=True), L.date_clause(start, rng)]
        return clauses, Facts(lines=(Line(r, per_year=52, quantity=k),), term_years=n, vat=vat, commenced=start)
    return _value_case(name, rng, draw)


@capability("session_term_time")
def _sessions(rng, name):
    def draw(rng):
        r, s, n = rng.randrange(25, 120), rng.choice([10, 20, 35, 50, 90, 150]), rng.choice([1, 2, 3, 4])
        weeks = rng.choice([39, 38])
        vat, start = _usual_vat(rng), L.start_month(rng)
        svc = rng.choice(["Tuition for children with SEND", "After-school clubs for disabled children",
                          "Youth club sessions", "Day opportunities sessions"])
        clause = rng.choice([f"{L.full(r)} per session, {s} sessions a week, term time only ({weeks} weeks), {L.years_phrase(n, rng)}",
                             f"{s} sessions per week at {L.full(r)} each, {weeks} weeks a year (term time), {L.years_phrase(n, rng)}",
                             f"{L.full(r)}/session x {s} a week x {weeks} term-time weeks, {L.years_phrase(n, rng)}"])
        clauses = [svc, clause, L.vat(vat, rng, plain=True), L.date_clause(start, rng)]
        return clauses, Facts(lines=(Line(r, per_year=weeks, quantity=s),), term_years=n, vat=vat, commenced=start)
    return _value_case(name, rng, draw)


# ---- year lists and tables -----------------------------------------------------------------------------------------

def _year_amounts(rng: random.Random, n: int, low: int = 60, high: int = 500) -> list[int]:
    first = rng.randrange(low, high, 5) * 1000
    step = rng.choice([0, 10000, 20000, 25000, 30000])
    return [first + i * step for i in range(n)]


@capability("year_list")
def _year_list(rng, name):
    def draw(rng):
        ys = _year_amounts(rng, rng.choice([2, 3, 4, 5]))
        vat, start = _usual_vat(rng), L.start_month(rng)
        fmt = rng.choice(["Y{i} {v}", "Year {i} {v}", "Yr{i}: {v}", "Year {i}: {v}"])
        sep = rng.choice([" / ", ", ", "; ", "\n"])
        listed = sep.join(fmt.format(i=i + 1, v=L.plain(y, rng)) for i, y in enumerate(ys))
        return (_frame(rng, [listed], vat, start),
                Facts(lines=tuple(Line(y) for y in ys), term_years=len(ys), vat=vat, commenced=start))
    return _value_case(name, rng, draw)


@capability("k_header")
def _k_header(rng, name):
    def draw(rng):
        ys = _year_amounts(rng, rng.choice([2, 3, 4, 5]))
        vat, start = _usual_vat(rng), L.start_month(rng)
        nums = [f"{y // 1000:,}" for y in ys]
        form = rng.randrange(3)
        if form == 0:
            listed = " / ".join(f"Y{i + 1} {x}" for i, x in enumerate(nums)) + " (£k)"
        elif form == 1:
            listed = "figures in £000s: " + ", ".join(f"Year {i + 1} {x}" for i, x in enumerate(nums))
        else:
            listed = "(£k) " + " | ".join(f"Y{i + 1}: {x}" for i, x in enumerate(nums))
        return (_frame(rng, [listed], vat, start),
                Facts(lines=tuple(Line(y) for y in ys), term_years=len(ys), vat=vat, commenced=start))
    return _value_case(name, rng, draw)


def _table_rows(rng: random.Random) -> tuple[list[str], list[list[int]]]:
    lots = rng.choice([["Lot 1", "Lot 2"], ["Lot 1 North", "Lot 2 South", "Lot 3 Central"], ["Borough A", "Borough B"],
                       ["Lot 1 - adults", "Lot 2 - children"]])
    n = rng.choice([2, 3, 4, 5])
    return lots, [_year_amounts(rng, n, 20, 200) for _ in lots]


@capability("table_markdown")
def _table_md(rng, name):
    def draw(rng):
        lots, rows = _table_rows(rng)
        vat, start = _usual_vat(rng), L.start_month(rng)
        n = len(rows[0])
        head = "| " + rng.choice(["Lot", "Element", "Area"]) + " | " + " | ".join(f"Year {i + 1}" for i in range(n)) + " |"
        lines = [head, "|" + "---|" * (n + 1)]
        lines += ["| " + lot + " | " + " | ".join(L.full(x) for x in row) + " |" for lot, row in zip(lots, rows)]
        intro = f"{L.service_intro(rng)}, {L.vat(vat, rng, plain=True)}, {L.date_clause(start, rng)}. Costs:"
        return [intro + "\n" + "\n".join(lines)], Facts(lines=tuple(Line(x) for row in rows for x in row),
                                                       term_years=n, vat=vat, commenced=start)
    return _value_case(name, rng, draw)


@capability("table_tab_or_space")
def _table_tab(rng, name):
    def draw(rng):
        lots, rows = _table_rows(rng)
        vat, start = _usual_vat(rng), L.start_month(rng)
        n = len(rows[0])
        sep = rng.choice(["\t", "    "])
        k = rng.random() < 0.4
        head = sep.join([""] + [f"Y{i + 1}" + (" (£k)" if k else "") for i in range(n)])
        body = [sep.join([lot] + [(f"{x // 1000:,}" if k else f"{x:,}") for x in row]) for lot, row in zip(lots, rows)]
        intro = f"{L.service_intro(rng)} - pasted from the budget sheet{'' if k else ' (£)'}, {L.vat(vat, rng, plain=True)}, {L.date_clause(start, rng)}:"
        return [intro + "\n" + "\n".join([head] + body)], Facts(lines=tuple(Line(x) for row in rows for x in row),
                                                                term_years=n, vat=vat, commenced=start)
    return _value_case(name, rng, draw)


@capability("table_vat_column")
def _table_vat(rng, name):
    def draw(rng):
        n = rng.choice([2, 3, 4])
        care = _year_amounts(rng, n, 80, 300)
        kit = _year_amounts(rng, n, 10, 60)
        start = L.start_month(rng)
        kit_vat = rng.choice(["excluded", "included"])
        kit_word = {"excluded": rng.choice(["+VAT", "ex VAT", "plus VAT"]), "included": rng.choice(["inc VAT", "incl."])}[kit_vat]
        head = "| Element | " + " | ".join(f"Y{i + 1}" for i in range(n)) + " | VAT |"
        rows = [head, "|" + "---|" * (n + 2),
                "| Care and support | " + " | ".join(L.full(x) for x in care) + f" | {rng.choice(['exempt', 'no VAT'])} |",
                "| Equipment | " + " | ".join(L.full(x) for x in kit) + f" | {kit_word} |"]
        intro = f"{L.service_intro(rng)}, {L.date_clause(start, rng)}:"
        return [intro + "\n" + "\n".join(rows)], Facts(
            lines=tuple(Line(x, vat="exempt") for x in care) + tuple(Line(x, vat=kit_vat) for x in kit),
            term_years=n, vat="exempt", commenced=start)
    return _value_case(name, rng, draw)


# ---- contingency, one-off costs, lots -------------------------------------------------------------------------------

@capability("contingency_percent")
def _contingency_pct(rng, name):
    def draw(rng):
        total = rng.randrange(10, 60) * 100000
        n, pct = _years(rng), rng.choice([5, 7.5, 10, 15, 20])
        vat, start = _usual_vat(rng), L.start_month(rng)
        clause = rng.choice([f"{L.plain(total, rng)} over {n} years with a {L.number(pct)}% contingency the contract lets us call on",
                             f"{L.plain(total, rng)} over {n} years plus {L.number(pct)}% contingency",
                             f"{L.plain(total, rng)} for {n} years + a {L.number(pct)}% contingency on top"])
        return _frame(rng, [clause], vat, start), Facts(lines=(Line(total),), contingency_pct=pct, vat=vat, commenced=start)
    return _value_case(name, rng, draw)


@capability("contingency_amount")
def _contingency_gbp(rng, name):
    def draw(rng):
        a, n, c = _annual(rng), _years(rng), rng.randrange(10, 200, 5) * 1000
        vat, start = _usual_vat(rng), L.start_month(rng)
        clauses = [f"{L.plain(a, rng)} a year", L.years_phrase(n, rng),
                   rng.choice([f"plus a {L.plain(c, rng)} contingency", f"contingency of {L.plain(c, rng)} on top",
                               f"with {L.plain(c, rng)} contingency we can draw on"])]
        return _frame(rng, clauses, vat, start), Facts(lines=(Line(a, per_year=1),), term_years=n, contingency_gbp=c,
                                                       vat=vat, commenced=start)
    return _value_case(name, rng, draw)


@capability("one_off_cost")
def _one_off(rng, name):
    def draw(rng):
        a, n, ext, o = _annual(rng), rng.choice([2, 3, 4]), rng.choice([(), (1,), (2,), (1, 1)]), rng.randrange(10, 150, 5) * 1000
        vat, start = _usual_vat(rng), L.start_month(rng)
        term = L.term_plus(n, ext, rng) if ext else L.years_phrase(n, rng)
        clauses = [f"{L.plain(a, rng)} a year", term,
                   rng.choice([f"plus a {L.plain(o, rng)} set-up fee", f"one-off mobilisation cost {L.plain(o, rng)}",
                               f"{L.plain(o, rng)} implementation (one-off)", f"plus {L.plain(o, rng)} one-off start-up costs"])]
        return _frame(rng, clauses, vat, start), Facts(lines=(Line(a, per_year=1),), term_years=n, extension_years=ext,
                                                       one_off_gbp=o, vat=vat, commenced=start)
    return _value_case(name, rng, draw)


@capability("lots")
def _lots(rng, name):
    def draw(rng):
        vat, start = _usual_vat(rng), L.start_month(rng)
        if rng.random() < 0.5:
            k, a, n = rng.choice([2, 3, 4]), rng.randrange(30, 250, 5) * 1000, rng.choice([2, 3, 4, 5])
            clause = rng.choice([f"{k} lots, each {L.plain(a, rng)} a year, {n} years",
                                 f"{L.count(k, rng)} lots at {L.plain(a, rng)} pa per lot, {L.years_phrase(n, rng)}",
                                 f"split into {k} lots of {L.plain(a, rng)} a year each for {n} years"])
            return _frame(rng, [clause], vat, start), Facts(lines=(Line(a, per_year=1, quantity=k),), term_years=n,
                                                           vat=vat, commenced=start)
        totals = [rng.randrange(50, 600, 5) * 1000 for _ in range(rng.choice([2, 3]))]
        clause = ", ".join(f"Lot {i + 1} {L.plain(t, rng)}" for i, t in enumerate(totals)) + rng.choice(
            [" (whole life)", " over the whole term", " in total"])
        return _frame(rng, [clause], vat, start), Facts(lines=tuple(Line(t) for t in totals), vat=vat, commenced=start)
    return _value_case(name, rng, draw)


# ---- ranges and approximations --------------------------------------------------------------------------------------

def _range_text(lo: float, hi: float, rng: random.Random) -> str:
    if hi < 1e6:
        return rng.choice([f"£{lo / 1000:g}–{hi / 1000:g}k", f"£{lo / 1000:g}-{hi / 1000:g}k", f"{L.in_k(lo)}-{L.in_k(hi)}",
                           f"between {L.in_k(lo)} and {L.in_k(hi)}", f"{L.full(lo)} to {L.full(hi)}"])
    return rng.choice([f"£{L.number(lo / 1e6)}–{L.number(hi / 1e6)}m", f"{L.in_m(lo)}-{L.in_m(hi)}",
                       f"between {L.in_m(lo)} and {L.in_m(hi)}", f"somewhere between {L.in_m(lo)} and {L.in_m(hi)}"])


@capability("range_one_side")
def _range_one_side(rng, name):
    def draw(rng):
        thr = light_touch_threshold(date(2027, 1, 1))
        if rng.random() < 0.5:
            hi = rng.randrange(150, int(thr * 0.95 / 1000) // 10 * 10, 10) * 1000
            lo = hi - rng.choice([20000, 50000, 100000])
        else:
            lo = rng.randrange(8, 40) * 100000
            hi = lo + rng.choice([100000, 200000, 500000])
        vat, start = _usual_vat(rng), L.start_month(rng)
        clause = rng.choice(["{r} whole life", "value {r}", "{r} in total", "estimated at {r} over the term"]).format(
            r=_range_text(lo, hi, rng))
        return _frame(rng, [clause], vat, start), Facts(range_gbp=(lo, hi), vat=vat, commenced=start)
    return _value_case(name, rng, draw)


@capability("range_straddling")
def _range_straddle(rng, name):
    def draw(rng):
        thr = light_touch_threshold(date(2027, 1, 1))
        lo = rng.randrange(500, 640, 10) * 1000
        hi = rng.randrange(690, 850, 10) * 1000
        vat, start = _usual_vat(rng), L.start_month(rng)
        assert lo < thr <= hi
        clause = rng.choice(["{r} whole life", "value {r}", "{r} in total", "estimated at {r} over the term"]).format(
            r=_range_text(lo, hi, rng))
        return _frame(rng, [clause], vat, start), Facts(range_gbp=(lo, hi), vat=vat, commenced=start)
    return _value_case(name, rng, draw)


@capability("approximation")
def _approx(rng, name):
    def draw(rng):
        total = rng.choice([rng.randrange(100, 990, 10) * 1000, rng.randrange(10, 60) * 100000])
        vat, start = _usual_vat(rng), L.start_month(rng)
        mark = rng.choice(["c. ", "c.", "circa ", "~", "approx. ", "approx ", "around ", "about ", "roughly ",
                           "in the region of ", "est. "])
        v = L.plain(total, rng)
        clause = rng.choice([f"{mark}{v} whole life", f"{mark}{v} in total", f"value {mark}{v} over the term"])
        return _frame(rng, [clause], vat, start), Facts(lines=(Line(total),), vat=vat, commenced=start)
    return _value_case(name, rng, draw)


# ---- VAT ------------------------------------------------------------------------------------------------------------

def _vat_capability(status: str):
    def gen(rng, name):
        def draw(rng):
            start = L.start_month(rng)
            if rng.random() < 0.5:
                total = rng.choice([rng.randrange(100, 990, 5) * 1000, rng.randrange(10, 60) * 100000])
                value, facts = [f"{L.plain(total, rng)} in total"], Facts(lines=(Line(total),), vat=status, commenced=start)
            else:
                a, n = _annual(rng), _years(rng)
                value = [f"{L.plain(a, rng)} a year", L.years_phrase(n, rng)]
                facts = Facts(lines=(Line(a, per_year=1),), term_years=n, vat=status, commenced=start)
            clauses = [L.service_intro(rng)] + value + [L.date_clause(start, rng)]
            phrase = L.vat(status, rng)  # every phrase, not only the plain ones
            if rng.random() < 0.5:  # "£450k + VAT": the VAT words right after the figure
                clauses[1] = f"{clauses[1]} {phrase}" if not phrase.startswith("no VAT (") else f"{clauses[1]}, {phrase}"
            else:
                clauses.insert(rng.randrange(2, len(clauses) + 1), phrase)
            return clauses, facts
        return _value_case(name, rng, draw)
    return gen


for _status in ("included", "excluded", "exempt"):
    capability(f"vat_{_status}")(_vat_capability(_status))


# ---- number formats -------------------------------------------------------------------------------------------------

def _format_capability(fmt: Callable[[float, random.Random], str], big: bool):
    def gen(rng, name):
        def draw(rng):
            total = rng.randrange(11, 60) * 100000 if big else rng.randrange(100, 990, 10) * 1000
            if big and rng.random() < 0.3:
                total = rng.randrange(101, 600) * 10000
            vat, start = _usual_vat(rng), L.start_month(rng)
            clause = rng.choice(["{v} whole life", "{v} in total", "total value {v}", "worth {v} over the whole term"]).format(
                v=fmt(total, rng))
            return _frame(rng, [clause], vat, start), Facts(lines=(Line(total),), vat=vat, commenced=start)
        return _value_case(name, rng, draw)
    return gen


FORMATS = {
    "format_full_pounds": (lambda x, rng: L.full(x, comma=rng.random() < 0.6), False),
    "format_k": (lambda x, rng: rng.choice([L.in_k(x), L.in_k(x, upper=True), L.in_k(x) .replace("£", "") + " pounds"]), False),
    "format_k_over_a_million": (lambda x, rng: rng.choice([L.in_k(x), L.in_k(x, comma=True)]), True),
    "format_m": (lambda x, rng: rng.choice([L.in_m(x), L.in_m(x, upper=True), L.in_m(x) + "n", L.in_m(x).replace("£", "GBP ")]), True),
    "format_million_words": (lambda x, rng: rng.choice([f"{L.number(x / 1e6)} million", f"£{L.number(x / 1e6)} million",
                                                        f"{L.number(x / 1e6)} million pounds"]), True),
    "format_words": (lambda x, rng: L.in_words(x, rng), True),
    "format_words_thousands": (lambda x, rng: L.in_words(x, rng), False),
    "format_gbp_code": (lambda x, rng: rng.choice([f"GBP {x:,.0f}", f"{x:,.0f} GBP", f"GBP{x:,.0f}"]), False),
}
for _name, (_fmt, _big) in FORMATS.items():
    capability(_name)(_format_capability(_fmt, _big))


# ---- dates ----------------------------------------------------------------------------------------------------------

def _month_end(y: int, m: int) -> date:
    return date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)


def _date_case(name: str, rng: random.Random, phrase: str, lo: date, hi: date) -> Case:
    total = rng.choice([rng.randrange(100, 600, 10) * 1000, rng.randrange(8, 40) * 100000])
    vat = _usual_vat(rng)
    lead = rng.choice(["tender notice {d}", "going out to tender {d}", "advert {d}", "procurement to start {d}",
                       "planning to go to market {d}"]).format(d=phrase)
    clauses = [L.service_intro(rng), f"{L.plain(total, rng)} in total", L.vat(vat, rng, plain=True), lead]
    return Case(name, "date", L.join(clauses, rng), window=(lo, hi))


@capability("date_fy_quarter")
def _fy_quarter(rng, name):
    fy = rng.choice([26, 27, 27, 28])
    q = rng.choice([4]) if fy == 26 else rng.randrange(1, 5)
    first_month = {1: 4, 2: 7, 3: 10, 4: 1}[q]
    year = 2000 + fy + (q == 4)
    phrase = rng.choice([f"Q{q} {fy}/{fy + 1}", f"in Q{q} {fy}/{fy + 1}", f"Q{q} FY{fy}/{fy + 1}", f"Q{q} 20{fy}/{fy + 1}",
                         f"Q{q} 20{fy}-{fy + 1}"])
    return _date_case(name, rng, phrase, date(year, first_month, 1), _month_end(year, first_month + 2))


@capability("date_month_year_short")
def _month_yy(rng, name):
    y, m = rng.choice([(2027, m) for m in range(1, 13)] + [(2028, m) for m in range(1, 7)])
    abbr = L.MONTH_ABBR[m - 1]
    phrase = rng.choice([f"{abbr} {y % 100}", f"{abbr}-{y % 100}", f"{abbr} '{y % 100}", f"{L.MONTHS[m - 1]} '{y % 100}",
                         f"{abbr} {y}", f"{m:02d}/{y}"])
    return _date_case(name, rng, phrase, date(y, m, 1), _month_end(y, m))


@capability("date_financial_year")
def _fy_year(rng, name):
    if rng.random() < 0.25:
        phrase = rng.choice(["next FY", "next financial year", "early next FY", "in the next financial year"])
        fy = 27  # today is 26 November 2026, in FY 2026/27
    else:
        fy = rng.choice([27, 28])
        phrase = rng.choice([f"FY{fy}/{fy + 1}", f"FY {fy}/{fy + 1}", f"in 20{fy}/{fy + 1}", f"FY20{fy}-{fy + 1}",
                             f"financial year 20{fy}/{fy + 1}"])
    return _date_case(name, rng, phrase, date(2000 + fy, 4, 1), date(2001 + fy, 3, 31))


@capability("date_tn_abbreviation")
def _tn(rng, name):
    start = L.start_month(rng)
    month = rng.choice([L.MONTHS[start.month - 1], L.MONTH_ABBR[start.month - 1]])
    total = rng.choice([rng.randrange(100, 600, 10) * 1000, rng.randrange(8, 40) * 100000])
    clauses = [L.service_intro(rng), f"{L.plain(total, rng)} in total", L.vat(_usual_vat(rng), rng, plain=True),
               rng.choice(["TN", "TN due", "TN out", "TN to go out"]) + f" {month} {start.year}"]
    return Case(name, "date", L.join(clauses, rng), window=(start, _month_end(start.year, start.month)))


@capability("date_day_first_numeric")
def _day_first(rng, name):
    y, m = rng.choice([2027, 2028]), rng.randrange(1, 13)
    d = rng.randrange(13, 29) if rng.random() < 0.4 else rng.randrange(1, 13)
    phrase = rng.choice([f"{d:02d}/{m:02d}/{y}", f"{d}/{m}/{y}", f"{d:02d}/{m:02d}/{y % 100}", f"{d}.{m}.{y}"])
    on = date(y, m, d)
    return _date_case(name, rng, f"on {phrase}", on, on)


@capability("date_season")
def _season(rng, name):
    y = rng.choice([2027, 2028])
    season, months = rng.choice([("spring", (3, 5)), ("summer", (6, 8)), ("autumn", (9, 11))])
    phrase = rng.choice([f"{season} {y}", f"in {season} {y}", f"in the {season} of {y}", f"{season.capitalize()} '{y % 100}"])
    return _date_case(name, rng, phrase, date(y, months[0], 1), _month_end(y, months[1]))


# ---- numbers that are not the value ------------------------------------------------------------------------------------

@capability("explained_numbers")
def _explained(rng, name):
    def draw(rng):
        a, n, vat, start = _annual(rng), _years(rng), _usual_vat(rng), L.start_month(rng)
        clauses = [L.service_intro(rng), f"{L.plain(a, rng)} a year", L.years_phrase(n, rng), L.vat(vat, rng, plain=True),
                   L.date_clause(start, rng)]
        extras = rng.sample([f"for young people aged {rng.randrange(14, 18)}–{rng.randrange(19, 26)}", "CPV 85312000",
                             f"ref ASC/{rng.randrange(2026, 2028)}/{rng.randrange(1, 999):03d}",
                             f"supporting around {rng.randrange(20, 400)} people",
                             f"{rng.randrange(3, 30)} staff TUPE",
                             f"currently {rng.randrange(2, 9)} providers",
                             f"case ref {rng.randrange(10000, 99999)}",
                             f"{rng.randrange(2, 12)} sites across the borough"], 2)
        for x in extras:
            clauses.insert(rng.randrange(1, len(clauses) + 1), x)
        return clauses, Facts(lines=(Line(a, per_year=1),), term_years=n, vat=vat, commenced=start)
    return _value_case(name, rng, draw)


@capability("asks_unexplained_figure")
def _unexplained(rng, name):
    def draw(rng):
        vat, start = _usual_vat(rng), L.start_month(rng)
        if rng.random() < 0.5:  # a bare figure: pounds or thousands of pounds?
            x = rng.randrange(700, 990, 10)
            clause = rng.choice([f"budget {x}", f"value {x}", f"worth {x}", f"about {x} in total"])
            return _frame(rng, [clause], vat, start), Facts(readings_gbp=(x, x * 1000), vat=vat, commenced=start)
        a, b = rng.randrange(420, 600, 10) * 1000, rng.randrange(300, 400, 10) * 1000  # each below, together above
        clause = rng.choice([f"figures are {L.in_k(a)} and {L.in_k(b)}", f"{L.in_k(a)} / {L.in_k(b)}",
                             f"{L.in_k(a)} and {L.in_k(b)} in the budget sheet"])
        return _frame(rng, [clause], vat, start), Facts(readings_gbp=(a, b, a + b), vat=vat, commenced=start)
    return _value_case(name, rng, draw)


# ---- invariance: noise around a clean message ---------------------------------------------------------------------------

def _noise_base(c: Case) -> bool:
    """The clean messages noise is added to: the suite's own value messages of every capability (each read once),
    except pasted tables, whose layout is itself the thing read."""
    return c.kind == "value" and not c.capability.startswith("table_")


def _invariance_case(name: str, noise: Callable[[str, random.Random], str], pool: list[str], rng: random.Random) -> Case:
    base = rng.choice(pool)
    text = base
    for _ in range(10):
        text = noise(base, rng)
        if text != base:
            break
    return Case(name, "same", text, base=base)


def _greeting(t, rng):
    return f"{rng.choice(L.GREETINGS)}\n{t}\n{rng.choice(L.SIGN_OFFS)}"


def _email(t, rng):
    return f"{rng.choice(L.EMAIL_HEADERS)}{rng.choice(L.GREETINGS)}\n\n{t}\n\n{rng.choice(L.SIGN_OFFS)}"


# Where a message's clauses meet: a comma, semicolon, dash, line break or full stop (not an abbreviation's).
_CLAUSE_BREAK = re.compile(r", |; | – |\n|(?<!incl)(?<!excl)(?<!approx)(?<!p\.a)(?<!\bc)(?<!est)\. ")


def _bullets(t, rng):
    parts = [p.strip() for p in _CLAUSE_BREAK.split(t) if p.strip()]
    b = rng.choice(L.BULLETS)
    out = parts[0] + ":\n" + "\n".join(b + p for p in parts[1:])
    return out + (" " + rng.choice(L.EMOJI) if rng.random() < 0.7 else "")


def _emoji(t, rng):
    return rng.choice(L.EMOJI) + " " + t + " " + rng.choice(L.EMOJI)


def _teams(t, rng):
    return rng.choice(L.TEAMS_PREFIXES) + t + rng.choice(L.TEAMS_SUFFIXES)


def _bold(t, rng):
    parts = t.split(", ")
    i = rng.randrange(len(parts))
    parts[i] = f"**{parts[i]}**"
    return ", ".join(parts)


def _question(t, rng):
    return t.rstrip(".") + rng.choice(L.QUESTION_TAGS)


NOISES = {"invariance_greeting_sign_off": _greeting, "invariance_forwarded_email": _email,
          "invariance_bullets_line_breaks": _bullets, "invariance_emoji": _emoji, "invariance_typos": L.typo,
          "invariance_teams_jargon": _teams, "invariance_markdown_bold": _bold, "invariance_question_tag": _question}


# ---- direction: what one added fact does to the value -------------------------------------------------------------------

def _dir_base(rng: random.Random, vat_words: bool = True) -> tuple[list[str], float, int]:
    """A clean yearly price and term, VAT exempt: the clauses, the yearly amount and the years."""
    a, n, start = _annual(rng), rng.choice([2, 3, 4, 5]), L.start_month(rng)
    clauses = [L.service_intro(rng), f"{L.plain(a, rng)} a year", L.years_phrase(n, rng)]
    if vat_words:
        clauses.append(L.vat("exempt", rng, plain=True))
    clauses.append(L.date_clause(start, rng))
    return clauses, a, n


@capability("direction_plus_vat")
def _dir_vat(rng, name):
    # Far from the threshold on either side, so that VAT cannot move the side and a question about it is not needed.
    while True:
        clauses, a, n = _dir_base(rng, vat_words=False)
        if a * n < 400000 or a * n > 1000000:
            break
    base = ", ".join(clauses)
    clauses[1] = clauses[1] + rng.choice([" + VAT", " plus VAT", " ex VAT", " excl. VAT"])
    return Case(name, "times", ", ".join(clauses), base=base, delta=1 + VAT_RATE)


@capability("direction_extension")
def _dir_ext(rng, name):
    clauses, a, n = _dir_base(rng)
    base = ", ".join(clauses)
    e = rng.choice([1, 2])
    clauses[2] = rng.choice([f"{n} years plus a {e} year extension", f"{n}+{e} years", f"{n} (+{e})",
                             f"{n} years with the option to extend for {e} more year{'s' if e > 1 else ''}"])
    return Case(name, "plus", ", ".join(clauses), base=base, delta=a * e)


@capability("direction_contingency")
def _dir_contingency(rng, name):
    clauses, a, n = _dir_base(rng)
    base = ", ".join(clauses)
    if rng.random() < 0.5:
        c = rng.randrange(10, 150, 5) * 1000
        add = rng.choice([f"plus a {L.plain(c, rng)} contingency", f"with {L.plain(c, rng)} contingency on top"])
    else:
        pct = rng.choice([5, 10, 15])
        c = a * n * pct / 100
        add = rng.choice([f"plus a {pct}% contingency", f"with a {pct}% contingency we can call on"])
    clauses.insert(3, add)
    return Case(name, "plus", ", ".join(clauses), base=base, delta=c)


@capability("direction_one_off")
def _dir_one_off(rng, name):
    clauses, a, n = _dir_base(rng)
    base = ", ".join(clauses)
    o = rng.randrange(10, 150, 5) * 1000
    clauses.insert(3, rng.choice([f"plus a {L.plain(o, rng)} one-off set-up cost", f"plus {L.plain(o, rng)} mobilisation (one-off)"]))
    return Case(name, "plus", ", ".join(clauses), base=base, delta=o)


# ---- the suite ---------------------------------------------------------------------------------------------------------

def capabilities() -> list[str]:
    return sorted(set(GENERATORS) | set(NOISES))


def generate(seed: int = SEED, per_capability: int = PER_CAPABILITY) -> list[Case]:
    """Every capability's cases, deterministic for the seed; a message is not repeated within a capability."""
    cases: list[Case] = []

    def draw(name: str, make: Callable[[random.Random], Case]) -> None:
        rng = random.Random(f"{seed}:{name}")
        seen: set[str] = set()
        for _ in range(per_capability * 5):
            if len(seen) == per_capability:
                break
            c = make(rng)
            if c.text not in seen:
                seen.add(c.text)
                cases.append(c)

    for name in sorted(GENERATORS):
        draw(name, GENERATORS[name])
    pool = [c.text for c in cases if _noise_base(c)]
    for name, noise in sorted(NOISES.items()):
        draw(name, lambda rng, name=name, noise=noise: _invariance_case(name, noise, pool, rng))
    return cases
