"""Delivery under faults, end to end: real dossiers registered through the API of a real `gddt serve --no-worker`,
real `gddt worker` processes, and a local HTTP gateway (testing/gddt_testing/sms_gateway.py) that fails as each test
says. Every test ends where a citizen's trust is: per dossier, exactly one receipt (the SMS with its number) accepted
by the gateway, none lost. CI runs this module three times (`-m sms_faults`, scripts/test.sh)."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from django.db import connection

from gddt_testing.factories import adult_data
from gddt_testing.processes import free_port, is_healthy
from gddt_testing.processes import wait_for as waited
from gddt_testing.sms_gateway import Answer, GatewayStub, Post

# The database mark makes pytest-django create the test database when these tests run alone (`-m sms_faults`): the
# site fixture asks for it only at run time, too late for the session's set-up to see it.
pytestmark = [pytest.mark.sms_faults, pytest.mark.django_db(transaction=True)]

GDDT = [sys.executable, "-m", "gddt.cli"]


def wait_for(predicate: Callable[[], bool], seconds: float, what: str) -> None:
    if not waited(predicate, seconds, interval=0.1):
        raise AssertionError(f"waited {seconds:.0f} s for {what}")


def base_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(GDDT_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="gddt.settings", GDDT_LOG_LEVEL="WARNING")
    return env


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite database with the reference data per test process; each test works on a copy."""
    data_dir = tmp_path_factory.mktemp("gddt-faults-template")
    subprocess.run([*GDDT, "init"], env=base_env(data_dir), check=True, capture_output=True, timeout=300)
    return data_dir / "gddt.sqlite3"


