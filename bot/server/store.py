"""The tracker store: Rasa's SQL store on SQLite (one instance) or PostgreSQL (several instances).

Which database is configuration: `DATABASE_URL` in the environment (a SQLAlchemy URL such as
postgresql://lta:secret@db:5432/lta), else `url` in endpoints.yml, else the SQLite file `db`
(var/rasa.db: `make run`). Stock `SQLTrackerStore` rebuilds the conversation from the database on
every message and counts the stored events again before each save; measured on 2 cores
(bench/assistant.py) that halved the assistant's throughput. This store, on either engine:

- writes every turn as the stock store does (same `events` table, same rows), so conversations
  survive a restart and can be read by anything that reads Rasa's SQL store; only the new events
  of a turn are written (it remembers how many the conversation had when it was read);
- keeps the last `cache_size` conversations in memory on SQLite only, where one process is the only
  writer. On any other database several Rasa instances may write the same conversation, so every
  message is read from the database (the cache is off; a Redis lock store orders the turns);
- runs every database call in a worker thread, one conversation at a time, with a time limit
  (`timeout_seconds`, or LTA_DB_TIMEOUT_SECONDS): a slow, locked or stopped database holds up only
  the conversation that is writing, never Rasa's event loop and so never the other officers;
- fails loudly: a read or write that fails raises `StorageError` (Rasa's fail-safe wrapper, which
  would fall back to memory and lose the turn silently, is bypassed by `bot.server.guard`), the
  unsaved turn is dropped from memory so the officer's conversation stays as the database has it,
  and `healthy()` reports the failure;
- remembers each answer it stored (`lta_answers`), keyed by conversation and answer, so a decision
  record is rendered only from an answer this server gave in that same conversation (`find_answer`):
  two officers who reach the same assessment each get their own words back, never the other's;
- forgets old conversations: `purge(older_than_seconds)` (`ltr purge --older-than 90d`, or
  `retention_days` / LTA_RETENTION_DAYS, applied at start-up and daily), on both engines.

endpoints.yml:

    tracker_store:
      type: bot.server.store.SQLConversationStore
      db: var/rasa.db          # SQLite; DATABASE_URL (or url:) chooses another database
      # retention_days: 90
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import sqlite3
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable, Optional, Text, TypeVar

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")
DEFAULT_CACHE_SIZE = 500
DEFAULT_TIMEOUT_S = 3.0
DEFAULT_RETENTION_DAYS = 90.0
ANSWER_TABLE = "lta_answers"
OLD_ASSESSMENT_TABLE = "lta_assessments"  # keyed by the answer alone: dropped (its rows are in `events` too)
WORKERS = 4  # database calls at once, per process
STARTUP_WAIT_S = 60.0
T = TypeVar("T")


class StorageError(RuntimeError):
    """The conversation could not be read from or written to the database."""


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _canonical(value: Any) -> Any:
    """JSON as a browser sends it back: whole floats become ints (700000.0 -> 700000)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def assessment_digest(assessment: Any) -> str:
    """The same digest for an assessment as stored and as the widget posts it back (the label the
    channel adds for display is left out)."""
    if isinstance(assessment, dict):
        assessment = {k: v for k, v in assessment.items() if k != "service_category_label"}
    text = json.dumps(_canonical(assessment), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def assessments_in(event_data: dict) -> list[dict]:
    """The assessments a stored bot event carries (a custom `ltr_assessment` payload)."""
    custom = (event_data.get("data") or {}).get("custom") if event_data.get("event") == "bot" else None
    if isinstance(custom, dict) and custom.get("type") == "ltr_assessment" and isinstance(custom.get("assessment"), dict):
        return [custom["assessment"]]
    return []


UNDERSTOOD_KEY = "_understood"


def understood_in(event_data: dict) -> list:
    """The facts shown with an answer ("What I understood"), from the same custom payload."""
    custom = (event_data.get("data") or {}).get("custom") if event_data.get("event") == "bot" else None
    facts = custom.get("understood") if isinstance(custom, dict) else None
    return facts if isinstance(facts, list) else []


def parse_age(text: str) -> float:
    """'90d', '12h', '30m', '45s' or a number of days -> seconds."""
    text = str(text).strip().lower()
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    try:
        if text and text[-1] in units:
            value = float(text[:-1]) * units[text[-1]]
        else:
            value = float(text) * 86400
    except ValueError:
        raise ValueError(f"{text!r} is not an age: use for example 90d, 12h or 30m") from None
    if value <= 0:
        raise ValueError("the age must be more than zero")
    return value


def database_url(db: Optional[str] = None, url: Optional[str] = None) -> sa.engine.URL:
    """The database to use: DATABASE_URL, else `url`, else the SQLite file `db`."""
    chosen = os.environ.get("DATABASE_URL") or url
    if chosen:
        if chosen.startswith("postgres://"):  # the form many hosts hand out; SQLAlchemy wants postgresql://
            chosen = "postgresql://" + chosen[len("postgres://"):]
        return sa.engine.make_url(chosen)
    return sa.engine.URL.create("sqlite", database=db or "rasa.db")


def single_writer(url: sa.engine.URL) -> bool:
    """Only SQLite implies one Rasa process; any server database may have several writing."""
    return url.get_backend_name() == "sqlite"


def _engine(url: sa.engine.URL, timeout_s: float) -> sa.engine.Engine:
    if single_writer(url):
        # SQLite's own wait for a lock is bounded by the time limit; NullPool: a connection per call.
        engine = sa.create_engine(url, connect_args={"timeout": timeout_s, "check_same_thread": False},
                                  poolclass=sa.pool.NullPool)
        sa.event.listen(engine, "connect", _set_pragmas)
        return engine
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        # A stopped or hung server fails the call within the time limit instead of waiting.
        connect_args = {"connect_timeout": max(2, int(timeout_s)),
                        "options": f"-c statement_timeout={int(timeout_s * 1000)}"}
    return sa.create_engine(url, connect_args=connect_args, pool_size=WORKERS, max_overflow=WORKERS,
                            pool_pre_ping=True, pool_timeout=timeout_s)


class SQLConversationStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Optional[Domain] = None,
        db: Text = "rasa.db",
        url: Optional[Text] = None,
        event_broker: Optional[EventBroker] = None,
        cache_size: int = DEFAULT_CACHE_SIZE,
        timeout_seconds: Optional[float] = None,
        retention_days: Optional[float] = None,
        **kwargs: Any,
    ) -> None:
        for key in ("dialect", "host", "port", "username", "password", "login_db", "query"):
            kwargs.pop(key, None)  # stock keys: this store takes one URL
        # Not SQLTrackerStore.__init__: it waits forever for a database that is down, and we build our own engine.
        TrackerStore.__init__(self, domain, event_broker, **kwargs)
        self.timeout_seconds = float(timeout_seconds or _env_float("LTA_DB_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_S))
        self.url = database_url(db, url)
        self.engine = _engine(self.url, self.timeout_seconds)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.db_path = str(self.url.database)
        self._assessments = sa.Table(
            ANSWER_TABLE, sa.MetaData(),
            sa.Column("sender_id", sa.String(255), primary_key=True),
            sa.Column("digest", sa.String(64), primary_key=True),
            sa.Column("timestamp", sa.Float, index=True),
            sa.Column("data", sa.Text),
        )
        self._create_tables()
        # The memory cache only where this process is the only writer (see the module's docstring).
        self.cache_size = int(cache_size) if single_writer(self.url) else 0
        # sender_id -> (its events, how many of them are already in the database, when saved). Events are
        # not changed once made, so a new tracker can share them with the one that was saved.
        self._recent: "OrderedDict[str, tuple[tuple, int, float]]" = OrderedDict()
        # sender_id -> number of stored events when last read or saved, for a store without the cache
        self._stored: "OrderedDict[str, int]" = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}
        self._executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="lta-store")
        self.last_error: Optional[str] = None
        retention = retention_days if retention_days is not None else os.environ.get("LTA_RETENTION_DAYS")
        self.retention_days = float(retention) if retention not in (None, "") else DEFAULT_RETENTION_DAYS
        self._last_purge = time.time()
        if self.retention_days > 0:
            try:
                removed = self.purge(self.retention_days * 86400)
                if removed:
                    logger.info("Removed %d conversations older than %g days.", removed, self.retention_days)
            except Exception as e:  # a broken database is reported by the first turn and by /health
                logger.error("Could not apply the retention period (%s).", type(e).__name__)

    def _create_tables(self) -> None:
        """Creates the tables; a server database that is still starting gets up to a minute."""
        deadline = time.monotonic() + (0 if single_writer(self.url) else STARTUP_WAIT_S)
        while True:
            try:
                with self.engine.begin() as c:
                    self.Base.metadata.create_all(c)
                    self._assessments.create(c, checkfirst=True)
                    sa.Table(OLD_ASSESSMENT_TABLE, sa.MetaData()).drop(c, checkfirst=True)
                return
            except sa.exc.IntegrityError:
                return  # another instance created them at the same moment
            except sa.exc.OperationalError as e:
                if time.monotonic() > deadline:
                    raise
                logger.warning("The database is not answering yet (%s); trying again.", type(e).__name__)
                time.sleep(2)

    # ---- running database calls off the event loop ----

    def _lock(self, sender_id: str) -> asyncio.Lock:
        lock = self._locks.get(sender_id)
        if lock is None:
            lock = self._locks[sender_id] = asyncio.Lock()
            if len(self._locks) > 4 * max(self.cache_size, DEFAULT_CACHE_SIZE):
                for key in [k for k, v in self._locks.items() if not v.locked()][: len(self._locks) // 2]:
                    self._locks.pop(key, None)
        return lock

    async def _run(self, what: str, sender_id: str, fn: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        try:
            async with self._lock(sender_id):
                result = await asyncio.wait_for(
                    loop.run_in_executor(self._executor, fn), self.timeout_seconds + 2
                )
        except asyncio.TimeoutError:
            self._failed(what, "timed out")
            raise StorageError(f"the conversation could not be {what}: the database did not answer in time") from None
        except StorageError:
            raise
        except Exception as e:
            self._failed(what, type(e).__name__ + ": " + str(e).splitlines()[0][:200] if str(e) else type(e).__name__)
            raise StorageError(f"the conversation could not be {what}") from e
        return result

    def _failed(self, what: str, why: str) -> None:
        self.last_error = f"{what}: {why}"
        logger.error("The conversation store failed (%s: %s).", what, why)

    def healthy(self) -> tuple[bool, str]:
        """(True, "ok") when the database can be read and written now; else (False, why)."""
        try:
            if single_writer(self.url):
                c = sqlite3.connect(self.db_path, timeout=0.5, isolation_level=None)
                try:
                    c.execute("BEGIN IMMEDIATE")
                    c.execute("SELECT count(*) FROM events WHERE id = -1").fetchall()
                    c.execute("ROLLBACK")
                finally:
                    c.close()
            else:
                with self.engine.connect() as c:
                    c.execute(sa.select(sa.func.count()).select_from(self.SQLEvent.__table__)
                              .where(self.SQLEvent.__table__.c.id == -1)).all()
                    if c.exec_driver_sql("SHOW transaction_read_only").scalar() == "on":
                        return False, "database is read-only"
        except Exception as e:
            return False, f"database unavailable ({type(e).__name__}: {(str(e).splitlines() or [''])[0][:120]})"
        return True, "ok"

    # ---- the tracker store interface ----

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        cached = self._recent.get(sender_id)
        if cached is not None and self.retention_days > 0 and time.time() - cached[2] > self.retention_days * 86400:
            self._recent.pop(sender_id, None)  # past the retention period: as purged from the database
            cached = None
        if cached is not None and self.domain:
            self._recent.move_to_end(sender_id)
            # Rebuilt from the events themselves: 0.2 ms where parsing them from JSON took 5.5 ms a turn.
            return DialogueStateTracker.from_events(sender_id, cached[0], self.domain.slots)
        events = await self._run("read", sender_id, lambda: self._load(sender_id, all_sessions=False))
        if not events or not self.domain:
            self._stored.pop(sender_id, None)
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        self._remember(tracker, stored=len(tracker.events))
        return tracker

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        events = await self._run("read", conversation_id, lambda: self._load(conversation_id, all_sessions=True))
        if not events or not self.domain:
            return None
        return DialogueStateTracker.from_dict(conversation_id, events, self.domain.slots)

    async def keys(self) -> Iterable[Text]:
        def query() -> list[str]:
            with self.engine.connect() as c:
                return [r[0] for r in c.execute(sa.select(self.SQLEvent.sender_id).distinct())]

        return await self._run("read", "", query)

    def _known(self, sender_id: str, events: int) -> Optional[int]:
        """How many of the conversation's events the database has, if this process knows."""
        cached = self._recent.get(sender_id)
        known = cached[1] if cached is not None else self._stored.get(sender_id)
        return None if known is None or known > events else known

    async def save(self, tracker: DialogueStateTracker) -> None:
        sender_id = tracker.sender_id
        events = list(tracker.events)
        known = self._known(sender_id, len(events))
        await self.stream_events(tracker)
        try:
            await self._run("saved", sender_id, lambda: self._write(sender_id, events, known))
        except StorageError:
            # The turn is not kept anywhere: the next message starts from what the database holds.
            self._recent.pop(sender_id, None)
            self._stored.pop(sender_id, None)
            raise
        self.last_error = None
        self._remember(tracker, stored=len(events))
        if self.retention_days > 0 and time.time() - self._last_purge > 86400:  # a long-running server too
            self._last_purge = time.time()
            asyncio.get_running_loop().run_in_executor(self._executor, self._purge_quietly)

    def _purge_quietly(self) -> None:
        try:
            self.purge(self.retention_days * 86400)
        except Exception as e:
            logger.error("Could not apply the retention period (%s).", type(e).__name__)

    # ---- database work (worker threads) ----

    def _load(self, sender_id: str, all_sessions: bool) -> list[dict]:
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=all_sessions).all()
            return [json.loads(row.data) for row in rows]

    def _write(self, sender_id: str, events: list, known: Optional[int]) -> None:
        if known is None:  # not read by this process: count what the database has, as the stock store does
            with self.session_scope() as session:
                known = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).count()
        with self.engine.begin() as connection:
            rows, found = [], []
            for event in events[known:]:
                data = event.as_dict()
                rows.append({
                    "sender_id": sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                })
                for assessment in assessments_in(data):
                    # kept with the facts the officer was shown, so a decision record lists them as given
                    kept = {**assessment, UNDERSTOOD_KEY: understood_in(data)}
                    found.append({
                        "digest": assessment_digest(assessment), "sender_id": sender_id,
                        "timestamp": data.get("timestamp") or time.time(), "data": json.dumps(kept),
                    })
            if rows:
                connection.execute(sa.insert(self.SQLEvent.__table__), rows)
            for row in found:
                connection.execute(self._upsert_assessment(row))

    def _upsert_assessment(self, row: dict) -> Any:
        """One statement, so two instances storing the same answer at once cannot collide (a delete then
        an insert did, on PostgreSQL: both deleted nothing, and the second insert broke the key)."""
        backend = self.url.get_backend_name()
        if backend == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif backend == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            raise NotImplementedError(f"no upsert for {backend}: use SQLite or PostgreSQL")
        stmt = insert(self._assessments).values(**row)
        return stmt.on_conflict_do_update(
            index_elements=[self._assessments.c.sender_id, self._assessments.c.digest],
            set_={k: stmt.excluded[k] for k in ("timestamp", "data")})

    # ---- decision records and retention ----

    async def find_assessment(self, sender_id: str, assessment: Any) -> Optional[dict]:
        """The assessment with the same content as `assessment` given in conversation `sender_id`, else None."""
        digest = assessment_digest(assessment)
        table = self._assessments

        def query() -> Optional[str]:
            with self.engine.connect() as c:
                row = c.execute(sa.select(table.c.data).where(table.c.sender_id == sender_id,
                                                               table.c.digest == digest)).first()
                return row[0] if row else None

        found = await self._run("read", sender_id, query)
        return json.loads(found) if found else None

    def purge(self, older_than_seconds: float) -> int:
        """Deletes conversations whose last event is older than the given age; returns how many."""
        cutoff = time.time() - older_than_seconds
        table = self.SQLEvent.__table__
        with self.engine.begin() as c:
            old = sa.select(table.c.sender_id).group_by(table.c.sender_id).having(sa.func.max(table.c.timestamp) < cutoff)
            senders = [r[0] for r in c.execute(old)]
            for i in range(0, len(senders), 500):
                chunk = senders[i:i + 500]
                c.execute(table.delete().where(table.c.sender_id.in_(chunk)))
                c.execute(self._assessments.delete().where(self._assessments.c.sender_id.in_(chunk)))
        for sender in senders:
            self._recent.pop(sender, None)
            self._stored.pop(sender, None)
        if senders and single_writer(self.url):  # give the write-ahead log's space back
            with self.engine.connect() as c:
                c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return len(senders)

    def _remember(self, tracker: DialogueStateTracker, stored: int) -> None:
        if self.cache_size <= 0:
            self._stored[tracker.sender_id] = stored
            self._stored.move_to_end(tracker.sender_id)
            while len(self._stored) > 10 * DEFAULT_CACHE_SIZE:  # a count is small; keep many
                self._stored.popitem(last=False)
            return
        self._recent[tracker.sender_id] = (tuple(tracker.events), stored, time.time())
        self._recent.move_to_end(tracker.sender_id)
        while len(self._recent) > self.cache_size:
            self._recent.popitem(last=False)



