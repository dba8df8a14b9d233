"""The Teams channel (bot.server.channels.teams) on a real Sanic server on loopback, mounted as `rasa run` mounts
channels, in front of the scripted agent (conftest.py), talking to loopback fakes of Microsoft's keys, login and
connector (microsoft_fake.py). The rules checked are Microsoft's ("Authentication with the Bot Connector API"):
issuer https://api.botframework.com, audience = app id, signature by an endorsed key, expiry with 5 minutes' skew,
the `serviceurl` claim equal to the activity's serviceUrl. Each forgery has its own test, and each checks that
nothing reached the agent, the tracker store or the connector."""
from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any, Optional

import aiohttp
import pytest
from rasa.core.channels.channel import register
from sanic import Sanic

from bot.server.channels import teams
from bot.server.channels.teams import TeamsConfigError, TeamsInput, TeamsOutput, TeamsSettings

from .conftest import ASSESSMENT, ScriptedAgent, free_port
from .microsoft_fake import BOT_ID, MicrosoftFake, new_key

_count = 0


class Bot:
    def __init__(self, channel: TeamsInput, agent: ScriptedAgent, url: str, fake: MicrosoftFake) -> None:
        self.channel, self.agent, self.url, self.fake = channel, agent, url, fake
        self.webhook = f"{url}/webhooks/teams/webhook"

    async def post(self, activity: dict, token: Optional[str] = "valid", raw: Optional[bytes] = None) -> int:
        headers = {"Content-Type": "application/json"}
        if token == "valid":
            token = self.fake.sign()
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        async with aiohttp.ClientSession() as http:
            async with http.post(self.webhook, data=raw if raw is not None else json.dumps(activity),
                                 headers=headers) as r:
                status = r.status
        await self.channel.idle()  # the turn runs after the 200
        return status

    async def stored_conversations(self) -> list[str]:
        return list(await self.agent.tracker_store.keys())


@pytest.fixture
async def fake():
    f = await MicrosoftFake().start()
    yield f
    await f.stop()


@pytest.fixture
async def bot(fake, monkeypatch):
    global _count
    _count += 1
    port = free_port()
    for name, value in {**fake.env(), "LTA_PUBLIC_URL": f"http://127.0.0.1:{port}"}.items():
        monkeypatch.setenv(name, value)
    channel = TeamsInput.from_credentials({})
    assert fake.key_fetches == 0 and fake.token_requests == 0, "nothing is fetched at start: it starts offline"
    Sanic.test_mode = True
    app = Sanic(f"lta_teams_test_{_count}")
    agent = ScriptedAgent()
    app.ctx.agent = agent
    register([channel], app, route="/webhooks/")
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    try:
        yield Bot(channel, agent, f"http://127.0.0.1:{port}", fake)
    finally:
        await channel.idle()
        await channel.http.close()
        server.close()
        await server.wait_closed()


async def assert_nothing_reached(bot: Bot) -> None:
    assert bot.agent.received == []
    assert await bot.stored_conversations() == []
    assert bot.fake.activities == []


# ---- configuration ----


def test_missing_settings_are_a_clear_error(monkeypatch):
    for name in ("TEAMS_APP_ID", "TEAMS_APP_PASSWORD", "TEAMS_TENANT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TEAMS_APP_ID", "an-app")
    with pytest.raises(TeamsConfigError) as e:
        TeamsInput.from_credentials({})
    assert "TEAMS_APP_PASSWORD" in str(e.value) and "TEAMS_TENANT_ID" in str(e.value)
    assert "TEAMS_APP_ID" not in str(e.value).split(" in the environment")[0]


def test_secrets_are_not_taken_from_the_credentials_file(monkeypatch, fake):
    for name, value in fake.env().items():
        monkeypatch.setenv(name, value)
    with pytest.raises(TeamsConfigError):
        TeamsInput.from_credentials({"app_password": "in-the-repo"})


def test_defaults_are_microsofts_endpoints():
    s = TeamsSettings.from_env({"TEAMS_APP_ID": "a", "TEAMS_APP_PASSWORD": "b", "TEAMS_TENANT_ID": "t-1"})
    assert s.token_url == "https://login.microsoftonline.com/t-1/oauth2/v2.0/token"
    assert s.openid_url == "https://login.botframework.com/v1/.well-known/openidconfiguration"
    assert teams.service_url_allowed("https://smba.trafficmanager.net/uk/", s.allowed_service_urls)
    assert teams.service_url_allowed("https://webchat.botframework.com/", s.allowed_service_urls)
    for url in ("http://smba.trafficmanager.net/uk/", "https://smba.trafficmanager.net.evil.example/",
                "https://evilbotframework.com/", "https://user@smba.trafficmanager.net/", "https://127.0.0.1/"):
        assert not teams.service_url_allowed(url, s.allowed_service_urls), url


