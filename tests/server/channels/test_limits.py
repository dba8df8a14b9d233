"""Request limits and error answers on Rasa's server (bot.server.limits), on a real Sanic server on loopback
with the REST and socket.io channels mounted as `rasa run` mounts them. Issue 21's findings: bodies up to
Sanic's 100 MB default were read before a 401 or 413; deeply nested JSON gave a 500 with a traceback; slow
clients were never timed out; GET / printed the Rasa version; /health could echo a database error."""
from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from rasa import __version__ as rasa_version
from rasa.core.channels.channel import register
from rasa.server import add_root_route
from sanic import Sanic

from bot.server.channels.rest import GuardedRestInput
from bot.server.channels.socketio import SecureSocketIOInput

from .conftest import ScriptedAgent, free_port

pytestmark = pytest.mark.timeout(60)
TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
_count = 0


@pytest.fixture
async def server(monkeypatch):
    global _count
    _count += 1
    monkeypatch.setenv("LTA_REQUEST_TIMEOUT_SECONDS", "1")
    monkeypatch.setenv("LTA_RESPONSE_TIMEOUT_SECONDS", "2")
    Sanic.test_mode = True
    app = Sanic(f"lta_limits_test_{_count}")
    add_root_route(app)  # Rasa's "Hello from Rasa: <version>"
    agent = ScriptedAgent()
    app.ctx.agent = agent
    register([GuardedRestInput(token=TOKEN), SecureSocketIOInput(session_secret=b"limits-test-secret-0123")],
             app, route="/webhooks/")
    port = free_port()
    srv = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await srv.startup()

    class Server:
        host, url = "127.0.0.1", f"http://127.0.0.1:{port}"
        received = agent.received
        store = agent.tracker_store

    Server.port = port
    try:
        yield Server
    finally:
        srv.close()
        await srv.wait_closed()


async def raw_exchange(port: int, head: bytes, wait: float = 5) -> tuple[bytes, bool]:
    """Sends `head` (request line and headers, maybe a little body) and reads what comes back until the
    server closes the connection or `wait` seconds pass: (what came back, whether the server closed it)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head)
    await writer.drain()
    got, closed = b"", False
    try:
        while True:
            chunk = await asyncio.wait_for(reader.read(65536), wait)
            if not chunk:
                closed = True
                break
            got += chunk
    except (asyncio.TimeoutError, ConnectionError):
        pass
    writer.close()
    return got, closed


@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/widget/record", "/widget/quiz-report"])
async def test_a_body_over_the_limit_is_refused_from_its_length_before_it_is_read(server, path):
    # 90 MB announced, none of it sent: the answer comes at once (the body is never waited for, nor read)
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {90 * 1024 * 1024}\r\n\r\n").encode()
    answer, _ = await raw_exchange(server.port, head, wait=3)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:80]


async def test_a_client_that_does_not_finish_its_request_is_disconnected(server):
    # headers never finished, then a body never finished: closed after the 1 s and 2 s limits set here
    # (Sanic's defaults are 60 s, Rasa's an hour)
    for head in (b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                 b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{"):
        answer, closed = await raw_exchange(server.port, head, wait=8)
        assert closed and (answer == b"" or answer[:12] in (b"HTTP/1.1 408", b"HTTP/1.1 503")), answer[:80]


async def test_nested_or_broken_json_gets_a_4xx_without_a_traceback(server):
    async with aiohttp.ClientSession() as http:
        for body in ("[" * 1000 + "]" * 1000, '{"sender": "a", "message": ' + "[" * 1000 + "]" * 1000 + "}",
                     '{"sender": "a", "message": "hi", "metadata": ' + "{\"a\":" * 200 + "1" + "}" * 200 + "}",
                     "\udcff".encode("utf-8", "surrogatepass"), '{"sender": '):
            async with http.post(server.url + "/webhooks/rest/webhook", data=body,
                                 headers={**AUTH, "Content-Type": "application/json"}) as r:
                text = await r.text()
                assert 400 <= r.status < 500, (r.status, text[:100])
                assert "Traceback" not in text and "File \"" not in text
    assert server.received == []


async def test_ids_with_a_trailing_newline_are_refused(server):
    async with aiohttp.ClientSession() as http:
        for sender in ("officer\n", "officer\r\n", "officer\x00"):
            async with http.post(server.url + "/webhooks/rest/webhook", json={"sender": sender, "message": "hi"},
                                 headers=AUTH) as r:
                assert r.status == 400, repr(sender)
    assert server.received == []


async def test_no_version_banner(server):
    async with aiohttp.ClientSession() as http:
        async with http.get(server.url + "/") as r:
            text = await r.text()
            assert r.status == 200 and "running" in text
            assert rasa_version not in text and "Rasa" not in text
            assert "Server" not in r.headers or rasa_version not in r.headers["Server"]


async def test_unknown_routes_and_failures_answer_json_without_detail(server):
    async with aiohttp.ClientSession() as http:
        async with http.get(server.url + "/no/such/page") as r:
            assert r.status == 404 and await r.json() == {"error": "not found"}
        async with http.put(server.url + "/webhooks/rest/webhook") as r:
            assert r.status == 405 and "error" in await r.json()


async def test_an_unhealthy_store_is_reported_with_an_error_id_not_its_error(server, caplog):
    secret = "could not connect to server: password authentication failed for user lta at db.internal"
    server.store.healthy = lambda: (False, f"database unavailable ({secret})")
    async with aiohttp.ClientSession() as http:
        async with http.get(server.url + "/health") as r:
            body = await r.json()
    assert r.status == 503 and body["status"] == "unhealthy"
    assert secret not in json.dumps(body) and "password" not in json.dumps(body)
    assert body["error_id"] in caplog.text and secret in caplog.text  # the reason is in the log, with the id


def test_an_unexpected_failure_is_a_500_with_an_error_id(caplog):
    from bot.server.limits import error_response

    class Request:
        method = "POST"

    response = error_response(Request(), RuntimeError("the secret words of the officer"))
    body = json.loads(response.body)
    assert response.status == 500 and set(body) == {"error", "error_id"}
    assert "secret words" not in response.body.decode() and "secret words" not in caplog.text
    assert body["error_id"] in caplog.text
