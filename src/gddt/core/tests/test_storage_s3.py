"""The documents on S3-compatible object storage (a real S3 HTTP server, moto's): private objects, nothing left
on the node's disk, nothing left in the bucket by a failed request, and `gddt check`'s storage probe."""

import json
from io import StringIO
from pathlib import Path
from unittest import mock

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gddt.registrations.models import Document, Transition
from gddt_testing.factories import adult_data, jpeg_bytes
from gddt_testing.s3 import s3_server

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


@pytest.fixture
def s3(settings, tmp_path):
    with s3_server() as server:
        settings.STORAGES = {**settings.STORAGES, "default": server.storage_setting()}
        settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
        Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir()
        yield server


def register_with_photos(client, **headers):
    data = adult_data()
    files = {kind: (f"{kind}.jpg", jpeg_bytes(), "image/jpeg") for kind in ("id_front", "id_back", "portrait")}
    from django.core.files.uploadedfile import SimpleUploadedFile

    payload = {"data": json.dumps(data)} | {kind: SimpleUploadedFile(*file) for kind, file in files.items()}
    return data, client.post("/api/v1/registrations", payload, headers=headers)


@pytest.mark.django_db
def test_photos_go_to_the_bucket_as_private_objects_and_nothing_stays_on_disk(client, s3, settings, tmp_path):
    data, response = register_with_photos(client)
    assert response.status_code == 201, response.content
    names = sorted(Document.objects.values_list("file", flat=True))
    assert len(names) == 3 and s3.keys() == names
    api = s3.client()
    for name in names:
        grants = api.get_object_acl(Bucket=s3.bucket, Key=name)["Grants"]
        assert {grant["Grantee"].get("URI") for grant in grants}.isdisjoint({ALL_USERS, AUTHENTICATED_USERS})
        assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner's, alone
        head = api.head_object(Bucket=s3.bucket, Key=name)
        assert head["ServerSideEncryption"] == "AES256"
        assert data["personal_id"] not in name  # generated names only
    # No copy on the node: neither the private folder nor the upload temp folder holds anything.
    assert not (tmp_path / "private").exists() or list((tmp_path / "private").rglob("*")) == []
    assert list(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir()) == []
    # Any URL the storage could make is signed and short-lived; the bare object URL is not one.
    document = Document.objects.first()
    url = document.file.url
    assert "Signature=" in url or "X-Amz-Signature=" in url
    assert httpx.get(f"{s3.endpoint}/{s3.bucket}/{document.file.name}", timeout=10).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_failed_registration_removes_what_it_wrote_to_the_bucket(s3, reference):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gddt.registrations.services import registration_submit

    files = {kind: SimpleUploadedFile(f"{kind}.jpg", jpeg_bytes(), "image/jpeg") for kind in ("id_front", "portrait")}
    with (
        mock.patch.object(Transition.objects, "create", side_effect=RuntimeError("the database went away")),
        pytest.raises(RuntimeError),
    ):
        registration_submit(data=adult_data(), files=files)
    assert Document.objects.count() == 0
    assert s3.keys() == []


@pytest.fixture
def shared_keys(monkeypatch):
    """On PostgreSQL `gddt check` also asks that every node be given the same keys (the several-nodes check)."""
    for name in ("GDDT_SECRET_KEY", "GDDT_DATA_KEY", "GDDT_OIDC_PRIVATE_KEY"):
        monkeypatch.setenv(name, "set-for-the-check")


@pytest.mark.django_db
def test_check_writes_reads_and_deletes_a_probe_object(s3, shared_keys):
    out, err = StringIO(), StringIO()
    call_command("check", stdout=out, stderr=err)
    assert "ok       storage: S3Storage: wrote, read and deleted a probe object" in out.getvalue()
    assert s3.keys() == []


@pytest.mark.django_db
def test_check_names_a_storage_it_cannot_write_to(s3, settings, shared_keys):
    inner = settings.STORAGES["default"]["OPTIONS"]["inner"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {"inner": {**inner, "OPTIONS": {**inner["OPTIONS"], "bucket_name": "no-such-bucket"}}},
        },
    }
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem found"):
        call_command("check", stdout=StringIO(), stderr=err)
    assert "PROBLEM  storage: S3Storage: cannot write, read and delete a probe object (NoSuchBucket" in err.getvalue()
