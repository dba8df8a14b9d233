"""The default tracker store (bot.assistant.store): every turn is in SQLite, so a new server process
(a new store on the same file) sees the same conversation; live conversations come from memory."""
from __future__ import annotations

import sqlite3

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.assistant.store import SQLiteTrackerStore


@pytest.fixture(scope="module")
def rasa_domain():
    from tests.actions.conftest import ROOT

    return Domain.load(str(ROOT / "domain.yml"))


def turn(tracker, n):
    tracker.update(UserUttered(f"message {n}", {"name": "inform", "confidence": 1.0}))
    tracker.update(SlotSet("conversation", {"turn": n}))
    tracker.update(ActionExecuted("action_assess"))
    tracker.update(BotUttered(f"reply {n}"))
    tracker.update(ActionExecuted("action_listen"))


def rows(db):
    with sqlite3.connect(db) as c:
        return c.execute("select count(*) from events").fetchone()[0]


async def test_turns_are_written_once_and_survive_a_new_store(tmp_path, rasa_domain):
    db = str(tmp_path / "rasa.db")
    store = SQLiteTrackerStore(rasa_domain, db=db)
    tracker = DialogueStateTracker("officer", rasa_domain.slots)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    for n in range(3):
        tracker = await store.retrieve("officer")
        turn(tracker, n)
        await store.save(tracker)
    assert rows(db) == len(tracker.events) == 3 + 3 * 5

    # A restarted server: a new store on the same file reads the conversation as Rasa's own SQL store
    # does (from the session start on: Rasa leaves out the `action_session_start` before it).
    stock = await SQLTrackerStore(rasa_domain, db=db).retrieve("officer")
    again = await SQLiteTrackerStore(rasa_domain, db=db).retrieve("officer")
    assert [e.as_dict() for e in again.events] == [e.as_dict() for e in stock.events] == [
        e.as_dict() for e in tracker.events][1:]
    assert again.get_slot("conversation") == {"turn": 2}


async def test_a_store_restarted_mid_conversation_appends_without_duplicates(tmp_path, rasa_domain):
    db = str(tmp_path / "rasa.db")
    first = SQLiteTrackerStore(rasa_domain, db=db)
    tracker = DialogueStateTracker("officer", rasa_domain.slots)
    turn(tracker, 1)
    await first.save(tracker)
    second = SQLiteTrackerStore(rasa_domain, db=db)
    tracker = await second.retrieve("officer")
    turn(tracker, 2)
    await second.save(tracker)
    assert rows(db) == 10


async def test_the_memory_cache_is_bounded(tmp_path, rasa_domain):
    store = SQLiteTrackerStore(rasa_domain, db=str(tmp_path / "rasa.db"), cache_size=2)
    for sender in ("a", "b", "c"):
        t = DialogueStateTracker(sender, rasa_domain.slots)
        turn(t, 1)
        await store.save(t)
    assert list(store._recent) == ["b", "c"]
    assert (await store.retrieve("a")).get_slot("conversation") == {"turn": 1}  # from SQLite
