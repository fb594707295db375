"""`gddt backup` while the service serves and writes, `gddt restore` elsewhere: every dossier's documents come back
byte for byte, and a damaged archive is refused without changing anything."""

import hashlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import httpx

from gddt.core.encryption import KeyRing, key_decode, unseal
from gddt_testing.factories import adult_data, jpeg_bytes
from gddt_testing.processes import free_port, is_healthy, wait_for


def node_env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR"} and not k.startswith("GDDT_S3") and k != "GDDT_STORAGE"
    }
    env.update(
        GDDT_DATA_DIR=str(data_dir), GDDT_SCHEDULER_SECONDS="3600", GDDT_REGISTRATIONS_PER_ADDRESS_PER_HOUR="100000"
    )
    return env


def gddt(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gddt.cli", *args], env=node_env(data_dir), capture_output=True, text=True, timeout=300
    )


def documents_by_sha256(data_dir: Path) -> tuple[int, list[tuple[str, str, str]]]:
    """(dossiers, [(dossier number, file, sha256)]) read straight from a data dir's database."""
    with sqlite3.connect(data_dir / "gddt.sqlite3") as db:
        dossiers = db.execute("SELECT count(*) FROM registrations_dossier").fetchone()[0]
        rows = db.execute(
            "SELECT d.number, doc.file, doc.sha256 FROM registrations_document doc "
            "JOIN registrations_dossier d ON d.id = doc.dossier_id"
        ).fetchall()
    return dossiers, rows


def test_a_backup_taken_under_load_restores_every_dossier_with_its_documents(tmp_path):
    source, restored = tmp_path / "source", tmp_path / "restored"
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gddt.cli", "serve", "--port", str(port), "--workers", "2", "--no-worker"],
        env=node_env(source),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    stop = threading.Event()
    submitted: list[str] = []
    failures: list[str] = []

    def load() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while not stop.is_set():
                files = {
                    kind: (f"{kind}.jpg", jpeg_bytes(color=(len(submitted) % 250, 90, 30)), "image/jpeg")
                    for kind in ("id_front", "portrait")
                }
                response = client.post("/api/v1/registrations", data={"data": json.dumps(adult_data())}, files=files)
                if response.status_code == 201:
                    submitted.append(response.json()["dossier_no"])
                else:
                    failures.append(f"{response.status_code} {response.text[:200]}")

    try:
        assert wait_for(lambda: is_healthy(base), 90), "the server did not come up"
        threads = [threading.Thread(target=load) for _ in range(2)]
        for thread in threads:
            thread.start()
        assert wait_for(lambda: len(submitted) >= 6, 120), failures[:3]
        before_backup = len(submitted)
        backup = gddt(source, "backup", str(tmp_path / "backups" / "gddt.tar.gz"))  # while writes go on
        assert backup.returncode == 0, backup.stderr
        during = len(submitted)
        assert wait_for(lambda: len(submitted) >= during + 2, 120), failures[:3]  # writing went on meanwhile
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        stop.set()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    assert failures == []
    archive = tmp_path / "backups" / "gddt.tar.gz"
    assert archive.stat().st_mode & 0o077 == 0  # holds ID images: the operator's alone

    restore = gddt(restored, "restore", str(archive))
    assert restore.returncode == 0, restore.stderr
    dossiers, documents = documents_by_sha256(restored)
    assert dossiers >= before_backup and len(documents) == 2 * dossiers
    # The documents are stored encrypted: the data key generated beside them comes back with them and opens each.
    ring = KeyRing(current=key_decode((restored / "data_key").read_text(), variable="data_key"))
    for number, name, sha256 in documents:
        stored = restored / "private" / name
        assert stored.is_file(), f"{number}: {name} is missing"
        plain = unseal(ring, stored.read_bytes(), name=name)
        assert hashlib.sha256(plain).hexdigest() == sha256, f"{number}: {name} differs"
    assert (restored / "secret_key").read_text() == (source / "secret_key").read_text()
    assert gddt(restored, "check").returncode == 0  # migrations applied, storage writable: ready to serve

    # Restoring again over a data dir that now holds data is refused, naming the way out.
    again = gddt(restored, "restore", str(archive))
    assert again.returncode == 1 and "restore into an empty data dir" in again.stderr


def test_a_damaged_archive_is_refused_and_nothing_is_restored(tmp_path):
    source = tmp_path / "source"
    assert gddt(source, "init").returncode == 0
    archive = tmp_path / "gddt.tar.gz"
    assert gddt(source, "backup", str(archive)).returncode == 0

    # One byte of one member changed, inside an archive that is otherwise well formed.
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive, "r:gz") as original, tarfile.open(damaged, "w:gz") as copy:
        for member in original:
            content = original.extractfile(member).read()
            if member.name == "database/gddt.sqlite3":
                content = content[:5000] + bytes([content[5000] ^ 0xFF]) + content[5001:]
            copy.addfile(member, io.BytesIO(content))
    target = tmp_path / "target"
    refused = gddt(target, "restore", str(damaged))
    assert refused.returncode == 1
    assert "the archive is damaged: database/gddt.sqlite3 does not match its checksum" in refused.stderr
    assert not (target / "gddt.sqlite3").exists()
    assert [p.name for p in target.iterdir() if p.name.startswith(".restore-")] == []

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    refused = gddt(target, "restore", str(truncated))
    assert refused.returncode == 1 and "damaged" in refused.stderr
    assert not (target / "gddt.sqlite3").exists()
