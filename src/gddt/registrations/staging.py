"""Photos kept for an hour when the citizen's form comes back with an error, so that nobody has to choose them again
on a phone (and nothing is dropped silently). They belong to the browser's session and to the form's token: the
session records which folder of the private storage holds them, under a random name; only the cleaned photos
(re-encoded, EXIF stripped) are kept, with a small preview. Sending the form again uses them; a registration that
succeeds deletes them, and a periodic job deletes whatever is older than an hour."""

import contextlib
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pyvips
from django.contrib.sessions.backends.base import SessionBase
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils import timezone
from django_tasks import task

from gddt.registrations.images import CleanImage

logger = logging.getLogger(__name__)

STAGING_FOLDER = "staging"
STAGING_SECONDS = 3600
SESSION_KEY = "registration_staged_photos"
PREVIEW_SIDE = 320  # a thumbnail a phone shows beside the input; the photo itself never goes back to it


@dataclass(frozen=True)
class StagedPhoto:
    kind: str
    width: int
    height: int


def _record(session: SessionBase) -> dict[str, Any] | None:
    record = session.get(SESSION_KEY)
    if not record:
        return None
    if timezone.now() - datetime.fromisoformat(record["at"]) > timedelta(seconds=STAGING_SECONDS):
        staged_photos_drop(session)
        return None
    return record


def _name(record: dict[str, Any], kind: str, *, preview: bool = False) -> str:
    return f"{STAGING_FOLDER}/{record['folder']}/{kind}{'.preview' if preview else ''}.jpg"


def staged_photos(session: SessionBase, *, token: str) -> dict[str, StagedPhoto]:
    """The photos kept for the form with `token` in this session (none for another form, or once expired)."""
    record = _record(session)
    if record is None or not secrets.compare_digest(record["token"], token or ""):
        return {}
    return {
        kind: StagedPhoto(kind=kind, width=meta["width"], height=meta["height"])
        for kind, meta in record["photos"].items()
    }


def staged_uploads(session: SessionBase, *, token: str) -> dict[str, UploadedFile]:
    """The kept photos as uploads, for the registration that the form sends again."""
    record = _record(session)
    uploads: dict[str, UploadedFile] = {}
    for kind in staged_photos(session, token=token):
        assert record is not None
        try:
            with default_storage.open(_name(record, kind), "rb") as handle:
                uploads[kind] = SimpleUploadedFile(f"{kind}.jpg", handle.read(), content_type="image/jpeg")
        except OSError:
            logger.warning("a kept photo could not be read")
    return uploads


def staged_photos_keep(
    session: SessionBase, *, token: str, photos: dict[str, CleanImage], drop: frozenset[str] | set[str] = frozenset()
) -> dict[str, StagedPhoto]:
    """Keeps `photos` for the form with `token` (replacing a kept photo of the same kind), forgets the kinds in
    `drop`, and starts the hour again. Another form's photos in this session are deleted first."""
    record = _record(session)
    if record is not None and not secrets.compare_digest(record["token"], token):
        staged_photos_drop(session)
        record = None
    if record is None:
        record = {"token": token, "folder": secrets.token_hex(16), "photos": {}}
    for kind in drop & set(record["photos"]):
        _delete(record, kind)
        del record["photos"][kind]
    for kind, photo in photos.items():
        if kind in record["photos"]:
            _delete(record, kind)
        default_storage.save(_name(record, kind), ContentFile(photo.content))
        default_storage.save(_name(record, kind, preview=True), ContentFile(_preview(photo.content)))
        record["photos"][kind] = {"width": photo.width, "height": photo.height}
    record["at"] = timezone.now().isoformat()
    if record["photos"]:
        session[SESSION_KEY] = record
    else:
        session.pop(SESSION_KEY, None)
    return staged_photos(session, token=token)


def staged_preview_read(session: SessionBase, *, kind: str) -> bytes | None:
    """The preview of a kept photo of this session, or None."""
    record = _record(session)
    if record is None or kind not in record["photos"]:
        return None
    try:
        with default_storage.open(_name(record, kind, preview=True), "rb") as handle:
            return handle.read()
    except OSError:
        return None


def staged_photos_drop(session: SessionBase) -> None:
    """Deletes this session's kept photos (a registration used them, or another form replaced them)."""
    record = session.pop(SESSION_KEY, None)
    if not record:
        return
    for kind in record.get("photos", {}):
        _delete(record, kind)


def _delete(record: dict[str, Any], kind: str) -> None:
    for preview in (False, True):
        try:
            default_storage.delete(_name(record, kind, preview=preview))
        except OSError:
            logger.warning("a kept photo could not be deleted")


def _preview(content: bytes) -> bytes:
    return pyvips.Image.thumbnail_buffer(content, PREVIEW_SIDE).jpegsave_buffer(Q=80, keep="none")


def staging_expire(*, now: datetime | None = None) -> int:
    """Deletes every kept photo older than an hour, whichever session it belonged to; answers how many files."""
    cutoff = (now or timezone.now()) - timedelta(seconds=STAGING_SECONDS)
    deleted = 0
    try:
        folders, _files = default_storage.listdir(STAGING_FOLDER)
    except (OSError, NotImplementedError):
        return 0
    for folder in folders:
        _sub, files = default_storage.listdir(f"{STAGING_FOLDER}/{folder}")
        for name in files:
            path = f"{STAGING_FOLDER}/{folder}/{name}"
            try:
                if default_storage.get_modified_time(path) < cutoff:
                    default_storage.delete(path)
                    deleted += 1
            except OSError:
                continue
        _folder_remove(f"{STAGING_FOLDER}/{folder}")
    return deleted


def _folder_remove(folder: str) -> None:
    """An emptied folder of local files goes too (object storage has no folders)."""
    with contextlib.suppress(NotImplementedError, OSError):
        os.rmdir(default_storage.path(folder))


@task()
def staging_expiry_job() -> dict[str, int]:
    """Periodic (registered by the registrations app): the hour of kept photos is over."""
    return {"deleted": staging_expire()}
