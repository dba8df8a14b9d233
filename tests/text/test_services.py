"""The service matcher: catalogue terms in officers' words, and bare CPV codes.

Mechanics are tested on a small made-up catalogue (so the expected ids do not depend on the
knowledge base); a second group checks the real catalogue loads and every one of its terms matches
its own entry.
"""
from dataclasses import dataclass

import pytest

from bot.ltr.knowledge import load_knowledge
from bot.text.services import ServiceMatcher, find_cpv, match_services, suggest_services, unknown_cpv_message


@dataclass
class Entry:
    id: str
    label: str
    terms: list
    cpv: str = "85000000"


CATALOGUE = [
    Entry("home_care", "Home care", ["home care", "domiciliary care", "care at home"], "85312000"),
    Entry("care_home", "Care homes", ["care home", "residential care"], "85311000"),
    Entry("nursing", "Nursing homes", ["nursing home", "care home with nursing"], "85144100"),
    Entry("meals", "Meals on wheels", ["meals on wheels", "meals-on-wheels"], "55521100"),
    Entry("day", "Day care", ["day care", "day centre"], "85312100"),
    Entry("kids", "Children's homes", ["children's homes"], "85311300"),
    Entry("cleaning", "Cleaning", ["cleaning"], "90910000"),
    Entry("events", "Events", ["events"], "79952000"),
    Entry("physio", "Therapy", ["physiotherapy"], "85142100"),
    Entry("day_opps", "Day opportunities", ["day care"], "85312100"),
]


@pytest.fixture(scope="module")
def matcher():
    return ServiceMatcher(CATALOGUE)


@pytest.mark.parametrize(
    "text, ids",
    [
        ("home care for older people", ["home_care"]),
        ("HOME CARE", ["home_care"]),
        ("home-care", ["home_care"]),
        ("homecare", ["home_care"]),  # two-word terms also written as one word
        ("we need care homes", ["care_home"]),  # plural
        ("Children's homes", ["kids"]),
        ("childrens home placements", ["kids"]),  # possessive dropped
        ("domicilary care", ["home_care"]),  # one slip in a two-word term
        ("domiciliary  care", ["home_care"]),
        ("care home with nursing", ["nursing"]),  # longest match wins over "care home"
        ("meals on wheels and a day centre", ["meals", "day"]),
        ("meals-on-wheels", ["meals"]),
        ("physiotherpy", ["physio"]),  # a slip in a long single word
        ("cleaners and cleaning", ["cleaning"]),
    ],
)
def test_matches(matcher, text, ids):
    assert [m.id for m in matcher.match(text)] == ids


@pytest.mark.parametrize(
    "text",
    [
        "clearing the backlog",  # one letter from "cleaning", but a different word
        "in the event of a tie",
        "home improvements",
        "care",
        "",
    ],
)
def test_no_match(matcher, text):
    assert matcher.match(text) == []


def test_a_phrase_two_entries_share_yields_both(matcher):
    assert sorted(m.id for m in matcher.match("day care")) == ["day", "day_opps"]


def test_offsets_and_term(matcher):
    text = "Is our Home-Care contract light touch?"
    (m,) = matcher.match(text)
    assert (text[m.start:m.end], m.term, m.cpv) == ("Home-Care", "home care", "85312000")


@pytest.mark.parametrize(
    "text, codes",
    [
        ("CPV 85312000", ["85312000"]),
        ("85312000-8 and 85311000", ["85312000", "85311000"]),
        ("code 85312000 - 8", ["85312000"]),
        ("£85312000", []),
        ("12345678", []),  # no CPV division 12
        ("020 79460000", []),
        ("853120001", []),
    ],
)
def test_cpv_codes(text, codes):
    assert [c.code for c in find_cpv(text)] == codes


def test_every_catalogue_term_matches_its_own_entry():
    entries = list(load_knowledge().services)
    assert entries, "the service catalogue is empty"
    matcher = ServiceMatcher(entries)
    misses = [(e.id, t) for e in entries for t in e.terms if e.id not in [m.id for m in matcher.match(t)]]
    assert misses == []


def test_default_matcher_reads_the_project_catalogue():
    ids = {e.id for e in load_knowledge().services}
    found = match_services("we buy home care")
    assert found and all(m.id in ids for m in found)


# ---- CPV codes against the whole CPV 2008 list ---------------------------------------------------


@pytest.mark.parametrize("text, code, known", [
    ("CPV 85311000-2", "85311000", True),
    ("cpv code: 85312000", "85312000", True),
    ("79711000 alarm monitoring", "79711000", True),
    ("CPV 85399999", "85399999", False),  # right division, no such code: refused, not ignored
    ("cpv 12345678", "12345678", False),  # named as a CPV code, so read as one even outside any division
])
def test_cpv_codes_are_checked_against_the_list(text, code, known):
    (c,) = find_cpv(text)
    assert (c.code, c.known) == (code, known)


@pytest.mark.parametrize("text", ["call 02079460000", "ref 12345678", "£85312000", "85,312,000"])
def test_numbers_that_are_not_cpv_codes(text):
    assert find_cpv(text) == []


def test_unknown_code_message_says_it_is_not_a_code():
    msg = unknown_cpv_message("85399999")
    assert "85399999" in msg and "not a CPV code" in msg and "light touch" not in msg


def test_suggestions_come_from_the_real_catalogue():
    got = suggest_services("personal care visits to people in their own homes")
    assert got and got[0][0] == "home_care"