# ---- a conversation ----


async def test_a_message_is_answered_through_the_connector_with_a_token_from_our_tenant(bot):
    activity = bot.fake.activity("hello")
    assert await bot.post(activity) == 200
    [message] = bot.agent.received
    assert message.text == "hello" and message.sender_id.startswith("teams-") and message.input_channel == "teams"
    [reply] = bot.fake.replies("a:conv-1")
    assert reply["text"] == "echo: hello" and reply["textFormat"] == "plain"
    assert reply["replyToId"] == activity["id"] and reply["from"]["id"] == BOT_ID
    assert reply["recipient"]["id"] == "29:officer-1"
    assert bot.fake.token_requests == 1


async def test_the_token_and_the_keys_are_fetched_once_and_reused(bot):
    for text in ("one", "two", "three"):
        assert await bot.post(bot.fake.activity(text)) == 200
    assert len(bot.fake.replies("a:conv-1")) == 3
    assert bot.fake.token_requests == 1 and bot.fake.key_fetches == 1


async def test_a_token_about_to_expire_is_renewed(bot):
    bot.fake.token_lifetime = 120  # less than the 5 minutes' margin: every reply needs a fresh one
    for text in ("one", "two"):
        assert await bot.post(bot.fake.activity(text)) == 200
    assert bot.fake.token_requests == 2 and len(bot.fake.replies("a:conv-1")) == 2


async def test_a_retry_of_the_same_activity_is_answered_once(bot):
    activity = bot.fake.activity("hello")
    assert await bot.post(activity) == 200
    assert await bot.post(activity) == 200  # Teams sends it again when it thinks we were slow
    assert len(bot.agent.received) == 1 and len(bot.fake.replies("a:conv-1")) == 1


async def test_the_200_comes_before_the_turn_ends(bot):
    async with aiohttp.ClientSession() as http:
        async with http.post(bot.webhook, json=bot.fake.activity("slow"),
                             headers={"Authorization": f"Bearer {bot.fake.sign()}"}) as r:
            assert r.status == 200
    assert bot.channel.tasks, "the turn is still running after the answer"
    await bot.channel.idle()
    assert len(bot.fake.replies("a:conv-1")) == 1


async def test_the_mention_of_the_bot_is_removed(bot):
    activity = bot.fake.activity(
        "<at>Light Touch Assistant</at> home care for £700k",
        entities=[{"type": "mention", "text": "<at>Light Touch Assistant</at>",
                   "mentioned": {"id": BOT_ID, "name": "Light Touch Assistant"}}],
    )
    await bot.post(activity)
    assert bot.agent.received[0].text == "home care for £700k"


async def test_a_button_click_comes_back_as_its_payload(bot):
    payload = '/inform{"buyer": "nhs_trust"}'
    activity = bot.fake.activity("An NHS trust", value={"lta_payload": payload})
    await bot.post(activity)
    assert bot.agent.received[0].text == payload


async def test_conversations_are_kept_apart(bot):
    await bot.post(bot.fake.activity("one", conversation="a:conv-1"))
    await bot.post(bot.fake.activity("two", conversation="19:channel-thread;messageid=1"))
    assert len({m.sender_id for m in bot.agent.received}) == 2
    assert len(bot.fake.replies("19:channel-thread;messageid=1")) == 1


async def test_the_bot_added_to_a_conversation_greets(bot):
    activity = bot.fake.activity(type="conversationUpdate", text=None, membersAdded=[{"id": BOT_ID}])
    await bot.post(activity)
    assert [m.text for m in bot.agent.received] == ["/greet"]
    others = bot.fake.activity(type="conversationUpdate", text=None, membersAdded=[{"id": "29:someone"}],
                               conversation="a:conv-2")
    await bot.post(others)
    assert len(bot.agent.received) == 1  # someone else joining is not a reason to speak


async def test_the_input_gate_applies(bot):
    await bot.post(bot.fake.activity("home care " * 300))
    assert bot.agent.received == []
    assert "too long" in bot.fake.replies("a:conv-1")[0]["text"]


# ---- forged or misdirected requests: each refused, nothing stored, nothing sent ----


async def test_no_token_is_refused(bot):
    assert await bot.post(bot.fake.activity("hello"), token=None) == 401
    await assert_nothing_reached(bot)


async def test_a_token_signed_with_another_key_is_refused(bot):
    forged = bot.fake.sign(key=new_key())  # same key id, not Microsoft's key
    assert await bot.post(bot.fake.activity("hello"), token=forged) == 401
    await assert_nothing_reached(bot)


