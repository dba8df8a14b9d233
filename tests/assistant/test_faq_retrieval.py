"""FAQ retrieval on held-out paraphrases (faq_heldout.yml, written for this test, never used as examples)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.assistant.faq import faq_reply, rank_topics, topic_of
from bot.ltr import load_knowledge

HELDOUT = yaml.safe_load((Path(__file__).parent / "faq_heldout.yml").read_text(encoding="utf-8"))
TODAY = date(2026, 11, 26)
KB = load_knowledge()
CLASSIFICATION_TOPICS = {"is_light_touch", "what_counts", "legal_services", "technology", "telecare"}


def test_held_out_paraphrases_name_known_topics():
    topics = {topic_of(f.id) for f in KB.faq}
    assert {item["topic"] for item in HELDOUT["answerable"]} <= topics


def test_held_out_paraphrases_are_not_faq_examples():
    examples = {e.lower() for f in KB.faq for e in [f.question, *f.examples]}
    assert not [item["q"] for item in HELDOUT["answerable"] if item["q"].lower() in examples]


def test_the_right_topic_ranks_first_for_most_paraphrases():
    right = sum(topic_of(rank_topics(item["q"], KB)[0][0].id) == item["topic"] for item in HELDOUT["answerable"])
    assert right >= 0.85 * len(HELDOUT["answerable"])


def test_confident_answers_are_almost_never_wrong():
    answered = wrong = 0
    for item in HELDOUT["answerable"]:
        r = faq_reply(item["q"], as_of=TODAY)
        if r.confident:
            answered += 1
            # The classifier's answer to "is <service> light touch?" is right for any question of that kind.
            by_classifier = r.faq_id == "is_light_touch" and item["topic"] in CLASSIFICATION_TOPICS
            wrong += topic_of(r.faq_id) != item["topic"] and not by_classifier
    assert answered >= 0.75 * len(HELDOUT["answerable"])
    assert wrong <= 0.03 * len(HELDOUT["answerable"])


@pytest.mark.parametrize("question", HELDOUT["off_topic"])
def test_off_topic_questions_are_not_answered(question):
    r = faq_reply(question, as_of=TODAY)
    assert not r.confident and r.faq_id is None


@pytest.mark.parametrize(
    "question, topic",
    [
        ("whats the light touch threshhold", "threshold"),  # doubled letter
        ("is there a standstil for light touch", "standstill"),  # dropped letter
        ("max term of a light touch framwork", "frameworks"),  # dropped letter
        ("can we reserve to a mutal", "mutuals"),  # dropped letter
        ("CAN for a light touch award?", "award_notice"),  # the abbreviation in capitals
    ],
)
def test_typos_and_abbreviations_are_forgiven(question, topic):
    r = faq_reply(question, as_of=TODAY)
    assert r.confident and topic_of(r.faq_id) == topic
