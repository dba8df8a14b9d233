"""The chat-sized answer (`bot.render.text.render_answer`): at most three messages an officer takes in at
a glance, on real cases assessed by the engine. Expected figures come from the law (reference §3 value,
§4 thresholds); the rest is compared with the Assessment the engine returns."""
from __future__ import annotations

import dataclasses
import statistics
from datetime import date

import pytest

from bot.ltr import Case, assess
from bot.ltr.model import Assessment
from bot.render.text import render_answer

TODAY = date(2026, 11, 26)


def case(**facts) -> Assessment:
    return assess(Case.from_dict(facts), as_of=TODAY)


def fact(id_: str, label: str, text: str, source: str) -> dict:
    """One "What I understood" row as the lead's actions send it (the payload contract)."""
    return {"id": id_, "label": label, "text": text, "source": source, "change": f'/change_fact{{"fact": "{id_}"}}'}


# How officers' cases come back to them: service, value working, VAT, date with its event, buyer.
UNDERSTOOD = [
    fact("service", "Service", "Home care (domiciliary care)", "you said"),
    fact("value", "Value", "£150,000 a year × (4 + 2) years = £900,000", "worked out"),
    fact("vat", "VAT", "Exempt (care services)", "assumed"),
    fact("date", "Starts", "tender notice on 1 April 2027", "you said"),
    fact("buyer", "Buyer", "London borough", "default"),
]
HOME_CARE_ABOVE = dict(service="home care", value={"annual_gbp": 150000, "years": 4, "extension_years": 2},
                       commenced="2027-04-01", vat="exempt")
CHANGED = "Value now £500,000 a year × 2 years = £1,000,000 — the answer changed: above the threshold"


def test_an_answer_is_at_most_three_messages_headline_first():
    a = case(**HOME_CARE_ABOVE)
    messages = render_answer(a, UNDERSTOOD, None)
    assert len(messages) == 3
    headline = messages[0]
    # Reference §3: £150k a year for 4 years plus 2 years of extension options is £900k whole life;
    # §4: the Act's light touch threshold from 1 January 2026 is £663,540 including VAT.
    assert "Procurement Act 2023" in headline and "light touch" in headline
    assert "£663,540" in headline and "£900,000" in headline and "above" in headline
    assert headline.splitlines()[0] == a.answer


@pytest.mark.parametrize(
    "facts",
    [
        HOME_CARE_ABOVE,
        dict(service="home care", value={"total_gbp": 300000}, commenced="2026-04-01", vat="included"),
        dict(service="home care", value={"total_gbp": 3000000}, commenced="2024-04-01", vat="included"),
        dict(service="community nursing", value={"total_gbp": 3000000}, commenced="2026-04-01", buyer="icb",
             health_service_purpose=True),
        dict(service="IT support", value={"total_gbp": 400000}, commenced="2026-04-01", vat="included"),
    ],
    ids=["PA2023 above", "PA2023 below", "PCR2015", "PSR", "not light touch"],
)
def test_the_headline_says_which_rules_and_the_value_against_the_threshold(facts):
    a = case(**facts)
    headline = render_answer(a, UNDERSTOOD, None)[0]
    assert a.regime_name and a.regime_name in headline  # the instrument, by its name
    if a.threshold_gbp is not None:
        assert f"£{a.threshold_gbp:,.0f}" in headline
        assert f"£{a.estimated_value_gbp:,.0f}" in headline
        assert ("above" if a.above_threshold else "below") in headline
    else:
        assert "no value threshold" in headline.lower()


def test_what_changed_comes_first():
    messages = render_answer(case(**HOME_CARE_ABOVE), UNDERSTOOD, CHANGED)
    assert len(messages) == 3
    assert messages[0].splitlines()[0] == CHANGED


