"""The Teams answer card (`bot.render.adaptive_card`) on real cases assessed by the engine. Figures expected
from the law (reference §4: the light touch threshold is £663,540 including VAT from 1 January 2024, under both
the PCR 2015 and the Procurement Act 2023); the rest is compared with the engine's Assessment and with the chat's
plain-text answer (`render_answer`), so the card and the other channels cannot disagree."""
from __future__ import annotations

import json
from datetime import date
from typing import Any, Iterator

from bot.ltr import Case, assess
from bot.ltr.model import Assessment
from bot.render.adaptive_card import assessment_card, message_card
from bot.render.text import render_answer

TODAY = date(2026, 11, 26)
ABOVE = dict(service="home care", value={"total_gbp": 700000}, vat="exempt", commenced="2027-01-05",
             commencement_event="tender_notice")
# Begun under the PCR 2015: some of its routes rest on points the reference marks UNVERIFIED.
PCR_WITH_UNVERIFIED = dict(service="home care", value={"total_gbp": 900000}, commenced="2024-06-01")
UNDERSTOOD = [{"id": "service", "label": "Service", "text": "home care <b>for</b> **older** [people](https://x.example)",
               "source": "you said"}]


def payload(facts: dict, understood: Any = (), changed: Any = None) -> dict:
    a = assess(Case.from_dict(facts), as_of=TODAY)
    # as the channel receives it: JSON from the action server
    return {"type": "ltr_assessment", "assessment": json.loads(json.dumps(a.to_dict())),
            "understood": list(understood), "changed": changed}


def elements(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        if "type" in node:
            yield node
        for value in node.values():
            yield from elements(value)
    elif isinstance(node, list):
        for value in node:
            yield from elements(value)


def runs(card: dict) -> list[str]:
    return [e["text"] for e in elements(card) if e["type"] == "TextRun"]


def facts(card: dict) -> dict[str, str]:
    return {f["title"]: f["value"] for e in elements(card) if e["type"] == "FactSet" for f in e["facts"]}


def test_an_assessment_survives_the_trip_through_json():
    for case in (ABOVE, PCR_WITH_UNVERIFIED, {"service": "zorblatt provision"}):
        a = assess(Case.from_dict(case), as_of=TODAY)
        assert Assessment.from_dict(json.loads(json.dumps(a.to_dict()))).to_dict() == a.to_dict()


def test_the_card_shows_the_engines_answer_value_and_threshold():
    p = payload(ABOVE)
    card = assessment_card(p, "https://lta.example.gov.uk/records/abc")
    a = p["assessment"]
    assert a["answer"] in runs(card)
    shown = facts(card)
    assert shown["Rules that apply"] == "Procurement Act 2023"
    assert shown["Threshold"] == "£663,540 (including VAT)"  # reference §4
    assert shown["Estimated value"] == "£700,000"
    assert shown["Above the threshold"] == "Yes" and shown["Light touch service"] == "Yes"
    # Officers see the date the rules were last reviewed (the version's date part), not the content hash.
    reviewed = date.fromisoformat(a["rules_version"].split("+")[0])
    assert any(r.startswith(f"Rules last updated {reviewed.day} {reviewed:%B %Y}") for r in runs(card))
    assert not any(a["rules_version"] in r for r in runs(card))
    [link] = [x for x in card["actions"] if x["type"] == "Action.OpenUrl"]
    assert link["url"] == "https://lta.example.gov.uk/records/abc"


def test_the_card_says_what_the_chat_says():
    p = payload(ABOVE, UNDERSTOOD, changed="The value changed: the answer changed.")
    card_text = runs(assessment_card(p))
    plain = render_answer(Assessment.from_dict(p["assessment"]), p["understood"], p["changed"])
    understood_lines = plain[1].split("\n")[1:]
    consequence_lines = [line for line in plain[2].split("\n") if line.startswith("- ")]
    assert plain[0].split("\n")[0] in card_text  # what changed
    for line in understood_lines + consequence_lines:
        assert "• " + line[2:] in card_text


def test_every_route_is_listed_with_its_reference():
    p = payload(ABOVE)
    card_text = "\n".join(runs(assessment_card(p)))
    for route in p["assessment"]["routes"]:
        assert route["ref"] in card_text, route["id"]


def test_anything_unverified_is_shown_as_a_legal_team_caveat():
    p = payload(PCR_WITH_UNVERIFIED)
    unverified = [r for r in p["assessment"]["routes"] if not r["verified"]]
    assert unverified, "the case must have unverified routes for this test to mean anything"
    text = runs(assessment_card(p))
    for route in unverified:
        [line] = [t for t in text if route["ref"] in t and route["text"].split(":")[0] in t]
        assert "check with your legal team" in line.lower()


def test_officers_words_are_never_in_an_element_that_reads_markdown():
    card = assessment_card(payload(ABOVE, UNDERSTOOD))
    raw = UNDERSTOOD[0]["text"]
    assert any(raw in t for t in runs(card))  # shown as typed, in a TextRun
    for e in elements(card):
        if e["type"] in ("TextBlock", "FactSet"):
            assert raw not in json.dumps(e, ensure_ascii=False)


def test_no_link_without_a_public_address():
    card = assessment_card(payload(ABOVE), None)
    assert not [x for x in card.get("actions", []) if x["type"] == "Action.OpenUrl"]


def test_routes_can_be_shown_and_hidden():
    card = assessment_card(payload(ABOVE))
    [toggle] = [x for x in card["actions"] if x["type"] == "Action.ToggleVisibility"]
    [target] = toggle["targetElements"]
    [section] = [e for e in elements(card) if e.get("id") == target]
    assert section["isVisible"] is False


def test_a_question_with_buttons_is_a_card_with_one_action_per_button():
    buttons = [{"title": "Yes", "payload": '/inform{"cross_border": "yes"}'},
               {"title": "No", "payload": '/inform{"cross_border": "no"}'}]
    card = message_card("Is there a certain cross-border interest?\n(If unsure, say so.)", buttons)
    assert runs(card) == ["Is there a certain cross-border interest?", "(If unsure, say so.)"]
    actions = [e for e in elements(card) if e["type"] == "Action.Submit"]
    assert [(x["title"], x["data"]["lta_payload"], x["data"]["msteams"]["displayText"]) for x in actions] == [
        ("Yes", buttons[0]["payload"], "Yes"), ("No", buttons[1]["payload"], "No")]


def test_the_not_legal_advice_note_comes_with_the_first_answer_only():
    from bot.render.text import DISCLAIMER

    def texts(card: dict) -> str:
        return "\n".join(str(e.get("text", "")) for e in elements(card))

    first = {**payload(ABOVE), "disclaimer": True}
    assert DISCLAIMER in texts(assessment_card(first))
    assert DISCLAIMER not in texts(assessment_card(payload(ABOVE)))
