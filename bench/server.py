"""The real service under test: `gddt init` then `gddt serve` (gunicorn processes + a task worker) on a free
loopback port, with its own fresh data directory (and, optionally, its own fresh PostgreSQL database).

Django code that must read or write that database directly (the bulk generator, officer creation, counts,
query plans) runs as a separate process with the same environment (`django_script`), so that the bench
process itself never binds to one database."""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

BENCH_DIR = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


class BenchError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_recreate(database_url: str, *, create: bool = True) -> None:
    """Drops (and creates again) the database named in the URL: only one whose name says it is a bench database."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if "bench" not in name or not name.replace("_", "").isalnum():
        raise BenchError(f"refusing to recreate database {name!r}: its name must contain 'bench'")
    admin_url = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


class Server:
    """One instance of the service. Use as a context manager around `start()` so that it always stops."""

    def __init__(self, *, label: str, database_url: str | None = None, workers: int | None = None, keep: bool = False):
        self.label = label
        self.database_url = database_url
        self.workers = workers
        self.keep = keep
        self.data_dir = Path(tempfile.mkdtemp(prefix=f"gddt-bench-{label}-"))
        self.log_path = self.data_dir / "serve.log"
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.stop_report: dict | None = None

    @property
    def env(self) -> dict[str, str]:
        env = {**os.environ, "GDDT_DATA_DIR": str(self.data_dir), "DJANGO_SETTINGS_MODULE": "gddt.settings"}
        env.pop("DATABASE_URL", None)  # the embedded SQLite unless a database is given to the bench
        # Every client of the bench is 127.0.0.1: the per-address limit would stop the load after 120 registrations.
        # It still runs (its statement is part of every registration), with a ceiling the bench never reaches.
        env["GDDT_REGISTRATIONS_PER_ADDRESS_PER_HOUR"] = str(10**9)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    serve_options: tuple[str, ...] = ("--no-init",)  # the database is made by init() before

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sms_file(self) -> Path:
        return self.data_dir / "sms.jsonl"

    def init(self) -> float:
        """A fresh database, migrated, with the reference data. Returns the seconds it took."""
        started = time.perf_counter()
        if self.database_url:
            postgres_recreate(self.database_url)
        self._run([str(BIN / "gddt"), "init"], timeout=600)
        return time.perf_counter() - started

    def django_script(self, script: str, *args: str, timeout: float = 3600, live: bool = False) -> dict:
        """Runs bench/<script> against this server's database; its last stdout line is a JSON object. With
        `live`, its stderr (progress lines) goes straight to ours."""
        out = self._run([sys.executable, str(BENCH_DIR / script), *args], timeout=timeout, live=live)
        lines = [line for line in out.splitlines() if line.strip()]
        if not lines:
            raise BenchError(f"{script} printed nothing")
        return json.loads(lines[-1])

    def _run(self, argv: list[str], *, timeout: float, live: bool = False) -> str:
        name = " ".join(Path(a).name for a in argv[:3])
        try:
            done = subprocess.run(
                argv,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=None if live else subprocess.PIPE,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise BenchError(f"{name} did not finish within {timeout:.0f} s") from error
        if done.returncode != 0:
            raise BenchError(f"{name} failed with exit code {done.returncode}:\n{(done.stderr or '')[-3000:]}")
        return done.stdout

    def start(self, *, timeout: float = 90) -> float:
        """Starts `gddt serve` and waits for GET /api/v1/health. Returns the seconds until healthy."""
        self.port = free_port()
        argv = [str(BIN / "gddt"), "serve", *self.serve_options, "--host", "127.0.0.1", "--port", str(self.port)]
        if self.workers:
            argv += ["--workers", str(self.workers)]
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child, closed in stop()
        # A session of its own: the serve process and its children form one group that we can check for leftovers.
        self.process = subprocess.Popen(
            argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self._log = log
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise BenchError(
                    f"gddt serve exited with {self.process.returncode} before it was healthy:\n{self.log_tail()}"
                )
            try:
                if httpx.get(f"{self.base_url}/api/v1/health", timeout=2).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise BenchError(f"gddt serve was not healthy within {timeout:.0f} s:\n{self.log_tail()}")

    def settle(self, *, idle: float = 2.0) -> dict:
        """Before a timed phase: a checkpoint of the database, the page cache written to disk, then a short idle, so
        that the phase does not pay for the writes of the one before it (a bulk load leaves hundreds of MB)."""
        started = time.perf_counter()
        checkpoint = self.django_script("djtool.py", "settle", timeout=600)
        os.sync()
        time.sleep(idle)
        return {**checkpoint, "seconds": round(time.perf_counter() - started, 2)}

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, *, timeout: float = 45) -> dict:
        """SIGTERM to `gddt serve`; a clean stop is exit code 0 within the timeout and no process left behind."""
        if self.process is None:
            return {"exit_code": None, "seconds": 0.0, "clean": False, "leftovers": False}
        if self.stop_report is not None:
            return self.stop_report
        pgid = self.process.pid  # the session leader: its pid is the group id
        started = time.perf_counter()
        exit_code: int | None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            exit_code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            exit_code = None
        seconds = time.perf_counter() - started
        leftovers = _group_alive(pgid, wait=5.0)
        if exit_code is None or leftovers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)  # only the group this bench started
            self.process.wait(timeout=10)
        self._log.close()
        self.stop_report = {
            "exit_code": exit_code,
            "seconds": round(seconds, 2),
            "clean": exit_code == 0 and not leftovers,
            "leftovers": leftovers,
        }
        return self.stop_report

    def cleanup(self) -> None:
        if self.keep:
            return
        shutil.rmtree(self.data_dir, ignore_errors=True)
        if self.database_url:
            with contextlib.suppress(Exception):  # best effort: the next run drops it anyway
                postgres_recreate(self.database_url, create=False)

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.stop_report is None:
            self.stop()
        self.cleanup()


def _group_alive(pgid: int, *, wait: float) -> bool:
    deadline = time.monotonic() + wait
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        if time.monotonic() > deadline:
            return True
        time.sleep(0.1)