def test_what_was_understood_is_a_compact_list_with_sources():
    understood = render_answer(case(**HOME_CARE_ABOVE), UNDERSTOOD, None)[1]
    lines = understood.splitlines()
    assert lines[0] == "What I understood:"
    assert lines[1:] == [
        "- Service: Home care (domiciliary care) (you said)",
        "- Value: £150,000 a year × (4 + 2) years = £900,000 (worked out)",
        "- VAT: Exempt (care services) (assumed)",
        "- Starts: tender notice on 1 April 2027 (you said)",
        "- Buyer: London borough (default)",
    ]


def test_without_understood_facts_there_are_two_messages():
    messages = render_answer(case(**HOME_CARE_ABOVE), [], None)
    assert len(messages) == 2
    assert "What I understood" not in "\n".join(messages)


def test_three_consequences_the_engines_first_duties_and_routes_with_references():
    a = case(**HOME_CARE_ABOVE)
    last = render_answer(a, UNDERSTOOD, None)[-1]
    lines = last.splitlines()
    assert lines[0] == "What this means for you:"
    shown = [line for line in lines if line.startswith("- ")]
    assert len(shown) == 3
    # The engine orders its duties most important first: the first ones are shown, with their references.
    assert a.obligations[0].text in shown[0] and a.obligations[0].ref in shown[0]
    assert any(a.obligations[1].ref in line for line in shown)
    assert any(line.startswith("- Open to you: ") for line in shown)
    # The rest is one question away, and the rules version and date are one short line.
    assert "what must we still do?" in last and "what are our options?" in last
    assert last.splitlines()[-1] == f"Rules last updated {rules_date(a)}, applied on 26 November 2026."
    assert "+" not in last.splitlines()[-1]  # never the build hash


def test_a_route_the_officer_asked_about_that_is_not_open_comes_first():
    # Reference §7 / PA 2023 s.33: reserving to a mutual needs a maximum term of 5 years at most; 4 + 2 is 6.
    a = case(**HOME_CARE_ABOVE, aims=["mutual"], term_years=6)
    assert [r.id for r in a.routes_not_open] == ["R-MUTUAL"]
    shown = [line for line in render_answer(a, UNDERSTOOD, None)[-1].splitlines() if line.startswith("- ")]
    assert shown[0] == f"- {a.routes_not_open[0].text} ({a.routes_not_open[0].ref})"
    assert "not open" in shown[0] and "s.33" in shown[0]
    assert len(shown) == 3


def test_an_unconfirmed_consequence_or_caveat_says_check_with_your_legal_team():
    a = case(**HOME_CARE_ABOVE)
    first = dataclasses.replace(a.obligations[0], verified=False)
    a = dataclasses.replace(a, obligations=[first, *a.obligations[1:]])
    shown = render_answer(a, UNDERSTOOD, None)[-1]
    assert f"- Check with your legal team: {first.text}" in shown


def test_caveats_on_the_answer_are_in_the_headline_and_those_on_routes_not_shown_are_not():
    # Reference §9: "mainly" is not defined in the Act, so a mixed contract carries that caveat.
    mixed = case(commenced="2026-04-01", vat="included", parts=[
        {"service": "telecare alarm monitoring", "cpv": ["79711000"], "value_gbp": 600000},
        {"service": "telecare devices", "cpv": ["33196200"], "value_gbp": 100000, "separable": True},
    ])
    headline = render_answer(mixed, [], None)[0]
    assert "mainly" in headline and "legal team" in headline

    pcr = case(service="home care", value={"total_gbp": 3000000}, commenced="2024-04-01", vat="included")
    route_caveats = [w for w in pcr.warnings if w.id.startswith("W-R-")]
    assert route_caveats, "PCR routes whose basis was not re-read carry caveats"
    text = "\n".join(render_answer(pcr, [], None))
    shown_routes = [r for r in pcr.routes if r.text.split(":")[0] in text]
    for w in route_caveats:
        assert (w.text in text) == any(w.id == f"W-{r.id}" for r in shown_routes)


