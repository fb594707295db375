"""Section "nodes": JSON registrations per second with one web node, then with two web nodes sharing one PostgreSQL
database, each against GET /api/v1/health on the same node(s) in the same run (product.md, Scale).

Both nodes are `gddt serve --no-worker` with data dirs of their own on one database, as in the multi-node test; no
worker runs, so that message delivery takes no CPU from the load (the outbox simply fills). On one machine the two
nodes share its cores: the figure says what a second node costs or brings on the database, not what a second
machine would bring. Needs PostgreSQL: `--database-url` (a database whose name contains "bench")."""

import contextlib
from dataclasses import dataclass

import httpx
from load import LoadResult, concurrent_run
from server import Server

from gddt_testing.factories import adult_data

HEALTH = "/api/v1/health"
REGISTRATIONS = "/api/v1/registrations"
SHARED_KEY = "bench-nodes-shared-secret-key-0123456789-abcdefghijklmnop"


@dataclass(frozen=True)
class Plan:
    concurrency: int = 8
    health: int = 1500
    json: int = 600
    max_seconds: float = 90.0


QUICK = Plan(health=300, json=120, max_seconds=30.0)


class WebNode(Server):
    """`gddt serve --no-worker --no-init` on a data dir of its own; the database is shared."""

    serve_options = ("--no-init", "--no-worker")

    @property
    def env(self) -> dict[str, str]:
        env = super().env
        env.update(
            GDDT_SECRET_KEY=SHARED_KEY,
            GDDT_REGISTRATIONS_PER_ADDRESS_PER_HOUR="1000000",
            GDDT_SMS_PER_PHONE_PER_DAY="1000000",
        )
        return env

    def cleanup(self) -> None:  # the database is the section's, dropped once at its end
        database_url, self.database_url = self.database_url, None
        super().cleanup()
        self.database_url = database_url


def _health_on(bases: list[str]):
    async def send(client: httpx.AsyncClient, index: int) -> httpx.Response:
        return await client.get(f"{bases[index % len(bases)]}{HEALTH}")

    return send


def _registrations_on(bases: list[str], payloads: list[dict]):
    async def send(client: httpx.AsyncClient, index: int) -> httpx.Response:
        return await client.post(f"{bases[index % len(bases)]}{REGISTRATIONS}", json=payloads[index])

    return send


def _measure(bases: list[str], plan: Plan, payloads: list[dict], label: str, log) -> dict:
    c = plan.concurrency
    concurrent_run(
        bases[0], _health_on(bases), label="warm-up", count=10 * c, concurrency=c, max_seconds=plan.max_seconds
    )
    log(f"{label}: health x{plan.health}, {c} clients")
    health = concurrent_run(
        bases[0],
        _health_on(bases),
        label=f"{label} health",
        count=plan.health,
        concurrency=c,
        max_seconds=plan.max_seconds,
    )
    log(f"{label}: JSON registrations x{len(payloads)}, {c} clients")
    regs = concurrent_run(
        bases[0],
        _registrations_on(bases, payloads),
        label=f"{label} registrations",
        count=len(payloads),
        concurrency=c,
        max_seconds=plan.max_seconds,
        expect=201,
    )
    return {
        "health": health.as_dict(),
        "registrations": regs.as_dict(),
        "ratio": round(regs.rate / health.rate, 4) if health.rate else None,
        "_results": (health, regs),
    }


def run(plan: Plan, *, database_url: str | None, workers: int | None, keep: bool, log) -> dict:
    if not database_url:
        return {"skipped": "needs PostgreSQL: run with --database-url postgres://.../gddt_bench"}
    log("preparing payloads (before any timing)")
    one_payloads = [adult_data() for _ in range(plan.json)]
    two_payloads = [adult_data() for _ in range(plan.json)]
    out: dict = {"plan": plan.__dict__, "failures": []}
    with (
        WebNode(label="node-a", database_url=database_url, workers=workers, keep=keep) as a,
        WebNode(label="node-b", database_url=database_url, workers=workers, keep=keep) as b,
    ):
        log("gddt init (the shared database)")
        out["init_seconds"] = round(a.init(), 2)
        a.start()
        out["one_node"] = _measure([a.base_url], plan, one_payloads, "one node", log)
        b.start()
        out["two_nodes"] = _measure([a.base_url, b.base_url], plan, two_payloads, "two nodes", log)
        results: list[LoadResult] = [*out["one_node"].pop("_results"), *out["two_nodes"].pop("_results")]
        for result in results:
            out["failures"] += [f"{result.label}: {failure}" for failure in result.failures[:5]]
        one, two = out["one_node"]["registrations"]["per_second"], out["two_nodes"]["registrations"]["per_second"]
        out["two_over_one"] = round(two / one, 3) if one else None
        out["stops"] = {"node-a": a.stop(), "node-b": b.stop()}
    with contextlib.suppress(Exception):
        from server import postgres_recreate

        postgres_recreate(database_url, create=False)
    out["failures"] += [f"{name} did not stop cleanly" for name, stop in out["stops"].items() if not stop["clean"]]
    return out


def table_rows(out: dict) -> list[list[str]]:
    rows = []
    for key, label in (("one_node", "one web node"), ("two_nodes", "two web nodes, one database")):
        entry = out.get(key)
        if not entry:
            continue
        health, regs = entry["health"], entry["registrations"]
        rows.append(
            [
                label,
                f"{health['per_second']:.0f}",
                f"{regs['per_second']:.1f}",
                f"{regs['p99_ms']:.0f}",
                f"{entry['ratio']:.3f}" if entry["ratio"] else "-",
            ]
        )
    return rows
