"""Helping the officer name the service: their words against the choices offered, and a few common
services from the catalogue to pick from when their words were not recognised."""
from __future__ import annotations

from typing import Optional

from bot.ltr import load_knowledge

from .similarity import PhraseIndex

# Few choices, so any clear overlap with one of them (and far less with the others) decides.
CHOICE_SCORE = 0.15
# Shown as buttons when a description is not recognised: the services boroughs buy most often.
EXAMPLE_IDS = ("home_care", "supported_living", "residential_care", "substance_misuse", "carers_support", "advocacy")


def choose(choices: list[dict[str, str]], text: str) -> Optional[str]:
    """The id of the offered choice the officer's words point to ("the monitoring one"), if one stands out."""
    ids = [c.get("id") for c in choices]
    if text.strip() in ids:
        return text.strip()
    kb = load_knowledge()
    phrasings = []
    for c in choices:
        entry = kb.service(c.get("id", ""))
        phrasings.append((c["id"], [c.get("label", ""), *(entry.terms if entry else [])]))
    hits = PhraseIndex(phrasings).rank(text)
    if hits and hits[0].score >= CHOICE_SCORE and (len(hits) == 1 or hits[0].score > 2 * hits[1].score):
        return hits[0].item
    return None


def example_services() -> list[dict[str, str]]:
    kb = load_knowledge()
    return [{"id": s.id, "label": s.label} for s in (kb.service(i) for i in EXAMPLE_IDS) if s is not None]
