"""The Slack channel (bot.server.channels.slack) on a real Sanic server on loopback, mounted as `rasa run`
mounts channels, in front of the scripted agent (conftest.py), with a loopback fake of Slack's Web API
(tests/fakes/slack_api.py). Requests are signed as Slack's documentation says
(https://docs.slack.dev/authentication/verifying-requests-from-slack): v0, HMAC-SHA256, five minutes."""
from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Optional

import aiohttp
import pytest
from rasa.core.channels.channel import register
from sanic import Sanic

from bot.server import guard
from bot.server.channels.slack import NOT_YOURS, SlackInput, SlackSettingsError, plain_text
from tests.fakes import slack_api as fake
from tests.fakes.slack_api import FakeSlack, signed_headers

from .conftest import ScriptedAgent, free_port

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # a made-up signing secret
TOKEN = "xoxb-test-token"
ALICE, BOB = "U0ALICE01", "U0BOB0002"
_count = 0


@pytest.fixture
def slack_api():
    api = FakeSlack().start()
    yield api
    api.stop()


@pytest.fixture
async def server(slack_api):
    global _count
    _count += 1
    Sanic.test_mode = True
    app = Sanic(f"lta_slack_test_{_count}")
    agent = ScriptedAgent()
    app.ctx.agent = agent
    register([SlackInput(TOKEN, SECRET, slack_api.url)], app, route="/webhooks/")
    port = free_port()
    srv = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await srv.startup()

    class Server:
        webhook = f"http://127.0.0.1:{port}/webhooks/slack/webhook"
        received = agent.received
        store = agent.tracker_store

    try:
        yield Server
    finally:
        srv.close()
        await srv.wait_closed()


async def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
    async with aiohttp.ClientSession() as http:
        async with http.post(url, data=body, headers=headers) as r:
            return r.status, await r.text(), dict(r.headers)


async def send(server, envelope: dict[str, Any], secret: str = SECRET, timestamp: Optional[int] = None,
               retry: Optional[int] = None) -> tuple[int, str, dict[str, str]]:
    body = json.dumps(envelope).encode()
    return await post(server.webhook, body, signed_headers(body, secret, timestamp, retry=retry))


async def click(server, payload: dict[str, Any]) -> int:
    body = fake.form(payload)
    status, _, _ = await post(server.webhook, body, signed_headers(body, SECRET, content_type="application/x-www-form-urlencoded"))
    return status


async def posts(api: FakeSlack, n: int, method: str = "chat.postMessage") -> list[fake.Call]:
    await asyncio.to_thread(api.wait, lambda calls: len([c for c in calls if c.method == method]) >= n, 10)
    return api.posts(method)


async def nothing_arrives(server, api: FakeSlack) -> None:
    """Give a wrongly accepted message the time to reach the agent, then check it did not."""
    await asyncio.sleep(0.3)
    assert server.received == [] and api.calls == []
    assert list(await server.store.keys()) == []


# ---- forged and repeated requests -----------------------------------------------------------------


async def test_an_unsigned_request_is_refused_and_goes_nowhere(server, slack_api):
    body = json.dumps(fake.direct_message("home care £700k", ALICE)).encode()
    status, _, _ = await post(server.webhook, body, {"Content-Type": "application/json"})
    assert status == 401
    await nothing_arrives(server, slack_api)


async def test_a_request_signed_with_another_secret_is_refused(server, slack_api):
    status, _, _ = await send(server, fake.direct_message("home care £700k", ALICE), secret="not-our-signing-secret")
    assert status == 401
    await nothing_arrives(server, slack_api)


async def test_a_request_signed_over_five_minutes_ago_is_refused(server, slack_api):
    status, _, _ = await send(server, fake.direct_message("home care £700k", ALICE), timestamp=int(time.time()) - 301)
    assert status == 401
    await nothing_arrives(server, slack_api)


async def test_a_signature_over_another_body_is_refused(server, slack_api):
    signed = json.dumps(fake.direct_message("hello", ALICE)).encode()
    forged = json.dumps(fake.direct_message("home care £700k", ALICE)).encode()
    status, _, _ = await post(server.webhook, forged, signed_headers(signed, SECRET))
    assert status == 401
    await nothing_arrives(server, slack_api)


async def test_a_timestamp_that_is_not_a_number_is_refused(server, slack_api):
    body = json.dumps(fake.direct_message("hello", ALICE)).encode()
    headers = signed_headers(body, SECRET)
    headers["X-Slack-Request-Timestamp"] = "soon"
    assert (await post(server.webhook, body, headers))[0] == 401
    await nothing_arrives(server, slack_api)


