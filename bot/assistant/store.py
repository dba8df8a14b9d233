"""The default tracker store: Rasa's SQL store on SQLite, with recent conversations kept in memory.

Stock `SQLTrackerStore` rebuilds the conversation from the database on every message and counts
the stored events again before each save. Measured on 2 cores (bench/assistant.py), that halved the
assistant's throughput against an in-memory store (about 19 against 40 turns/s). This store:

- writes every turn to SQLite as the stock store does (same table, same rows), so conversations
  survive a restart and can be read by anything that reads Rasa's SQL store;
- keeps the last `cache_size` conversations in memory as well, so a message in a live conversation
  is answered from memory and only the new events are written (no re-count);
- uses SQLite's write-ahead log, so readers do not block the writer.

It assumes it is the only writer to its database: one Rasa process, which SQLite implies anyway.
For several Rasa instances use the stock store on PostgreSQL (type: SQL, dialect: postgresql).

endpoints.yml:

    tracker_store:
      type: bot.assistant.store.SQLiteTrackerStore
      db: var/rasa.db
"""
from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any, Optional, Text

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")
DEFAULT_CACHE_SIZE = 500


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


class SQLiteTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Optional[Domain] = None,
        db: Text = "rasa.db",
        event_broker: Optional[EventBroker] = None,
        cache_size: int = DEFAULT_CACHE_SIZE,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("dialect", None)
        super().__init__(domain=domain, dialect="sqlite", db=db, event_broker=event_broker, **kwargs)
        sa.event.listen(self.engine, "connect", _set_pragmas)
        self.engine.dispose()  # connections opened before the listener reconnect with the pragmas
        self.cache_size = int(cache_size)
        # sender_id -> (serialised tracker, number of its events already in the database)
        self._recent: "OrderedDict[str, tuple[str, int]]" = OrderedDict()

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        cached = self._recent.get(sender_id)
        if cached is not None:
            self._recent.move_to_end(sender_id)
            return self.deserialise_tracker(sender_id, cached[0])
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self._remember(tracker, stored=len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        cached = self._recent.get(tracker.sender_id)
        if cached is None or cached[1] > len(tracker.events):
            # Not seen since start-up (or a tracker this store did not hand out): the stock way.
            await super().save(tracker)
            self._remember(tracker, stored=len(tracker.events))
            return
        await self.stream_events(tracker)
        new_events = list(tracker.events)[cached[1]:]
        if new_events:
            rows = []
            for event in new_events:
                data = event.as_dict()
                rows.append({
                    "sender_id": tracker.sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                })
            with self.engine.begin() as connection:
                connection.execute(sa.insert(self.SQLEvent.__table__), rows)
        self._remember(tracker, stored=len(tracker.events))

    def _remember(self, tracker: DialogueStateTracker, stored: int) -> None:
        self._recent[tracker.sender_id] = (self.serialise_tracker(tracker), stored)
        self._recent.move_to_end(tracker.sender_id)
        while len(self._recent) > self.cache_size:
            self._recent.popitem(last=False)
