"""The tracker store on a real PostgreSQL (bot.server.store): the same loud failures, writes and
retention as on SQLite, without the single-process memory cache."""
from __future__ import annotations

import time
from typing import Iterator

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.server.cluster import Postgres
from bot.server.store import SQLConversationStore, StorageError
from bot.server.supervisor import ROOT, free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def rasa_domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(scope="module")
def postgres(workroot) -> Iterator[Postgres]:
    w = workroot("pg")
    pg = Postgres(w / "pg", free_port(), w / "postgres.log", "test-password-0123456789")
    pg.init()
    if pg.proc is None:
        pg.start()
    try:
        yield pg
    finally:
        pg.stop()


@pytest.fixture
def store(postgres, rasa_domain, monkeypatch) -> SQLConversationStore:
    monkeypatch.setenv("DATABASE_URL", postgres.url)
    s = SQLConversationStore(rasa_domain, db="ignored.db", timeout_seconds=1, retention_days=0)
    with s.engine.begin() as c:  # each test starts from an empty database
        c.execute(s.SQLEvent.__table__.delete())
        c.execute(s._assessments.delete())
    return s


def turn(tracker: DialogueStateTracker, n: int) -> None:
    tracker.update(UserUttered(f"message {n}", {"name": "inform", "confidence": 1.0}))
    tracker.update(SlotSet("conversation", {"turn": n}))
    tracker.update(ActionExecuted("action_assess"))
    tracker.update(BotUttered(f"reply {n}"))
    tracker.update(ActionExecuted("action_listen"))


def rows(store: SQLConversationStore, sender: str) -> int:
    table = store.SQLEvent.__table__
    with store.engine.connect() as c:
        return c.execute(sa.select(sa.func.count()).select_from(table).where(table.c.sender_id == sender)).scalar()


async def test_turns_go_to_postgresql_once_and_another_instance_sees_them(store, rasa_domain, postgres):
    assert store.url.get_backend_name() == "postgresql" and store.cache_size == 0
    tracker = DialogueStateTracker("officer", rasa_domain.slots)
    turn(tracker, 1)
    await store.save(tracker)
    other = SQLConversationStore(rasa_domain, url=postgres.url, retention_days=0)  # a second Rasa instance
    theirs = await other.retrieve("officer")
    turn(theirs, 2)
    await other.save(theirs)
    # No cache: the first instance reads the second one's turn, and appends after it without duplicates.
    mine = await store.retrieve("officer")
    assert mine.get_slot("conversation") == {"turn": 2}
    turn(mine, 3)
    await store.save(mine)
    assert rows(store, "officer") == 15
    assert (await other.retrieve("officer")).get_slot("conversation") == {"turn": 3}


async def test_a_stopped_database_fails_loudly_and_keeps_what_was_saved(store, rasa_domain, postgres):
    tracker = DialogueStateTracker("officer", rasa_domain.slots)
    turn(tracker, 1)
    await store.save(tracker)
    postgres.stop()
    try:
        tracker = DialogueStateTracker("officer", rasa_domain.slots)
        turn(tracker, 1)
        turn(tracker, 2)
        with pytest.raises(StorageError):
            await store.save(tracker)
        with pytest.raises(StorageError):
            await store.retrieve("officer")
        ok, why = store.healthy()
        assert not ok and "unavailable" in why
    finally:
        postgres.start()
    assert store.healthy() == (True, "ok")  # the pool's dead connections are replaced
    assert (await store.retrieve("officer")).get_slot("conversation") == {"turn": 1}
    assert rows(store, "officer") == 5


async def test_the_same_answer_stored_at_once_by_two_instances_is_kept_once(store, rasa_domain, postgres):
    """Officers who describe the same contract get the same assessment; two instances storing it in the
    same moment must both succeed (a delete-then-insert broke the key under load)."""
    import asyncio

    from bot.server.store import find_assessment

    other = SQLConversationStore(rasa_domain, url=postgres.url, retention_days=0)
    assessment = {"status": "complete", "estimated_value_gbp": 700000, "regime": "pa2023"}
    bot = BotUttered("answer", data={"custom": {"type": "ltr_assessment", "assessment": assessment}})

    async def officer(s: SQLConversationStore, n: int) -> None:
        tracker = DialogueStateTracker(f"officer-{n}", rasa_domain.slots)
        turn(tracker, n)
        tracker.update(bot)
        await s.save(tracker)

    await asyncio.gather(*(officer(store if n % 2 else other, n) for n in range(40)))
    table = store._assessments
    with store.engine.connect() as c:  # one row per conversation: each officer's record shows their own words
        assert c.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 40
    assert await find_assessment(store, "officer-7", assessment) == assessment
    assert await find_assessment(store, "officer-40", assessment) is None


async def test_purge_works_on_postgresql(store, rasa_domain):
    for sender, age_days in (("old", 100), ("recent", 10)):
        tracker = DialogueStateTracker(sender, rasa_domain.slots)
        turn(tracker, 1)
        for event in tracker.events:
            event.timestamp = time.time() - age_days * 86400
        await store.save(tracker)
    assert store.purge(90 * 86400) == 1
    assert rows(store, "old") == 0 and rows(store, "recent") == 5
