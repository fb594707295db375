"""Documents are encrypted at rest (envelope encryption, core/encryption.py and core/storage.py): the stored bytes
hold no image, the counter still sees the photos, a wrong key or a damaged file is a clear error, and `gddt keys
rotate` rewraps every data key under a new master key, resumably, on local files and on S3."""

import base64
import hashlib
import io
import os
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from PIL import Image

from gddt.core import encryption
from gddt.core.storage import EncryptedStorage
from gddt.counter.tests.test_web_support import officer_client, page_url, photo
from gddt.registrations.models import Document, Dossier
from gddt.registrations.numbers import dossier_number_format
from gddt.registrations.services import registration_submit
from gddt_testing.factories import adult_data, jpeg_bytes, png_bytes
from gddt_testing.s3 import s3_server

pytestmark = pytest.mark.django_db

IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG", b"JFIF", b"Exif", b"%PDF")


def new_key() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture
def private(tmp_path) -> Path:
    return tmp_path / "private"


@pytest.fixture
def dossier_with_photos(db) -> Dossier:
    files = {kind: photo(f"{kind}.jpg") for kind in ("id_front", "id_back", "portrait")}
    return Dossier.objects.get(pk=registration_submit(data=adult_data(), files=files).dossier_id)


def stored_bytes(private: Path, document: Document) -> bytes:
    return (private / document.file.name).read_bytes()


def test_the_stored_photos_hold_no_image_and_the_counter_still_sees_them(dossier_with_photos, private, hcm_verifier):
    documents = list(dossier_with_photos.documents.all())
    assert len(documents) == 3
    for document in documents:
        stored = stored_bytes(private, document)
        assert stored.startswith(encryption.MAGIC)
        assert not any(signature in stored for signature in IMAGE_SIGNATURES)
        with pytest.raises(OSError):
            Image.open(io.BytesIO(stored))
    client = officer_client(hcm_verifier)
    response = client.get(page_url(dossier_with_photos, "document", kind="portrait"))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(response.content)).format == "JPEG"
    portrait = dossier_with_photos.documents.get(kind="portrait")
    assert hashlib.sha256(response.content).hexdigest() == portrait.sha256  # what the citizen sent, as cleaned
    declaration = client.get(page_url(dossier_with_photos, "declaration"))
    assert declaration.status_code == 200 and declaration.content.startswith(b"%PDF")


def test_each_file_has_its_own_data_key_and_a_png_is_sealed_too():
    first = default_storage.save("documents/a.png", ContentFile(png_bytes()))
    second = default_storage.save("documents/b.png", ContentFile(png_bytes()))
    storage = storages["default"]
    assert isinstance(storage, EncryptedStorage)
    heads = [storage.head_read(name) for name in (first, second)]
    assert heads[0][encryption.KEY_SLOT] != heads[1][encryption.KEY_SLOT]  # fresh data key, fresh nonces
    with default_storage.open(first) as handle:
        assert handle.read() == png_bytes()
    assert default_storage.size(first) == len(png_bytes())


def test_a_wrong_master_key_is_a_clear_error_naming_the_file_and_the_start_is_refused(
    dossier_with_photos, hcm_verifier, settings
):
    settings.GDDT_DATA_KEY = new_key()
    portrait = dossier_with_photos.documents.get(kind="portrait")
    response = officer_client(hcm_verifier).get(page_url(dossier_with_photos, "document", kind="portrait"))
    assert response.status_code == 500
    html = response.content.decode()
    assert portrait.file.name in html and "GDDT_DATA_KEY" in html and "not configured" in html
    assert dossier_number_format(dossier_with_photos.number) in html
    assert not response.content.startswith(b"\xff\xd8")
    with pytest.raises(SystemCheckError, match="the data key cannot read the stored documents"):
        call_command("check", "--system-only", stdout=StringIO(), stderr=StringIO())


def test_a_damaged_file_is_a_clear_error_naming_it(dossier_with_photos, hcm_verifier, private):
    portrait = dossier_with_photos.documents.get(kind="portrait")
    path = private / portrait.file.name
    stored = bytearray(path.read_bytes())
    stored[encryption.HEADER_BYTES + 100] ^= 0x01
    path.write_bytes(bytes(stored))
    response = officer_client(hcm_verifier).get(page_url(dossier_with_photos, "document", kind="portrait"))
    assert response.status_code == 500
    html = response.content.decode()
    assert portrait.file.name in html and "damaged" in html
    assert dossier_number_format(dossier_with_photos.number) in html  # the officer can name the dossier to the operator
    with pytest.raises(encryption.StoredFileUnreadable, match="damaged"):
        default_storage.open(portrait.file.name)


def test_the_right_key_opens_the_start_check(dossier_with_photos):
    call_command("check", "--system-only", stdout=StringIO(), stderr=StringIO())


