"""Buyer type, cross-border interest, VAT status and yes/no, as officers say them."""
import pytest

from bot.text.facts import parse_buyer, parse_cross_border, parse_user_choice, parse_vat_status, parse_yes_no


@pytest.mark.parametrize(
    "text, buyer",
    [
        ("we are a London borough", "sub_central"),
        ("I work for the council", "sub_central"),
        ("we're a local authority", "sub_central"),
        ("Royal Borough of Kingston", "sub_central"),
        ("we are an NHS trust", "nhs_trust"),
        ("a mental health trust", "nhs_trust"),
        ("we're an NHS foundation trust", "nhs_foundation_trust"),
        ("the foundation trust is buying it", "nhs_foundation_trust"),
        ("it's for the ICB", "icb"),
        ("North East London integrated care board", "icb"),
        ("NHS England", "nhs_england"),
        ("we are a school", "school"),
        ("we are an academy", "school"),
        ("we're a multi-academy trust", "school"),
        ("I work for a government department", "central"),
        ("central government", "central"),
        ("Department for Education", "central"),
        ("we buy for the ICB but we're a council", "sub_central"),  # who "we" are decides
    ],
)
def test_buyer(text, buyer):
    f = parse_buyer(text)
    assert f is not None and f.value == buyer
    assert text[f.start:f.end] == f.text


@pytest.mark.parametrize(
    "text, buyer",
    [("a school", "school"), ("secondary school", "school"), ("the trust", "nhs_trust"), ("academy", "school")],
)
def test_buyer_in_reply_to_the_buyer_question(text, buyer):
    assert parse_buyer(text) is None  # too vague in an ordinary message
    assert parse_buyer(text, answer=True).value == buyer


@pytest.mark.parametrize(
    "text",
    [
        "school meals for 40 primaries",
        "home to school transport",
        "our adult social care department",
        "what does light touch mean?",
        "I trust the figures",
    ],
)
def test_no_buyer(text):
    assert parse_buyer(text) is None


@pytest.mark.parametrize(
    "text, value",
    [
        ("no interest from abroad", "no"),
        ("EU suppliers might bid", "yes"),
        ("some interest from Irish providers", "yes"),
        ("overseas providers have bid before", "yes"),
        ("only UK providers would bid", "no"),
        ("it's a purely local market", "no"),
        ("I don't think anyone overseas would be interested", "no"),
        ("unlikely to attract foreign bidders", "no"),
        ("not sure whether there's cross-border interest", "unknown"),
        ("no idea if EU firms would be interested", "unknown"),
    ],
)
def test_cross_border(text, value):
    f = parse_cross_border(text)
    assert f is not None and f.value == value


@pytest.mark.parametrize("text, value", [("no", "no"), ("yes", "yes"), ("not sure", "unknown"), ("probably not", "no"), ("dunno", "unknown")])
def test_cross_border_in_reply_to_the_question(text, value):
    assert parse_cross_border(text) is None  # a bare "no" could answer anything
    assert parse_cross_border(text, answer=True).value == value


@pytest.mark.parametrize("text", ["is there cross-border interest?", "what does cross-border interest mean", "home care £700k"])
def test_no_cross_border(text):
    assert parse_cross_border(text) is None


@pytest.mark.parametrize(
    "text, status",
    [
        ("ex VAT", "excluded"),
        ("that's excluding VAT", "excluded"),
        ("the figure doesn't include VAT", "excluded"),
        ("inc VAT", "included"),
        ("including VAT", "included"),
        ("it's VAT exempt", "exempt"),
        ("care is exempt from VAT", "exempt"),
        ("not sure about VAT", "unknown"),
        ("it excludes VAT", "excluded"),
        ("VAT is extra", "excluded"),
        ("VAT is included", "included"),
        # VAT not charged at all is no VAT, even beside "doesn't include VAT"
        ("the figures don't include VAT and none is charged", "exempt"),
        ("VAT isn't charged on this", "exempt"),
        ("prices exclude VAT but the provider is a charity so none is charged", "exempt"),
        ("the prices exclude VAT", "excluded"),
    ],
)
def test_vat_status(text, status):
    assert parse_vat_status(text).value == status


