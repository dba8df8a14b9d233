"""The FAQ on questions it has not seen: typos, officers' abbreviations, facts around a question, neighbouring
topics. The generated questions (faq_generalise.py) are written for this file, not taken from faq.yml nor from
../shared/eval."""
from __future__ import annotations

import random
from datetime import date

import pytest

from bot.assistant.faq import _indexes, faq_reply, rank_topics, spell_out, topic_of
from bot.ltr import load_knowledge

from tests.assistant.faq_generalise import KINDS, keyboard_slip, measure, questions, typo

TODAY = date(2026, 11, 26)
KB = load_knowledge()


def _correct(word: str) -> str:
    return _indexes(KB.rules_version)[0].correct_word(word)


@pytest.mark.parametrize("typed, meant", [
    ("platfrom", "platform"), ("threshhold", "threshold"), ("procurment", "procurement"), ("framwork", "framework"),
    ("contarct", "contract"),  # swapped letters: contract, the FAQ's common word, not "contact"
    ("noticed", "notice"), ("standstil", "standstill"), ("abive", "above"), ("debarrment", "debarment"), ("exlusion", "exclusion"),
    ("procuremnet", "procurement"), ("comencment", "commencement"),
])
def test_misspelt_topic_words_are_read_as_meant(typed, meant):
    assert _correct(typed) == meant


@pytest.mark.parametrize("word", ["cleaning", "catering", "contact", "plus"])
def test_real_words_are_not_corrected_into_topic_words(word):
    # Words of the CPV catalogue and English stop words are right as typed, even one slip from a topic word.
    assert _correct(word) == word


def test_an_abbreviation_is_spelt_out_before_any_correction():
    # "TUPE" is one slip from "type": spelt out first, it is never read as that.
    assert _indexes(KB.rules_version)[0].correct(spell_out("does TUPE apply")) == ["staff", "transfer", "apply"]


@pytest.mark.parametrize("question, topic", [
    ("VEAT notice before a DA?", "transparency_notice"),
    ("does the SV act apply to LTR contracts?", "social_value"),
    ("CDN deadline for LTR?", "details_notice"),
    ("KPIs for a £6m LTR contract under PA23?", "kpis"),
    ("is a PTN needed if we pull the tender?", "procurement_termination"),
    ("can we still call off from a PCR15 DPS?", "saved_pcr_frameworks"),
])
def test_officers_abbreviations_are_spelt_out_once(question, topic):
    r = faq_reply(question, as_of=TODAY)
    assert r.confident and topic_of(r.faq_id) == topic, (r.faq_id, spell_out(question))


@pytest.mark.parametrize("question, topic", [
    # A sentence of facts, then the question: the question decides.
    ("It's a £90k substance misuse contract commissioned by the council. Is social care covered by the PSR?",
     "psr_social_care"),
    ("It's a £90k substance misuse contract for the council. Is this legal advice?", "legal_advice"),
    # A dated event that is the point of the question is no mere fact.
    ("We only put out a PIN for the light touch service before February 2025 - are we still under PCR?", "pcr_pin"),
    # A contract of two things asks about mixing, not about one service.
    ("Our contract is part care and part cleaning, is it light touch?", "mixed_contracts"),
])
def test_what_the_question_asks_decides(question, topic):
    r = faq_reply(question, as_of=TODAY)
    assert r.confident and topic_of(r.faq_id) == topic, (r.faq_id, r.score)


@pytest.mark.parametrize("question, topic", [
    ("can we end a care contract early because the provider has been debarred?", "termination_right"),
    ("implied right to terminate a light touch contract under the act?", "termination_right"),
    ("what can we do under section 78 if our supplier becomes excluded?", "termination_right"),
    ("do the technical specification rules apply to our light touch tender?", "specifications"),
    ("s56 specifications for an LTR contract?", "specifications"),
    ("are there rules on how we write the service specification under the act?", "specifications"),
])
def test_new_topics_from_the_reference_are_found(question, topic):
    # Ranked first; answered, or offered first when the officer is asked to choose.
    assert topic_of(rank_topics(question, KB)[0][0].id) == topic
    r = faq_reply(question, as_of=TODAY)
    if r.confident:
        assert topic_of(r.faq_id) == topic
    else:
        assert f'"faq_id": "{topic}' in r.buttons[0]["payload"]


def test_the_typo_generator_is_deterministic_and_makes_slips():
    assert typo("what is the contract details notice deadline", random.Random(1)) == \
        typo("what is the contract details notice deadline", random.Random(1))
    slips = {keyboard_slip("threshold", random.Random(n)) for n in range(40)}
    assert "threshold" not in slips and len(slips) > 10
    assert all(s[0] == "t" and abs(len(s) - len("threshold")) <= 1 for s in slips)


def test_generated_questions_generalise_with_no_confident_wrong_answer():
    rows = measure(TODAY)
    assert {kind for _, _, kind, _, _ in rows} == set(KINDS)
    assert len(rows) == len(list(questions()))
    right = sum(r == "right" for *_, r, _ in rows)
    offered = sum(r in ("right", "chooser") for *_, r, _ in rows)
    wrong = [(q, t, got) for q, t, _, r, got in rows if r == "WRONG"]
    assert not wrong
    assert right >= 0.87 * len(rows)
    assert offered >= 0.97 * len(rows)
    # A slip or an abbreviation costs little: each kind within 4 points of plain questions.
    plain = sum(r == "right" for _, _, k, r, _ in rows if k == "plain")
    for kind in ("typo", "jargon", "facts", "terse"):
        assert sum(r == "right" for _, _, k, r, _ in rows if k == kind) >= plain - 0.04 * len(rows) / len(KINDS), kind
