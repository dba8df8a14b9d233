"""Decision records (bot/render/record.py): what the widget's "Download decision record" returns."""
from __future__ import annotations

import copy
import json
import re
from datetime import date, datetime, timezone
from html.parser import HTMLParser

import pytest

from bot.ltr import Case, assess
from bot.render.record import (
    RecordError,
    authoritative_assessment,
    record_filename,
    render_record_html,
    render_record_markdown,
)

MADE = datetime(2026, 11, 26, 14, 5, tzinfo=timezone.utc)
CASE = {"service": "home care", "value": {"total_gbp": 700000}, "commenced": "2026-04-01", "buyer": "sub_central"}


@pytest.fixture(scope="module")
def assessment() -> dict:
    return assess(Case.from_dict(CASE), as_of=date(2026, 11, 26)).to_dict()


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)


def test_the_html_record_holds_the_case_answer_references_and_version(assessment):
    html = render_record_html(assessment, MADE)
    assert assessment["answer"].replace("'", "&#x27;") in html
    assert "Record made 26 November 2026 at 14:05 UTC" in html
    assert "Rules applied as of 26 November 2026" in html
    assert "Rules last updated " in html and assessment["rules_version"] not in html.split("<script")[0]
    assert "home care" in html and "£700,000 in total" in html
    assert "£663,540" in html
    for item in assessment["trace"] + assessment["obligations"] + assessment["routes"]:
        assert item["ref"].replace("'", "&#x27;") in html
    for assumption in assessment["assumptions"]:
        assert assumption.replace("'", "&#x27;") in html
    assert "not legal advice" in html
    parser = Tags()
    parser.feed(html)
    # Self-contained: nothing is fetched when it is opened or printed.
    assert "link" not in parser.tags and "img" not in parser.tags
    assert all(name != "src" for name, _ in parser.attrs)
    embedded = re.search(r'<script type="application/json" id="lta-assessment">(.*?)</script>', html, re.S).group(1)
    assert json.loads(embedded)["answer"] == assessment["answer"]


def test_the_markdown_record_says_the_same(assessment):
    md = render_record_markdown(assessment, MADE)
    assert md.startswith("# Decision record: home care\n")
    assert "Record made 26 November 2026 at 14:05 UTC" in md
    assert "## What must still be done" in md and "## Appendix A: every step of the answer" in md
    assert f"1. {assessment['trace'][0]['text'][:15]}" in md
    machine = md.split("```json\n", 1)[1].split("\n```", 1)[0]
    assert json.loads(machine)["rules_version"] == assessment["rules_version"]


def test_unverified_items_tell_the_officer_to_check_with_legal(assessment):
    a = copy.deepcopy(assessment)
    a["routes"][0]["verified"] = False
    assert "<strong>Check with your legal team:</strong> " + a["routes"][0]["text"][:20] in render_record_html(a, MADE)
    assert "**Check with your legal team:** " in render_record_markdown(a, MADE)


def test_the_officers_own_words_cannot_become_markup(assessment):
    a = copy.deepcopy(assessment)
    a["case"]["service"] = '<script>alert(1)</script> **care** [x](javascript:alert(1))'
    a["obligations"][0]["source"] = "javascript:alert(1)"
    html = render_record_html(a, MADE)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    embedded = re.search(r'id="lta-assessment">(.*?)</script>', html, re.S).group(1)
    assert "</script" not in embedded.lower()
    md = render_record_markdown(a, MADE)
    assert "<script>" not in md.split("```json", 1)[0]
    assert r"\*\*care\*\*" in md and r"\[x\]" in md


@pytest.mark.parametrize(
    "broken",
    [
        None,
        "text",
        {"answer": "x"},  # no rules version or date
        {"answer": "x", "rules_version": "v", "as_of": "not a date"},
        {"answer": "x", "rules_version": "v", "as_of": "2026-11-26", "regime": "EU"},
        {"answer": "x", "rules_version": "v", "as_of": "2026-11-26", "routes": "R-BESPOKE"},
        {"answer": "x" * 20_000, "rules_version": "v", "as_of": "2026-11-26"},
    ],
)
def test_anything_else_is_refused(broken):
    with pytest.raises(RecordError):
        render_record_html(broken, MADE)


def test_the_engine_has_the_last_word_on_what_is_recorded(assessment):
    tampered = copy.deepcopy(assessment)
    tampered["answer"] = "No rules apply, do what you like."
    recorded, note = authoritative_assessment(tampered)
    assert recorded["answer"] == assessment["answer"]
    assert note == "The answer was worked out again from the rules when this record was made."

    old_rules = dict(copy.deepcopy(assessment), rules_version="2020-01-01+00000000")
    recorded, note = authoritative_assessment(old_rules)
    assert recorded["rules_version"] == "2020-01-01+00000000"
    assert "The rules have changed since" in note

    unreadable = dict(copy.deepcopy(assessment), case={"service": 42})
    recorded, note = authoritative_assessment(unreadable)
    assert "could not work this case out again" in note


def test_service_ids_are_shown_by_name(assessment):
    a = copy.deepcopy(assessment)
    a["case"]["service"] = "home_care"  # what the assistant records once it has matched the service
    html = render_record_html(a, MADE)
    assert "<h1>Decision record: Home care (domiciliary care)</h1>" in html
    assert "home_care" not in html.split('<script type="application/json"')[0]


def test_file_names_carry_the_time(assessment):
    assert record_filename(assessment, MADE, "html") == "decision-record-2026-11-26-140500.html"
    assert record_filename(assessment, MADE, "md") == "decision-record-2026-11-26-140500.md"