def rotate(**options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("keys", "rotate", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def key_ids(private: Path, names: list[str]) -> list[str | None]:
    return [encryption.sealed_key_id((private / name).read_bytes()) for name in names]


def test_rotation_interrupted_and_resumed_rewraps_every_key_and_leaves_the_bodies(
    dossier_with_photos, private, settings, hcm_verifier
):
    old, new = settings.GDDT_DATA_KEY, new_key()
    names = sorted(dossier_with_photos.documents.values_list("file", flat=True))
    before = {name: (private / name).read_bytes() for name in names}
    inodes = {name: os.stat(private / name).st_ino for name in names}
    settings.GDDT_DATA_KEY, settings.GDDT_DATA_KEY_PREVIOUS = new, [old]

    dry, _ = rotate(dry_run=True)
    assert "3 to rewrap" in dry and "dry run" in dry
    assert key_ids(private, names) == [encryption.key_id(old).hex()] * 3

    calls = {"count": 0}
    original = EncryptedStorage.rewrap

    def stopped_after_one(self, name, *, ring):
        calls["count"] += 1
        if calls["count"] == 2:
            raise KeyboardInterrupt
        return original(self, name, ring=ring)

    with (
        mock.patch.object(EncryptedStorage, "rewrap", stopped_after_one),
        pytest.raises(CommandError, match="interrupted after 1 documents"),
    ):
        rotate()
    assert sorted(key_ids(private, names)).count(encryption.key_id(new).hex()) == 1

    out, _ = rotate()  # resumed: the one done is skipped
    assert "1 current, 2 rewrapped" in out
    assert key_ids(private, names) == [encryption.key_id(new).hex()] * 3
    for name in names:
        after = (private / name).read_bytes()
        assert after[encryption.KEY_SLOT.stop :] == before[name][encryption.KEY_SLOT.stop :]  # body untouched
        assert os.stat(private / name).st_ino == inodes[name]  # the header rewritten in place
    assert "3 current" in rotate()[0]  # run again: nothing to do

    settings.GDDT_DATA_KEY_PREVIOUS = []  # the old key retired: every photo still opens
    response = officer_client(hcm_verifier).get(page_url(dossier_with_photos, "document", kind="id_front"))
    assert response.status_code == 200 and response.content[:3] == b"\xff\xd8\xff"


def test_rotation_names_a_file_no_configured_key_opens(dossier_with_photos, settings):
    settings.GDDT_DATA_KEY = new_key()  # the old key not listed as previous
    name = dossier_with_photos.documents.first().file.name
    err = StringIO()
    with pytest.raises(CommandError, match="3 document"):
        call_command("keys", "rotate", stdout=StringIO(), stderr=err)
    assert name in err.getvalue() and "not configured" in err.getvalue()


def test_a_document_stored_before_encryption_is_read_and_then_sealed_by_rotation(private):
    plain = jpeg_bytes()
    (private / "documents" / "old").mkdir(parents=True)
    (private / "documents" / "old" / "legacy.jpg").write_bytes(plain)
    with default_storage.open("documents/old/legacy.jpg") as handle:
        assert handle.read() == plain
    out, _ = rotate()
    assert "1 sealed" in out
    stored = (private / "documents" / "old" / "legacy.jpg").read_bytes()
    assert stored.startswith(encryption.MAGIC) and b"JFIF" not in stored
    with default_storage.open("documents/old/legacy.jpg") as handle:
        assert handle.read() == plain


def test_keys_generate_prints_a_key_the_settings_accept():
    out = StringIO()
    call_command("keys", "generate", stdout=out)
    assert len(encryption.key_decode(out.getvalue(), variable="GDDT_DATA_KEY")) == 32


def run_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("GDDT_", "DATABASE_URL"))}
    environment |= {"GDDT_DATA_DIR": str(tmp_path / "node"), **env}
    return subprocess.run(
        [sys.executable, "-m", "gddt.cli", "check", "--system-only"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_malformed_or_missing_master_key_stops_the_start_naming_the_variable(tmp_path):
    short = run_check(tmp_path, GDDT_DATA_KEY=base64.b64encode(b"too short").decode())
    assert short.returncode != 0 and "GDDT_DATA_KEY must be 32 bytes in base64" in short.stderr
    missing = run_check(tmp_path, GDDT_DATA_KEY_FILE=str(tmp_path / "no-such-key"))
    assert missing.returncode != 0 and "GDDT_DATA_KEY_FILE" in missing.stderr and "no-such-key" in missing.stderr
    generated = run_check(tmp_path)
    assert generated.returncode == 0, generated.stderr
    key_file = tmp_path / "node" / "data_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "back it up with the data" in generated.stderr
    key = key_file.read_text()
    again = run_check(tmp_path)
    assert again.returncode == 0 and "generated the data key" not in again.stderr and key_file.read_text() == key


@pytest.fixture
def s3(settings, tmp_path):
    with s3_server() as server:
        settings.STORAGES = {**settings.STORAGES, "default": server.storage_setting()}
        yield server


def test_on_s3_the_objects_hold_no_image_and_rotation_rewrites_them_whole(s3, settings, hcm_verifier):
    files = {kind: photo(f"{kind}.jpg") for kind in ("id_front", "id_back", "portrait")}
    dossier = Dossier.objects.get(pk=registration_submit(data=adult_data(), files=files).dossier_id)
    names = sorted(dossier.documents.values_list("file", flat=True))
    api = s3.client()

    def body(name: str) -> bytes:
        return api.get_object(Bucket=s3.bucket, Key=name)["Body"].read()

    for name in names:
        assert body(name).startswith(encryption.MAGIC)
        assert not any(signature in body(name) for signature in IMAGE_SIGNATURES)
    old, new = settings.GDDT_DATA_KEY, new_key()
    settings.GDDT_DATA_KEY, settings.GDDT_DATA_KEY_PREVIOUS = new, [old]
    before = {name: body(name) for name in names}
    assert "3 rewrapped" in rotate()[0]
    assert "3 current" in rotate()[0]
    for name in names:
        assert encryption.sealed_key_id(body(name)) == encryption.key_id(new).hex()
        assert body(name)[encryption.KEY_SLOT.stop :] == before[name][encryption.KEY_SLOT.stop :]
        assert api.head_object(Bucket=s3.bucket, Key=name)["ServerSideEncryption"] == "AES256"
    assert s3.keys() == names  # replaced under the same names, nothing added
    settings.GDDT_DATA_KEY_PREVIOUS = []
    response = officer_client(hcm_verifier).get(page_url(dossier, "document", kind="portrait"))
    assert response.status_code == 200 and response.content[:3] == b"\xff\xd8\xff"
