"""Message delivery: messages/s that `gddt worker` delivers to a local HTTP gateway (GDDT_SMS_BACKEND=http), with
one and with two workers, against the gateway's own ceiling measured in the same run: a plain httpx client posting
the same kind of bodies to it, one at a time over one kept-alive connection, as a worker does.

The gateway (testing/gddt_testing/sms_gateway.py) runs in a process of its own, so that neither the ceiling client
nor the bench shares its interpreter. Each worker run starts from a fresh database filled with pending messages and
warm workers, then alternates rounds of the plain client and of the workers (paused with SIGSTOP in between), so
that the load of a busy machine weighs on both sides of the ratio alike.

    .venv/bin/python bench/sms.py                     # the section alone (bench/run.py --sections sms does the same)
    bench/sms.py stub                                 # (internal) serve the gateway, print its URL
    bench/sms.py fill N                               # (internal) N pending messages, in the database of the env
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(1, str(BENCH_DIR.parent / "testing"))

from server import BIN, BenchError, Server  # noqa: E402

GOAL_ONE_WORKER = 0.5


@dataclass(frozen=True)
class Plan:
    messages: int = 6000  # more than the rounds deliver: the queue never runs dry while measured
    rounds: int = 10
    round_size: int = 400
    warm_up: int = 100
    cap_seconds: float = 120.0


QUICK = Plan(messages=2500, rounds=4, round_size=400)


def _stub_serve() -> None:
    from gddt_testing.sms_gateway import GatewayStub

    with GatewayStub() as gateway:
        print(gateway.url, flush=True)
        sys.stdin.read()  # until the bench closes our stdin


def _fill(count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gddt.settings")
    import django

    django.setup()
    from django.utils import timezone

    from gddt.notifications.models import SmsMessage

    now = timezone.now()
    text = "BHXH VN: Da nhan ho so DK GDDT so 26-0001234-5 (ma so BHXH 0123456789). Mang giay to toi co quan BHXH."
    for start in range(0, count, 2000):
        SmsMessage.objects.bulk_create(
            SmsMessage(
                to=f"0912{index % 10**6:06d}", text=text, template="submitted", created_at=now, next_attempt_at=now
            )
            for index in range(start, min(count, start + 2000))
        )
    print(json.dumps({"filled": count}))


class Gateway:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "stub"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http://"):
            raise BenchError("the gateway stub did not start")
        self.stats_url = self.url

    def counts(self, client: httpx.Client) -> dict[str, int]:
        return client.get(self.stats_url).json()

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=10)


def _bodies(count: int) -> list[bytes]:
    return [
        json.dumps(
            {"to": f"+84912{i % 10**6:06d}", "text": "BHXH VN: " + "x" * 100, "reference": str(uuid.uuid4())}
        ).encode()
        for i in range(count)
    ]


def ceiling_burst(client: httpx.Client, gateway: Gateway, posts: int) -> float:
    """Seconds that one plain httpx client takes to post `posts` fresh messages one at a time."""
    bodies = _bodies(posts)
    started = time.perf_counter()
    for body in bodies:
        if client.post(gateway.url, content=body).status_code != 200:
            raise BenchError("the gateway refused a ceiling post")
    return time.perf_counter() - started


def workers_run(gateway: Gateway, *, workers: int, plan: Plan, database_url: str | None, log) -> dict:
    """A fresh database with `plan.messages` pending messages and `workers` warm workers, then rounds that alternate
    a ceiling burst of the plain client with the workers delivering as many messages (the others paused with
    SIGSTOP), so that a busy machine's drift falls on both sides of the ratio alike."""
    with Server(label=f"sms{workers}", database_url=database_url) as server:
        server.init()
        server.django_script("sms.py", "fill", str(plan.messages))
        env = {
            **server.env,
            "GDDT_SMS_BACKEND": "http",
            "GDDT_SMS_HTTP_URL": gateway.url,
            "GDDT_SCHEDULER_SECONDS": "3600",
            "GDDT_LOG_LEVEL": "WARNING",
        }
        log(f"sms: {workers} worker(s) against the plain client, {plan.rounds} alternating rounds")
        processes = [
            subprocess.Popen(
                [str(BIN / "gddt"), "worker", "--no-scheduler"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        stats = httpx.Client(timeout=10)
        poster = httpx.Client(headers={"Content-Type": "application/json"}, timeout=10)

        def accepted() -> int:
            return gateway.counts(stats)["accepted"]

        def pause(signal_number: int) -> None:
            for process in processes:
                process.send_signal(signal_number)

        try:
            before = accepted()
            started = time.perf_counter()
            while accepted() - before < plan.warm_up:  # every worker started and delivering
                if time.perf_counter() - started > plan.cap_seconds:
                    raise BenchError(f"{workers} worker(s) delivered nothing in {plan.cap_seconds:.0f} s")
                time.sleep(0.01)
            pause(signal.SIGSTOP)
            ceiling_burst(poster, gateway, 100)  # the client's warm-up
            client_seconds = worker_seconds = 0.0
            delivered = 0
            for _ in range(plan.rounds):
                client_seconds += ceiling_burst(poster, gateway, plan.round_size)
                target = accepted() + plan.round_size
                pause(signal.SIGCONT)
                round_started = time.perf_counter()
                while (done := accepted()) < target and time.perf_counter() - round_started < plan.cap_seconds:
                    time.sleep(0.002)
                worker_seconds += time.perf_counter() - round_started
                pause(signal.SIGSTOP)
                delivered += done - (target - plan.round_size)
            pause(signal.SIGCONT)
        finally:
            for process in processes:
                process.send_signal(signal.SIGCONT)
                process.terminate()
            for process in processes:
                process.wait(timeout=60)
            stats.close()
            poster.close()
        left = json.loads(
            subprocess.run(
                [str(BIN / "gddt"), "sms", "status", "--json"], env=env, check=True, capture_output=True, text=True
            ).stdout
        )
    ceiling_rate = plan.rounds * plan.round_size / client_seconds
    rate = delivered / worker_seconds
    return {
        "workers": workers,
        "delivered": delivered,
        "per_second": rate,
        "ceiling_per_second": ceiling_rate,
        "ratio": rate / ceiling_rate,
        "queue_left": left["queue_depth"],
        "dead": left["dead_letters"],
    }


def run(plan: Plan, *, database_url: str | None = None, log=lambda message: None, **_: object) -> dict:
    gateway = Gateway()
    try:
        one = workers_run(gateway, workers=1, plan=plan, database_url=database_url, log=log)
        two = workers_run(gateway, workers=2, plan=plan, database_url=database_url, log=log)
    finally:
        gateway.close()
    failures = [f"{run['workers']} worker(s): {run['dead']} dead letters" for run in (one, two) if run["dead"]]
    return {
        "one": one,
        "two": two,
        "ratio_one": one["ratio"],
        "ratio_two": two["ratio"],
        "goal_one": GOAL_ONE_WORKER,
        "met": one["ratio"] >= GOAL_ONE_WORKER,
        "failures": failures,
    }


def table_rows(out: dict) -> list[list[str]]:
    one, two = out["one"], out["two"]
    return [
        [
            "1 worker",
            f"{one['per_second']:,.0f}",
            f"{one['ceiling_per_second']:,.0f}",
            f"{one['ratio']:.2f}",
            f">= {out['goal_one']}",
            "met" if out["met"] else "NOT MET",
        ],
        ["2 workers", f"{two['per_second']:,.0f}", f"{two['ceiling_per_second']:,.0f}", f"{two['ratio']:.2f}", "", ""],
    ]


if __name__ == "__main__":
    if sys.argv[1:2] == ["stub"]:
        _stub_serve()
    elif sys.argv[1:2] == ["fill"]:
        _fill(int(sys.argv[2]))
    else:
        result = run(
            QUICK if "--quick" in sys.argv else Plan(), log=lambda message: sys.stderr.write(f"  .. {message}\n")
        )
        for row in table_rows(result):
            print("  ".join(row))
        print(json.dumps(result, default=str))
