"""What the apps tell core about themselves: their periodic jobs, their worker loops and the reference data they
load. Each app registers from its `AppConfig.ready()`, as Django's admin autodiscovery does, so core runs them
without importing any app."""

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django_tasks.base import Task


@dataclass(frozen=True)
class ReferenceData:
    """A loader of reference data. `load` is safe to run again and answers what it counted, e.g. {"offices": 35};
    it runs after the loaders named in `after`. `on_init=False` marks data a migration seeds once and an
    administrator may change afterwards: `gddt init` leaves it alone, only a reload after a flush (tests) runs it."""

    name: str
    load: Callable[[], Mapping[str, int]]
    after: tuple[str, ...] = ()
    on_init: bool = True


class WorkerLoop(Protocol):
    """Work a worker process does beside the task queue (e.g. delivering the outbox): `run` loops until `stopping`
    is set, in a thread of its own with its own database connection; `drain` does what is due now, in the calling
    thread, and returns (`gddt worker --batch`)."""

    def run(self, stopping: threading.Event) -> None: ...

    def drain(self) -> int: ...


_periodic_jobs: dict[str, Task[[], Any]] = {}
_worker_loops: dict[str, Callable[[], WorkerLoop]] = {}
_reference_data: dict[str, ReferenceData] = {}


def periodic_job_register(*, name: str, job: Task[[], Any]) -> None:
    """Asks the scheduler to enqueue `job` once per slot. Registering a name again replaces it (ready() may run
    twice in tests that change the installed apps)."""
    _periodic_jobs[name] = job


def periodic_jobs() -> dict[str, Task[[], Any]]:
    """The registered jobs by name, in the order of their names."""
    return dict(sorted(_periodic_jobs.items()))


def worker_loop_register(*, name: str, create: Callable[[], WorkerLoop]) -> None:
    """Asks every `gddt worker` to run one loop made by `create`; registering a name again replaces it."""
    _worker_loops[name] = create


def worker_loops() -> dict[str, Callable[[], WorkerLoop]]:
    """The registered loop factories by name, in the order of their names."""
    return dict(sorted(_worker_loops.items()))


def reference_data_register(
    *, name: str, load: Callable[[], Mapping[str, int]], after: tuple[str, ...] = (), on_init: bool = True
) -> None:
    """Adds a reference-data loader (see ReferenceData); registering a name again replaces it."""
    _reference_data[name] = ReferenceData(name=name, load=load, after=after, on_init=on_init)


def reference_data_loaders() -> list[ReferenceData]:
    """Every loader after those it needs; otherwise in the order they registered (the order of INSTALLED_APPS),
    so the order is the same on every run."""
    pending = list(_reference_data.values())
    for loader in pending:
        unknown = set(loader.after) - set(_reference_data)
        if unknown:
            raise ImproperlyConfigured(f"reference data {loader.name!r} needs unregistered {sorted(unknown)}")
    ordered: list[ReferenceData] = []
    done: set[str] = set()
    while pending:
        ready = next((loader for loader in pending if done.issuperset(loader.after)), None)
        if ready is None:
            raise ImproperlyConfigured(f"reference data loaders wait on each other: {[x.name for x in pending]}")
        ordered.append(ready)
        done.add(ready.name)
        pending.remove(ready)
    return ordered
