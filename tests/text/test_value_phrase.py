"""`parse_value_phrase`: the --value option of the `ltr` command."""
import pytest

from bot.ltr import Case
from bot.text.value_reader import parse_value_phrase


@pytest.mark.parametrize(
    "text, expected",
    [
        ("£700k", {"total_gbp": 700_000}),
        ("£3m a year for 4 years plus 2", {"annual_gbp": 3_000_000, "years": 4, "extension_years": 2}),
        ("£180k pa for 3 years plus 2 one-year extensions", {"annual_gbp": 180_000, "years": 3, "extension_years": 2}),
        ("£250k per annum, 4+1+1", {"annual_gbp": 250_000, "years": 4, "extension_years": 2}),
        ("£12k/month for 3 years", {"monthly_gbp": 12_000, "years": 3}),
        ("£80k a year", {"annual_gbp": 80_000}),
        ("£3m over 5 yrs", {"total_gbp": 3_000_000, "years": 5}),
        ("£1.2m over 4 years plus a 2 year extension", {"total_gbp": 1_200_000, "years": 4, "extension_years": 2}),
        ("£700k ex VAT", {"total_gbp": 700_000, "vat": "excluded"}),
        ("£700k inc. VAT", {"total_gbp": 700_000, "vat": "included"}),
        ("£600k-£700k", {"total_gbp": 700_000}),
        ("half a million", {"total_gbp": 500_000}),
        ("don't know", {"unknown": True}),
        ("TBC", {"unknown": True}),
    ],
)
def test_value_phrase(text, expected):
    assert parse_value_phrase(text) == expected


@pytest.mark.parametrize(
    "text",
    ["£700k", "£180k pa for 3 years plus 2 one-year extensions", "£3m over 5 yrs", "£12k/month for 3 years", "£80k a year"],
)
def test_result_is_a_valid_case_value(text):
    value = parse_value_phrase(text)
    value.pop("vat", None)
    Case.from_dict({"value": value})  # raises CaseError if the dict is not a Case value


@pytest.mark.parametrize(
    "text, says",
    [
        ("lots", "could not find an amount"),
        ("", "Give the estimated value"),
        ("£500k or maybe £700k", "more than one amount"),
        ("£22 an hour", "hourly rate"),
        ("£0", "more than £0"),
        ("4 years", "could not find an amount"),
    ],
)
def test_plain_error_messages(text, says):
    with pytest.raises(ValueError, match=says):
        parse_value_phrase(text)