@pytest.mark.parametrize("text, status", [("inclusive", "included"), ("exclusive", "excluded"), ("net", "excluded"), ("exempt", "exempt"), ("don't know", "unknown")])
def test_vat_status_in_reply_to_the_question(text, status):
    assert parse_vat_status(text, answer=True).value == status


@pytest.mark.parametrize(
    "text, value",
    [("yes", True), ("Yep", True), ("that's right", True), ("no", False), ("nope", False), ("not really", False),
     ("not sure", None), ("maybe", None), ("what do you mean?", None)],
)
def test_yes_no(text, value):
    assert parse_yes_no(text) is value


@pytest.mark.parametrize(
    "text, value",
    [
        ("the family chose the provider", True),
        ("she wants to stay with her current carers", True),
        ("it's a user choice placement", True),
        ("no preference has been expressed", False),
        ("the person hasn't expressed a preference", False),
        ("home care for older people", None),
    ],
)
def test_user_choice(text, value):
    assert parse_user_choice(text) is value


def test_user_choice_in_reply_falls_back_to_yes_no():
    assert parse_user_choice("yes", answer=True) is True
    assert parse_user_choice("no", answer=True) is False


def test_cross_border_in_a_message_that_starts_with_a_question():
    text = "does LTR apply to a £700k home care contract? We are a London borough, no interest from abroad"
    assert parse_cross_border(text).value == "no"


# ---- exemptions in words (reference §1 step 1, PA 2023 Sch 2) ------------------------------------------------

@pytest.mark.parametrize("text, exemption, clear", [
    ("take on a project manager as a council employee on a two-year fixed-term contract", "employment", True),
    ("a 2-year fixed-term contract of employment on our payroll", "employment", True),
    ("our wholly owned company, legal has confirmed it is a vertical arrangement", "vertical_arrangement", True),
    ("legal reckon it's Teckal", "vertical_arrangement", True),
    ("award it to our Wholly-Owned company", "vertical_arrangement", False),  # the Teckal conditions are not stated
    ("a shared service agreement with a neighbouring borough", "horizontal_arrangement", False),
    ("it meets the horizontal arrangement conditions", "horizontal_arrangement", True),
    ("we're leasing a building from a private landlord", "land", True),
    ("search and rescue provided by a charity", "emergency_services", True),
    ("search and rescue", "emergency_services", False),  # para 20 needs a provider not run for profit
])
def test_an_exemption_is_read_from_words(text: str, exemption: str, clear: bool) -> None:
    from bot.text.facts import parse_exemption

    m = parse_exemption(text)
    assert m is not None and (m.id, m.clear) == (exemption, clear)


@pytest.mark.parametrize("text", ["it is not a vertical arrangement", "are employment contracts exempt from the act?",
                                  "is a lease of a building exempt", "agency social workers via a managed service provider",
                                  "home care for older people, £700k", "the provider isn't a council employee"])
def test_words_that_name_no_exemption_give_none(text: str) -> None:
    from bot.text.facts import parse_exemption

    assert parse_exemption(text) is None


@pytest.mark.parametrize("text, years", [("no extension", 0.0), ("no extensions", 0.0), ("plus a year's option", 1.0),
                                         ("plus an optional year", 1.0), ("and two years options", 2.0), ("3 years plus 2", None)])
def test_extension_years_said_on_their_own(text: str, years: float) -> None:
    from bot.text.facts import parse_extension

    assert parse_extension(text) == years


@pytest.mark.parametrize("text, change", [("we're adding a handyperson element worth £80k", "add"),
                                          ("we're dropping the handyperson element", "remove"),
                                          ("home care £80k", None)])
def test_a_part_added_or_taken_out(text: str, change: str) -> None:
    from bot.text.facts import parse_part_change

    assert parse_part_change(text) == change
