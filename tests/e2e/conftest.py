"""The real assistant on loopback, shared by every end-to-end test of the session.

Fixture `assistant` (session scope) yields a `bot.server.supervisor.Assistant`:

- `assistant.url` / `assistant.rasa_url`: the Rasa server, e.g. http://127.0.0.1:41234
  (REST: POST {url}/webhooks/rest/webhook; socket.io: {url}/socket.io; the widget's own routes);
- `assistant.rest_token`: the REST channel's bearer token (`Authorization: Bearer …`; a random one per run);
- `assistant.actions_url`: the action server (loopback only);
- `assistant.stop_actions()` / `assistant.start_actions()`: stop and restart the action server alone;
  `assistant.stop_rasa()` / `assistant.start_rasa()`: the same for Rasa (the SQLite tracker store
  keeps conversations across it);
- `assistant.workdir`: where the logs (rasa.log, actions.log) and the tracker store (rasa.db) are.

It trains the model first if its inputs changed (scripts/train; otherwise reuses
models/assistant.tar.gz), then starts the action server and Rasa with the repository's
credentials.yml, on free ports, with a fresh tracker store. LTR_TODAY pins "today" to TODAY for
both servers, so relative dates ("next April") and the engine's as_of are reproducible.
"""
from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from bot.server import supervisor

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 26)
# Debian's Chromium (scripts/setup-browser): Playwright's own browser download does not work here.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def today() -> date:
    return TODAY


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[supervisor.Assistant]:
    subprocess.run([str(ROOT / "scripts" / "train")], check=True, cwd=ROOT)
    workdir = tmp_path_factory.mktemp("assistant")
    running = supervisor.start(workdir, extra_env={"LTR_TODAY": TODAY.isoformat()})
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run scripts/setup-browser (apt-get install -y chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


_HEADLINE_SEEN = """() => {
  const headline = [...document.querySelectorAll('.lta-card__headline')].pop();
  const box = headline.getBoundingClientRect();
  const log = document.querySelector('.lta__log').getBoundingClientRect();
  return {
    focused: document.activeElement === headline,
    inWindow: box.top >= 0 && box.bottom <= window.innerHeight,
    inConversation: box.top >= log.top - 1 && box.bottom <= log.bottom + 1,
  };
}"""


@pytest.fixture
def headline_seen():
    """headline_seen(page): whether the latest answer's headline has focus and is in the window and the log."""
    return lambda page: page.evaluate(_HEADLINE_SEEN)
