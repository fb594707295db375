"""The embedded database's housekeeping (SQLite in WAL mode): no request thread ever runs a checkpoint.

A commit appends to the write-ahead log; a checkpoint copies the log back into the database file and fsyncs it. By
default SQLite runs one inside whichever commit crosses 1,000 pages, and the last connection to close runs one too:
either way a request waits for it. So the web processes keep their connections (CONN_MAX_AGE None in settings) and
switch the automatic checkpoint off (`sqlite_web_process_configure`, called by gddt.wsgi), and the worker runs the
checkpoints in a loop of its own (`Checkpointer`): PASSIVE every second (it never waits for a reader or a writer),
and TRUNCATE once the log has stopped growing, so that an idle service leaves an empty log behind."""

import logging
import threading
from typing import Any

from django.db import DatabaseError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

logger = logging.getLogger(__name__)

CHECKPOINT_SECONDS = 1.0
IDLE_TICKS = 3  # ticks without a new frame in the log before it is truncated
TRUNCATE_WAIT_MS = 200  # a TRUNCATE waits this long for readers at most; it is tried again at the next idle tick


def _no_automatic_checkpoint(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint=0")


def sqlite_web_process_configure() -> None:
    """Turns the automatic checkpoint off in every database connection this process opens from now on."""
    connection_created.connect(_no_automatic_checkpoint, dispatch_uid="gddt_sqlite_no_automatic_checkpoint")


class Checkpointer:
    """A worker loop (core/registry.py): checkpoints the log of the SQLite database; does nothing on PostgreSQL."""

    def __init__(self) -> None:
        self.frames = -1  # the log's frames at the last tick
        self.quiet_ticks = 0

    def run(self, stopping: threading.Event) -> None:
        if connection.vendor != "sqlite":
            return
        try:
            while not stopping.wait(CHECKPOINT_SECONDS):
                try:
                    self.drain()
                except DatabaseError:
                    logger.warning("checkpoint of the database log failed; trying again", exc_info=True)
        finally:
            connection.close()

    def drain(self) -> int:
        """One tick: a PASSIVE checkpoint, or a TRUNCATE when the log has been quiet. Answers the frames copied."""
        if connection.vendor != "sqlite" or connection.in_atomic_block:  # a checkpoint cannot run in a transaction
            return 0
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
            _busy, frames, copied = cursor.fetchone()
            self.quiet_ticks = self.quiet_ticks + 1 if frames == self.frames else 0
            self.frames = frames
            if frames > 0 and copied == frames and self.quiet_ticks >= IDLE_TICKS:
                cursor.execute(f"PRAGMA busy_timeout={TRUNCATE_WAIT_MS}")
                try:
                    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    busy, frames, _copied = cursor.fetchone()
                finally:
                    cursor.execute("PRAGMA busy_timeout=30000")
                if not busy:
                    self.frames = 0
        return max(copied, 0)
