"""REST tokens per integration (issue 21): with one shared token any REST caller could read or wipe any REST
conversation by choosing its sender id. LTA_REST_TOKENS gives each integration a token bound to a sender-id
prefix; the single LTA_REST_TOKEN keeps working for one integration."""
from __future__ import annotations

import pytest
from rasa.core.channels.channel import register
from sanic import Sanic

from bot.server.channels.rest import GuardedRestInput, parse_scoped_tokens

from .conftest import ScriptedAgent, free_port
from .test_rest_channel import post

SINGLE = "single-token-0123456789abcdef"
CRM = "crm-token-0123456789abcdefgh"
HR = "hr-token-0123456789abcdefghij"
_count = 0


@pytest.fixture
async def rest(monkeypatch):
    global _count
    _count += 1
    monkeypatch.setenv("LTA_REST_TOKEN", SINGLE)
    monkeypatch.setenv("LTA_REST_TOKENS", f"crm-:{CRM}, hr.:{HR}")
    Sanic.test_mode = True
    app = Sanic(f"lta_rest_tokens_test_{_count}")
    agent = ScriptedAgent()
    app.ctx.agent = agent
    register([GuardedRestInput.from_credentials({})], app, route="/webhooks/")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()

    class Rest:
        webhook = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        received = agent.received

    try:
        yield Rest
    finally:
        server.close()
        await server.wait_closed()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def test_each_integrations_token_reaches_only_its_own_sender_ids(rest):
    for token, sender, status in ((CRM, "crm-42", 200), (CRM, "hr.42", 403), (CRM, "42", 403),
                                  (HR, "hr.7", 200), (HR, "crm-7", 403), (CRM, "CRM-42", 403),
                                  (SINGLE, "crm-42", 200), (SINGLE, "anything", 200),  # the one token: any id
                                  (CRM + "x", "crm-42", 401), ("", "crm-42", 401)):
        got, text, _ = await post(rest.webhook, {"sender": sender, "message": "hello"}, bearer(token))
        assert got == status, (token[:4], sender, text)
    assert [m.sender_id for m in rest.received] == ["crm-42", "hr.7", "crm-42", "anything"]


@pytest.mark.parametrize("value", ["crm-", ":token-0123456789abcdef", "web-:token-0123456789abcdef",
                                   "crm-:token-0123456789abcdef,crm-x:other-token-0123456789",
                                   "a b:token-0123456789abcdef"])
def test_malformed_or_overlapping_prefixes_are_refused_at_start(value):
    with pytest.raises(ValueError):
        parse_scoped_tokens(value)


def test_prefix_and_token_split_at_the_last_colon():
    assert parse_scoped_tokens("crm:eu-:token-0123456789abcdef") == {"token-0123456789abcdef": "crm:eu-"}