def test_the_disclaimer_is_not_repeated_in_every_answer():
    text = "\n".join(render_answer(case(**HOME_CARE_ABOVE), UNDERSTOOD, CHANGED)).lower()
    assert "legal advice" not in text


def test_a_question_back_is_one_message():
    a = case(service="care", value={"total_gbp": 300000}, commenced="2026-04-01")
    if a.status != "needs_input":
        pytest.skip("the engine no longer asks about 'care' on its own")
    assert render_answer(a, UNDERSTOOD, None) == [a.answer]


# Typical answers: the kinds of contract officers ask about most, each with the five facts they give.
TYPICAL = [
    HOME_CARE_ABOVE,
    dict(service="home care", value={"total_gbp": 700000}, commenced="2026-04-01", vat="included"),
    dict(service="supported living", value={"annual_gbp": 90000, "years": 3}, commenced="2026-06-01", vat="exempt"),
    dict(service="day opportunities", value={"total_gbp": 250000}, commenced="2026-09-01", vat="included"),
    dict(service="residential care", value={"annual_gbp": 2000000, "years": 5, "extension_years": 2},
         commenced="2027-01-01", vat="exempt"),
    dict(service="advocacy", value={"total_gbp": 180000}, commenced="2026-05-01", vat="included"),
    dict(service="school nursing", value={"total_gbp": 1200000}, commenced="2026-04-01", health_service_purpose=True),
    dict(service="home care", value={"total_gbp": 3000000}, commenced="2024-04-01", vat="included"),
    dict(service="IT support", value={"total_gbp": 400000}, commenced="2026-04-01", vat="included"),
    dict(service="drug and alcohol treatment", value={"total_gbp": 2500000}, commenced="2026-10-01", vat="exempt"),
]


def test_typical_answers_are_chat_sized():
    sizes = []
    for facts in TYPICAL:
        messages = render_answer(case(**facts), UNDERSTOOD, None)
        assert len(messages) <= 3
        sizes.append(sum(len(m) for m in messages))
    assert statistics.median(sizes) <= 1200, sizes


def test_a_route_the_officer_asked_about_that_is_open_comes_first():
    # Reference §7: a light touch framework under the Act (s.45(9)) is open above the threshold.
    a = case(**HOME_CARE_ABOVE, aims=["framework"])
    shown = [line for line in render_answer(a, UNDERSTOOD, None)[-1].splitlines() if line.startswith("- ")]
    framework = next(r for r in a.routes if r.id == "R-LT-FRAMEWORK")
    assert shown[0] == f"- Open to you: {framework.text.split(':')[0]} ({framework.ref})"


def test_a_case_the_tool_does_not_cover_says_so_and_names_no_rules():
    # Reference §11: Scotland, Wales and Northern Ireland have their own rules.
    a = case(service="home care", value={"total_gbp": 900000}, commenced="2026-04-01", england=False)
    messages = render_answer(a, [], None)
    assert messages[0] == a.answer and "England only" in messages[0] and "legal team" in messages[0]
    assert "Rules:" not in "\n".join(messages) and "What this means for you" not in "\n".join(messages)


def test_the_ltr_command_gets_everything():
    from bot.render.text import render_assessment

    a = case(**HOME_CARE_ABOVE)
    text = render_assessment(a)
    assert text.startswith(a.answer)
    for item in [*a.obligations, *a.trace]:
        assert f"- {item.text} ({item.ref})" in text
    for route in a.routes:
        only_if = f", only if {route.condition}" if route.condition else ""  # a route open only if a fact holds says so
        assert f"{route.text.split(':')[0]}{only_if} ({route.ref})" in text
    assert f"Rules last updated {rules_date(a)}" in text and a.rules_version not in text


def rules_date(a) -> str:
    """The date the rules were last reviewed, as an officer reads it (the version's date part, without its hash)."""
    d = date.fromisoformat(a.rules_version.split("+")[0])
    return f"{d.day} {d:%B %Y}"
