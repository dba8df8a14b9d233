"""Follow-ups answer the question asked (issue 19, item 2): first, in a sentence or two, with only the duties or
routes it is about, for the case's own rules; while a deciding fact is still being asked for, they say what the
answer depends on instead of answering on a guess."""
from __future__ import annotations

from datetime import date

from bot.assistant import followups
from bot.ltr import Case, assess, load_knowledge

TODAY = date(2026, 11, 26)
# Home care under the Act (tender notice after 24 February 2025), £450k a year for 3 + 2 years plus VAT.
ACT = {"service": "home care", "value": {"annual_gbp": 450000, "years": 3, "extension_years": 2}, "vat": "excluded",
       "commenced": "2027-04-01", "commencement_event": "tender_notice"}


def answer(case: dict):
    return assess(Case.from_dict(case), as_of=TODAY)


def test_what_notices_lists_only_the_notices():
    """Finding: "what notices do we have to publish?" returned all 19 duties (2,519 characters)."""
    a = answer(ACT)
    r = followups.reply("what_must_we_do", a, "what notices do we have to publish?")
    first = r.text.splitlines()[0]
    assert first.startswith("Under the Procurement Act 2023,") and "notices" in first
    listed = [line for line in r.text.splitlines() if line.startswith("- ")]
    assert listed and len(listed) < len(a.obligations)
    assert all("notice" in line.lower() for line in listed)
    # the duties that publish the tender, award and contract details notices are among them (PA 2023 ss.21, 50, 53)
    for ref in ("PA 2023 ss.20-21", "PA 2023 s.50(1), (3)", "PA 2023 s.53(1)(a)"):
        assert any(ref in line for line in listed), ref
    assert not any("conflicts" in line.lower() for line in listed)


def test_what_must_we_do_still_gets_every_duty():
    a = answer(ACT)
    r = followups.reply("what_must_we_do", a, "what must we still do?")
    assert len([line for line in r.text.splitlines() if line.startswith("- ")]) == len(a.obligations)


def test_a_direct_award_question_is_answered_first_with_the_cases_own_routes():
    """Finding: "can I direct award to the current provider?" listed routes, PSR ones included, before the answer."""
    a = answer(ACT)
    r = followups.reply("more_about_route", a, "can I direct award to the current provider?")
    first = r.text.splitlines()[0]
    assert first.startswith("Only on a direct award ground.") and "Procurement Act 2023" in first
    assert "PSR" not in r.text
    kb = load_knowledge()
    for b in r.buttons:  # only direct award routes open for this case
        rid = b["payload"].split('"route": "')[1].rstrip('"}')
        assert "direct_award" in kb.route(rid).aims and rid in {x.id for x in a.routes}


def test_while_the_date_is_being_asked_a_follow_up_says_what_it_depends_on():
    """Finding: a follow-up was answered on an assumed date while the date was still being asked."""
    a = answer(ACT)
    r = followups.reply("what_must_we_do", a, "what must we do?", waiting_for="date")
    assert r.text.startswith("That depends on when the procurement starts")
    assert "Rules last updated" not in r.text and not r.buttons


def test_a_route_named_by_its_title_still_gets_its_detail():
    a = answer(ACT)
    r = followups.reply("more_about_route", a, "tell me more about the open framework")
    assert r.text.startswith("An open framework")
