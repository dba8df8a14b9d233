"""The REST channel (bot.server.channels.rest) on a real Sanic server on loopback, mounted as `rasa run`
mounts channels, in front of the scripted agent (tests/server/channels/conftest.py). Issue 10's findings:
it had no authentication, took any sender id (web chats included), accepted cross-origin
`text/plain` posts, answered bad bodies with a 500 or `[]`, and logged sender ids."""
from __future__ import annotations

import json
import logging

import aiohttp
import pytest
from rasa.core.channels.channel import register
from sanic import Sanic

from bot.server import guard
from bot.server.channels.rest import GuardedRestInput

from .conftest import ScriptedAgent, free_port

TOKEN = "test-token-0123456789abcdef"
_count = 0


@pytest.fixture
async def rest():
    global _count
    _count += 1
    Sanic.test_mode = True
    app = Sanic(f"lta_rest_test_{_count}")
    agent = ScriptedAgent()
    app.ctx.agent = agent
    register([GuardedRestInput(token=TOKEN)], app, route="/webhooks/")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()

    class Rest:
        url = f"http://127.0.0.1:{port}"
        webhook = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        received = agent.received

    try:
        yield Rest
    finally:
        server.close()
        await server.wait_closed()


AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def post(url, body, headers=AUTH, raw=None, content_type="application/json"):
    async with aiohttp.ClientSession() as http:
        data = raw if raw is not None else json.dumps(body)
        async with http.post(url, data=data, headers={**headers, "Content-Type": content_type}) as r:
            return r.status, await r.text(), dict(r.headers)


async def test_a_message_needs_the_bearer_token(rest):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"Authorization": f"Basic {TOKEN}"}):
        status, text, _ = await post(rest.webhook, {"sender": "me", "message": "hello"}, headers)
        assert status == 401 and "bearer token" in text
    assert rest.received == []
    status, text, _ = await post(rest.webhook, {"sender": "me", "message": "hello"})
    assert status == 200 and json.loads(text)[0]["text"] == "echo: hello"


def test_without_a_configured_token_every_message_is_refused(monkeypatch):
    monkeypatch.delenv("LTA_REST_TOKEN", raising=False)
    channel = GuardedRestInput.from_credentials({})
    assert channel.token == "" and not channel.authorised(type("R", (), {"headers": {"authorization": "Bearer "}})())
    monkeypatch.setenv("LTA_REST_TOKEN", "from-the-environment-0123")
    assert GuardedRestInput.from_credentials({}).token == "from-the-environment-0123"


@pytest.mark.parametrize("sender", ["web-AbCdEfGhIjKlMnOpQrSt", "WEB-x", "teams-29:1abc", "msteams-x", "slack-U123"])
async def test_another_channels_sender_ids_are_refused(rest, sender):
    status, text, _ = await post(rest.webhook, {"sender": sender, "message": "what must we do?"})
    assert status == 403 and "another channel" in text
    assert rest.received == []


async def test_no_cross_origin_use(rest):
    # a page on another site can only send a "simple" request: text/plain, no Authorization header
    status, _, headers = await post(rest.webhook, None, {"Origin": "https://evil.example"},
                                    raw='{"sender": "me", "message": "hi"}', content_type="text/plain")
    assert status == 401 and "Access-Control-Allow-Origin" not in headers
    status, _, headers = await post(rest.webhook, None, {**AUTH, "Origin": "https://evil.example"},
                                    raw='{"sender": "me", "message": "hi"}', content_type="text/plain")
    assert status == 415 and "Access-Control-Allow-Origin" not in headers
    async with aiohttp.ClientSession() as http:  # the preflight a token header needs is not answered
        async with http.options(rest.webhook, headers={"Origin": "https://evil.example",
                                                       "Access-Control-Request-Method": "POST",
                                                       "Access-Control-Request-Headers": "authorization"}) as r:
            assert "Access-Control-Allow-Origin" not in r.headers
    assert rest.received == []


@pytest.mark.parametrize("raw, status", [
    ("", 400), ("[]", 400), ("[1, 2]", 400), ("null", 400), ("not json", 400), ('"text"', 400),
    ('{"sender": "me"}', 400), ('{"sender": "me", "message": 5}', 400), ('{"sender": "me", "message": ["a"]}', 400),
    ('{"message": "hi"}', 400), ('{"sender": 5, "message": "hi"}', 400), ('{"sender": "a b", "message": "hi"}', 400),
    ('{"sender": "me", "message": "hi", "metadata": [1]}', 400),
    ('{"sender": "me", "message": "hi", "metadata": {"x": "' + "y" * 3000 + '"}}', 413),
    ('{"sender": "me", "message": "' + "y" * 20000 + '"}', 413),
])
async def test_bad_bodies_get_a_4xx_with_a_plain_message(rest, raw, status):
    got, text, _ = await post(rest.webhook, None, raw=raw)
    assert got == status
    assert isinstance(json.loads(text)["error"], str)
    assert rest.received == []


async def test_a_long_slash_payload_is_not_processed(rest):
    status, text, _ = await post(rest.webhook, {"sender": "me", "message": "/inform" + "x" * 10000})
    assert status == 200 and json.loads(text)[0]["text"] == guard.NOTHING_TO_SAY
    status, text, _ = await post(rest.webhook, {"sender": "me", "message": "/greet\nforged log line"})
    assert status == 200 and json.loads(text)[0]["text"] == guard.NOTHING_TO_SAY
    assert rest.received == []


async def test_no_sender_id_or_text_is_logged(rest, caplog):
    with caplog.at_level(logging.INFO):
        await post(rest.webhook, {"sender": "officer-secret-id", "message": "boom secret words"})
        await post(rest.webhook, {"sender": "officer-secret-id", "message": "x" * 3000})
    assert "officer-secret-id" not in caplog.text and "secret words" not in caplog.text


async def test_the_health_check(rest):
    async with aiohttp.ClientSession() as http:
        for path in ("/health", "/webhooks/rest/"):
            async with http.get(rest.url + path) as r:
                assert r.status == 200 and (await r.json())["status"] == "ok"


def test_make_run_keeps_its_token_private(tmp_path):
    from bot.server.supervisor import _secret_file

    token = _secret_file(tmp_path / "rest-token")
    assert len(token) >= 32 and _secret_file(tmp_path / "rest-token") == token
    assert (tmp_path / "rest-token").stat().st_mode & 0o777 == 0o600
