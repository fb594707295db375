"""`gddt serve` as an operator runs it: a real multi-process server and a task worker, stopped by SIGTERM."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from gddt_testing.factories import adult_data


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_serve_answers_delivers_the_sms_and_stops_cleanly_on_sigterm(tmp_path: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(GDDT_DATA_DIR=str(tmp_path), GDDT_SCHEDULER_SECONDS="3600")
    server = subprocess.Popen(
        [sys.executable, "-m", "gddt.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        def healthy() -> bool:
            try:
                return httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        assert wait_for(healthy, 60), "the server did not come up"
        data = adult_data()
        response = httpx.post(f"{base}/api/v1/registrations", json=data, timeout=20)
        assert response.status_code == 201, response.text
        number = response.json()["dossier_no"]
        sms_file = tmp_path / "sms.jsonl"
        assert wait_for(lambda: sms_file.exists() and number in sms_file.read_text(), 30), "no SMS delivered"
        assert [json.loads(line)["to"] for line in sms_file.read_text().splitlines()] == ["0912345678"]
        assert httpx.get(f"{base}/static/gddt/site.css", timeout=5).status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    output = server.stdout.read() if server.stdout else ""
    assert server.returncode == 0, output[-2000:]
    assert "POST /api/v1/registrations" in output  # the access log is there...
    assert data["personal_id"] not in output and data["phone"] not in output  # ...without personal data
