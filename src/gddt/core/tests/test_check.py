"""`gddt check` as an operator runs it on a node: each problem named, exit 1 if any."""

import os
import subprocess
import sys
from pathlib import Path

from gddt_testing.processes import free_port


def check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GDDT_") and k != "DATABASE_URL"}
    clean.update(GDDT_DATA_DIR=str(tmp_path / "data"), **env)
    return subprocess.run(
        [sys.executable, "-m", "gddt.cli", "check"], env=clean, capture_output=True, text=True, timeout=120
    )


def test_a_new_node_is_told_to_run_init_then_passes(tmp_path):
    done = check(tmp_path)
    assert done.returncode == 1
    assert "PROBLEM  migrations:" in done.stderr and "run `gddt init`" in done.stderr
    assert "ok       database: sqlite reachable" in done.stdout
    subprocess.run(
        [sys.executable, "-m", "gddt.cli", "init"],
        check=True,
        capture_output=True,
        timeout=300,
        env={**{k: v for k, v in os.environ.items() if k != "DATABASE_URL"}, "GDDT_DATA_DIR": str(tmp_path / "data")},
    )
    done = check(tmp_path)
    assert done.returncode == 0, done.stderr
    for line in (
        "ok       migrations: all applied",
        "ok       storage: FileSystemStorage: wrote, read and deleted",
        "ok       SMS provider: file",
    ):
        assert line in done.stdout
    assert list((tmp_path / "data" / "private").rglob("*")) == []  # the probe removed itself


def test_each_problem_is_named(tmp_path):
    done = check(
        tmp_path,
        DATABASE_URL=f"postgres://gddt@127.0.0.1:{free_port()}/gddt",
        GDDT_SMS_BACKEND="console",
        GDDT_SMS_FALLBACK="http",
        GDDT_SMS_HTTP_URL="http://sms.example.vn/send",
    )
    assert done.returncode == 1
    problems = [line for line in done.stderr.splitlines() if line.startswith("PROBLEM")]
    assert any(line.startswith("PROBLEM  database: cannot reach the postgresql database") for line in problems)
    assert any("console: every text, initial passwords included" in line for line in problems)
    assert any("plain http to another machine" in line for line in problems)
    for key in ("GDDT_SECRET_KEY", "GDDT_DATA_KEY", "GDDT_OIDC_PRIVATE_KEY"):  # each node would make its own
        assert any(line.startswith(f"PROBLEM  several nodes: {key} is generated") for line in problems), key
    assert "problems found" in done.stderr
