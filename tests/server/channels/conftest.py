"""A real Sanic server on loopback with the real SecureSocketIOInput mounted the way `rasa run`
mounts channels (`rasa.core.channels.channel.register`), in front of a small scripted agent that
keeps a real Rasa tracker store. Clients are python-socketio AsyncClients over polling (the
websocket client transport needs a newer aiohttp than Rasa allows; field notes §2.1)."""
from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Optional

import pytest
import socketio
from rasa.core.channels.channel import UserMessage, register
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Sanic

from bot.server.channels.socketio import SecureSocketIOInput

ASSESSMENT = {
    "status": "complete",
    "answer": "Yes: the Procurement Act 2023 light touch rules apply, and the contract is above the threshold.",
    "regime": "PA2023",
    "light_touch": True,
    "above_threshold": True,
    "threshold_gbp": 663540.0,
    "estimated_value_gbp": 700000.0,
    "service_category": "health_social",
    "cross_border_interest": "unknown",
    "obligations": [{"id": "O-1", "text": "Publish a tender notice.", "ref": "PA 2023 s.21", "verified": True, "source": ""}],
    "routes": [],
    "warnings": [],
    "assumptions": ["The value includes VAT."],
    "missing": [],
    "trace": [{"id": "T-1", "text": "Procurement starts after 24 February 2025.", "ref": "SI 2024/716 reg 5", "verified": True, "source": ""}],
    "candidates": [],
    "rules_version": "2026-11-26.test",
    "as_of": "2026-11-26",
    "case": {"service": "home care", "value": {"total_gbp": 700000}},
}


class ScriptedAgent:
    """Stands in for rasa's Agent: records turns in a real tracker store and replies by rule."""

    def __init__(self) -> None:
        self.tracker_store = InMemoryTrackerStore(Domain.empty())
        self.lock_store = InMemoryLockStore()
        self.received: list[UserMessage] = []

    def reply_for(self, text: str) -> dict[str, Any]:
        if text == "boom":
            raise RuntimeError("scripted failure")
        if text == "buttons":
            return {"text": "Who is buying?", "buttons": [
                {"title": "A London borough", "payload": '/inform{"buyer": "sub_central"}'},
                {"title": "An NHS trust", "payload": '/inform{"buyer": "nhs_trust"}'},
            ]}
        if text == "card":
            return {"text": "Here is the answer.", "custom": {"type": "ltr_assessment", "assessment": ASSESSMENT}}
        if text == "markdown":
            return {"text": "First paragraph.\n\n- one\n- two"}
        return {"text": f"echo: {text}"}

    async def handle_message(self, message: UserMessage) -> None:
        # Like rasa.core.agent.Agent: one turn at a time per conversation, saved after the replies.
        async with self.lock_store.lock(message.sender_id, wait_time_in_seconds=0.01):
            self.received.append(message)
            tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
            tracker.update(UserUttered(message.text))
            reply = self.reply_for(message.text)
            event = BotUttered(reply.get("text"), data={"buttons": reply.get("buttons"), "custom": reply.get("custom")})
            await message.output_channel.send_response(message.sender_id, event.message())
            if message.text == "slow":
                await asyncio.sleep(1)  # the rest of the turn (next action, policies) before saving
            tracker.update(event)
            await self.tracker_store.save(tracker)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoopbackServer:
    def __init__(self, channel: SecureSocketIOInput, agent: ScriptedAgent, port: int) -> None:
        self.channel = channel
        self.agent = agent
        self.url = f"http://127.0.0.1:{port}"


_app_counter = 0


async def start_server(channel: SecureSocketIOInput) -> tuple[LoopbackServer, Any]:
    global _app_counter
    _app_counter += 1
    Sanic.test_mode = True
    app = Sanic(f"lta_channel_test_{_app_counter}")
    agent = ScriptedAgent()
    app.ctx.agent = agent
    register([channel], app, route="/webhooks/")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    return LoopbackServer(channel, agent, port), server


@pytest.fixture
def make_channel(tmp_path: Path) -> Callable[..., SecureSocketIOInput]:
    def make(**kwargs: Any) -> SecureSocketIOInput:
        kwargs.setdefault("session_secret", b"test-secret-for-loopback-tests-only")
        return SecureSocketIOInput(**kwargs)

    return make


@pytest.fixture
async def loopback(make_channel) -> AsyncIterator[LoopbackServer]:
    srv, server = await start_server(make_channel(allowed_origins=["https://intranet.example.gov.uk"]))
    try:
        yield srv
    finally:
        server.close()
        await server.wait_closed()


class Client:
    """A socket.io client that records what the server sends."""

    def __init__(self, url: str, headers: Optional[dict] = None) -> None:
        self.url = url
        self.headers = headers or {}
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self._arrived = asyncio.Event()
        for name in ("session_confirm", "bot_uttered", "lta_history", "lta_error"):
            self.sio.on(name, self._recorder(name))

    def _recorder(self, name: str):
        async def record(data: Any = None) -> None:
            self.events.append((name, data))
            self._arrived.set()

        return record

    async def connect(self) -> None:
        await self.sio.connect(self.url, transports=["polling"], socketio_path="/socket.io", headers=self.headers)

    async def wait_for(self, name: str, count: int = 1, timeout: float = 10) -> list[Any]:
        async def until() -> list[Any]:
            while True:
                got = [d for n, d in self.events if n == name]
                if len(got) >= count:
                    return got
                self._arrived.clear()
                await self._arrived.wait()

        return await asyncio.wait_for(until(), timeout)

    async def session(self, token: Optional[str] = None, new: bool = False) -> str:
        before = len([1 for n, _ in self.events if n == "session_confirm"])
        await self.sio.emit("session_request", {"session_id": token, "new": new})
        return (await self.wait_for("session_confirm", before + 1))[-1]

    async def say(self, text: str, **extra: Any) -> None:
        await self.sio.emit("user_uttered", {"message": text, **extra})

    async def close(self) -> None:
        # A polite disconnect waits for the pending long-poll (up to the 25 s ping interval);
        # tests close the connection without waiting for it.
        if self.sio.eio.state == "connected":
            await self.sio.eio.disconnect(abort=True)


@pytest.fixture
async def client_factory(loopback) -> AsyncIterator[Callable[..., Client]]:
    clients: list[Client] = []

    def make(headers: Optional[dict] = None) -> Client:
        c = Client(loopback.url, headers)
        clients.append(c)
        return c

    yield make
    for c in clients:
        await c.close()