class Site:
    """The service under test: its database, `gddt serve --no-worker`, workers started and killed at will."""

    def __init__(self, *, data_dir: Path, database_url: str | None, gateway: GatewayStub):
        self.data_dir = data_dir
        self.database_url = database_url
        self.gateway = gateway
        self.processes: list[subprocess.Popen] = []
        self.env = base_env(data_dir)
        self.env.update(
            GDDT_SMS_BACKEND="http",
            GDDT_SMS_HTTP_URL=gateway.url,
            GDDT_SMS_HTTP_AUTH="Bearer test",
            GDDT_SMS_HTTP_CONNECT_TIMEOUT="1",
            GDDT_SMS_HTTP_READ_TIMEOUT="0.5",
            GDDT_SMS_RETRY_SECONDS="0.2",
            GDDT_SMS_MAX_ATTEMPTS="6",
            GDDT_SMS_LEASE_SECONDS="2",
            GDDT_SMS_POLL_SECONDS="0.1",
            GDDT_SMS_BATCH="10",
            GDDT_SCHEDULER_SECONDS="3600",
            GDDT_REGISTRATIONS_PER_ADDRESS_PER_HOUR="100000",
            GDDT_SMS_PER_PHONE_PER_DAY="100000",
        )
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def serve(self) -> None:
        web = subprocess.Popen(
            [
                *GDDT,
                "serve",
                "--no-worker",
                "--no-init",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                "1",
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes.append(web)
        wait_for(lambda: is_healthy(self.base), 90, "the web server")

    def worker(self) -> subprocess.Popen:
        process = subprocess.Popen(
            [*GDDT, "worker", "--no-scheduler"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.processes.append(process)
        return process

    def register(self, count: int, *, phone: Callable[[int], str] | None = None) -> list[str]:
        """Registers `count` adults through the JSON API; answers their dossier numbers."""
        numbers = []
        with httpx.Client(base_url=self.base, timeout=30) as client:
            for index in range(count):
                data = adult_data(phone=phone(index) if phone else f"0912{random.randrange(10**6):06d}")
                response = client.post("/api/v1/registrations", json=data)
                assert response.status_code == 201, response.text
                numbers.append(response.json()["dossier_no"])
        return numbers

    def gddt(self, *args: str) -> str:
        done = subprocess.run([*GDDT, *args], env=self.env, capture_output=True, text=True, timeout=120, check=True)
        return done.stdout

    def outbox(self) -> Counter[str]:
        """Messages by status, read from the database the way an operator's SQL would."""
        query = "SELECT status, COUNT(*) FROM notifications_smsmessage GROUP BY status"
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url) as conn:
                return Counter(dict(conn.execute(query).fetchall()))
        with sqlite3.connect(self.data_dir / "gddt.sqlite3", timeout=30) as conn:
            return Counter(dict(conn.execute(query).fetchall()))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def receipts_per_dossier(gateway: GatewayStub, numbers: list[str]) -> Counter[str]:
    """How many accepted messages carry each dossier number (the receipt SMS is the only one that does)."""
    texts = gateway.accepted_texts()
    return Counter({number: sum(number in text for text in texts) for number in numbers})


def assert_one_receipt_each(gateway: GatewayStub, numbers: list[str]) -> None:
    per_dossier = receipts_per_dossier(gateway, numbers)
    assert set(per_dossier.values()) == {1}, {n: c for n, c in per_dossier.items() if c != 1}
    assert len(gateway.accepted) == len(numbers)


@pytest.fixture
def site(request, tmp_path):
    """A fresh database (a copy of the template on SQLite; the test database on PostgreSQL) and a gateway whose
    behaviour the test sets with `gateway.behaviour = ...`."""
    if connection.vendor == "postgresql":
        request.getfixturevalue("transactional_db")
        db = connection.settings_dict
        database_url = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        import shutil

        shutil.copy(request.getfixturevalue("sqlite_template"), tmp_path / "gddt.sqlite3")
        database_url = None
    with GatewayStub() as gateway:
        running = Site(data_dir=tmp_path, database_url=database_url, gateway=gateway)
        try:
            running.serve()
            yield running
        finally:
            running.stop()


def test_a_gateway_that_answers_500_at_first_gets_each_receipt_once(site):
    site.gateway.behaviour = lambda post: Answer(500) if post.attempt <= 2 else None
    numbers = site.register(6)
    site.worker()
    wait_for(lambda: len(site.gateway.accepted) == 6, 60, "six receipts")
    assert_one_receipt_each(site.gateway, numbers)
    assert site.gateway.total_sends() == 18  # two refusals, then the acceptance
    wait_for(lambda: site.outbox() == Counter(sent=6), 30, "the outbox to record them")


def test_a_429_with_retry_after_is_waited_out(site):
    first_posts: dict[str, float] = {}
    retries: dict[str, float] = {}

    def limited(post: Post) -> Answer | None:
        if post.attempt == 1:
            first_posts[post.reference] = time.monotonic()
            return Answer(429, {"Retry-After": "1"})
        retries.setdefault(post.reference, time.monotonic())
        return None

    site.gateway.behaviour = limited
    numbers = site.register(4)
    site.worker()
    wait_for(lambda: len(site.gateway.accepted) == 4, 60, "four receipts")
    assert_one_receipt_each(site.gateway, numbers)
    assert all(retries[ref] - first_posts[ref] >= 1.0 for ref in retries), "a retry came before Retry-After"


def test_a_gateway_that_times_out_after_taking_the_message_still_shows_it_once(site):
    # The gateway takes each message but answers after the worker's read timeout: the worker tries again with the
    # same reference, and the gateway drops the repeat.
    site.gateway.behaviour = lambda post: Answer(delay=1.0) if post.attempt == 1 else None
    numbers = site.register(4)
    site.worker()
    wait_for(lambda: site.outbox() == Counter(sent=4), 60, "four messages recorded as sent")
    assert_one_receipt_each(site.gateway, numbers)
    assert all(sends >= 2 for sends in site.gateway.sends.values())


def test_a_number_the_gateway_refuses_is_a_dead_letter_until_retried(site):
    refused = "+84912000003"
    site.gateway.behaviour = lambda post: Answer(400) if post.to == refused else None
    numbers = site.register(4, phone=lambda index: f"091200000{index}")
    site.worker()
    wait_for(lambda: site.outbox() == Counter(sent=3, dead=1), 60, "three sent and one dead letter")
    assert sorted(receipts_per_dossier(site.gateway, numbers).values()) == [0, 1, 1, 1]
    dead = site.gddt("sms", "dead")
    assert "091****003" in dead and "HTTP 400" in dead and "0912000003" not in dead
    site.gateway.behaviour = None  # the operator had the gateway fix the number's routing
    assert "1 message(s) back in the queue" in site.gddt("sms", "retry", "--all")
    wait_for(lambda: len(site.gateway.accepted) == 4, 60, "the retried receipt")
    assert_one_receipt_each(site.gateway, numbers)


def test_workers_killed_twenty_times_mid_delivery_lose_and_double_nothing(site):
    # A gateway that takes a little time per message, and two lanes per worker, so that a batch is in flight long
    # enough to be cut. Each round registers six dossiers while a new worker starts, waits until that worker is
    # sending, and kills it with SIGKILL at a random moment of its batch.
    site.gateway.behaviour = lambda post: Answer(delay=0.05)
    site.env["GDDT_SMS_CONCURRENCY"] = "2"
    numbers: list[str] = []
    rng = random.Random()
    cut_mid_delivery = 0
    for _ in range(20):
        sends_before = site.gateway.total_sends()
        worker = site.worker()
        numbers.extend(site.register(6))
        deadline = time.monotonic() + 120
        while site.gateway.total_sends() == sends_before and time.monotonic() < deadline:
            time.sleep(0.01)
        cut_mid_delivery += site.gateway.total_sends() > sends_before
        time.sleep(rng.uniform(0, 0.2))
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    assert len(numbers) == 120
    assert cut_mid_delivery == 20, f"only {cut_mid_delivery} of the 20 workers were killed while sending"
    site.worker()
    wait_for(
        lambda: len(site.gateway.accepted) >= len(numbers) and site.outbox() == Counter(sent=len(numbers)),
        180,
        "every receipt after the last kill",
    )
    assert_one_receipt_each(site.gateway, numbers)


def test_two_workers_at_once_never_send_the_same_message(site):
    site.gateway.behaviour = lambda post: Answer(delay=0.005)
    numbers = site.register(100)
    site.worker()
    site.worker()
    wait_for(lambda: site.outbox() == Counter(sent=100), 120, "a hundred messages recorded as sent")
    assert_one_receipt_each(site.gateway, numbers)
    assert site.gateway.total_sends() == 100  # counted at the gateway: not one POST twice


@pytest.mark.postgres_only
def test_a_worker_whose_database_connections_are_terminated_mid_batch_carries_on(site):
    import psycopg

    site.gateway.behaviour = lambda post: Answer(delay=0.02)
    numbers = site.register(60)
    worker = site.worker()
    terminated = 0
    connection.ensure_connection()  # this test's own connection (it flushes the tables afterwards) is spared
    own = connection.connection.info.backend_pid
    with psycopg.connect(site.database_url, autocommit=True) as conn:
        wait_for(lambda: len(site.gateway.accepted) >= 5, 60, "the first receipts")
        for _ in range(5):
            terminated += conn.execute(
                "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> %s "
                "AND backend_type = 'client backend'",
                [own],
            ).fetchone()[0]
            time.sleep(0.3)
    assert terminated > 0
    wait_for(lambda: site.outbox() == Counter(sent=60), 120, "every message recorded as sent")
    assert_one_receipt_each(site.gateway, numbers)
    assert worker.poll() is None, "the worker died with its connections"
