"""Two web nodes act as one (product.md, Operations): PostgreSQL, an S3-compatible server (moto's), two
`gddt serve --no-worker` processes with different data dirs and one `gddt worker`, as plain processes. These are
the commands Dockerfile and compose.yaml wrap.

A dossier registered with photos on node A is found, its photos viewed, signed, verified and approved through
node B; the worker sends the SMS and makes the dossier's archive, which node A serves; no photo or temporary file
stays on either web node. Across the nodes too: an officer's web session, the Idempotency-Key, the status look-up
limit, the sign-in limit and the scheduler's slots."""

import base64
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from gddt.accounts.auth import api_token_create
from gddt.core.models import ScheduledRun
from gddt.core.registry import periodic_jobs
from gddt.core.scheduler import schedule_due
from gddt.registrations.models import Document, Dossier
from gddt_testing.factories import adult_data, jpeg_bytes
from gddt_testing.personas import PERSONA_PASSWORD
from gddt_testing.processes import free_port, is_healthy, wait_for
from gddt_testing.s3 import S3Server, s3_server

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

LOOKUPS = 4
LOGIN_FAILURES = 3
PERIOD = 3600
SECRET_KEY = "a-shared-secret-key-for-every-node-of-this-test-0123456789"
DATA_KEY = base64.b64encode(bytes(range(32))).decode()  # every node opens what another stored


