"""`gddt backup` and `gddt restore` for the embedded default (SQLite and local files), while the service serves.

The archive is a gzipped tar: the database taken with SQLite's online backup API (one consistent snapshot; in WAL
mode it blocks no writer), then every private file and the keys of the data dir, and last `manifest.json` with the
SHA-256 and size of each. The snapshot is taken first: a document committed before it was written to disk before
its row, so it is in the archive; a file written after it is an orphan the restored database never names.
A restore checks every member against the manifest before anything is moved into place, and only into a data dir
that holds no database and no private file yet. PostgreSQL and S3 have their own tools (docs/operator.md)."""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, cast

from django.conf import settings

FORMAT = "gddt-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = "database/gddt.sqlite3"
CHUNK = 1024 * 1024
# Top-level files of the data dir that are not the database, kept as they are (the generated keys, sms.jsonl).
_SKIPPED = {"gddt.sqlite3", "gddt.sqlite3-wal", "gddt.sqlite3-shm", "gddt.sqlite3-journal"}


class BackupError(Exception):
    """Why a backup or a restore cannot be done; the message names what to do."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    files: int
    bytes: int


def _embedded_only() -> tuple[Path, Path]:
    database: dict[str, Any] = dict(settings.DATABASES["default"])
    if database["ENGINE"] != "django.db.backends.sqlite3":
        raise BackupError(
            "this database is not the embedded SQLite: back PostgreSQL up with pg_dump or continuous "
            "archiving (docs/operator.md, Backups)"
        )
    storage: dict[str, Any] = cast(dict[str, Any], settings.STORAGES["default"])
    if storage["BACKEND"] == "gddt.core.storage.EncryptedStorage":  # the files as stored (encrypted) are copied
        storage = storage["OPTIONS"]["inner"]
    if storage["BACKEND"] != "django.core.files.storage.FileSystemStorage":
        raise BackupError(
            "the documents are not local files: use the bucket's versioning or replication (docs/operator.md, Backups)"
        )
    return Path(database["NAME"]), Path(storage["OPTIONS"]["location"])


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(content), 0o600, int(datetime.now(tz=UTC).timestamp())
    archive.addfile(info, io.BytesIO(content))


def backup_create(*, target: Path) -> BackupSummary:
    """Writes the archive to `target` (through a temporary name, so a failed backup leaves no partial archive)."""
    database, private = _embedded_only()
    if not database.exists():
        raise BackupError(f"there is no database at {database}: nothing to back up")
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    entries: dict[str, dict[str, Any]] = {}
    partial = target.with_name(target.name + ".partial")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".gddt-backup-") as scratch:
        snapshot = Path(scratch) / "gddt.sqlite3"
        source = sqlite3.connect(database, timeout=60)
        copy = sqlite3.connect(snapshot)
        try:
            source.backup(copy)  # all pages in one step: one read transaction, one consistent state
        finally:
            copy.close()
            source.close()
        try:
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(snapshot, arcname=DATABASE_MEMBER, recursive=False)
                entries[DATABASE_MEMBER] = {"sha256": _sha256_file(snapshot), "size": snapshot.stat().st_size}
                members = [
                    (f"data/{path.name}", path)
                    for path in sorted(settings.DATA_DIR.iterdir())
                    if path.is_file() and path.name not in _SKIPPED and not path.name.endswith(".tmp")
                ]
                if private.is_dir():
                    members += [
                        (f"private/{path.relative_to(private).as_posix()}", path)
                        for path in sorted(private.rglob("*"))
                        if path.is_file()
                    ]
                for name, path in members:
                    try:
                        content = path.read_bytes()  # whole, so that its size and checksum match what is stored
                    except FileNotFoundError:  # removed meanwhile (a failed request's file): not needed
                        continue
                    _add_bytes(archive, name, content)
                    entries[name] = {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
                manifest = {
                    "format": FORMAT,
                    "version": VERSION,
                    "created_at": datetime.now(tz=UTC).isoformat(),
                    "files": entries,
                }
                _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupSummary(path=target, files=len(entries), bytes=sum(int(e["size"]) for e in entries.values()))


def _member_path(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if (
        path.is_absolute()
        or ".." in path.parts
        or len(path.parts) < 2
        or path.parts[0] not in {"database", "data", "private"}
    ):
        raise BackupError(f"the archive is damaged: unexpected member {name!r}")
    return path


def _read_manifest(archive_path: Path) -> dict[str, dict[str, Any]]:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            member = archive.getmember(MANIFEST)
            handle = archive.extractfile(member)
            manifest = json.loads(handle.read()) if handle else None
    except KeyError:
        raise BackupError("the archive is damaged: it has no manifest") from None
    except (tarfile.TarError, OSError, EOFError, ValueError) as error:
        raise BackupError(f"the archive is damaged or not a gddt backup ({type(error).__name__})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError("the archive is not a gddt backup of a version this release reads")
    files = manifest.get("files")
    if not isinstance(files, dict) or DATABASE_MEMBER not in files:
        raise BackupError("the archive is damaged: its manifest names no database")
    return files


def data_dir_is_empty() -> bool:
    database, private = _embedded_only()
    has_files = private.is_dir() and any(path.is_file() for path in private.rglob("*"))
    return not (database.exists() and database.stat().st_size > 0) and not has_files


def backup_restore(*, archive_path: Path) -> int:
    """Restores the archive into this (empty) data dir; answers the files restored. Every member is checked
    against the manifest before anything is moved into place: a damaged archive changes nothing."""
    database, private = _embedded_only()
    if not data_dir_is_empty():
        raise BackupError(
            f"{settings.DATA_DIR} already holds a database or documents: restore into an empty data "
            "dir (set GDDT_DATA_DIR to a new folder)"
        )
    files = _read_manifest(archive_path)
    seen: set[str] = set()
    with tempfile.TemporaryDirectory(dir=settings.DATA_DIR, prefix=".restore-") as staging_name:
        staging = Path(staging_name)
        try:
            with tarfile.open(archive_path, "r:gz") as archive:
                for member in archive:
                    if member.name == MANIFEST:
                        continue
                    path = _member_path(member.name)
                    expected = files.get(member.name)
                    if not member.isfile() or expected is None or member.name in seen:
                        raise BackupError(f"the archive is damaged: {member.name!r} is not in its manifest")
                    seen.add(member.name)
                    destination = staging.joinpath(*path.parts)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    digest, size = hashlib.sha256(), 0
                    source = archive.extractfile(member)
                    assert source is not None
                    with destination.open("wb") as out:
                        while chunk := source.read(CHUNK):
                            digest.update(chunk)
                            size += len(chunk)
                            out.write(chunk)
                    if digest.hexdigest() != expected.get("sha256") or size != expected.get("size"):
                        raise BackupError(f"the archive is damaged: {member.name} does not match its checksum")
        except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
            raise BackupError(f"the archive is damaged ({type(error).__name__})") from None
        missing = sorted(set(files) - seen)
        if missing:
            raise BackupError(f"the archive is damaged: {len(missing)} member(s) missing, e.g. {missing[0]}")
        # Everything checked: move into place.
        database.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        os.replace(staging / "database" / "gddt.sqlite3", database)
        if (staging / "data").is_dir():
            for kept in (staging / "data").iterdir():
                os.replace(kept, settings.DATA_DIR / kept.name)  # the archive's keys replace generated ones
        if (staging / "private").is_dir():
            private.mkdir(parents=True, exist_ok=True)
            for stored in (staging / "private").iterdir():
                target = private / stored.name
                if target.is_dir():  # an empty folder left behind (the data dir holds no file: checked above)
                    shutil.rmtree(target)
                os.replace(stored, target)
    return len(seen)
