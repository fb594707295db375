"""Envelope encryption of stored documents (ID-card images are sensitive personal data).

Each stored object is sealed with AES-256-GCM under a data key of its own; the data key is wrapped (AES-256-GCM) by
the master key, GDDT_DATA_KEY. The object starts with a fixed-size header, so that `gddt keys rotate` rewrites the
wrapped key in place without touching the body:

    magic (8) | master key id (8) | wrap nonce (12) | wrapped data key (48) | body nonce (12) | body + tag

The key id is a digest of the master key, so the previous keys (GDDT_DATA_KEY_PREVIOUS) are found by id while a
rotation runs. Nothing here imports an app."""

import base64
import binascii
import hashlib
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext

from gddt.core.errors import Problem

MAGIC = b"GDDTENC\x01"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_ID_BYTES = 8
WRAPPED_BYTES = NONCE_BYTES + KEY_BYTES + TAG_BYTES
# Where the rewritable part (key id and wrapped key) lies, and the whole header.
KEY_SLOT = slice(len(MAGIC), len(MAGIC) + KEY_ID_BYTES + WRAPPED_BYTES)
HEADER_BYTES = KEY_SLOT.stop + NONCE_BYTES
OVERHEAD = HEADER_BYTES + TAG_BYTES
# What documents stored before encryption start with: they stay readable until `gddt keys rotate` seals them.
PLAIN_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"%PDF-")
GENERATED_KEY_FILE = "data_key"


class StoredFileUnreadable(Problem):
    """A stored object that cannot be decrypted: damaged, or sealed under a master key this node does not hold.
    A Problem, so that the counter's pages and the API show it as a clear error instead of an image."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(
            500,
            gettext(
                "The stored file %(name)s cannot be read: %(reason)s. Ask the operator to "
                "check the data key (GDDT_DATA_KEY) or to restore the file from a backup."
            )
            % {"name": name, "reason": reason},
            "stored_file_unreadable",
        )
        self.name = name
        self.reason = reason

    def __str__(self) -> str:
        return str(self.title)


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"gddt data key id\x00" + key).digest()[:KEY_ID_BYTES]


def key_decode(text: str, *, variable: str) -> bytes:
    """A master key as written in the environment: 32 bytes in base64 (standard or URL-safe alphabet)."""
    cleaned = text.strip()
    try:
        key = base64.b64decode(cleaned.replace("-", "+").replace("_", "/") + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{variable} is not base64: make a key with `gddt keys generate`") from None
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"{variable} must be {KEY_BYTES} bytes in base64 (got {len(key)}): make a key with `gddt keys generate`"
        )
    return key


def key_generate() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def generated_key_load(data_dir: Path) -> str:
    """The embedded default's master key: made once into the data dir (0600), linked into place so that two
    processes starting at once share one; a warning says that it must be backed up with the data."""
    key_file = data_dir / GENERATED_KEY_FILE
    if not key_file.exists():
        draft = data_dir / f"{GENERATED_KEY_FILE}.{os.getpid()}.tmp"
        draft.write_text(key_generate() + "\n", encoding="utf-8")
        draft.chmod(0o600)
        try:
            os.link(draft, key_file)
            sys.stderr.write(
                f"gddt: generated the data key {key_file}; back it up with the data (without it no "
                "stored document can be read), or set GDDT_DATA_KEY (docs/operator.md, Keys)\n"
            )
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_file.read_text(encoding="utf-8").strip()


@dataclass(frozen=True)
class KeyRing:
    """The current master key, which seals, and the previous ones, which still open what they sealed."""

    current: bytes
    previous: tuple[bytes, ...] = ()

    @property
    def current_id(self) -> bytes:
        return key_id(self.current)

    def by_id(self, wanted: bytes) -> bytes | None:
        return next((key for key in (self.current, *self.previous) if key_id(key) == wanted), None)


def is_sealed(head: bytes) -> bool:
    return head.startswith(MAGIC)


def is_plain(head: bytes) -> bool:
    return head.startswith(PLAIN_SIGNATURES)


def _wrap(ring: KeyRing, data_key: bytes) -> bytes:
    """The key slot: the current key's id and the data key wrapped under it."""
    wanted = ring.current_id
    nonce = secrets.token_bytes(NONCE_BYTES)
    return wanted + nonce + AESGCM(ring.current).encrypt(nonce, data_key, MAGIC + wanted)


def _unwrap(ring: KeyRing, sealed: bytes, name: str) -> bytes:
    if len(sealed) < OVERHEAD or not is_sealed(sealed):
        raise StoredFileUnreadable(name, gettext("it is damaged (not an encrypted document)"))
    slot = sealed[KEY_SLOT]
    wanted, nonce, wrapped = (
        slot[:KEY_ID_BYTES],
        slot[KEY_ID_BYTES : KEY_ID_BYTES + NONCE_BYTES],
        slot[KEY_ID_BYTES + NONCE_BYTES :],
    )
    master = ring.by_id(wanted)
    if master is None:
        raise StoredFileUnreadable(
            name,
            gettext("it was encrypted with the master key %(key_id)s, which is not configured")
            % {"key_id": wanted.hex()},
        )
    try:
        return AESGCM(master).decrypt(nonce, wrapped, MAGIC + wanted)
    except InvalidTag:
        raise StoredFileUnreadable(name, gettext("its key is damaged")) from None


def seal(ring: KeyRing, plain: bytes) -> bytes:
    data_key = AESGCM.generate_key(bit_length=256)
    body_nonce = secrets.token_bytes(NONCE_BYTES)
    body = AESGCM(data_key).encrypt(body_nonce, plain, MAGIC)
    return MAGIC + _wrap(ring, data_key) + body_nonce + body


def unseal(ring: KeyRing, sealed: bytes, *, name: str) -> bytes:
    """The plain content; a damaged object or an unknown key raises StoredFileUnreadable naming `name`."""
    data_key = _unwrap(ring, sealed, name)
    body_nonce = sealed[KEY_SLOT.stop : HEADER_BYTES]
    try:
        return AESGCM(data_key).decrypt(body_nonce, sealed[HEADER_BYTES:], MAGIC)
    except InvalidTag:
        raise StoredFileUnreadable(name, gettext("it is damaged (its content fails authentication)")) from None


def key_slot_rewrap(ring: KeyRing, sealed_head: bytes, *, name: str) -> bytes | None:
    """The new key slot for an object whose header is `sealed_head`, or None when the current key already wraps
    it (so a rotation run twice, or resumed, does nothing more)."""
    if sealed_head[KEY_SLOT][:KEY_ID_BYTES] == ring.current_id:
        return None
    return _wrap(ring, data_key_unwrap(ring, sealed_head, name=name))


def data_key_unwrap(ring: KeyRing, sealed_head: bytes, *, name: str) -> bytes:
    """The data key of an object from its header alone (raises StoredFileUnreadable when no key opens it)."""
    return _unwrap(ring, sealed_head + b"\x00" * max(0, OVERHEAD - len(sealed_head)), name)


def sealed_key_id(head: bytes) -> str | None:
    return head[KEY_SLOT][:KEY_ID_BYTES].hex() if is_sealed(head) and len(head) >= KEY_SLOT.stop else None
