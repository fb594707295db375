"""The document storage: a wrapper that encrypts every object (core/encryption.py) on its way into the storage
configured under it (local files or S3) and decrypts and authenticates it on the way out, so that no caller changes.

settings.STORAGES["default"] = {"BACKEND": "gddt.core.storage.EncryptedStorage",
                                "OPTIONS": {"inner": {"BACKEND": ..., "OPTIONS": {...}}}}"""

import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.checks import CheckMessage
from django.core.checks import Error as CheckError
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.module_loading import import_string

from gddt.core import encryption
from gddt.core.encryption import KeyRing, StoredFileUnreadable


def key_ring() -> KeyRing:
    """The master keys from the settings (settings.py reads and checks GDDT_DATA_KEY and _PREVIOUS)."""
    return KeyRing(current=settings.GDDT_DATA_KEY, previous=tuple(settings.GDDT_DATA_KEY_PREVIOUS))


class EncryptedStorage(Storage):
    """Envelope-encrypts on save, decrypts and authenticates on open; everything else is the inner storage's."""

    def __init__(self, *, inner: dict[str, Any]) -> None:
        self.inner: Storage = import_string(inner["BACKEND"])(**inner.get("OPTIONS", {}))

    def _save(self, name: str, content: IO[Any]) -> str:
        if hasattr(content, "seek"):
            content.seek(0)
        plain = content.read()
        sealed = encryption.seal(key_ring(), plain if isinstance(plain, bytes) else plain.encode())
        return self.inner.save(name, ContentFile(sealed), max_length=None)

    def _open(self, name: str, mode: str = "rb") -> File:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("encrypted documents are written through save(), never opened for writing")
        with self.inner.open(name, "rb") as handle:
            stored = handle.read()
        if encryption.is_plain(stored[:16]):  # stored before encryption; `gddt keys rotate` seals it
            return ContentFile(stored, name=name)
        return ContentFile(encryption.unseal(key_ring(), stored, name=name), name=name)

    # Everything else is the inner storage's.
    def delete(self, name: str) -> None:
        self.inner.delete(name)

    def exists(self, name: str) -> bool:
        return self.inner.exists(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self.inner.listdir(path)

    def size(self, name: str) -> int:
        with self.open(name) as handle:
            return len(handle.read())

    def url(self, name: str | None) -> str:
        return self.inner.url(name)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self.inner.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        return self.inner.generate_filename(filename)

    def get_accessed_time(self, name: str) -> datetime:
        return self.inner.get_accessed_time(name)

    def get_created_time(self, name: str) -> datetime:
        return self.inner.get_created_time(name)

    def get_modified_time(self, name: str) -> datetime:
        return self.inner.get_modified_time(name)

    # Rotation: only the key slot of the header changes.
    def head_read(self, name: str) -> bytes:
        """The first bytes of the stored object, enough for its header."""
        if isinstance(self.inner, FileSystemStorage):
            with open(self.inner.path(name), "rb") as handle:
                return handle.read(encryption.HEADER_BYTES)
        with self.inner.open(name, "rb") as handle:
            return handle.read(encryption.HEADER_BYTES)

    def rewrap(self, name: str, *, ring: KeyRing) -> str:
        """Puts the object under the current master key: answers "rewrapped", "sealed" (a document stored before
        encryption, now encrypted) or "current" (nothing to do). Each step leaves the object whole: a local file's
        key slot is rewritten in place, one write inside its first block; an S3 object cannot be changed in part,
        so it is written again whole under the same name (its body still encrypted by the same data key)."""
        head = self.head_read(name)
        if encryption.is_sealed(head):
            slot = encryption.key_slot_rewrap(ring, head, name=name)
            if slot is None:
                return "current"
            if isinstance(self.inner, FileSystemStorage):
                descriptor = os.open(self.inner.path(name), os.O_WRONLY)
                try:
                    os.pwrite(descriptor, slot, encryption.KEY_SLOT.start)
                    os.fsync(descriptor)
                finally:
                    os.close(descriptor)
            else:
                with self.inner.open(name, "rb") as handle:
                    stored = handle.read()
                self._replace(name, stored[: encryption.KEY_SLOT.start] + slot + stored[encryption.KEY_SLOT.stop :])
            return "rewrapped"
        if encryption.is_plain(head):
            with self.inner.open(name, "rb") as handle:
                plain = handle.read()
            self._replace(name, encryption.seal(ring, plain))
            return "sealed"
        raise StoredFileUnreadable(name, "it is damaged (neither encrypted nor an image)")

    def _replace(self, name: str, content: bytes) -> None:
        """Writes `content` over the object `name` at once (never a half-written object)."""
        if isinstance(self.inner, FileSystemStorage):
            target = Path(self.inner.path(name))
            descriptor, draft = tempfile.mkstemp(dir=target.parent, prefix=".rewrap-")
            try:
                with os.fdopen(descriptor, "wb") as out:
                    out.write(content)
                    out.flush()
                    os.fsync(out.fileno())
                os.chmod(draft, 0o600)
                os.replace(draft, target)
            except BaseException:
                Path(draft).unlink(missing_ok=True)
                raise
            return
        # S3Storage._save writes the key as given (an upload replaces an object whole); save() would pick a new name.
        written = self.inner._save(name, ContentFile(content))  # type: ignore[attr-defined]
        if written != name:
            raise RuntimeError(f"the storage wrote {written} instead of replacing {name}")


def stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every object's name under `folder`, folder by folder in name order (a resumed walk meets them again in the
    same order)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    prefix = f"{folder}/" if folder else ""
    for name in sorted(files):
        if not name.startswith(".rewrap-"):
            yield prefix + name
    for sub in sorted(folders):
        yield from stored_names(storage, prefix + sub)


def _newest_name(storage: Storage, folder: str = "") -> str | None:
    """One object, in the last folder by name at each level (documents/<year>/<month>): the newest month's."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return None
    prefix = f"{folder}/" if folder else ""
    for sub in sorted(folders, reverse=True):
        found = _newest_name(storage, prefix + sub)
        if found:
            return found
    return prefix + max(files) if files else None


def data_key_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A system check (`gddt serve`, `gddt worker` and `gddt check` run it): the master keys configured open a
    stored document. A node given another key, or one that generated a new key because its key file is lost,
    refuses to start instead of serving errors in place of every photo."""
    storage = storages["default"]
    if not isinstance(storage, EncryptedStorage):
        return [
            CheckError(
                "the document storage does not encrypt: STORAGES['default'] must be gddt.core.storage.EncryptedStorage",
                id="gddt.E010",
            )
        ]
    try:
        name = _newest_name(storage)
        if name is None:
            return []
        head = storage.head_read(name)
        if encryption.is_sealed(head):
            encryption.data_key_unwrap(key_ring(), head, name=name)
    except StoredFileUnreadable as problem:
        return [
            CheckError(
                f"the data key cannot read the stored documents: {problem}",
                hint="Set GDDT_DATA_KEY (or GDDT_DATA_KEY_FILE) to the key the documents were stored "
                "with, or list it in GDDT_DATA_KEY_PREVIOUS during a rotation (docs/operator.md, "
                "Keys).",
                id="gddt.E011",
            )
        ]
    except Exception:  # noqa: S110 - the storage unreachable: `gddt check`'s storage probe names it
        pass
    return []
