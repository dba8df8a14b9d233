"""Questions about the assistant itself get short answers that name its real controls, and the case carries on.

Findings (issue 19): "can I download this?" got "I can only help with which procurement rules apply"; "How do I save
this for the file?" got PCR saving triggers; "What is LTR?" got a list of services that are not light touch. The
controls each answer must name are read from where officers meet them (the widget's source, the Teams card and Slack
renderers), not from the code under test.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional

import pytest

from bot.assistant.dialogue import Incoming, turn
from tests.assistant.test_dialogue import TODAY

ROOT = Path(__file__).resolve().parents[2]
CARD_JS = (ROOT / "web" / "src" / "card.js").read_text()
APP_JS = (ROOT / "web" / "src" / "app.js").read_text()
# The widget's record buttons (web/src/card.js `actions`) and its new-conversation button (web/src/app.js).
WEB_BUTTONS = re.findall(r'button\("([^"]+)", \{ "data-(?:format|action)"', CARD_JS)
WEB_NEW = re.search(r'"(Start a new[^"]*)"', APP_JS).group(1)
TEAMS_RECORD = re.search(r'"title": "([^"]*decision record[^"]*)"', (ROOT / "bot/render/adaptive_card.py").read_text()).group(1)
SLACK_RECORD = re.search(r'RECORD_LINK = "([^"]+)"', (ROOT / "bot/render/block_kit.py").read_text()).group(1)
UNHELPFUL = ("I can only help", "not sure which question you mean", "Sorry, I didn't understand", "saving trigger")


class Chat:
    def __init__(self, channel: Optional[str] = "web") -> None:
        self.channel, self.state, self.out = channel, None, None

    def say(self, text: str, intent: Optional[str] = None, **entities: Any):
        self.out = turn(self.state, Incoming(text, intent, entities, channel=self.channel), TODAY)
        self.state = self.out.state
        return self.out

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.out.messages)


def test_the_widget_controls_were_found() -> None:
    assert len(WEB_BUTTONS) >= 4 and any("Download" in b for b in WEB_BUTTONS) and "Print" in WEB_BUTTONS


def _helpful(text: str) -> None:
    assert not any(u.lower() in text.lower() for u in UNHELPFUL), text


@pytest.mark.parametrize("question", ["what can you do?", "What do you do?", "what is this?", "how does this work?",
                                      "How can you help me?", "what can I ask you?", "Hi, what can you do"])
def test_what_it_does(question: str) -> None:
    chat = Chat()
    chat.say(question)
    _helpful(chat.text)
    # what it needs to know (DESIGN: service, value, commencement) and that questions and the quiz are there too
    assert all(w in chat.text for w in ("buying", "worth", "starts", "quiz me")), chat.text
    assert len(chat.text) < 700


@pytest.mark.parametrize("question", ["What is LTR?", "what's LTR?", "What does light touch mean?",
                                      "what does LTR stand for?", "What is the light touch regime?", "LTR?"])
def test_what_ltr_means_is_a_plain_definition_first(question: str) -> None:
    chat = Chat()
    chat.say(question)
    _helpful(chat.text)
    first = re.split(r"(?<=\.)\s", chat.text)[0]
    if "LTR" in question:
        assert "light touch regime" in first, first
        first = re.split(r"(?<=\.)\s", chat.text)[1]
    # a definition (what it is: rules for certain services), not a list of what it is not
    assert "rules" in first and "services" in first and " not " not in f" {first} ", first


KEEP = ["can I download this?", "How do I save this for the file?", "can I print it?",
        "how can I share this with my manager?", "can I get a copy of this?", "Is there a PDF?", "email this to me"]


@pytest.mark.parametrize("question", KEEP)
def test_keeping_an_answer_names_the_widgets_buttons(question: str) -> None:
    chat = Chat("web")
    chat.say(question)
    _helpful(chat.text)
    for label in WEB_BUTTONS:
        assert f'"{label}"' in chat.text, (label, chat.text)


@pytest.mark.parametrize("channel,control", [("teams", TEAMS_RECORD), ("slack", SLACK_RECORD)])
def test_keeping_an_answer_names_the_channels_own_control(channel: str, control: str) -> None:
    for question in KEEP[:3]:
        chat = Chat(channel)
        chat.say(question)
        assert control in chat.text and "Download decision record" not in chat.text, chat.text


def test_keeping_an_answer_over_rest_names_every_channels_control() -> None:
    chat = Chat(None)
    chat.say("can I download this?")
    assert all(c in chat.text for c in (WEB_BUTTONS[0], TEAMS_RECORD, SLACK_RECORD))


@pytest.mark.parametrize("question", ["how do I start again?", "How can I start a new conversation?",
                                      "how do I start over?", "is there a way to reset?", "how do I check another contract?"])
def test_how_to_start_again_names_the_button_and_the_words(question: str) -> None:
    chat = Chat("web")
    chat.say("home care, £200k a year for 3 years, no VAT, tender notice March 2027")
    assert chat.out.assessment is not None
    chat.say(question)
    assert f'"{WEB_NEW}"' in chat.text and '"start again"' in chat.text
    assert chat.state["last"] is not None  # explained, not done


def test_typing_start_again_still_starts_again() -> None:
    chat = Chat("web")
    chat.say("home care, £200k a year for 3 years, no VAT, tender notice March 2027")
    chat.say("start again", "start_again")
    assert chat.state["facts"] == {} and chat.state["last"] is None


@pytest.mark.parametrize("question", ["is this legal advice?", "Can I rely on this?", "are you a lawyer?"])
def test_legal_advice(question: str) -> None:
    chat = Chat()
    chat.say(question)
    assert chat.text.startswith("No") and "legal team" in chat.text


# ---- during a case -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("question", ["can I download this?", "how do I save this for the file?", "what is LTR?",
                                      "is this legal advice?", "how do I start again?"])
def test_after_an_answer_the_case_is_kept(question: str) -> None:
    chat = Chat("web")
    a = chat.say("home care, £200k a year for 3 years, no VAT, tender notice March 2027").assessment
    assert a is not None
    case = dict(chat.state["last"]["case"])
    chat.say(question)
    _helpful(chat.text)
    assert chat.state["last"]["case"] == case and chat.out.assessment is None
    # and the officer carries on with the same case: a correction changes only the value
    b = chat.say("actually it's £300k a year").assessment
    assert b is not None and b.estimated_value_gbp == 900_000 and chat.state["facts"]["service"] == "home_care"


@pytest.mark.parametrize("question", ["can I download this?", "what is LTR?", "what can you do?"])
def test_while_a_question_is_pending_it_is_asked_again(question: str) -> None:
    chat = Chat("web")
    chat.say("we need to buy home care for older people, do I have to run a tender?")
    assert chat.state["pending"]["ask"] == "value"
    chat.say(question)
    _helpful(chat.text)
    assert chat.state["pending"]["ask"] == "value" and re.search(r"worth|cost", chat.out.messages[-1].text)
    chat.say("£200k a year for 3 years")
    assert chat.state["facts"]["service"] == "home_care" and chat.state["facts"]["value"]["annual_gbp"] == 200_000
