"""OCDS notices: release packages, record packages and one release per line; facts stated as data are used as
data. Expected answers come from the law (ltr-reference.md): a Contracts Finder advert before 24 February
2025 keeps PCR 2015 (§1.1); from that date the Act applies (§1 step 4); amounts on Contracts Finder are read
as excluding VAT, so 20% is added (§3.1, §3.2: VAT-inclusive since 2022)."""
from __future__ import annotations

import json
import os
from datetime import date

import pytest

from bot.screen import TableError, load, screen_row, summary

AS_OF = date(2026, 12, 7)
# ../shared beside the checkout, as for `make eval` (LTA_SHARED names another place)
REAL = os.path.join(os.environ.get("LTA_SHARED", "../shared"), "data", "ocds", "contracts-finder-2025q1.json")


def release(id_, *, title="Home care for older people", cpv="85312000", amount=500_000, date_="2025-01-20T10:00:00Z",
            tag="tender", buyer="London Borough of Merton", extra=None, ocid="ocds-b5fd17-abc"):
    r = {"ocid": ocid, "id": id_, "date": date_, "tag": [tag],
         "tender": {"title": title, "description": "", "classification": {"scheme": "CPV", "id": cpv},
                    "value": {"amount": amount, "currency": "GBP"}, "datePublished": date_},
         "buyer": {"name": buyer}}
    if extra:
        r["tender"].update(extra)
    return r


def screen(doc) -> list[dict]:
    data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return [screen_row(r, AS_OF) for r in load("n.json", data).rows]


def test_release_package_one_row_per_release_with_its_id():
    out = screen({"releases": [release("r1"), release("r2", date_="2025-03-10T10:00:00Z")]})
    assert [r["row"] for r in out] == ["r1", "r2"]
    before, after = out
    assert before["regime"] == "PCR2015" and before["light_touch"] is True
    assert after["regime"] == "PA2023"
    # £500,000 ex VAT -> £600,000: below the £663,540 light touch threshold in both regimes
    assert before["estimated_value_gbp"] == pytest.approx(600_000) and before["above_threshold"] is False
    assert any("without VAT" in n for n in before["notes"])


def test_record_package_and_one_release_per_line():
    rec = {"records": [{"ocid": "o1", "compiledRelease": release("c1", amount=700_000)}]}
    assert [r["row"] for r in screen(rec)] == ["c1"]
    lines = "\n".join(json.dumps(release(f"l{i}")) for i in range(3)).encode()
    assert [r["row"] for r in screen(lines)] == ["l0", "l1", "l2"]


def test_award_values_and_the_earliest_date_decide():
    """An award published after the Act's start for a contract that began before it: the procurement began
    before 24 February 2025, so PCR 2015 applies to it for life."""
    r = release("a1", tag="award", date_="2025-03-11T10:00:00Z", amount=100_000,
                extra={"datePublished": None, "contractPeriod": {"startDate": "2024-11-01T00:00:00Z"}})
    r["awards"] = [{"id": "x", "status": "active", "value": {"amount": 800_000, "currency": "GBP"}}]
    out = screen({"releases": [r]})[0]
    assert out["regime"] == "PCR2015"
    assert out["estimated_value_gbp"] == pytest.approx(960_000)  # the award, not the estimate, with VAT
    assert out["above_threshold"] is True


def test_cpv_codes_are_data_and_a_disagreeing_description_is_flagged():
    # IT code on a home care title: the answer follows the code (not light touch); the row says they disagree
    out = screen({"releases": [release("d1", cpv="72000000", date_="2025-04-01T00:00:00Z")]})[0]
    assert out["light_touch"] is False
    assert "CPV" in out["cpv_check"] and "Home care" in out["cpv_check"]


def test_buyer_read_from_its_name_with_a_caveat_when_unsure():
    out = screen({"releases": [release("b1", buyer="Kettering General Hospital NHS Foundation Trust", cpv="79711000",
                                       date_="2025-04-01T00:00:00Z"),
                               release("b2", buyer="London & Quadrant Housing Trust", date_="2025-04-01T00:00:00Z")]})
    assert out[0]["case"]["buyer"] == "nhs_foundation_trust"
    assert out[1]["case"]["buyer"] == "sub_central"  # not an NHS trust, whatever "trust" suggests
    assert any("could not be told" in n and "legal team" in n for n in out[1]["notes"])


def test_a_notice_without_a_value_needs_one_and_never_stops_the_rest():
    bare = release("v1", date_="2025-04-01T00:00:00Z")
    del bare["tender"]["value"]
    out = screen({"releases": [bare, release("v2")]})
    assert out[0]["status"] == "needs_input" and "value" in " ".join(out[0]["needs"])
    assert out[1]["status"] == "complete"


@pytest.mark.parametrize("doc", [b"{}", b'{"releases": "no"}', b"[1, 2]", b'{"releases": [}'])
def test_not_ocds(doc):
    with pytest.raises(TableError):
        load("n.json", doc)


@pytest.mark.skipif(not os.path.exists(REAL), reason="the shared OCDS sample is not beside the checkout")
def test_the_real_contracts_finder_notices_all_get_a_row():
    with open(REAL, "rb") as f:
        data = f.read()
    out = screen(data)
    assert len(out) == 97 == len(json.loads(data)["releases"])
    s = summary(out)
    assert s["rows"] == 97
    assert set(s["regime"]) <= {"PCR2015", "PA2023", "PSR", "none", "out of scope", "not known"}
    # notices published before 24 February 2025 cannot fall under the Act
    early = [r for r in out if r["case"] and r["case"].get("commenced") and r["case"]["commenced"] < "2025-02-24"]
    assert early and all(r["regime"] != "PA2023" for r in early)


def test_amounts_in_the_words_do_not_replace_the_value_given_as_data():
    r = release("w1", title="CA15483 - SmartLog Software", cpv="48000000", amount=26_426, date_="2025-03-10T00:00:00Z",
                extra={"description": "Login and view the opportunity CA15483. Register and quote CA15483 as the reason."})
    out = screen({"releases": [r]})[0]
    assert out["status"] == "complete"
    assert out["case"]["parts"] == []
    assert out["estimated_value_gbp"] == pytest.approx(26_426 * 1.2)


def test_a_planning_notice_has_not_started_the_procurement():
    """Market engagement without a notice that starts a procurement does not commence it (ref §1.1)."""
    out = screen({"releases": [release("p1", tag="planning", date_="2025-01-10T00:00:00Z")]})[0]
    assert out["case"]["commenced"] is None and out["status"] == "needs_input"
    assert any("procurement starts" in n for n in out["needs"])


@pytest.mark.parametrize("text, clean", [
    ("Request For Information (RFI)rn This RFI", "Request For Information (RFI) This RFI"),
    ("the requirementrnThe service", "the requirement The service"),
    ("how to respond rnPlease", "how to respond Please"),
    ("a modern return concern", "a modern return concern"),
])
def test_line_break_debris_is_removed_but_words_are_kept(text, clean):
    from bot.screen.ocds import _clean

    assert _clean(text) == clean
