"""Metrics in the Prometheus text format at `GET /metrics` (prometheus-client).

Under `gddt serve` every process (the gunicorn workers and the task worker) counts into files in
PROMETHEUS_MULTIPROC_DIR (`$GDDT_DATA_DIR/metrics`, emptied at each start), so one scrape adds up the whole node.
Figures read from the database (dossiers by status, the SMS queue) are the same on every node: the apps register
them here from their `AppConfig.ready()`, so that core reads no app's tables."""

import hmac
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

PREFIX = "gddt_"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Seconds a database figure is kept by one process: several nodes scraped every 15 s cost one query each a while.
FIGURES_MAX_AGE = 15.0
# This service's metrics only (not the client library's process and GC figures), so every name starts with gddt_.
OWN = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "gddt_http_requests",
    "HTTP requests answered, by route template and status.",
    ["method", "route", "status"],
    registry=OWN,
)
LATENCY = Histogram(
    "gddt_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=OWN,
)
SIGN_IN_FAILURES = Counter(
    "gddt_sign_in_failures", "Failed sign-ins (wrong username or password), every door.", registry=OWN
)
SIGN_IN_LOCKOUTS = Counter(
    "gddt_sign_in_lockouts", "Sign-ins refused because the username is locked out.", registry=OWN
)


@dataclass(frozen=True)
class Figure:
    """A figure an app reads from the database: `values` maps label values (in the order of `labels`) to a
    number; without labels, the key is ()."""

    name: str
    help: str
    values: Mapping[tuple[str, ...], float]
    labels: tuple[str, ...] = ()
    kind: Literal["gauge", "counter"] = "gauge"

    def __post_init__(self) -> None:
        if not self.name.startswith(PREFIX):
            raise ValueError(f"metric names start with {PREFIX!r}: {self.name!r}")


@dataclass
class _Cached:
    at: float = 0.0
    figures: list[Figure] = field(default_factory=list)


_collectors: dict[str, Callable[[], Iterable[Figure]]] = {}
_cache: dict[str, _Cached] = {}
_lock = threading.Lock()


def metrics_collector_register(*, name: str, collect: Callable[[], Iterable[Figure]]) -> None:
    """Adds figures read at scrape time (at most every FIGURES_MAX_AGE seconds); registering a name again
    replaces it."""
    _collectors[name] = collect
    _cache.pop(name, None)


def metrics_counter(*, name: str, help: str, labels: tuple[str, ...] = ()) -> Counter:
    """A counter an app increments (counted across the node's processes); `name` without `_total`."""
    if not name.startswith(PREFIX):
        raise ValueError(f"metric names start with {PREFIX!r}: {name!r}")
    return Counter(name, help, list(labels), registry=OWN)


def _figures(name: str, collect: Callable[[], Iterable[Figure]]) -> list[Figure]:
    now = time.monotonic()
    with _lock:
        cached = _cache.get(name)
        if cached is not None and now - cached.at < FIGURES_MAX_AGE:
            return cached.figures
    try:
        figures = list(collect())
    except Exception:  # one broken figure must not hide the others; the scrape shows it as an error count
        logger.exception("the metrics collector %s failed", name)
        figures = [
            Figure(
                name="gddt_metrics_collector_errors",
                help="Collectors that failed at this scrape.",
                values={(name,): 1},
                labels=("collector",),
            )
        ]
        return figures
    with _lock:
        _cache[name] = _Cached(at=now, figures=figures)
    return figures


class _AppFigures(Collector):
    def collect(self) -> Iterable[Metric]:
        for name, collect in sorted(_collectors.items()):
            for figure in _figures(name, collect):
                family: GaugeMetricFamily | CounterMetricFamily
                if figure.kind == "counter":
                    family = CounterMetricFamily(figure.name, figure.help, labels=list(figure.labels))
                else:
                    family = GaugeMetricFamily(figure.name, figure.help, labels=list(figure.labels))
                for key, value in sorted(figure.values.items()):
                    family.add_metric(list(key), value)
                yield family


def metrics_text() -> bytes:
    """The whole exposition: this node's processes (or this process alone outside `gddt serve`) and the apps'
    database figures."""
    registry = OWN  # one process (tests, `runserver`): its own counters
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    text = generate_latest(registry)
    app_registry = CollectorRegistry()
    app_registry.register(_AppFigures())
    return text + generate_latest(app_registry)


def metrics_token_matches(request: HttpRequest) -> bool | None:
    """None when GDDT_METRICS_TOKEN is not set (the endpoint does not exist); else whether the request carries it
    as `Authorization: Bearer <token>`."""
    token = settings.GDDT_METRICS_TOKEN
    if not token:
        return None
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def metrics_view(request: HttpRequest) -> HttpResponse:
    """GET /metrics: 404 unless GDDT_METRICS_TOKEN is set, 401 without that token as a bearer token."""
    allowed = metrics_token_matches(request)
    if allowed is None:
        raise Http404
    if not allowed:
        response = HttpResponse("a bearer token is required\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE)


def sign_in_failed(**kwargs: object) -> None:
    """Django's user_login_failed: every door signs in through authenticate()."""
    SIGN_IN_FAILURES.inc()


def sign_in_locked_out(**kwargs: object) -> None:
    """django-axes' user_locked_out."""
    SIGN_IN_LOCKOUTS.inc()


def metrics_signals_connect() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_login_failed

    user_login_failed.connect(sign_in_failed, dispatch_uid="gddt_metrics_sign_in_failed")
    user_locked_out.connect(sign_in_locked_out, dispatch_uid="gddt_metrics_sign_in_locked_out")
