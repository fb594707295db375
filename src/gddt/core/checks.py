"""`gddt check`: what an operator verifies before and after starting a node. Each probe answers what it found, or
the problems, each naming what to fix; nothing here changes data (the storage probe removes its own object)."""

import contextlib
import os
import secrets
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

PROBE_FOLDER = "checks"


@dataclass
class Finding:
    name: str
    ok: str = ""  # what was verified, when all is well
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth knowing, not a failure


def _error(error: BaseException) -> str:
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


def database_check() -> Finding:
    finding = Finding("database")
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except (DatabaseError, OSError) as error:
        finding.problems.append(
            f"cannot reach the {connection.vendor} database ({_error(error)}): check "
            "DATABASE_URL and that the server answers"
        )
        return finding
    finding.ok = f"{connection.vendor} reachable"
    return finding


def migrations_check() -> Finding:
    finding = Finding("migrations")
    try:
        executor = MigrationExecutor(connections["default"])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except (DatabaseError, OSError) as error:
        finding.problems.append(f"cannot read the applied migrations ({_error(error)})")
        return finding
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
        more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
        finding.problems.append(f"{len(plan)} not applied ({names}{more}): run `gddt init`")
    else:
        finding.ok = "all applied"
    return finding


def storage_check() -> Finding:
    """Writes, reads back and deletes a small random object where the documents go."""
    finding = Finding("storage")
    storage = storages["default"]
    kind = type(getattr(storage, "inner", storage)).__name__
    content = secrets.token_bytes(64)
    name = ""
    try:
        name = storage.save(f"{PROBE_FOLDER}/probe-{secrets.token_hex(8)}.bin", ContentFile(content))
        with storage.open(name, "rb") as stored:
            if stored.read() != content:
                finding.problems.append(f"{kind}: the object read back differs from the one written")
        storage.delete(name)
        name = ""
        inner = getattr(storage, "inner", storage)  # under the encrypting wrapper
        if isinstance(inner, FileSystemStorage):
            with contextlib.suppress(OSError):  # the probe's folder, unless something else is in it
                os.rmdir(inner.path(PROBE_FOLDER))
    except Exception as error:  # any backend's failure (OSError, botocore's) is the finding itself
        finding.problems.append(
            f"{kind}: cannot write, read and delete a probe object ({_error(error)}): check "
            "GDDT_STORAGE and the GDDT_S3_* settings, or the data dir's permissions"
        )
    finally:
        if name:
            with contextlib.suppress(Exception):  # the problem is already reported
                storage.delete(name)
    configured: dict[str, Any] = cast(dict[str, Any], settings.STORAGES["default"])
    options: dict[str, Any] = configured.get("OPTIONS", {}).get("inner", configured).get("OPTIONS", {})
    if "public" in str(options.get("default_acl") or ""):
        finding.problems.append(f"{kind}: default_acl {options['default_acl']!r} would publish ID-card images")
    if not os.environ.get("GDDT_DATA_KEY") and not os.environ.get("GDDT_DATA_KEY_FILE"):
        finding.notes.append(
            f"documents are encrypted under the key generated in {settings.DATA_DIR}/data_key: "
            "back it up with the data, or no document can be read after a restore"
        )
    if not finding.problems:
        finding.ok = f"{kind}: wrote, read and deleted a probe object"
    return finding


def sms_check() -> Finding:
    """The providers' settings (settings.py already refuses to start without a gateway URL for `http`)."""
    finding = Finding("SMS provider")
    for provider in [settings.GDDT_SMS_BACKEND, *settings.GDDT_SMS_FALLBACK]:
        if provider == "file":
            folder = settings.GDDT_SMS_FILE.parent
            if not os.access(folder, os.W_OK):
                finding.problems.append(f"file: cannot write {settings.GDDT_SMS_FILE}")
            else:
                finding.notes.append(f"file: messages are written to {settings.GDDT_SMS_FILE}, not sent to phones")
        elif provider == "console":
            finding.problems.append(
                "console: every text, initial passwords included, would go to standard output "
                "(the log); use `http` (or `file` on a test machine)"
            )
        elif provider == "http":
            parts = urlsplit(settings.GDDT_SMS_HTTP_URL or "")
            if parts.scheme not in {"http", "https"} or not parts.hostname:
                finding.problems.append(f"http: GDDT_SMS_HTTP_URL is not an http(s) URL: {parts.scheme or '?'}://…")
            elif parts.scheme == "http" and parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
                finding.problems.append(
                    "http: GDDT_SMS_HTTP_URL is plain http to another machine: phones and "
                    "initial passwords would cross the network unencrypted; use https"
                )
            if not settings.GDDT_SMS_HTTP_AUTH:
                finding.notes.append("http: GDDT_SMS_HTTP_AUTH is not set (no Authorization header is sent)")
            if not settings.GDDT_SMS_RECEIPT_SECRET:
                finding.notes.append("http: GDDT_SMS_RECEIPT_SECRET is not set: delivery reports are refused")
    if not finding.problems:
        finding.ok = ", ".join([settings.GDDT_SMS_BACKEND, *settings.GDDT_SMS_FALLBACK])
    return finding


def nodes_check() -> Finding:
    """What must be the same on every node once several share one database."""
    finding = Finding("several nodes")
    shared = connections["default"].vendor != "sqlite"
    if not shared:
        finding.ok = "the embedded database: one node"
        return finding
    if not os.environ.get("GDDT_SECRET_KEY") and not os.environ.get("GDDT_SECRET_KEY_FILE"):
        finding.problems.append(
            "GDDT_SECRET_KEY is generated in this node's data dir: give every node the same "
            "GDDT_SECRET_KEY (or GDDT_SECRET_KEY_FILE), or sessions and codes break across "
            "nodes"
        )
    if not os.environ.get("GDDT_DATA_KEY") and not os.environ.get("GDDT_DATA_KEY_FILE"):
        finding.problems.append(
            "GDDT_DATA_KEY is generated in this node's data dir: give every node the same "
            "GDDT_DATA_KEY (or GDDT_DATA_KEY_FILE), or no node reads another's documents"
        )
    if not os.environ.get("GDDT_OIDC_PRIVATE_KEY") and not os.environ.get("GDDT_OIDC_PRIVATE_KEY_FILE"):
        finding.problems.append(
            "GDDT_OIDC_PRIVATE_KEY is generated in this node's data dir: give every node the same "
            "GDDT_OIDC_PRIVATE_KEY (or GDDT_OIDC_PRIVATE_KEY_FILE), or id_tokens are signed by different keys"
        )
    if settings.GDDT_STORAGE != "s3":
        finding.notes.append(
            "documents are on this node's disk (GDDT_STORAGE=local): with more than one web node, use GDDT_STORAGE=s3"
        )
    if not finding.problems:
        finding.ok = "shared secret key, data key and OpenID Connect key set"
    return finding


def deployment_check() -> list[Finding]:
    """Every probe, the database first (the migrations need it)."""
    database = database_check()
    findings = [database]
    if not database.problems:
        findings.append(migrations_check())
    findings += [storage_check(), sms_check(), nodes_check()]
    return findings
