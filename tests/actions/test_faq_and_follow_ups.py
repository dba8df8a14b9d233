"""FAQ answers from the knowledge base and follow-ups on the last answer, through action_converse (the one
action every message outside the quiz goes to)."""
from __future__ import annotations

from datetime import date

import pytest

from actions.converse import ActionConverse, one_bubble
from bot.assistant.faq import NOT_SURE, render
from bot.assistant.followups import NO_CASE_YET
from bot.ltr import Case, assess, load_knowledge

TODAY = date(2026, 11, 26)
CASE = {"service": "home_care", "value": {"total_gbp": 900000}, "commenced": "2026-06-01"}


def after(case: dict) -> dict:
    """The conversation slot after an answer on `case`."""
    return {"conversation": {"facts": case, "source": {}, "words": {}, "pending": None, "disclaimer": True,
                             "last": {"case": case}}}

FOLLOW_UP = {"more": "more_about_route", "change": "what_would_change", "refs": "show_references", "must": "what_must_we_do"}


def kb_faq(faq_id):
    entry = load_knowledge().faq_entry(faq_id)
    assert entry is not None, f"faq.yml has no entry {faq_id}"
    return entry


@pytest.mark.parametrize(
    "question, faq_id",
    [
        ("what is the light touch threshold?", "threshold.pa"),
        ("wat is the light touch threshold", "threshold.pa"),
        ("do thresholds include VAT?", "vat.pa"),
        ("is there a standstill period for light touch contracts", "standstill.pa"),
        ("what is the provider selection regime", "psr"),
    ],
)
async def test_faq_answers_come_from_the_knowledge_base_with_references(question, faq_id, tracker, dispatcher, domain,
                                                                        fixed_today):
    await ActionConverse().run(dispatcher, tracker(text=question, intent="faq"), domain)
    entry = kb_faq(faq_id)
    text = dispatcher.messages[0]["text"]
    assert text == one_bubble(render(entry, load_knowledge(), fixed_today))
    assert f"Reference: {entry.ref}." in text


async def test_a_question_the_knowledge_base_does_not_answer_offers_the_nearest(tracker, dispatcher, domain):
    await ActionConverse().run(dispatcher, tracker(text="what colour is the procurement portal", intent="faq"), domain)
    message = dispatcher.messages[0]
    assert message["text"] == NOT_SURE and "legal team" in message["text"]
    assert 1 <= len(message["buttons"]) <= 3
    assert all(b["payload"].startswith('/faq{"faq_id": ') for b in message["buttons"])


async def test_an_faq_button_answers_that_entry(tracker, dispatcher, domain):
    t = tracker(text='/faq{"faq_id": "mutuals.pa"}', intent="faq", entities=[{"entity": "faq_id", "value": "mutuals.pa"}])
    await ActionConverse().run(dispatcher, t, domain)
    assert dispatcher.messages[0]["text"].startswith(kb_faq("mutuals.pa").answer.strip()[:40])


async def test_the_faq_answers_for_the_officers_last_case(tracker, dispatcher, domain):
    # A procurement whose contract notice went out under PCR before 24 February 2025 stays under PCR
    # (SI 2024/716 reg 5): its standstill is the PCR 10-day one (regs 86-87), not the Act's.
    pcr_case = {"service": "home care", "value": {"total_gbp": 900000}, "commenced": "2024-11-01",
                "commencement_event": "pcr_contract_notice"}
    await ActionConverse().run(dispatcher, tracker(slots=after(pcr_case), text="do we need a standstill?", intent="faq"),
                                domain)
    text = dispatcher.messages[0]["text"]
    assert "10-day standstill" in text and "PCR 2015 regs 86-87" in text


@pytest.mark.parametrize("intent", FOLLOW_UP.values())
async def test_follow_ups_before_any_answer_say_so(intent, tracker, dispatcher, domain):
    await ActionConverse().run(dispatcher, tracker(text=f"/{intent}", intent=intent), domain)
    assert dispatcher.messages[0]["text"] == NO_CASE_YET


