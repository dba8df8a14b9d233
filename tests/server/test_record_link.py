"""Signed links to decision records (`bot.server.record_link`): a real Sanic server on loopback with the
route, in front of a real Rasa tracker store holding one officer's answer (an engine assessment)."""
from __future__ import annotations

import json
import socket
import time
from datetime import date
from types import SimpleNamespace

import aiohttp
import pytest
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from sanic import Sanic

from bot.ltr import Case, assess
from bot.server import record_link
from bot.server.store import assessment_digest

TODAY = date(2026, 11, 26)
KEY = b"k" * 32
ALICE, BOB = "slack-T0-U0ALICE", "slack-T0-U0BOB"
_count = 0


def answer() -> dict:
    a = assess(Case.from_dict({"service": "home care", "value": {"total_gbp": 700000}, "vat": "exempt",
                               "commenced": "2027-01-05"}), as_of=TODAY)
    return json.loads(json.dumps(a.to_dict()))


def test_a_token_names_its_conversation_and_answer_until_it_expires():
    token = record_link.make_token(ALICE, "ab" * 32, expires=1000, key=KEY)
    assert record_link.read_token(token, now=999, key=KEY) == (ALICE, "ab" * 32)
    with pytest.raises(record_link.LinkError, match="expired"):
        record_link.read_token(token, now=1001, key=KEY)
    with pytest.raises(record_link.LinkError):
        record_link.read_token(token, now=999, key=b"another key" * 3)


def test_a_changed_token_is_refused():
    token = record_link.make_token(ALICE, "ab" * 32, expires=1000, key=KEY)
    body, signature = token.split(".")
    other = record_link.make_token(BOB, "ab" * 32, expires=1000, key=KEY).split(".")[0]
    for forged in (f"{other}.{signature}", f"{body}.{signature[:-2]}AA", body, f"{token}.x", "x" * 700):
        with pytest.raises(record_link.LinkError):
            record_link.read_token(forged, now=999, key=KEY)


def test_no_public_url_no_link(monkeypatch):
    monkeypatch.delenv("LTA_PUBLIC_URL", raising=False)
    assert record_link.record_url(ALICE, answer()) is None
    monkeypatch.setenv("LTA_PUBLIC_URL", "https://lta.example.gov.uk/")
    assert record_link.record_url(ALICE, answer()).startswith("https://lta.example.gov.uk/records/")


@pytest.fixture
async def server(monkeypatch):
    global _count
    _count += 1
    monkeypatch.setenv("LTA_SESSION_SECRET", "a-test-secret-" + "x" * 20)
    Sanic.test_mode = True
    app = Sanic(f"lta_record_link_test_{_count}")
    store = InMemoryTrackerStore(Domain.empty())
    tracker = await store.get_or_create_tracker(ALICE)
    tracker.update(BotUttered("answer", data={"custom": {"type": "ltr_assessment", "assessment": answer(), "understood": [
        {"id": "service", "label": "Service", "text": "Home care", "source": "you said"}]}}))
    await store.save(tracker)
    app.ctx.agent = SimpleNamespace(tracker_store=store)
    record_link.install(app)
    record_link.install(app)  # a second channel asking again adds nothing
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("LTA_PUBLIC_URL", f"http://127.0.0.1:{port}")
    srv = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await srv.startup()
    yield
    srv.close()
    await srv.wait_closed()


async def get(url: str) -> tuple[int, str, dict]:
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as r:
            return r.status, await r.text(), dict(r.headers)


async def test_the_link_opens_the_record_of_that_answer(server):
    status, page, headers = await get(record_link.record_url(ALICE, answer()))
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "£663,540" in page and "Home care" in page  # reference §4; the facts shown with the answer
    assert "default-src 'none'" in headers["Content-Security-Policy"] and headers["Cache-Control"] == "no-store"


async def test_a_link_opens_nothing_in_another_conversation_or_after_it_expires(server):
    assert (await get(record_link.record_url(BOB, answer())))[0] == 404  # Bob never had this answer
    assert (await get(record_link.record_url(ALICE, answer(), now=time.time() - 25 * 3600)))[0] == 404
    other = answer() | {"answer": "Something the assistant never said."}
    assert assessment_digest(other) != assessment_digest(answer())
    assert (await get(record_link.record_url(ALICE, other)))[0] == 404