async def test_a_token_for_another_app_is_refused(bot):
    assert await bot.post(bot.fake.activity("hello"), token=bot.fake.sign(aud="another-app-id")) == 401
    await assert_nothing_reached(bot)


async def test_a_token_from_another_issuer_is_refused(bot):
    forged = bot.fake.sign(iss="https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/")
    assert await bot.post(bot.fake.activity("hello"), token=forged) == 401
    await assert_nothing_reached(bot)


async def test_an_expired_token_is_refused(bot):
    now = int(time.time())
    expired = bot.fake.sign(iat=now - 4000, nbf=now - 4000, exp=now - 301 - 60)  # beyond the 5 minutes' skew
    assert await bot.post(bot.fake.activity("hello"), token=expired) == 401
    await assert_nothing_reached(bot)


async def test_a_token_just_expired_is_within_the_clock_skew(bot):
    now = int(time.time())
    assert await bot.post(bot.fake.activity("hello"), token=bot.fake.sign(exp=now - 60)) == 200
    assert len(bot.agent.received) == 1


async def test_a_service_url_that_does_not_match_the_token_is_refused(bot):
    # An allowed connector, but not the one the token was issued for.
    activity = bot.fake.activity("hello", serviceUrl=f"{bot.fake.url}/another-region/")
    assert await bot.post(activity) == 403
    await assert_nothing_reached(bot)


async def test_a_service_url_off_the_allow_list_is_refused_even_when_signed(bot):
    elsewhere = "http://127.0.0.1:9/"  # loopback, but not the allowed connector
    activity = bot.fake.activity("hello", serviceUrl=elsewhere)
    assert await bot.post(activity, token=bot.fake.sign(serviceurl=elsewhere)) == 403
    await assert_nothing_reached(bot)


async def test_a_key_not_endorsed_for_the_channel_is_refused(bot):
    token = bot.fake.sign(key=bot.fake.webchat_key, kid=bot.fake.webchat_kid)  # endorsed for webchat only
    assert await bot.post(bot.fake.activity("hello"), token=token) == 403
    await assert_nothing_reached(bot)


async def test_an_activity_from_another_tenant_is_refused(bot):
    activity = bot.fake.activity("hello", channelData={"tenant": {"id": "another-tenant"}})
    assert await bot.post(activity) == 403
    await assert_nothing_reached(bot)


async def test_an_unknown_key_id_and_a_none_algorithm_are_refused(bot):
    assert await bot.post(bot.fake.activity("hello"), token=bot.fake.sign(kid="nobody")) == 401
    unsigned = ".".join([base64.urlsafe_b64encode(json.dumps(h).encode()).decode().rstrip("=")
                         for h in ({"alg": "none", "kid": "k1"}, {"aud": bot.fake.app_id})]) + "."
    assert await bot.post(bot.fake.activity("hello"), token=unsigned) == 401
    await assert_nothing_reached(bot)


async def test_bad_bodies_get_a_4xx(bot):
    assert await bot.post({}, raw=b"not json") == 400
    assert await bot.post({}, raw=b"[1, 2]") == 400
    assert await bot.post({}, raw=b"[" * 1000 + b"]" * 1000) == 400  # issue 21: was a 500 with a traceback
    await assert_nothing_reached(bot)


# ---- what Teams is sent ----


class RecordingConnector:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    async def send(self, service_url: str, conversation_id: str, activity: dict) -> None:
        self.sent.append(activity)


def output() -> tuple[TeamsOutput, RecordingConnector]:
    connector = RecordingConnector()
    activity = {"id": "act-1", "serviceUrl": "https://smba.trafficmanager.net/uk/", "conversation": {"id": "a:1"},
                "from": {"id": "29:officer"}, "recipient": {"id": BOT_ID}}
    return TeamsOutput(connector, activity, "teams-x"), connector  # type: ignore[arg-type]


def card_of(activity: dict) -> dict[str, Any]:
    [attachment] = activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


async def test_an_answer_is_one_card_and_its_plain_text_copies_are_dropped(monkeypatch):
    monkeypatch.setenv("LTA_PUBLIC_URL", "https://lta.example.gov.uk")
    out, connector = output()
    payload = {"type": "ltr_assessment", "assessment": ASSESSMENT, "understood": [], "changed": None}
    await out.send_response("teams-x", {"text": "Headline as text", "custom": payload})
    await out.send_response("teams-x", {"text": "What I understood: ...", "custom": {"type": "ltr_answer_text"}})
    await out.send_response("teams-x", {"text": "What this means ...", "custom": {"type": "ltr_answer_text"}})
    [sent] = connector.sent
    card = card_of(sent)
    assert "text" not in sent
    [link] = [a for a in card["actions"] if a["type"] == "Action.OpenUrl"]
    assert link["url"].startswith("https://lta.example.gov.uk/records/")


