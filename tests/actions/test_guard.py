"""The Rasa-side guards (bot.assistant.guard): which messages are refused before NLU, and how."""
import pytest

from bot.assistant.guard import MAX_MESSAGE_CHARS, NOT_PLAIN_TEXT, check_input


@pytest.mark.parametrize(
    "text, cleaned",
    [
        ("does LTR apply to a £700k home care contract?", "does LTR apply to a £700k home care contract?"),
        ("<b>home care</b> worth <i>£700k</i>", "home care worth £700k"),
        ("value is <£600k and >£500k", "value is <£600k and >£500k"),  # not tags: left alone
        ("a &amp; b <br/> c", "a & b c"),
    ],
)
def test_plain_text_and_formatting_are_read(text, cleaned):
    assert check_input(text) == (None, cleaned)


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<p></p>", "<iframe src=//x>"])
def test_active_or_empty_markup_is_refused_politely(text):
    refusal, _ = check_input(text)
    assert refusal == NOT_PLAIN_TEXT


def test_oversized_messages_are_refused_with_the_limit():
    refusal, _ = check_input("x" * (MAX_MESSAGE_CHARS + 1))
    assert refusal is not None and f"{MAX_MESSAGE_CHARS:,}" in refusal
    assert check_input("x" * MAX_MESSAGE_CHARS)[0] is None


async def test_an_unreachable_action_server_becomes_one_apology_per_turn():
    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    from bot.assistant import guard
    from bot.assistant.servers import free_port

    guard.install()
    domain = Domain.from_yaml("version: '3.1'\nactions: [action_x]")
    action = RemoteAction("action_x", EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook"))
    tracker = DialogueStateTracker.from_events("s", [UserUttered("hi")])
    args = (CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, domain)

    events = await action.run(*args)
    assert [e.text for e in events if isinstance(e, BotUttered)] == [guard.CANNOT_WORK_OUT]
    tracker.update(events[0])
    assert await action.run(*args) == []  # a second failing action in the same turn adds nothing
