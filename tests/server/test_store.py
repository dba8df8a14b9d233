"""The default tracker store (bot.server.store): every turn is in SQLite, so a new server process
(a new store on the same file) sees the same conversation; live conversations come from memory."""
from __future__ import annotations

import sqlite3

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.server.store import SQLConversationStore


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
    store = SQLConversationStore(rasa_domain, db=db)
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
    again = await SQLConversationStore(rasa_domain, db=db).retrieve("officer")
    assert [e.as_dict() for e in again.events] == [e.as_dict() for e in stock.events] == [
        e.as_dict() for e in tracker.events][1:]
    assert again.get_slot("conversation") == {"turn": 2}


async def test_a_store_restarted_mid_conversation_appends_without_duplicates(tmp_path, rasa_domain):
    db = str(tmp_path / "rasa.db")
    first = SQLConversationStore(rasa_domain, db=db)
    tracker = DialogueStateTracker("officer", rasa_domain.slots)
    turn(tracker, 1)
    await first.save(tracker)
    second = SQLConversationStore(rasa_domain, db=db)
    tracker = await second.retrieve("officer")
    turn(tracker, 2)
    await second.save(tracker)
    assert rows(db) == 10


async def test_the_memory_cache_is_bounded(tmp_path, rasa_domain):
    store = SQLConversationStore(rasa_domain, db=str(tmp_path / "rasa.db"), cache_size=2)
    for sender in ("a", "b", "c"):
        t = DialogueStateTracker(sender, rasa_domain.slots)
        turn(t, 1)
        await store.save(t)
    assert list(store._recent) == ["b", "c"]
    assert (await store.retrieve("a")).get_slot("conversation") == {"turn": 1}  # from SQLite


# ---- failures are loud, and hold up only the conversation that is writing (issue 10) ----------


def lock_database(db):
    """Another process's write lock, as a backup tool or a stuck writer would hold it."""
    c = sqlite3.connect(db, isolation_level=None)
    c.execute("BEGIN EXCLUSIVE")
    return c


def started(sender, rasa_domain):
    t = DialogueStateTracker(sender, rasa_domain.slots)
    turn(t, 1)
    return t


async def test_a_locked_database_fails_the_turn_loudly_and_keeps_what_was_saved(tmp_path, rasa_domain):
    from bot.server.store import StorageError

    db = str(tmp_path / "rasa.db")
    store = SQLConversationStore(rasa_domain, db=db, timeout_seconds=0.3)
    await store.save(started("officer", rasa_domain))
    assert store.healthy() == (True, "ok")
    lock = lock_database(db)
    try:
        tracker = await store.retrieve("officer")
        turn(tracker, 2)
        with pytest.raises(StorageError):
            await store.save(tracker)
        assert store.healthy()[0] is False
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    # The unsaved turn is not kept in memory either: the conversation is what the database holds,
    # and the officer's next message (the same value again) is saved.
    tracker = await store.retrieve("officer")
    assert tracker.get_slot("conversation") == {"turn": 1}
    turn(tracker, 2)
    await store.save(tracker)
    assert (await SQLConversationStore(rasa_domain, db=db).retrieve("officer")).get_slot("conversation") == {"turn": 2}
    assert store.healthy() == (True, "ok")


async def test_a_locked_database_does_not_stall_other_conversations(tmp_path, rasa_domain):
    """Finding: with the file locked, every user stalled ~9.5 s (SQLite ran on Rasa's event loop)."""
    import asyncio
    import time

    from bot.server.store import StorageError

    db = str(tmp_path / "rasa.db")
    store = SQLConversationStore(rasa_domain, db=db, timeout_seconds=1.0)
    await store.save(started("writer", rasa_domain))
    await store.save(started("reader", rasa_domain))
    lock = lock_database(db)
    try:
        tracker = await store.retrieve("writer")
        turn(tracker, 2)
        writing = asyncio.ensure_future(store.save(tracker))
        await asyncio.sleep(0.05)
        t = time.monotonic()
        other = await store.retrieve("reader")  # another officer's turn meanwhile
        await asyncio.sleep(0.01)
        assert time.monotonic() - t < 0.5
        assert other.get_slot("conversation") == {"turn": 1}
        assert not writing.done()
        with pytest.raises(StorageError):
            await writing
    finally:
        lock.execute("ROLLBACK")
        lock.close()


