"""The widget's connection states (connecting, disconnected with retry, server error) and resuming
after a server restart, in headless Chromium.

These need a server we can stop, restart and make fail on purpose, so they run the real
`SecureSocketIOInput` channel and widget files in a small Sanic process with a scripted stand-in
for the Rasa agent (a real SQLite tracker store, so conversations survive the restart, as with
`make run`). The widget talking to the real assistant is covered in test_widget.py.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parents[2]
WAIT = 30_000  # ms

SERVER = r"""
import sys
from rasa.core.channels.channel import register
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Sanic
from bot.channels.socketio import SecureSocketIOInput

class ScriptedAgent:
    def __init__(self, db):
        self.tracker_store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=db)

    async def handle_message(self, message):
        if message.text == "boom":
            raise RuntimeError("scripted failure")
        tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text))
        text = "Hello from the scripted stand-in." if message.text == "/greet" else "echo: " + message.text
        event = BotUttered(text)
        await message.output_channel.send_response(message.sender_id, event.message())
        tracker.update(event)
        await self.tracker_store.save(tracker)

port, db = int(sys.argv[1]), sys.argv[2]
app = Sanic("scripted_widget_server")
app.ctx.agent = ScriptedAgent(db)
register([SecureSocketIOInput.from_credentials({})], app, route="/webhooks/")
app.run(host="127.0.0.1", port=port, access_log=False, motd=False)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ScriptedServer:
    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = str(tmp / "trackers.db")
        self.log = tmp / "server.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = dict(os.environ, LTA_SESSION_SECRET="scripted-widget-test-secret-0123456789", RASA_TELEMETRY_ENABLED="false")
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", SERVER, str(self.port), self.db], cwd=ROOT, env=env, stdout=log, stderr=log
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the scripted server exited:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/webhooks/socketio/", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the scripted server did not start within 60 s")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()  # abrupt, like a crash: the browser's connection just drops
            self.proc.wait(timeout=10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ScriptedServer]:
    srv = ScriptedServer(tmp_path)
    srv.start()
    yield srv
    srv.kill()


@pytest.fixture
def page(browser: Browser, server: ScriptedServer) -> Iterator[Page]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    p = ctx.new_page()
    p.goto(server.url + "/demo/")
    expect(p.locator(".lta")).to_have_attribute("data-state", "ready", timeout=WAIT)
    expect(p.locator(".lta-msg--bot")).to_contain_text(["Hello from the scripted stand-in."], timeout=WAIT)
    yield p
    ctx.close()


def ask(page: Page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_label("Your message").press("Enter")


def test_a_server_error_is_shown_with_a_way_to_try_again(page: Page) -> None:
    ask(page, "boom")
    status = page.get_by_role("status")
    expect(status).to_contain_text("something went wrong on our side", ignore_case=True, timeout=WAIT)
    expect(page.locator(".lta")).to_have_attribute("data-state", "error")
    expect(page.locator(".lta-msg--bot").last).to_contain_text("Your conversation is saved")
    # "Send my last message again" resends it; here it fails again, and the chat still works after.
    page.get_by_role("button", name="Send my last message again").click()
    expect(page.locator(".lta-msg--user")).to_have_count(2)
    ask(page, "hello again")
    expect(page.locator(".lta-msg--bot").last).to_contain_text("echo: hello again", timeout=WAIT)
    expect(page.locator(".lta")).to_have_attribute("data-state", "ready")


def test_disconnected_then_retry_then_resumed_after_a_restart(page: Page, server: ScriptedServer) -> None:
    ask(page, "our contract is for supported living")
    expect(page.locator(".lta-msg--bot").last).to_contain_text("echo: our contract is for supported living", timeout=WAIT)
    before = page.locator(".lta-msg").all_text_contents()

    server.kill()
    status = page.get_by_role("status")
    expect(page.locator(".lta")).to_have_attribute("data-state", "disconnected", timeout=WAIT)
    expect(status).to_contain_text("You are not connected to the assistant")
    # Sending while disconnected keeps the text and says why.
    ask(page, "are you there?")
    expect(page.locator(".govuk-error-message")).to_contain_text("not connected")
    assert page.get_by_label("Your message").input_value() == "are you there?"
    # Retry while the server is still down: connecting, then disconnected again.
    page.get_by_role("button", name="Try again now").click()
    expect(page.locator(".lta")).to_have_attribute("data-state", "disconnected", timeout=WAIT)

    server.start()
    retry = page.get_by_role("button", name="Try again now")
    if retry.count():  # the widget may already have reconnected by itself
        retry.click()
    expect(page.locator(".lta")).to_have_attribute("data-state", "ready", timeout=WAIT)
    expect(page.locator(".lta-msg")).to_have_count(len(before), timeout=WAIT)
    assert page.locator(".lta-msg").all_text_contents() == before
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".lta-msg--bot").last).to_contain_text("echo: are you there?", timeout=WAIT)


def test_the_connecting_state_is_shown_until_the_session_is_confirmed(browser: Browser, server: ScriptedServer) -> None:
    ctx = browser.new_context()
    p = ctx.new_page()
    try:
        # Hold back the socket.io handshake so the first state can be seen.
        held: list = []
        p.route("**/socket.io/**", lambda route: held.append(route))
        p.goto(server.url + "/demo/")
        expect(p.locator(".lta")).to_have_attribute("data-state", "connecting", timeout=WAIT)
        expect(p.get_by_role("status")).to_have_text("Connecting to the assistant…")
        assert held, "the widget made no socket.io request"
        p.unroute("**/socket.io/**")  # held requests go on to the server
        expect(p.locator(".lta")).to_have_attribute("data-state", "ready", timeout=WAIT)
        expect(p.locator(".lta__status")).to_be_empty()
    finally:
        ctx.close()


def test_starting_a_new_conversation_clears_it_and_gets_a_new_session(page: Page) -> None:
    ask(page, "first conversation")
    expect(page.locator(".lta-msg--bot").last).to_contain_text("echo: first conversation", timeout=WAIT)
    key = "() => Object.entries(sessionStorage).find(([k]) => k.startsWith('lta-session:'))[1]"
    old_token = page.evaluate(key)
    page.get_by_role("button", name="Start a new conversation").click()
    expect(page.locator(".lta-msg--user")).to_have_count(0)
    expect(page.locator(".lta-msg--bot")).to_contain_text(["Hello from the scripted stand-in."], timeout=WAIT)
    assert page.evaluate(key) != old_token
    page.reload()
    expect(page.locator(".lta")).to_have_attribute("data-state", "ready", timeout=WAIT)
    expect(page.locator(".lta-msg")).to_have_count(1, timeout=WAIT)  # the new conversation's greeting only


AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


def serious_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']})).violations")
    return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in ("serious", "critical")]


def test_the_error_and_disconnected_states_are_accessible(browser: Browser, server: ScriptedServer) -> None:
    ctx = browser.new_context(bypass_csp=True)  # to inject axe-core into the page
    p = ctx.new_page()
    try:
        p.goto(server.url + "/demo/")
        expect(p.locator(".lta")).to_have_attribute("data-state", "ready", timeout=WAIT)
        ask(p, "boom")
        expect(p.locator(".lta")).to_have_attribute("data-state", "error", timeout=WAIT)
        assert serious_violations(p) == []
        server.kill()
        expect(p.locator(".lta")).to_have_attribute("data-state", "disconnected", timeout=WAIT)
        assert serious_violations(p) == []
    finally:
        ctx.close()