UNDERSTOOD = [
    {"id": "service", "label": "Service", "text": "Home care (domiciliary care)", "source": "you said", "change": "/change_fact"},
    {"id": "value", "label": "Value", "text": "£700,000 in total", "source": "you said", "change": "/change_fact"},
    {"id": "vat", "label": "VAT", "text": "Included", "source": "assumed", "change": "/change_fact"},
]


def test_the_record_holds_what_the_chat_understood_with_where_each_fact_came_from(assessment):
    html = render_record_html(assessment, MADE, understood=UNDERSTOOD)
    # An assumption is flagged as one, to be checked; what the officer said is labelled so.
    assert '<th scope="row">VAT</th><td>Included</td><td><span class="assumed">Assumed: check it</span></td>' in html
    assert '<th scope="row">Value</th><td>£700,000 in total</td><td>You said</td>' in html
    md = render_record_markdown(assessment, MADE, understood=UNDERSTOOD)
    assert "- Service: Home care (domiciliary care) (you said)" in md
    assert "- VAT: Included (**assumed: check it**)" in md
    with pytest.raises(RecordError):
        render_record_html(assessment, MADE, understood=[{"label": ["not", "text"]}])
    with pytest.raises(RecordError):
        render_record_html(assessment, MADE, understood="VAT included")


def test_links_go_to_legislation_gov_uk_gov_uk_or_nhs_england_only(assessment):
    a = copy.deepcopy(assessment)
    for item in a["obligations"] + a["warnings"]:
        item["source"] = ""
    a["routes"] = [
        dict(a["routes"][0], source="https://www.legislation.gov.uk/ukpga/2023/54/section/20"),
        dict(a["routes"][1], source="https://www.gov.uk/government/collections/procurement-act-2023-guidance-documents"),
        dict(a["routes"][2], source="https://www.england.nhs.uk/commissioning/how-commissioning-is-changing/nhs-provider-selection-regime/"),
        dict(a["routes"][3], source="https://a-law-firm.co.uk/insights/light-touch-blog"),
        dict(a["routes"][4], source="https://legislation.gov.uk.example.com/fake"),
    ]
    html = render_record_html(a, MADE)
    links = re.findall(r'<a href="([^"]+)"', html)
    assert links == [r["source"] for r in a["routes"][:3]]
    # The reference of an item whose source is not official stays in the record, without the link.
    assert a["routes"][3]["ref"].replace("'", "&#x27;") in html
    md = render_record_markdown(a, MADE)
    assert "a-law-firm" not in md.split("```json", 1)[0] and "example.com" not in md.split("```json", 1)[0]


def test_the_rules_are_named_as_the_engine_names_them():
    psr = assess(Case.from_dict({"service": "community nursing", "value": {"total_gbp": 3000000}, "buyer": "icb",
                                 "commenced": "2026-04-01", "health_service_purpose": True}), as_of=date(2026, 11, 26)).to_dict()
    assert psr["regime"] == "PSR"
    html = render_record_html(psr, MADE)
    assert "<td>Health Care Services (Provider Selection Regime) Regulations 2023</td>" in html
    assert "No threshold applies" in html


def test_routes_asked_about_but_not_open_are_recorded_with_the_reason(assessment):
    a = copy.deepcopy(assessment)
    a["routes_not_open"] = [{"id": "R-MUTUAL", "text": "Reserving to a mutual is not open: the term is over 3 years.",
                             "ref": "PA 2023 s.33", "verified": True, "source": ""}]
    html = render_record_html(a, MADE)
    assert "<h2>Routes not open, and why</h2>" in html
    assert "Reserving to a mutual is not open: the term is over 3 years." in html
    assert "## Routes not open, and why" in render_record_markdown(a, MADE)


def test_a_caveat_says_check_with_your_legal_team_once(assessment):
    a = copy.deepcopy(assessment)
    a["warnings"] = [{"id": "W-MAINLY", "text": "The Act does not define 'mainly'. Check with your legal team.",
                      "ref": "PA 2023 s.9(1)", "verified": False, "source": ""}]
    caveats = render_record_html(a, MADE).split('<div class="warn">', 1)[1].split("</div>", 1)[0]
    assert caveats.lower().count("check with your legal team") == 1


@pytest.mark.parametrize(
    "value, shown",
    [
        ({"total_gbp": 700000}, "£700,000 in total"),
        ({"annual_gbp": 150000, "years": 4, "extension_years": 2}, "£150,000 a year for 4 years, plus 2 years of extensions"),
        ({"monthly_gbp": 20000, "open_ended": True}, "£20,000 a month, no end date"),
        ({"annual_gbp": 80000, "years": 3, "extension_years": 2, "one_off_gbp": 90000},
         "£80,000 a year for 3 years, plus 2 years of extensions, plus £90,000 one-off"),
        ({"total_gbp": 1600000, "years": 3, "extension_years": 1, "extension_gbp": 600000},
         "£1,600,000 in total over 3 years, plus 1 year of extensions priced at £600,000"),
        ({"annual_gbp": 200000, "years": 3, "lots": 3}, "£200,000 a year per lot for 3 years, 3 lots"),
    ],
)
def test_the_value_is_recorded_as_the_officer_gave_it(value, shown):
    a = assess(Case.from_dict(dict(CASE, value=value)), as_of=date(2026, 11, 26)).to_dict()
    assert f"<th scope=\"row\">Value given</th><td>{shown}</td>" in render_record_html(a, MADE)
