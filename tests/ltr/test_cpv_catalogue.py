"""The CPV 2008 catalogue: codes and descriptions from Regulation (EC) No 213/2008."""
from __future__ import annotations

import pytest

from bot.ltr import cpv_catalogue as cat


@pytest.mark.parametrize("code", ["85312000", "85312000-9", "85312000-0", "CPV 85311000-2", " 79000000 ", "cpv: 03000000-1"])
def test_existing_codes_with_or_without_check_digit(code: str) -> None:
    assert cat.exists(code)


@pytest.mark.parametrize("code", ["85312999", "12345678", "8531200", "853120000", "85312000-99", "", "home care", "00000004"])
def test_unknown_or_malformed_codes_do_not_exist(code: str) -> None:
    assert not cat.exists(code)
    assert cat.describe(code) is None


@pytest.mark.parametrize("code, words", [
    ("85312000", "Social work services without accommodation"),
    ("85311100-3", "Welfare services for the elderly"),
    ("79000000", "Business services: law, marketing, consulting, recruitment, printing and security"),
    ("98514000", "Domestic services"),
    ("60130000", "Special-purpose road passenger-transport services"),
])
def test_describe_gives_the_official_wording(code: str, words: str) -> None:
    assert cat.describe(code) == words


def test_whole_vocabulary_is_loaded() -> None:
    # CPV 2008 has about 9,450 codes across divisions 03 to 98.
    table = cat.codes()
    assert 9000 < len(table) < 10000
    assert min(table)[:2] == "03" and max(table)[:2] == "98"
    table.clear()
    assert cat.exists("85312000")
