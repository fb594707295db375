"""HTTP load with httpx, always bounded: a fixed number of requests AND a deadline, whichever comes first.

`concurrent_run` keeps C requests in flight (asyncio, one connection per client) and measures throughput;
`sequential_run` sends one request at a time from one keep-alive client and measures latency."""

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class LoadResult:
    label: str
    planned: int
    done: int = 0
    elapsed: float = 0.0  # wall time from the first request sent to the last answer received
    latencies: list[float] = field(default_factory=list)  # seconds, every answered request
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)  # "status: body" of unexpected answers, and exceptions
    hit_deadline: bool = False
    capped: bool = False  # a sequential probe that used up its own time budget and was sent no more

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def unexpected(self) -> int:
        return len(self.failures)

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "planned": self.planned,
            "done": self.done,
            "seconds": round(self.elapsed, 3),
            "per_second": round(self.rate, 2),
            "hit_deadline": self.hit_deadline,
            "capped": self.capped,
            "p50_ms": round(percentile(self.latencies, 50) * 1000, 2),
            "p99_ms": round(percentile(self.latencies, 99) * 1000, 2),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "unexpected": self.unexpected,
            "failures_sample": self.failures[:10],
        }


Send = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


async def _concurrent(
    base_url: str,
    send: Send,
    *,
    label: str,
    count: int,
    concurrency: int,
    max_seconds: float,
    expect: int,
    timeout: float,
) -> LoadResult:
    result = LoadResult(label=label, planned=count)
    next_index = iter(range(count))
    started = time.perf_counter()
    deadline = started + max_seconds
    last_answer = started

    async def client_loop() -> None:
        nonlocal last_answer
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits) as client:
            for index in next_index:  # one shared iterator: each index is sent exactly once
                if time.perf_counter() > deadline:
                    result.hit_deadline = True
                    return
                t0 = time.perf_counter()
                try:
                    response = await send(client, index)
                except httpx.HTTPError as error:
                    result.failures.append(f"{type(error).__name__}: {error}"[:300])
                    result.statuses["error"] += 1
                    continue
                t1 = time.perf_counter()
                last_answer = max(last_answer, t1)
                result.latencies.append(t1 - t0)
                result.statuses[response.status_code] += 1
                result.done += 1
                if response.status_code != expect:
                    result.failures.append(f"{response.status_code}: {response.text[:300]}")

    await asyncio.gather(*(client_loop() for _ in range(concurrency)))
    result.elapsed = last_answer - started
    return result


def concurrent_run(
    base_url: str,
    send: Send,
    *,
    label: str,
    count: int,
    concurrency: int,
    max_seconds: float,
    expect: int = 200,
    timeout: float = 60.0,
) -> LoadResult:
    """Sends `count` requests (fewer if `max_seconds` passes first) with `concurrency` clients in flight."""
    return asyncio.run(
        _concurrent(
            base_url,
            send,
            label=label,
            count=count,
            concurrency=concurrency,
            max_seconds=max_seconds,
            expect=expect,
            timeout=timeout,
        )
    )


@dataclass
class Probe:
    """One kind of request in a sequential latency run: `check` says whether an answer is right."""

    label: str
    path: Callable[[int], str]
    check: Callable[[int, httpx.Response], bool]
    result: LoadResult = field(init=False)

    def __post_init__(self) -> None:
        self.result = LoadResult(label=self.label, planned=0)


def sequential_run(
    base_url: str,
    probes: list[Probe],
    *,
    rounds: int,
    warmup: int,
    max_seconds: float,
    probe_budget: float,
    headers: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> list[Probe]:
    """One client, one request at a time, the probes interleaved (round r sends probe 1, 2, ... each once), so
    that the machine's drift during the run touches every kind alike. The first `warmup` rounds are not counted and
    use the indexes rounds .. rounds+warmup-1, so the measured references are not already cached by the warm-up.
    A probe that has spent `probe_budget` seconds (warm-up included) is sent no more (`capped`): one very slow kind
    must not stop the others from being measured; everything stops at `max_seconds`."""
    for probe in probes:
        probe.result.planned = rounds
    spent = {probe.label: 0.0 for probe in probes}
    deadline = time.perf_counter() + max_seconds
    with httpx.Client(base_url=base_url, timeout=timeout, headers=headers or {}) as client:
        for round_no in range(-warmup, rounds):
            if time.perf_counter() > deadline:
                for probe in probes:
                    probe.result.hit_deadline = probe.result.done < rounds
                break
            for probe in probes:
                result = probe.result
                if spent[probe.label] > probe_budget:
                    result.capped = True
                    continue
                index = rounds + warmup + round_no if round_no < 0 else round_no  # warm-up: other references
                t0 = time.perf_counter()
                try:
                    response = client.get(probe.path(index))
                except httpx.HTTPError as error:
                    spent[probe.label] += time.perf_counter() - t0
                    if round_no >= 0:
                        result.failures.append(f"{type(error).__name__}: {error}"[:300])
                        result.statuses["error"] += 1
                    continue
                elapsed = time.perf_counter() - t0
                spent[probe.label] += elapsed
                if round_no < 0:
                    continue
                result.latencies.append(elapsed)
                result.elapsed += elapsed
                result.done += 1
                result.statuses[response.status_code] += 1
                if not probe.check(index, response):
                    result.failures.append(f"{response.status_code}: {response.text[:300]}")
    return probes