async def test_url_verification_is_answered_only_when_signed(server, slack_api):
    challenge = {"token": "unused", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"}
    body = json.dumps(challenge).encode()
    status, text, _ = await post(server.webhook, body, {"Content-Type": "application/json"})
    assert status == 401 and challenge["challenge"] not in text
    status, text, _ = await send(server, challenge)
    assert status == 200 and json.loads(text) == {"challenge": challenge["challenge"]}


async def test_a_slack_retry_is_acknowledged_and_ignored(server, slack_api):
    envelope = fake.direct_message("hello", ALICE)
    status, _, headers = await send(server, envelope, retry=1)
    assert status == 200 and headers.get("X-Slack-No-Retry") == "1"
    await nothing_arrives(server, slack_api)


async def test_the_same_event_delivered_twice_is_handled_once(server, slack_api):
    envelope = fake.direct_message("hello", ALICE)
    assert (await send(server, envelope))[0] == 200
    assert (await send(server, envelope))[0] == 200
    await posts(slack_api, 1)
    await asyncio.sleep(0.3)
    assert [m.text for m in server.received] == ["hello"] and len(slack_api.posts()) == 1


# ---- messages -----------------------------------------------------------------------------------


async def test_a_direct_message_is_answered_in_its_thread_without_as_user(server, slack_api):
    envelope = fake.direct_message("hello", ALICE)
    assert (await send(server, envelope))[0] == 200
    (reply,) = await posts(slack_api, 1)
    assert reply.body["channel"] == "D0DIRECT1" and reply.body["thread_ts"] == envelope["event"]["ts"]
    assert "as_user" not in reply.body and reply.body["text"] == "echo: hello"
    assert reply.token == f"Bearer {TOKEN}" and reply.body["unfurl_links"] is False
    (message,) = server.received
    assert message.sender_id == f"slack-{fake.TEAM}-{ALICE}" and message.input_channel == "slack"


async def test_a_mention_in_a_channel_is_one_conversation_per_thread_and_officer(server, slack_api):
    first = fake.mention("hello", ALICE)
    await send(server, first)
    await send(server, fake.mention("hello", BOB, thread_ts=first["event"]["ts"]))
    await send(server, fake.mention("hello again", ALICE, thread_ts=first["event"]["ts"]))
    replies = await posts(slack_api, 3)
    assert {r.body["thread_ts"] for r in replies} == {first["event"]["ts"]}
    root = first["event"]["ts"]
    assert [m.text for m in server.received] == ["hello", "hello", "hello again"]  # the mention is removed
    assert [m.sender_id for m in server.received] == [
        f"slack-{fake.TEAM}-C0PROCURE-{root}-{ALICE}", f"slack-{fake.TEAM}-C0PROCURE-{root}-{BOB}",
        f"slack-{fake.TEAM}-C0PROCURE-{root}-{ALICE}"]


async def test_bot_messages_edits_and_plain_channel_messages_are_ignored(server, slack_api):
    await send(server, fake.direct_message("echo: hello", "U0SOMEBOT", bot_id="B0LTA"))
    await send(server, fake.direct_message("edited", ALICE, subtype="message_changed"))
    await send(server, fake.envelope({"type": "message", "channel": "C0PROCURE", "channel_type": "channel",
                                      "user": ALICE, "text": "no mention", "ts": fake.message_ts()}))
    await send(server, fake.envelope({"type": "app_mention", "channel": "D0DIRECT1", "user": ALICE,
                                      "text": f"<@{fake.BOT_USER}> twice", "ts": fake.message_ts()}))
    await nothing_arrives(server, slack_api)


async def test_officer_text_cannot_become_slack_markup(server, slack_api):
    await send(server, fake.direct_message("a &lt; b &amp;&amp; <!channel> <https://x.example|link>", ALICE))
    (reply,) = await posts(slack_api, 1)
    assert server.received[0].text == "a < b && !channel link"
    assert reply.body["text"] == "echo: a &lt; b &amp;&amp; !channel link"


async def test_the_input_gate_answers_markup_without_processing_it(server, slack_api):
    await send(server, fake.direct_message("&lt;script&gt;alert(1)&lt;/script&gt;", ALICE))
    (reply,) = await posts(slack_api, 1)
    assert reply.body["text"] == guard.NOT_PLAIN_TEXT.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert server.received == []


async def test_the_answer_is_block_kit_and_its_text_copies_are_left_out(server, slack_api):
    await send(server, fake.direct_message("card", ALICE))
    (reply,) = await posts(slack_api, 1)
    assert reply.body["blocks"][0]["type"] == "section"
    assert "Procurement Act 2023 light touch rules apply" in reply.body["text"]


# ---- buttons ------------------------------------------------------------------------------------


async def test_a_click_sends_the_payload_and_retires_the_buttons(server, slack_api):
    ask = fake.direct_message("buttons", ALICE)
    await send(server, ask)
    (question,) = await posts(slack_api, 1)
    assert [b["text"]["text"] for b in fake.buttons(question)] == ["A London borough", "An NHS trust"]
    assert await click(server, fake.click(question, "An NHS trust", ALICE)) == 200
    (update,) = await posts(slack_api, 1, "chat.update")
    assert update.body["ts"] == question.ts and update.body["channel"] == "D0DIRECT1"
    assert not fake.buttons(update) and "You chose: An NHS trust" in fake.block_text(update)
    replies = await posts(slack_api, 2)
    assert server.received[-1].text == '/inform{"buyer": "nhs_trust"}'
    assert server.received[-1].sender_id == server.received[0].sender_id
    assert replies[-1].body["thread_ts"] == ask["event"]["ts"]


async def test_a_click_delivered_twice_is_handled_once(server, slack_api):
    await send(server, fake.direct_message("buttons", ALICE))
    (question,) = await posts(slack_api, 1)
    payload = fake.click(question, "An NHS trust", ALICE)
    await click(server, payload)
    await click(server, payload)
    await posts(slack_api, 2)
    await asyncio.sleep(0.3)
    assert [m.text for m in server.received].count('/inform{"buyer": "nhs_trust"}') == 1


async def test_another_officers_click_is_refused_privately(server, slack_api):
    await send(server, fake.mention("buttons", ALICE))
    (question,) = await posts(slack_api, 1)
    await click(server, fake.click(question, "An NHS trust", BOB))
    (note,) = await posts(slack_api, 1, "chat.postEphemeral")
    assert note.body["user"] == BOB and note.body["text"] == NOT_YOURS
    await asyncio.sleep(0.3)
    assert [m.text for m in server.received] == ["buttons"] and not slack_api.posts("chat.update")


async def test_an_unsigned_click_is_refused(server, slack_api):
    await send(server, fake.direct_message("buttons", ALICE))
    (question,) = await posts(slack_api, 1)
    body = fake.form(fake.click(question, "An NHS trust", ALICE))
    status, _, _ = await post(server.webhook, body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 401
    await asyncio.sleep(0.3)
    assert [m.text for m in server.received] == ["buttons"] and not slack_api.posts("chat.update")


async def test_a_refusal_from_slack_is_logged_without_the_officer_or_their_words(server, slack_api, caplog):
    slack_api.refuse_channels.add("D0GONE")
    caplog.set_level("DEBUG", logger="bot")
    await send(server, fake.direct_message("home care for Mrs Example", ALICE, channel="D0GONE"))
    await send(server, fake.direct_message("still here?", ALICE), secret="forged")
    await send(server, fake.direct_message("hello", BOB))
    await posts(slack_api, 2)  # the refused post, then Bob's answer: the channel carried on

    def ours() -> str:
        return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot."))

    for _ in range(50):  # the refusal is logged when Slack's answer reaches the channel, just after the fake records it
        if "channel_not_found" in ours():
            break
        await asyncio.sleep(0.1)
    ours = ours()
    assert "channel_not_found" in ours and "Refused a Slack request" in ours
    for secret in ("Mrs Example", "still here", ALICE, BOB, "D0GONE"):
        assert secret not in ours


# ---- settings and text ----------------------------------------------------------------------------


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    with pytest.raises(SlackSettingsError, match="SLACK_BOT_TOKEN"):
        SlackInput.from_credentials({})
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.delenv("SLACK_SIGNING_SECRET")
    with pytest.raises(SlackSettingsError, match="SLACK_SIGNING_SECRET"):
        SlackInput.from_credentials(None)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    with pytest.raises(SlackSettingsError, match="environment"):
        SlackInput.from_credentials({"slack_signing_secret": SECRET})
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    channel = SlackInput.from_credentials({})
    assert channel.client.base_url == "http://127.0.0.1:9/api/"


def test_plain_text_undoes_slack_formatting():
    assert plain_text(f"<@{fake.BOT_USER}>  home care <@U0OTHER|sam> in <#C0X|general> &lt;3", {fake.BOT_USER}) == \
        "home care @U0OTHER in general <3"


def test_the_app_manifest_asks_for_what_the_channel_uses():
    import yaml
    from pathlib import Path

    manifest = yaml.safe_load((Path(__file__).resolve().parents[3] / "deploy" / "slack" / "manifest.yml").read_text())
    settings = manifest["settings"]
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == ["app_mentions:read", "chat:write", "im:history",
                                                                  "im:read", "im:write"]
    assert sorted(settings["event_subscriptions"]["bot_events"]) == ["app_mention", "message.im"]
    assert settings["interactivity"]["is_enabled"] is True
    for url in (settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"]):
        assert url.startswith("https://") and url.endswith("/webhooks/slack/webhook")
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False  # officers can write to it


async def test_deeply_nested_json_gets_a_4xx(server, slack_api):
    """Issue 21: about 1,000 levels of nesting gave a 500 with a traceback."""
    for body, kind in ((b"[" * 1000 + b"]" * 1000, "application/json"),
                       (b"payload=" + b"%5B" * 1000 + b"%5D" * 1000, "application/x-www-form-urlencoded")):
        status, text, _ = await post(server.webhook, body, signed_headers(body, SECRET, content_type=kind))
        assert status == 400, (kind, status)
        assert "Traceback" not in text
    await nothing_arrives(server, slack_api)
