"""Contract terms and extensions as officers describe them."""
import pytest

from bot.text.duration import parse_duration


@pytest.mark.parametrize(
    "text, years, extension",
    [
        ("4 years plus 2 one-year extensions", 4, 2),
        ("4+1+1", 4, 2),
        ("(4 + 1 + 1)", 4, 2),
        ("3+2 years", 3, 2),
        ("2 yrs + 1 + 1", 2, 2),
        ("36 months", 3, 0),
        ("3 years with an option to extend for 2", 3, 2),
        ("five years", 5, 0),
        ("a five-year contract", 5, 0),
        ("18 months plus 6 months", 1.5, 0.5),
        ("a 2 year contract with a 1 year extension", 2, 1),
        ("initial term of 3 years, extendable by up to 2 further years", 3, 2),
        ("2 x 12 month extensions on a 3 yr contract", 3, 2),
        ("contract for 3 yrs (+2)", 3, 2),
        ("two years + two one year extensions", 2, 2),
        ("a three-year contract with the option of a further two years", 3, 2),
        ("3 years, extendable to 5 years", 3, 2),
        ("3 year deal plus another 2", 3, 2),
        ("24 months with possible extension of up to 12 months", 2, 1),
        ("3 year contract, with an option to extend by 1+1", 3, 2),
        ("we want it for twenty-four months", 2, 0),
        ("12 month pilot", 1, 0),
        ("for a year", 1, 0),
        ("£180k pa for 3 years plus 2 one-year extensions", 3, 2),
        ("£3m a year for 4 years plus 2", 4, 2),
        ("£3m over 5 yrs", 5, 0),
        ("it runs 4 years", 4, 0),
        # An extension in its own sentence still extends the term; other durations in later sentences do not.
        ("3 years. Extension option (2 yrs)", 3, 2),
        ("Initial term 4 years. Option to extend by a further 12 months.", 4, 1),
        ("3 years. The previous contract ran for 5 years.", 3, 0),
        ("3 years. Extending the current contract took 2 years.", 3, 0),
        ("2 years. We started planning 2 years ago.", 2, 0),
    ],
)
def test_reads_term_and_extensions(text, years, extension):
    d = parse_duration(text)
    assert d is not None
    assert (d.years, d.extension_years) == (pytest.approx(years), pytest.approx(extension))


@pytest.mark.parametrize(
    "text",
    [
        "£80k a year",
        "we review it once a year",
        "2026",
        "85312000",
        "started last year",
        "care for 5 year olds",
        "we signed it 2 years ago",
        "we go out to tender in 6 months",
        "older people aged 65 years and over",
        "£1.2m",
        "the annual value is £250k per year",
        "",
    ],
)
def test_not_a_term(text):
    assert parse_duration(text) is None


def test_offsets_point_at_the_term():
    text = "Budget £2m, a 4 year contract plus 2 one-year extensions."
    d = parse_duration(text)
    assert d is not None and text[d.start:d.end].startswith("4 year")
    assert d.text == text[d.start:d.end]


def test_a_later_unrelated_term_is_not_an_extension():
    d = parse_duration("The contract is 5 years. We will start in 2 years.")
    assert d is not None and (d.years, d.extension_years) == (5, 0)
