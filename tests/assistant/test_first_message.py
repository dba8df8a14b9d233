"""A new officer's first message: something being bought, in plain words, and a general question about it.

Finding (issue 19): "Hi, I have been asked to find a company to help older people who need care in their own
homes. Do I have to run a tender?" got "I'm not sure which question you mean" and three FAQ buttons, and the
service was forgotten. Whether a tender is needed depends on the value and the start date (reference §1, §2), so
such a message starts a case: the service is kept and the first missing fact (the value) is asked for.

The messages are generated from facts: a greeting, how the officer says they are buying, the service in plain
words (each a light touch service of the reference §4.2, with the catalogue entry it is), and a general question.
The expected outcome comes from those facts, not from the code: the service kept is the one generated, and the next
question is the value, which nothing in the message gives. The other direction: a question that names a rule
("pipeline notice", "threshold", "light touch") is answered by the FAQ, with or without a service beside it.
"""
from __future__ import annotations

import itertools
import random

import pytest

from tests.assistant.test_dialogue import Chat

GREETINGS = ["", "Hi, ", "Hello. ", "Good morning, ", "Hi there! ", "Hiya - "]
# How a new officer says something is being bought, with {s} the service in plain words.
FRAMES = [
    "I have been asked to find a company to provide {s}.",
    "I've been asked to sort out {s}.",
    "we need to buy {s}.",
    "we need to commission {s}.",
    "we need to find a provider for {s}.",
    "my manager wants me to find an organisation to deliver {s}.",
    "we're looking for a charity to provide {s}.",
    "I'm new and I've been given {s} to buy.",
]
# General questions: what the officer must or may do, or which rules apply. None names a rule.
CLOSINGS = [
    "Do I have to run a tender?",
    "What rules apply?",
    "Can I just pick a provider?",
    "What do I need to do?",
    "Do we need to go out to tender?",
    "Which rules do I need to follow?",
    "Can we give it straight to the charity we already use?",
    "Where do I start?",
    "Do I need to get quotes?",
    "What's the process?",
    "Is there a procedure I have to follow?",
    "Do we have to advertise it?",
]
# Light touch services of the reference §4.2 in plain words, with the catalogue entry each one is.
SERVICES = {
    "care for older people in their own homes": "home_care",
    "help for older people who need care in their own homes": "home_care",
    "hot meals delivered to older people at home": "meals_on_wheels",
    "support for people sleeping rough": "homelessness",
    "support for victims of domestic abuse": "domestic_abuse",
    "training courses for our staff": "training",
    "security guards for our offices": "security_guarding",
    "care home places for older people": "residential_care",
    "a drug and alcohol treatment service": "substance_misuse",
    "a day centre for older people": "day_care",
    "advocacy for adults with learning disabilities": "advocacy",
    "school dinners": "school_meals",
    "a befriending service for lonely older people": "befriending",
    "counselling for young people": "counselling",
    "supported living for adults with learning disabilities": "supported_living",
    "a youth club for teenagers": "youth_services",
}
PER_SERVICE = 4


def _first_messages() -> list[tuple[str, str]]:
    rng = random.Random(19)
    out = []
    for words, service in SERVICES.items():
        for greeting, frame, closing in rng.sample(list(itertools.product(GREETINGS, FRAMES, CLOSINGS)), PER_SERVICE):
            body = frame.format(s=words)
            body = body[0].upper() + body[1:] if not greeting or greeting.rstrip().endswith((".", "!", "-")) else body
            out.append((f"{greeting}{body} {closing}", service))
    return out


VALUE_QUESTION = "what is the contract worth"
NOT_SURE = "not sure which question you mean"


@pytest.mark.parametrize("text,service", _first_messages())
def test_a_plain_first_message_starts_the_case_with_its_service(text: str, service: str) -> None:
    chat = Chat()
    chat.say(text)
    assert NOT_SURE not in chat.text.lower(), text
    assert chat.state["facts"].get("service") == service, text
    # Nothing in the message says what the contract is worth: that is what is asked next.
    assert (chat.state.get("pending") or {}).get("ask") == "value", text
    assert VALUE_QUESTION in chat.text.lower(), text