async def test_a_corrupted_database_is_an_error_not_a_new_conversation(tmp_path, rasa_domain):
    """Finding: with the file corrupted every turn silently restarted at "What service?"."""
    from bot.server.store import StorageError

    db = tmp_path / "rasa.db"
    store = SQLConversationStore(rasa_domain, db=str(db), timeout_seconds=0.5)
    await store.save(started("officer", rasa_domain))
    good = db.read_bytes()
    for f in tmp_path.glob("rasa.db-*"):
        f.unlink()
    db.write_bytes(b"this is not a database" * 200)
    fresh = SQLConversationStore.__new__(SQLConversationStore)  # no start-up work on the broken file
    fresh.__dict__.update(store.__dict__, _recent=type(store._recent)(), _locks={})
    with pytest.raises(StorageError):
        await fresh.retrieve("officer")
    assert fresh.healthy()[0] is False
    db.write_bytes(good)  # the database is back: nothing saved before is lost
    assert (await fresh.retrieve("officer")).get_slot("conversation") == {"turn": 1}


async def test_the_fail_safe_wrapper_no_longer_falls_back_to_memory(tmp_path, rasa_domain):
    from rasa.core.tracker_store import FailSafeTrackerStore

    from bot.server import guard
    from bot.server.store import StorageError

    guard.install()
    db = str(tmp_path / "rasa.db")
    wrapped = FailSafeTrackerStore(SQLConversationStore(rasa_domain, db=db, timeout_seconds=0.3))
    await wrapped.save(started("officer", rasa_domain))
    lock = lock_database(db)
    try:
        tracker = await wrapped.retrieve("officer")
        turn(tracker, 2)
        with pytest.raises(StorageError):
            await wrapped.save(tracker)
        assert wrapped._fallback_tracker_store is None
    finally:
        lock.execute("ROLLBACK")
        lock.close()


# ---- retention and decision records -------------------------------------------------------------


async def test_purge_removes_conversations_idle_for_longer_than_the_age(tmp_path, rasa_domain):
    import time

    db = str(tmp_path / "rasa.db")
    store = SQLConversationStore(rasa_domain, db=db, retention_days=0)
    await store.save(started("old", rasa_domain))
    await store.save(started("new", rasa_domain))
    with sqlite3.connect(db) as c:
        c.execute("update events set timestamp = ? where sender_id = 'old'", (time.time() - 91 * 86400,))
    assert store.purge(90 * 86400) == 1
    assert set(await store.keys()) == {"new"}
    assert await store.retrieve("old") is None
    # The setting applies when the server starts.
    with sqlite3.connect(db) as c:
        c.execute("update events set timestamp = ? where sender_id = 'new'", (time.time() - 40 * 86400,))
    SQLConversationStore(rasa_domain, db=db, retention_days=30)
    assert rows(db) == 0


def test_ltr_purge_on_the_command_line(tmp_path, rasa_domain, capsys):
    import asyncio
    import time

    from bot.cli import main

    db = str(tmp_path / "rasa.db")
    store = SQLConversationStore(rasa_domain, db=db, retention_days=0)
    asyncio.run(store.save(started("old", rasa_domain)))
    with sqlite3.connect(db) as c:
        c.execute("update events set timestamp = ?", (time.time() - 100 * 86400,))
    assert main(["purge", "--older-than", "90d", "--db", db]) == 0
    assert "Removed 1 conversation idle for longer than 90d" in capsys.readouterr().out
    assert rows(db) == 0
    with pytest.raises(SystemExit):
        main(["purge", "--older-than", "soon", "--db", db])


