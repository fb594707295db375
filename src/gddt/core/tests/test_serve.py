"""`gddt serve` as an operator runs it: a real multi-process server and a task worker, stopped by SIGTERM."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from gddt_testing.factories import adult_data
from gddt_testing.processes import free_port, is_healthy, wait_for


def gddt(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "gddt.cli", *args], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout


def test_serve_answers_delivers_the_sms_and_stops_cleanly_on_sigterm(tmp_path: Path):
    """A whole flow against the real server, whose standard output is then read as an operator's log collector
    would: one JSON object a line, and no personal ID, phone, password, token or query string in any."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR"}}
    env.update(GDDT_DATA_DIR=str(tmp_path / "data"), GDDT_SCHEDULER_SECONDS="3600", GDDT_METRICS_TOKEN="metrics-tok")
    server = subprocess.Popen(
        [sys.executable, "-m", "gddt.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=(tmp_path / "stderr").open("w"),
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    secrets_seen: list[str] = []
    try:
        assert wait_for(lambda: is_healthy(base), 120), "the server did not come up"
        data = adult_data()
        response = httpx.post(
            f"{base}/api/v1/registrations", json=data, timeout=20, headers={"Idempotency-Key": "flow-key-1"}
        )
        assert response.status_code == 201, response.text
        number = response.json()["dossier_no"]
        status = httpx.get(f"{base}/api/v1/registrations/{number}", params={"verify": data["personal_id"]}, timeout=10)
        assert status.status_code == 200
        password = "Mật-khẩu-của-cán-bộ-2026"
        (tmp_path / "password").write_text(password + "\n")
        gddt(
            env,
            "officer",
            "create",
            "hn.flow",
            "--office",
            "01",
            "--role",
            "verifier",
            "--password-file",
            str(tmp_path / "password"),
        )
        token = gddt(env, "officer", "token", "hn.flow").strip().splitlines()[-1].strip()
        found = httpx.get(
            f"{base}/api/v1/office/dossiers",
            params={"q": data["personal_id"]},
            timeout=10,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert found.status_code == 200, found.text
        refused = httpx.post(
            f"{base}/can-bo/dang-nhap/", data={"username": "hn.flow", "password": "wrong-one"}, timeout=10
        )
        assert refused.status_code in (200, 403)  # a page again (or CSRF's refusal): no sign-in either way
        citizen = httpx.post(
            f"{base}/api/v1/auth/login", json={"username": data["personal_id"], "password": password}, timeout=10
        )
        assert citizen.status_code == 401
        metrics = httpx.get(f"{base}/metrics", headers={"Authorization": "Bearer metrics-tok"}, timeout=10)
        assert metrics.status_code == 200 and "gddt_http_requests_total" in metrics.text
        sms_file = tmp_path / "data" / "sms.jsonl"
        assert wait_for(lambda: sms_file.exists() and number in sms_file.read_text(), 30), "no SMS delivered"
        assert [json.loads(line)["to"] for line in sms_file.read_text().splitlines()] == ["0912345678"]
        assert httpx.get(f"{base}/static/gddt/site.css", timeout=5).status_code == 200
        secrets_seen = [
            data["personal_id"],
            data["phone"],
            data["phone"][1:],
            password,
            "wrong-one",
            token,
            token[len("gddt_") :],
            "metrics-tok",
            "verify=",
            "q=",
        ]
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    output = server.stdout.read() if server.stdout else ""
    errors = (tmp_path / "stderr").read_text()
    assert server.returncode == 0, (output + errors)[-2000:]
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]  # every line is one JSON object
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert any(line["message"] == "POST /api/v1/registrations 201" and line.get("request_id") for line in access)
    requests = [line for line in lines if line["logger"] == "gddt.request"]
    assert any(
        line["route"] == "/api/v1/registrations/<dossier_no>"
        and line["status"] == 200
        and isinstance(line["duration_ms"], float)
        for line in requests
    )
    assert {line["request_id"] for line in requests} <= {line.get("request_id") for line in access}
    assert secrets_seen and [seen for seen in secrets_seen if seen in output + errors] == []
    # What the service created is its own alone: 0600 files in 0700 folders (database, SMS file, keys, metrics).
    loose = [
        f"{path.relative_to(tmp_path)} {oct(path.stat().st_mode & 0o777)}"
        for path in (tmp_path / "data").rglob("*")
        if path.stat().st_mode & 0o077 or (path.is_file() and path.stat().st_mode & 0o111)
    ]
    assert loose == []
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700