def test_the_new_officers_message_from_the_issue() -> None:
    chat = Chat()
    chat.say("Hi, I have been asked to find a company to help older people who need care in their own homes. "
             "Do I have to run a tender?")
    assert chat.state["facts"]["service"] == "home_care"
    assert "home care" in chat.text.lower() and VALUE_QUESTION in chat.text.lower()
    assert not any("psr" in b["title"].lower() for b in chat.buttons)
    # Plain answers, as a new officer types them: the value and the start, then VAT (it can change the answer).
    chat.say("about £200k a year for 3 years")
    assert chat.state["facts"]["service"] == "home_care"
    chat.say("we want to start next April")
    out = chat.say("not sure") if chat.last.assessment is None else chat.last
    # £200k x 3 = £600k; the Act (April 2027); home care is light touch (§4.2): answered by the fourth turn.
    assert out.assessment is not None and (out.assessment.regime, out.assessment.light_touch) == ("PA2023", True)


# ---- the other direction: questions that name a rule are the FAQ's ------------------------------------------

RULE_QUESTIONS = [
    "Do light touch contracts have to appear in the pipeline notice?",
    "What is the threshold for light touch?",
    "Hi, what is the light touch threshold?",
    "What is the standstill period for a light touch contract?",
    "Is home care light touch?",
    "We're buying home care, is it light touch?",
    "Do we have to publish a contract details notice for a light touch contract?",
    "What counts as a light touch service?",
]


@pytest.mark.parametrize("text", RULE_QUESTIONS)
def test_a_question_that_names_a_rule_gets_the_faq_answer(text: str) -> None:
    chat = Chat()
    chat.say(text)
    assert (chat.state.get("pending") or {}).get("ask") not in ("value", "service", "date"), text
    assert VALUE_QUESTION not in chat.text.lower() and NOT_SURE not in chat.text.lower(), text
    assert "Reference" in chat.text, text  # an FAQ answer cites its rule


@pytest.mark.parametrize("words,service", list(SERVICES.items())[::3])
def test_a_rule_named_beside_a_purchase_is_answered_before_any_question(words: str, service: str) -> None:
    chat = Chat()
    chat.say(f"We need to commission {words}. Do we have to publish a contract details notice?")
    first = chat.last.messages[0].text.lower()
    assert VALUE_QUESTION not in first and "contract details notice" in first
    assert chat.state["facts"].get("service") == service  # kept for the check offered next


# ---- the rest of the finding: the service kept whatever the officer presses or types next -------------------------

FIRST = ("Hi, I have been asked to find a company to help older people who need care in their own homes. "
         "Do I have to run a tender?")


def test_an_faq_button_pressed_after_describing_the_service_keeps_it() -> None:
    """Finding: pressing "Is this service light touch?" forgot the service from the first message."""
    chat = Chat()
    chat.say(FIRST)
    chat.press({"title": "Is this service light touch?", "payload": '/faq{"faq_id": "is_light_touch"}'})
    assert chat.state["facts"]["service"] == "home_care"
    assert (chat.state.get("pending") or {}).get("ask") == "value"  # and the check carries on where it was


@pytest.mark.parametrize("words,service", list(SERVICES.items()))
def test_plain_words_answer_the_service_question(words: str, service: str) -> None:
    """Finding: "care for older people in their own homes" at the service question got "Sorry, I didn't understand"."""
    chat = Chat()
    chat.say("I need to check a contract")
    assert (chat.state.get("pending") or {}).get("ask") == "service"
    chat.say(words)
    assert "didn't understand" not in chat.text
    assert chat.state["facts"].get("service") == service and chat.state["pending"]["ask"] == "value"


# Things bought that no catalogue entry names, in plain words: the words are kept and the nearest categories offered.
UNKNOWN = ["clear graffiti from our estates", "cut the grass in our parks", "repaint the council offices",
           "fix the potholes on our roads"]


@pytest.mark.parametrize("words", UNKNOWN)
@pytest.mark.parametrize("frame,closing", [("Hi, I've been asked to find a company to {s}.", "Do I have to run a tender?"),
                                           ("We need to commission someone to {s}.", "Can I just pick one?"),
                                           ("Hello, we need a contractor to {s}.", "What rules apply?")])
def test_something_bought_in_words_the_catalogue_does_not_know_is_still_a_case(words: str, frame: str, closing: str) -> None:
    chat = Chat()
    chat.say(f"{frame.format(s=words)} {closing}")
    assert NOT_SURE not in chat.text.lower() and "I can only help" not in chat.text
    assert f'"{words}"' in chat.text  # the officer's own words, shown back
    payloads = [b["payload"] for b in chat.buttons]
    assert payloads and all(p.startswith("/inform") for p in payloads)  # categories to choose from, not FAQ topics
    # choosing one carries the case on to the value
    chat.press(chat.buttons[0])
    assert chat.state["facts"].get("service") and (chat.state.get("pending") or {}).get("ask") == "value"