async def test_buttons_are_clickable_actions_that_send_the_payload_back():
    out, connector = output()
    buttons = [{"title": "A London borough", "payload": '/inform{"buyer": "sub_central"}'},
               {"title": "An NHS trust", "payload": '/inform{"buyer": "nhs_trust"}'}]
    await out.send_response("teams-x", {"text": "Who is buying?", "buttons": buttons})
    card = card_of(connector.sent[0])
    actions = [a for row in card["body"] if row["type"] == "ActionSet" for a in row["actions"]]
    assert [(a["type"], a["title"], a["data"]["lta_payload"]) for a in actions] == [
        ("Action.Submit", b["title"], b["payload"]) for b in buttons]
    # the click comes back as a message activity carrying the data as `value`
    assert teams.message_text({"type": "message", "text": "", "value": actions[1]["data"]}) == buttons[1]["payload"]


async def test_other_text_is_sent_as_plain_text_so_nothing_is_read_as_markup():
    out, connector = output()
    await out.send_response("teams-x", {"text": "You said <b>**home care**</b> [x](https://evil.example)"})
    assert connector.sent == [{**connector.sent[0], "text": "You said <b>**home care**</b> [x](https://evil.example)",
                               "textFormat": "plain"}]


# ---- decision record links ----


async def test_the_card_links_to_the_decision_record_of_that_answer(bot):
    await bot.post(bot.fake.activity("card"))
    card = card_of(bot.fake.replies("a:conv-1")[0])
    [link] = [a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl"]
    async with aiohttp.ClientSession() as http:
        async with http.get(link) as r:
            assert r.status == 200 and r.headers["Content-Type"].startswith("text/html")
            assert "default-src 'none'" in r.headers["Content-Security-Policy"]
            page = await r.text()
        assert ASSESSMENT["answer"] in page and "Decision record" in page
        async with http.get(link[:-3] + ("abc" if not link.endswith("abc") else "abd")) as r:
            assert r.status == 404
        async with http.get(f"{bot.url}/records/not-a-token") as r:
            assert r.status == 404


def test_the_input_channel_needs_nothing_at_start_but_settings():
    channel = TeamsInput(TeamsSettings.from_env({"TEAMS_APP_ID": "a", "TEAMS_APP_PASSWORD": "b", "TEAMS_TENANT_ID": "t",
                                                 "TEAMS_OPENID_URL": "http://127.0.0.1:9/nothing-here"}))
    assert asyncio.iscoroutinefunction(channel.receive)


async def test_a_new_signing_key_is_fetched_when_microsoft_rotates_keys(bot):
    assert await bot.post(bot.fake.activity("one")) == 200
    bot.fake.key, bot.fake.kid = new_key(), "k2"  # Microsoft publishes a new key and signs with it
    later = time.time() + teams.KEYS_RETRY_S + 1
    bot.channel.auth.keys.clock = lambda: later
    assert await bot.post(bot.fake.activity("two")) == 200
    assert bot.fake.key_fetches == 2 and len(bot.agent.received) == 2


async def test_without_microsofts_keys_nothing_is_processed(monkeypatch, fake):
    channel = TeamsInput(TeamsSettings.from_env({**fake.env(), "TEAMS_OPENID_URL": f"http://127.0.0.1:{free_port()}/"}))
    received = []

    class Request:
        body = json.dumps(fake.activity("hello")).encode()
        headers = {"authorization": f"Bearer {fake.sign()}"}

    async def on_new_message(message):
        received.append(message)

    r = await channel.receive(Request(), on_new_message)  # type: ignore[arg-type]
    await channel.idle()
    await channel.http.close()
    assert r.status == 503 and received == []


def test_officers_in_a_shared_chat_each_have_their_own_case():
    def activity(conversation_type: str, who: str) -> dict:
        return {"conversation": {"id": "19:thread;messageid=1", "conversationType": conversation_type},
                "from": {"id": f"29:{who}", "aadObjectId": f"aad-{who}"}}

    def sender(a: dict) -> str:
        return teams.sender_id("t-1", a["conversation"]["id"], teams.officer_of(a))

    assert sender(activity("channel", "ann")) != sender(activity("channel", "bob"))
    assert sender(activity("groupChat", "ann")) != sender(activity("groupChat", "bob"))
    assert sender(activity("channel", "ann")) == sender(activity("channel", "ann"))
    # one to one: the conversation is the officer's
    assert sender(activity("personal", "ann")) == teams.sender_id("t-1", "19:thread;messageid=1")
