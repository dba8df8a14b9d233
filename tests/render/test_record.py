"""A decision record ready for a procurement file (issue 19, item 5): the record's details (filled in or
labelled blanks), the answer, the facts with their sources and assumptions flagged, the working, references
with links to the instrument each one names, and the full trace and data in appendices."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from bot.ltr import Case, assess, load_knowledge
from bot.render.record import (
    DETAILS,
    RecordError,
    authoritative_assessment,
    render_record_html,
    render_record_markdown,
)

MADE = datetime(2026, 11, 26, 14, 5, tzinfo=timezone.utc)
# £450k a year for 3 + 2 years, VAT on top: the Act counts VAT (reference §3), so 2,250,000 x 1.2 = 2,700,000.
CASE = {"service": "home care", "value": {"annual_gbp": 450000, "years": 3, "extension_years": 2}, "vat": "excluded",
        "commenced": "2027-04-01", "commencement_event": "tender_notice"}
DETAILS_GIVEN = {"contract_name": "Home care for older people 2027", "contract_reference": "LBX-HC-0427",
                 "officer": "Sam Patel", "decision_date": "4 December 2026", "decision": "Run a competitive flexible procedure",
                 "approver": "Head of Commissioning"}
UNDERSTOOD = [
    {"label": "Service", "text": "Home care (domiciliary care)", "source": "you said"},
    {"label": "Date", "text": "procurement starts on 26 November 2026 (you didn't know the date, so I assumed it starts today)",
     "source": "assumed"},
]
# legislation.gov.uk's address for each instrument a reference can name.
INSTRUMENTS = {
    "PA 2023": "https://www.legislation.gov.uk/ukpga/2023/54",
    "PCR 2015": "https://www.legislation.gov.uk/uksi/2015/102",
    "PSR 2023": "https://www.legislation.gov.uk/uksi/2023/1348",
    "Public Services (Social Value) Act 2012": "https://www.legislation.gov.uk/ukpga/2012/3",
}


@pytest.fixture(scope="module")
def assessment() -> dict:
    return assess(Case.from_dict(CASE), as_of=date(2026, 11, 26)).to_dict()


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html.split("<script", 1)[0])


def test_the_details_the_officer_filled_in_head_the_record(assessment):
    html = render_record_html(assessment, MADE, details=DETAILS_GIVEN)
    assert "<h1>Decision record: Home care for older people 2027</h1>" in html
    for key, label in DETAILS:
        assert f'<th scope="row">{label}</th><td>{DETAILS_GIVEN[key]}</td>' in html
    md = render_record_markdown(assessment, MADE, details=DETAILS_GIVEN)
    assert md.startswith("# Decision record: Home care for older people 2027\n")
    assert "- Approved by: Head of Commissioning" in md and "- Contract reference: LBX-HC-0427" in md


def test_details_not_given_are_labelled_blanks_to_fill_in_by_hand(assessment):
    html = render_record_html(assessment, MADE)
    for _, label in DETAILS:
        assert f'<th scope="row">{label}</th><td class="blank">' in html
    md = render_record_markdown(assessment, MADE)
    for _, label in DETAILS:
        assert re.search(rf"^- {label}: (\\_)+$", md, re.M), label


@pytest.mark.parametrize("details", ["Sam", {"officer": ["Sam"]}, {"officer": "x" * 301}])
def test_details_that_are_not_short_text_are_refused(assessment, details):
    with pytest.raises(RecordError):
        render_record_html(assessment, MADE, details=details)


def test_the_officers_details_cannot_become_markup(assessment):
    html = render_record_html(assessment, MADE, details={"officer": "<img src=x onerror=alert(1)>"})
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_assumptions_are_flagged_and_the_working_reaches_the_headline_figure(assessment):
    html = render_record_html(assessment, MADE, understood=UNDERSTOOD)
    assert '<td><span class="assumed">Assumed: check it</span></td>' in html
    working = html.split("<h2>The working</h2>", 1)[1].split("</ol>", 1)[0]
    assert "£2,250,000" in working and "£2,700,000" in working and "£663,540" in working
    for assumption in assessment["assumptions"]:
        assert assumption.replace("'", "&#x27;") in html.split("<h2>Assumptions</h2>", 1)[1]


def test_the_trace_and_the_data_are_in_appendices_after_the_record(assessment):
    html = render_record_html(assessment, MADE)
    body, appendix = html.split("Appendix A: every step of the answer", 1)
    assert "<h2>About this record</h2>" in body
    for step in assessment["trace"]:
        assert step["text"].replace("'", "&#x27;") in appendix
    assert "Appendix B: machine-readable copy" in appendix and 'id="lta-assessment"' in appendix
    md = render_record_markdown(assessment, MADE)
    assert md.index("## About this record") < md.index("## Appendix A") < md.index("## Appendix B") < md.index("```json")


def test_it_prints_on_a4_and_speaks_plainly(assessment):
    recorded, note = authoritative_assessment(assessment)
    html = render_record_html(recorded, MADE, note)
    assert "@page{size:A4" in html
    plain = text_of(html).lower()
    assert "rule engine" not in plain and "re-checked" not in plain
    assert assessment["rules_version"] not in text_of(html)  # the review date, not the version hash


def test_the_social_value_duty_links_to_the_social_value_act(assessment):
    html = render_record_html(assessment, MADE)
    refs = html.split("<h2>Legal references</h2>", 1)[1].split("</ul>", 1)[0]
    line = next(li for li in refs.split("<li>") if li.startswith("Public Services (Social Value) Act 2012"))
    assert 'href="https://www.legislation.gov.uk/ukpga/2012/3"' in line


def test_every_duty_links_to_the_instrument_its_reference_names():
    for o in load_knowledge().obligations:
        named = [url for name, url in INSTRUMENTS.items() if o.ref.startswith(name)]
        if named and o.source:
            assert o.source.startswith(named[0]), (o.id, o.ref, o.source)
