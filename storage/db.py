"""The database: engine set-up for SQLite and PostgreSQL, migrations, units of work."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from storage.blobs import BlobStore
from storage.repos.coaching import ReminderRepository, StoryRepository
from storage.repos.contacts import ContactRepository
from storage.repos.discord import DiscordGuildRepository
from storage.repos.erasure import ErasureRepository
from storage.repos.inbox import InboxRepository
from storage.repos.interviews import RecordingRepository, SessionRepository, TurnRepository
from storage.repos.operations import (
    AuditRepository,
    DeletionRepository,
    LedgerRepository,
    UpdateRepository,
)
from storage.repos.payments import MarketingRepository, PurchaseRepository
from storage.repos.people import ConsentRepository, UserRepository
from storage.repos.stats import StatsRepository
from storage.repos.usage import UsageRepository
from storage.sealing import KeyRing

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
_INSIDE: ContextVar[bool] = ContextVar("inside_unit_of_work", default=False)


class UnitOfWork:
    """Every repository, bound to one transaction."""

    def __init__(self, conn: AsyncConnection, keyring: KeyRing, blobs: BlobStore) -> None:
        self.conn = conn
        self.users = UserRepository(conn, keyring)
        self.consents = ConsentRepository(conn, keyring)
        self.sessions = SessionRepository(conn, keyring)
        self.turns = TurnRepository(conn, keyring)
        self.recordings = RecordingRepository(conn, keyring, blobs)
        self.ledger = LedgerRepository(conn, keyring)
        self.deletions = DeletionRepository(conn, keyring)
        self.audit = AuditRepository(conn, keyring)
        self.updates = UpdateRepository(conn, keyring)
        self.erasure = ErasureRepository(conn, keyring, blobs)
        self.discord_guilds = DiscordGuildRepository(conn)
        self.stories = StoryRepository(conn, keyring)
        self.reminders = ReminderRepository(conn, keyring)
        self.purchases = PurchaseRepository(conn, keyring)
        self.marketing = MarketingRepository(conn, keyring)
        self.contacts = ContactRepository(conn, keyring)
        self.stats = StatsRepository(conn, keyring)
        self.inbox = InboxRepository(conn, keyring)
        self.usage = UsageRepository(conn, keyring)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    for pragma in (
        "journal_mode=WAL",
        "foreign_keys=ON",
        "secure_delete=ON",
        "synchronous=NORMAL",
        "busy_timeout=5000",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def create_engine(url: str) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and secure_delete on every connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _alembic_config(connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


class Database:
    def __init__(self, engine: AsyncEngine, keyring: KeyRing, blobs: BlobStore) -> None:
        self.engine = engine
        self.keyring = keyring
        self.blobs = blobs
        self._serial = asyncio.Lock() if self.dialect == "sqlite" else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def upgrade(self, revision: str = "head") -> None:
        """Apply Alembic migrations up to `revision`."""
        async with self.engine.begin() as conn:
            await conn.run_sync(lambda c: command.upgrade(_alembic_config(c), revision))
        log.info("database schema at %s (%s)", revision, self.dialect)

    async def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        async with self.engine.connect() as conn:
            return await conn.run_sync(
                lambda c: MigrationContext.configure(c).get_current_revision()
            )

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """One transaction: committed when the block ends, rolled back on error.

        On SQLite one unit of work runs at a time in this process, the others waiting their
        turn in order: SQLite has one writer, and its own busy wait (5 s, then "database is
        locked") fails turns once hundreds of candidates answer at once. A unit opened
        inside another one (or in a task started there) does not wait for it.
        """
        if self._serial is None or _INSIDE.get():
            async with self.engine.begin() as conn:
                yield UnitOfWork(conn, self.keyring, self.blobs)
            return
        async with self._serial:
            inside = _INSIDE.set(True)
            try:
                async with self.engine.begin() as conn:
                    yield UnitOfWork(conn, self.keyring, self.blobs)
            finally:
                _INSIDE.reset(inside)

    async def maintenance(self) -> None:
        """Leave no erased bytes behind: on SQLite checkpoint the WAL into the file (secure_delete
        has zeroed freed cells), VACUUM away free pages, and truncate the WAL again; on
        PostgreSQL VACUUM so dead rows are pruned (their old versions stay sealed anyway)."""
        async with self.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            checkpoint = "PRAGMA wal_checkpoint(TRUNCATE)"
            statements = (
                (checkpoint, "VACUUM", checkpoint) if self.dialect == "sqlite" else ("VACUUM",)
            )
            for statement in statements:
                result = await conn.exec_driver_sql(statement)
                row = result.first() if result.returns_rows else None
                if row is not None and row[0]:
                    log.warning("%s could not finish: a reader is still open", statement)
        log.info("storage maintenance done (%s)", self.dialect)

    async def close(self) -> None:
        await self.engine.dispose()