async def test_assessments_the_server_gave_can_be_found_by_content(tmp_path, rasa_domain):
    from bot.server.store import find_assessment

    store = SQLConversationStore(rasa_domain, db=str(tmp_path / "rasa.db"))
    assessment = {"answer": "Yes.", "estimated_value_gbp": 700000.0, "rules_version": "v1", "case": {"service": "x"}}
    t = started("officer", rasa_domain)
    t.update(BotUttered("Here.", data={"custom": {"type": "ltr_assessment", "assessment": assessment}}))
    await store.save(t)
    # as the browser posts it back: whole floats as ints, the display label added
    posted = dict(assessment, estimated_value_gbp=700000, service_category_label="Health")
    again = SQLConversationStore(rasa_domain, db=str(tmp_path / "rasa.db"))
    assert await find_assessment(again, "officer", posted) == assessment
    assert await find_assessment(again, "officer", dict(assessment, rules_version="v0")) is None
    assert await find_assessment(again, "someone-else", posted) is None


async def test_a_decision_record_gets_the_facts_as_shown_with_the_answer_not_as_posted(tmp_path, rasa_domain):
    from bot.server.store import find_answer

    store = SQLConversationStore(rasa_domain, db=str(tmp_path / "rasa.db"))
    assessment = {"answer": "Yes.", "estimated_value_gbp": 700000.0, "rules_version": "v1", "case": {"service": "x"}}
    understood = [{"id": "value", "label": "Value", "text": "£700,000 whole-life, as given.", "source": "you said"}]
    t = started("officer", rasa_domain)
    t.update(BotUttered("Here.", data={"custom": {"type": "ltr_assessment", "assessment": assessment,
                                                  "understood": understood}}))
    await store.save(t)
    found = await find_answer(SQLConversationStore(rasa_domain, db=str(tmp_path / "rasa.db")), "officer", assessment)
    assert found == (assessment, understood)


async def test_the_same_answer_in_two_conversations_keeps_each_officers_own_words(tmp_path, rasa_domain):
    """Finding (issue 21): answers were keyed by the assessment alone, so the second conversation to reach
    the same facts replaced the first one's "What I understood" with its own free text."""
    from bot.server.store import find_answer

    store = SQLConversationStore(rasa_domain, db=str(tmp_path / "rasa.db"))
    assessment = {"answer": "Yes.", "estimated_value_gbp": 700000, "rules_version": "v1", "case": {"service": "x"}}
    for sender, words in (("first", "£700k for the Smith family's care"), ("second", "£700k, ask Dr Jones")):
        understood = [{"id": "value", "label": "Value", "text": words, "source": "you said"}]
        t = started(sender, rasa_domain)
        t.update(BotUttered("Here.", data={"custom": {"type": "ltr_assessment", "assessment": assessment,
                                                      "understood": understood}}))
        await store.save(t)
    again = SQLConversationStore(rasa_domain, db=str(tmp_path / "rasa.db"))
    assert (await find_answer(again, "first", assessment))[1][0]["text"] == "£700k for the Smith family's care"
    assert (await find_answer(again, "second", assessment))[1][0]["text"] == "£700k, ask Dr Jones"
    assert await find_answer(again, "third", assessment) is None


async def test_answers_are_found_in_their_conversation_in_any_tracker_store(rasa_domain):
    from rasa.core.tracker_store import InMemoryTrackerStore

    from bot.server.store import find_answer

    store = InMemoryTrackerStore(rasa_domain)
    assessment = {"answer": "Yes.", "rules_version": "v1"}
    understood = [{"id": "value", "text": "£1m"}]
    t = started("first", rasa_domain)
    t.update(BotUttered("Here.", data={"custom": {"type": "ltr_assessment", "assessment": assessment,
                                                  "understood": understood}}))
    await store.save(t)
    await store.save(started("second", rasa_domain))
    assert await find_answer(store, "first", assessment) == (assessment, understood)
    assert await find_answer(store, "second", assessment) is None
