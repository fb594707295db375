"""Per-process copies of reference data (offices, administrative units, required components...): what every request
reads and an administrator changes a few times a year. A registration then reads none of it from the database.

Invalidation: a save or a delete of one of the cache's models forgets this process's copy at once (and again when the
transaction commits, so that a copy read inside it is not kept), and every copy is read again at most
REFERENCE_SECONDS after it was read, which is how a change reaches the other processes (web processes, workers, other
nodes) and how a bulk update or a command's load, which send no signal, become visible. A version row checked on
every request would tell them sooner, but it costs a statement per request, the very cost these copies remove; a
minute is well within what an office's change of name or a new required component can wait."""

import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

REFERENCE_SECONDS = 60.0
T = TypeVar("T")
_caches: "weakref.WeakSet[ReferenceCache[Any]]" = weakref.WeakSet()


class ReferenceCache(Generic[T]):
    """`load()` builds the copy (one or a few queries, the whole table); `get()` answers it, loading when there is
    none or when it is older than `seconds`. The copy is shared by the threads of the process: treat it as read-only."""

    def __init__(self, *, name: str, load: Callable[[], T], seconds: float = REFERENCE_SECONDS) -> None:
        self.name = name
        self._load = load
        self.seconds = seconds
        self._value: T | None = None
        self._read_at = 0.0
        self._lock = threading.Lock()
        _caches.add(self)

    def get(self) -> T:
        with self._lock:
            if self._value is None or time.monotonic() - self._read_at > self.seconds:
                self._value = self._load()
                self._read_at = time.monotonic()
            return self._value

    def forget(self, **kwargs: Any) -> None:
        with self._lock:
            self._value = None

    def _changed(self, **kwargs: Any) -> None:
        self.forget()
        transaction.on_commit(self.forget)

    def forget_on_change(self, *senders: type[models.Model]) -> None:
        """Forgets the copy whenever a row of these models is saved or deleted (call from AppConfig.ready())."""
        for sender in senders:
            uid = f"gddt_reference_{self.name}_{sender._meta.label_lower}"
            post_save.connect(self._changed, sender=sender, weak=False, dispatch_uid=f"{uid}_save")
            post_delete.connect(self._changed, sender=sender, weak=False, dispatch_uid=f"{uid}_delete")


def reference_caches_forget() -> None:
    """Forgets every copy of this process (after reference data is loaded again, and between tests)."""
    for cache in list(_caches):
        cache.forget()