async def find_answer(store: Any, sender_id: str, assessment: Any) -> Optional[tuple[dict, list]]:
    """The answer this server gave in conversation `sender_id` with the same assessment: the assessment and
    the facts shown with it."""
    found = await find_assessment(store, sender_id, assessment, keep_understood=True)
    if found is None:
        return None
    understood = found.pop(UNDERSTOOD_KEY, [])
    return found, understood if isinstance(understood, list) else []


async def find_assessment(store: Any, sender_id: str, assessment: Any,
                          keep_understood: bool = False) -> Optional[dict]:
    """Looks `assessment` up among the answers this server gave in conversation `sender_id`, in any tracker
    store."""
    inner = getattr(store, "_tracker_store", store)  # Rasa's fail-safe wrapper
    if hasattr(inner, "find_assessment"):
        found = await inner.find_assessment(sender_id, assessment)
        if found is not None and not keep_understood:
            found.pop(UNDERSTOOD_KEY, None)
        return found
    digest = assessment_digest(assessment)
    tracker = await inner.retrieve(sender_id)
    for event in reversed(list(getattr(tracker, "events", None) or [])):
        data = event.as_dict()
        for stored in assessments_in(data):
            if assessment_digest(stored) == digest:
                return {**stored, UNDERSTOOD_KEY: understood_in(data)} if keep_understood else stored
    return None


def store_health(store: Any) -> tuple[bool, str]:
    inner = getattr(store, "_tracker_store", store)
    check = getattr(inner, "healthy", None)
    return check() if check else (True, "ok")

