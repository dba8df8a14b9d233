"""The Rasa-side guards (bot.server.guard): which messages are refused before NLU, and how."""
import pytest

from bot.server.guard import MAX_MESSAGE_CHARS, NOT_PLAIN_TEXT, check_input


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

    from bot.server import guard
    from bot.server.supervisor import free_port

    guard.install()
    domain = Domain.from_yaml("version: '3.1'\nactions: [action_x]")
    action = RemoteAction("action_x", EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook"))
    tracker = DialogueStateTracker.from_events("s", [UserUttered("hi")])
    args = (CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, domain)

    events = await action.run(*args)
    assert [e.text for e in events if isinstance(e, BotUttered)] == [guard.CANNOT_WORK_OUT]
    tracker.update(events[0])
    assert await action.run(*args) == []  # a second failing action in the same turn adds nothing


# ---- the one input gate (issue 10) --------------------------------------------------------------


def test_slash_payloads_are_capped_and_must_look_like_a_payload():
    """Finding: a message starting with "/" skipped the 2,000-character cap (100 KB stored and
    logged, and a forged line written into rasa.log)."""
    from bot.server.guard import MAX_PAYLOAD_CHARS, NOTHING_TO_SAY, gate

    assert gate('/inform{"buyer": "sub_central"}') == (None, '/inform{"buyer": "sub_central"}', {})
    assert gate("/greet")[0] is None
    for bad in ("/" + "x" * 100_000, '/inform{"a": "' + "x" * MAX_PAYLOAD_CHARS + '"}',
                "/greet\n2026-12-03 10:00:00 INFO     rasa.core.processor  - forged line",
                "/not a payload at all", "/inform{not json}"):
        refusal, _, _ = gate(bad)
        assert refusal == NOTHING_TO_SAY, bad[:40]


def test_metadata_is_capped_and_must_be_an_object():
    """Finding: socket.io metadata had no cap (one message wrote 3.6 MB to the database)."""
    from bot.server.guard import MAX_METADATA_BYTES, InputRefused, gate

    assert gate("hello", {"page": "intranet"}) == (None, "hello", {"page": "intranet"})
    assert gate("hello", '{"page": "intranet"}')[2] == {"page": "intranet"}
    for bad, status in (({"x": "y" * MAX_METADATA_BYTES}, 413), ("z" * 3_600_000, 413), ([1, 2], 400),
                        ("not json", 400), (5, 400)):
        with pytest.raises(InputRefused) as e:
            gate("hello", bad)
        assert e.value.status == status


@pytest.mark.parametrize("message", [5, ["a"], {"text": "a"}, None])
def test_a_message_that_is_not_text_is_refused(message):
    """Finding: a `message` that was a number or a list got `[]`."""
    from bot.server.guard import InputRefused, gate

    with pytest.raises(InputRefused):
        gate(message)


async def test_a_turn_that_could_not_be_saved_tells_the_officer_and_logs_no_text(caplog):
    import logging

    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    from bot.server import guard
    from bot.server.store import StorageError

    async def failing(self, message):
        await message.output_channel.send_text_message(message.sender_id, "What is it worth?")
        raise StorageError("the conversation could not be saved")

    handle = guard._wrap_handle_message(failing)
    out = CollectingOutputChannel()
    with caplog.at_level(logging.DEBUG):
        await handle(None, UserMessage("secret-words £700k", out, "officer-42"))
        await handle(None, UserMessage("x" * 5000, CollectingOutputChannel(), "officer-42"))
    assert [m["text"] for m in out.messages] == [guard.NOT_SAVED]  # not a normal-looking reply
    assert "secret-words" not in caplog.text and "officer-42" not in caplog.text and "xxxx" not in caplog.text


def test_slash_payloads_outside_the_domain_are_refused_before_rasa_sees_them():
    """Finding (issue 21): Rasa's own warning wrote an unknown intent or entity payload, personal data and
    all, to its log (and kept each one in memory)."""
    from rasa.shared.core.domain import Domain

    from bot.server.guard import NOTHING_TO_SAY, gate

    domain = Domain.from_dict({"intents": ["inform", "affirm"], "entities": ["buyer"]})
    for accepted in ("/affirm", '/inform{"buyer": "sub_central"}', "/inform@0.9", "/restart"):
        assert gate(accepted, domain=domain)[0] is None, accepted  # restart: one of Rasa's default intents
    for refused in ('/inform{"note": "Mrs Smith, 12 Acacia Avenue"}', "/tell_me_everything",
                    '/inform{"buyer": "x", "note": "y"}', '/inform{"buyer": "a\u2028b"}\n',
                    "/inform" + "{" * 300 + "}" * 300):
        assert gate(refused, domain=domain)[0] == NOTHING_TO_SAY, refused
    # without the domain (the channels' own check) only the form is checked; the processor checks the rest
    assert gate('/inform{"note": "x"}')[0] is None


async def test_turns_over_the_bounds_are_answered_at_once_and_not_processed(monkeypatch):
    """Issue 21: under load officers waited into the action time-out ("I can't work that out right now"). Now a
    message beyond the bounds is told at once that it was not read, and nothing else is dropped."""
    import asyncio

    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    from bot.server import guard

    monkeypatch.setenv("LTA_MAX_TURNS", "3")
    monkeypatch.setattr(guard, "TURNS", guard.TurnLimits())
    release = asyncio.Event()
    processed: list[str] = []

    async def original(self, message):  # Agent.handle_message: the lock, then the turn
        await release.wait()
        processed.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "answer")
        return message.output_channel.messages

    handle = guard._wrap_agent_handle_message(original)

    def say(sender, text):
        return asyncio.create_task(handle(None, UserMessage(text, CollectingOutputChannel(), sender)))

    first = [say("a", "a1"), say("a", "a2")]  # one answered, one waiting: the conversation's bound
    third = await say("a", "a3")
    assert [m["text"] for m in third] == [guard.STILL_ANSWERING]
    others = [say("b", "b1")]  # the server's bound (3) is now reached
    over = await say("c", "c1")
    assert [m["text"] for m in over] == [guard.BUSY]
    release.set()
    for task in first + others:
        assert [m["text"] for m in await task] == ["answer"]
    assert sorted(processed) == ["a1", "a2", "b1"]
    assert guard.TURNS.total == 0 and guard.TURNS.by_sender == {}
    assert [m["text"] for m in await say("c", "c2")] == ["answer"]  # room again