async def test_more_about_a_named_route(tracker, dispatcher, domain, fixed_today):
    a = assess(Case.from_dict(CASE), as_of=fixed_today)
    coproduce = next(r for r in a.routes if r.id == "R-COPRODUCE")
    await ActionConverse().run(dispatcher, tracker(slots=after(CASE), text="tell me more about co-design with service users",
                                             intent="more_about_route"),
                                     domain)
    text = dispatcher.messages[0]["text"]
    assert coproduce.text in text and coproduce.ref in text


async def test_more_about_a_route_chosen_by_button(tracker, dispatcher, domain, fixed_today):
    t = tracker(slots=after(CASE), text='/more_about_route{"route": "R-NOMINTIME"}', intent="more_about_route",
                entities=[{"entity": "route", "value": "R-NOMINTIME"}])
    await ActionConverse().run(dispatcher, t, domain)
    route = next(r for r in assess(Case.from_dict(CASE), as_of=fixed_today).routes if r.id == "R-NOMINTIME")
    assert route.text in dispatcher.messages[0]["text"]


async def test_more_about_the_options_lists_every_route_with_buttons(tracker, dispatcher, domain, fixed_today):
    await ActionConverse().run(dispatcher, tracker(slots=after(CASE), text="what are our options", intent="more_about_route"), domain)
    a = assess(Case.from_dict(CASE), as_of=fixed_today)
    message = dispatcher.messages[0]
    assert all(r.ref in message["text"] for r in a.routes)
    assert {b["payload"] for b in message["buttons"]} <= {f'/more_about_route{{"route": "{r.id}"}}' for r in a.routes}


async def test_references_list_the_legal_basis_of_the_answer(tracker, dispatcher, domain, fixed_today):
    await ActionConverse().run(dispatcher, tracker(slots=after(CASE), text="/show_references",
                                                        intent="show_references"), domain)
    a = assess(Case.from_dict(CASE), as_of=fixed_today)
    text = dispatcher.messages[0]["text"]
    assert all(o.ref in text for o in a.obligations)


async def test_what_must_we_do_lists_every_obligation(tracker, dispatcher, domain, fixed_today):
    await ActionConverse().run(dispatcher, tracker(slots=after(CASE), text="/what_must_we_do",
                                                      intent="what_must_we_do"), domain)
    a = assess(Case.from_dict(CASE), as_of=fixed_today)
    assert a.obligations
    assert all(o.text in dispatcher.messages[0]["text"] for o in a.obligations)


async def test_what_would_change_states_assumptions_and_missing_facts(tracker, dispatcher, domain, fixed_today):
    await ActionConverse().run(dispatcher, tracker(slots=after(CASE), text="/what_would_change",
                                                         intent="what_would_change"), domain)
    a = assess(Case.from_dict(CASE), as_of=fixed_today)
    text = dispatcher.messages[0]["text"]
    assert all(x in text for x in a.assumptions) and all(m in text for m in a.missing)


def test_every_faq_topic_is_found_by_its_own_questions_and_nearly_all_its_examples():
    from bot.assistant.faq import faq_reply, topic_of

    def found(phrasing: str, topic: str) -> bool:
        r = faq_reply(phrasing, as_of=TODAY)
        # "Is this service light touch?" with no service named is answered by how to check (what_counts).
        return r.confident and {topic_of(r.faq_id), topic} <= {topic} | ({"what_counts"} if topic == "is_light_touch" else set())

    faq = load_knowledge().faq
    assert all(found(f.question, topic_of(f.id)) for f in faq if not f.id.startswith("notices.pcr"))
    examples = [(e, topic_of(f.id)) for f in faq for e in f.examples]
    assert sum(found(e, t) for e, t in examples) >= 0.97 * len(examples)


async def test_more_about_a_route_by_its_place_in_the_list(tracker, dispatcher, domain, fixed_today):
    from bot.render.text import ranked_routes

    second = ranked_routes(assess(Case.from_dict(CASE), as_of=fixed_today))[1]
    await ActionConverse().run(dispatcher, tracker(slots=after(CASE), text="tell me more about the second one",
                                                                     intent="more_about_route"), domain)
    assert second.text in dispatcher.messages[0]["text"]