def database_url() -> str:
    """The live test database (its name is unique per run), for the nodes."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Node:
    name: str
    data_dir: Path
    process: subprocess.Popen
    log: Path
    base: str = ""


def node_env(s3: S3Server, data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GDDT_") and k not in {"DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR"}
    }
    env.update(s3.env())
    env.update(
        DATABASE_URL=database_url(),
        GDDT_DATA_DIR=str(data_dir),
        GDDT_SECRET_KEY=SECRET_KEY,
        GDDT_DATA_KEY=DATA_KEY,
        GDDT_OIDC_PRIVATE_KEY=settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"],
        GDDT_STATUS_LOOKUPS_PER_WINDOW=str(LOOKUPS),
        GDDT_LOGIN_FAILURE_LIMIT=str(LOGIN_FAILURES),
        GDDT_SCHEDULER_SECONDS=str(PERIOD),
        GDDT_REGISTRATIONS_PER_ADDRESS_PER_HOUR="1000",
        GDDT_SMS_POLL_SECONDS="0.2",
        GDDT_METRICS_TOKEN="metrics-token",
    )
    return env


def start(name: str, tmp_path: Path, s3: S3Server, *args: str) -> Node:
    data_dir = tmp_path / name
    log = tmp_path / f"{name}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gddt.cli", *args], env=node_env(s3, data_dir), stdout=out, stderr=subprocess.STDOUT
        )
    return Node(name=name, data_dir=data_dir, process=process, log=log)


def web_node(name: str, tmp_path: Path, s3: S3Server) -> Node:
    port = free_port()
    node = start(
        name,
        tmp_path,
        s3,
        "serve",
        "--no-worker",
        "--no-init",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    )
    node.base = f"http://127.0.0.1:{port}"
    return node


def healthy(node: Node) -> bool:
    return is_healthy(node.base)


@pytest.fixture
def nodes(tmp_path, reference, settings) -> Iterator[tuple[S3Server, Node, Node, Node]]:
    with s3_server() as s3:
        settings.STORAGES = {**settings.STORAGES, "default": s3.storage_setting()}  # this process reads it too
        settings.GDDT_SCHEDULER_SECONDS = PERIOD  # this process is one more worker in the scheduler's test
        a, b = web_node("node-a", tmp_path, s3), web_node("node-b", tmp_path, s3)
        worker = start("worker", tmp_path, s3, "worker")
        running = [a, b, worker]
        try:
            for node in (a, b):
                assert wait_for(lambda node=node: healthy(node), 90), node.log.read_text()[-3000:]
            yield s3, a, b, worker
        finally:
            for node in running:
                node.process.send_signal(signal.SIGTERM)
            for node in running:
                try:
                    node.process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                    node.process.wait()


def totp_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def csrf_token(client: httpx.Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def photos() -> dict[str, tuple[str, bytes, str]]:
    return {
        kind: (f"{kind}.jpg", jpeg_bytes(color=(i * 60, 90, 160)), "image/jpeg")
        for i, kind in enumerate(("id_front", "id_back", "portrait"))
    }


def test_two_web_nodes_and_a_worker_act_as_one(nodes, hanoi_verifier, hanoi_approver, hcm_verifier, tmp_path):
    s3, a, b, worker = nodes
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"  # sessions live in the database

    # --- registered with photos on A; the same Idempotency-Key on B answers the same dossier -------------------
    data = adult_data()
    files = photos()
    first = httpx.post(
        f"{a.base}/api/v1/registrations",
        data={"data": json.dumps(data)},
        files=files,
        headers={"Idempotency-Key": "multi-node-1"},
        timeout=60,
    )
    assert first.status_code == 201, first.text
    number = first.json()["dossier_no"]
    retry = httpx.post(
        f"{b.base}/api/v1/registrations",
        data={"data": json.dumps(data)},
        files=files,
        headers={"Idempotency-Key": "multi-node-1"},
        timeout=60,
    )
    assert retry.status_code == 201 and retry.json() == first.json()
    other = httpx.post(
        f"{b.base}/api/v1/registrations", json=adult_data(), headers={"Idempotency-Key": "multi-node-1"}, timeout=60
    )
    assert other.status_code == 422
    dossier = Dossier.objects.get()  # one dossier, whichever node answered
    stored = sorted(Document.objects.filter(dossier=dossier).values_list("file", flat=True))
    assert len(stored) == 3 and s3.keys("documents/") == stored  # in the bucket, private

    # --- the status look-up limit counts both nodes' look-ups ---------------------------------------------------
    for _attempt in range(2):  # a second try only if the 10-minute window turned over meanwhile
        window = int(time.time()) // 600
        answers = [
            httpx.get(
                f"{(a, b)[i % 2].base}/api/v1/registrations/{number}",
                params={"verify": data["personal_id"]},
                timeout=10,
            ).status_code
            for i in range(LOOKUPS + 1)
        ]
        if int(time.time()) // 600 == window:
            break
    assert answers == [200] * LOOKUPS + [429]

    # --- an officer's web session: password on A, the second factor on B, pages on both ----------------------
    device = TOTPDevice.objects.create(user=hanoi_verifier, name="phone", confirmed=True)
    with httpx.Client(timeout=30) as browser:  # one cookie jar: cookies for 127.0.0.1 go to both ports
        token = csrf_token(browser, f"{a.base}/can-bo/dang-nhap/")
        step = browser.post(
            f"{a.base}/can-bo/dang-nhap/",
            data={"csrfmiddlewaretoken": token, "username": "hn.verifier", "password": PERSONA_PASSWORD},
        )
        assert step.status_code == 302 and step.headers["Location"].endswith("/can-bo/dang-nhap/ma-xac-thuc/")
        token = csrf_token(browser, f"{b.base}/can-bo/dang-nhap/ma-xac-thuc/")
        signed_in = browser.post(
            f"{b.base}/can-bo/dang-nhap/ma-xac-thuc/", data={"csrfmiddlewaretoken": token, "code": totp_code(device)}
        )
        assert signed_in.status_code == 302, signed_in.text[:500]
        for node in (a, b):
            page = browser.get(f"{node.base}/can-bo/ho-so/{number}/")
            assert page.status_code == 200, (node.name, page.status_code)
        # Found and viewed through B with the session: the photos stream through the audited view from S3.
        found = browser.get(f"{b.base}/api/v1/office/dossiers", params={"q": number})
        assert found.status_code == 200 and len(found.json()) == 1
        detail = browser.get(f"{b.base}/api/v1/office/dossiers/{number}")
        assert detail.status_code == 200
        for document in detail.json()["documents"]:
            image = browser.get(f"{b.base}/api/v1/office/dossiers/{number}/documents/{document['kind']}")
            assert image.status_code == 200 and image.headers["Content-Type"] == "image/jpeg"
            assert hashlib.sha256(image.content).hexdigest() == document["sha256"]

    # --- signed, verified and approved through B ---------------------------------------------------------------
    verifier = {"Authorization": f"Bearer {api_token_create(user=hanoi_verifier)}"}
    approver = {"Authorization": f"Bearer {api_token_create(user=hanoi_approver)}"}
    scan = httpx.put(
        f"{b.base}/api/v1/office/dossiers/{number}/documents/signed_declaration",
        headers=verifier,
        files={"file": ("scan.jpg", jpeg_bytes(color=(240, 240, 240)), "image/jpeg")},
        timeout=60,
    )
    assert scan.status_code == 200, scan.text
    verified = httpx.post(f"{b.base}/api/v1/office/dossiers/{number}/verify", headers=verifier, timeout=30)
    assert verified.status_code == 200, verified.text
    approved = httpx.post(f"{b.base}/api/v1/office/dossiers/{number}/approve", headers=approver, timeout=30)
    assert approved.status_code == 200, approved.text
    dossier.refresh_from_db()
    assert dossier.status == "approved" and dossier.account_id is not None

    # --- the worker sent the SMS (submitted, approved); the web nodes sent none --------------------------------
    sms_file = worker.data_dir / "sms.jsonl"

    def both_sent() -> bool:
        if not sms_file.exists():
            return False
        lines = [json.loads(line) for line in sms_file.read_text().splitlines()]
        return len([line for line in lines if line["to"] == data["phone"]]) >= 2

    assert wait_for(both_sent, 60), sms_file.read_text() if sms_file.exists() else "no SMS file"
    assert not (a.data_dir / "sms.jsonl").exists() and not (b.data_dir / "sms.jsonl").exists()

    # --- the worker made the archived record into the bucket; node A serves it -----------------------------------
    def archive_served() -> httpx.Response | None:
        answer = httpx.get(f"{a.base}/api/v1/office/dossiers/{number}/archive.zip", headers=approver, timeout=30)
        return answer if answer.status_code == 200 else None

    assert wait_for(archive_served, 60)
    assert len(s3.keys("archives/")) == 1
    served = archive_served()
    assert served is not None and served.content[:2] == b"PK"  # the zip, decrypted by node A

    # --- the sign-in limit counts both nodes' failures -----------------------------------------------------------
    with httpx.Client(timeout=30) as browser:
        for i in range(LOGIN_FAILURES):
            node = (a, b)[i % 2]
            token = csrf_token(browser, f"{node.base}/can-bo/dang-nhap/")
            wrong = browser.post(
                f"{node.base}/can-bo/dang-nhap/",
                data={"csrfmiddlewaretoken": token, "username": "hcm.verifier", "password": "not the password"},
            )
            assert wrong.status_code in (200, 429)
        token = csrf_token(browser, f"{b.base}/can-bo/dang-nhap/")
        locked = browser.post(
            f"{b.base}/can-bo/dang-nhap/",
            data={"csrfmiddlewaretoken": token, "username": "hcm.verifier", "password": PERSONA_PASSWORD},
        )
        assert locked.status_code == 429  # even the right password, on the other node

    # --- the scheduler: each job once per slot, whichever worker comes first ------------------------------------
    assert wait_for(lambda: ScheduledRun.objects.exists(), 30)
    slot = ScheduledRun.objects.order_by("-slot").values_list("slot", flat=True).first()
    assert schedule_due(now_seconds=slot * PERIOD + 1) == []  # another worker in the same slot enqueues nothing
    names = list(ScheduledRun.objects.filter(slot=slot).values_list("name", flat=True))
    assert sorted(names) == sorted(periodic_jobs())

    # --- nothing stays on the web nodes' disks: no photo, no temporary file --------------------------------------
    # (A node keeps only its metrics files and its copy of the package's static files, collected at start.)
    for node in (a, b):
        files = [path for path in node.data_dir.rglob("*") if path.is_file()]
        left = [
            str(path.relative_to(node.data_dir))
            for path in files
            if path.relative_to(node.data_dir).parts[0] not in {"metrics", "static"}
        ]
        assert left == [], (node.name, left)
        images = [path.name for path in files if path.read_bytes()[:3] == b"\xff\xd8\xff"]
        assert images == [], (node.name, images)
    for node in (a, b, worker):
        log = node.log.read_text()
        assert data["personal_id"] not in log and data["phone"] not in log, node.name
