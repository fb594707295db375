"""The archived record (issue 13): each approval makes exactly one archive, through a job queued in the approval's
own transaction; the archive holds the data, every document with its provenance, the transitions and a manifest
whose SHA-256s match every part; it is stored encrypted, on local files and on S3 alike."""

import hashlib
import json
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gddt.archives.models import Archive
from gddt.archives.services import (
    FORMAT,
    ArchiveNotMade,
    archive_build,
    archive_content,
    archives_missing_build,
    archives_purged_delete,
)
from gddt.archives.tasks import archive_build_job, archives_missing_job
from gddt.archives.tests.support import approve, approve_and_archive, opened, stored_bytes
from gddt.audit.models import AuditEvent
from gddt.core.encryption import MAGIC
from gddt.core.errors import Problem
from gddt.counter import services
from gddt.counter.tests.apiclient import complete
from gddt.registrations.models import Document, Status
from gddt.registrations.numbers import dossier_number_format
from gddt_testing.factories import run_queued_tasks

pytestmark = pytest.mark.django_db

ARCHIVE_JOB = "gddt.archives.tasks.archive_build_job"


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def test_approval_queues_one_job_and_the_worker_makes_one_archive_even_when_run_twice(
    document_storage, adult_dossier, hanoi_verifier, hanoi_approver
):
    approve(adult_dossier, hanoi_verifier, hanoi_approver)
    [job] = DBTaskResult.objects.filter(task_path=ARCHIVE_JOB)
    assert job.args_kwargs == {"args": [adult_dossier.pk], "kwargs": {}}
    assert not Archive.objects.exists()  # made by the worker, after the approval's commit
    run_queued_tasks()
    archive = Archive.objects.get(dossier=adult_dossier)
    # The same job again (a retry, a second worker) and the sweep: still the one archive, and one stored object.
    archive_build_job.enqueue(adult_dossier.pk)
    run_queued_tasks()
    assert archive_build(dossier_id=adult_dossier.pk) == archive
    assert archives_missing_build() == 0
    assert list(Archive.objects.all()) == [archive]
    assert archive.file.name.startswith("archives/") and archive.file.name.endswith(".zip")
    folder = archive.file.name.rsplit("/", 1)[0]
    _folders, files = storages["default"].listdir(folder)
    assert files == [archive.file.name.rsplit("/", 1)[1]]
    assert archive.size == len(archive_content(archive=archive))
    assert AuditEvent.objects.filter(action="archive.create", dossier=adult_dossier).count() == 1


def test_an_approval_that_is_refused_queues_no_archive(adult_dossier, hanoi_verifier, hanoi_approver):
    complete(adult_dossier, hanoi_verifier)
    document = Document.objects.get(dossier=adult_dossier, kind="signed_declaration")
    Document.objects.filter(pk=document.pk).delete()  # a required component gone: the approval is refused
    found = services.dossier_for_officer(officer=hanoi_approver, dossier_no=adult_dossier.number, action="approve")
    with pytest.raises(Problem, match="missing"):
        services.dossier_approve(officer=hanoi_approver, dossier=found, client_ip=None)
    assert not DBTaskResult.objects.filter(task_path=ARCHIVE_JOB).exists()
    run_queued_tasks()
    assert not Archive.objects.exists()


def test_every_hash_in_the_manifest_matches_its_part_and_the_stored_documents(
    document_storage, adult_dossier, hanoi_verifier, hanoi_approver
):
    archive = approve_and_archive(adult_dossier, hanoi_verifier, hanoi_approver, replace="id_front")
    content = archive_content(archive=archive)
    assert _sha256(content) == archive.sha256 and len(content) == archive.size
    with opened(content) as zipped:
        assert zipped.testzip() is None
        manifest = json.loads(zipped.read("manifest.json"))
        names = set(zipped.namelist()) - {"manifest.json"}
        # Every part of the zip is in the manifest, with the SHA-256 and size of its bytes.
        assert {part["name"] for part in manifest["parts"]} == names
        for part in manifest["parts"]:
            body = zipped.read(part["name"])
            assert part["sha256"] == _sha256(body), part["name"]
            assert part["size"] == len(body), part["name"]
        # Every document of the dossier, current and replaced, with the hash recorded when it was stored.
        stored = Document.objects.filter(dossier=adult_dossier)
        assert len(stored) == 5  # four required ones and the ID front it replaced
        assert sorted((e["kind"], e["current"], e["sha256"]) for e in manifest["documents"]) == sorted(
            (d.kind, d.replaced_at is None, d.sha256) for d in stored
        )
        hashes = {part["name"]: part["sha256"] for part in manifest["parts"]}
        for entry in manifest["documents"]:
            assert hashes[entry["part"]] == entry["sha256"]  # the part's bytes are the document as it was stored
            assert entry["source"] == "counter" and entry["supplied_by"] == "hn.verifier" and entry["office"] == "01"
            assert entry["supplied_at"] is not None
        replaced = [e for e in manifest["documents"] if not e["current"]]
        assert [e["part"] for e in replaced] == ["documents/replaced/id_front-1.jpg"]
        assert manifest["signed_declaration"] == "documents/signed_declaration.jpg"
        assert "documents/signed_declaration.jpg" in names
        data = json.loads(zipped.read("data.json"))
        transitions = json.loads(zipped.read("transitions.json"))
    number = dossier_number_format(adult_dossier.number)
    assert manifest["format"] == FORMAT
    assert manifest["dossier_no"] == data["dossier_no"] == number
    assert manifest["completed_office"] == "01"
    assert manifest["approved_at"] == data["approved_at"] is not None
    assert manifest["archive_created_at"] == timezone.localtime(archive.created_at).isoformat()
    assert manifest["approved_at"] == timezone.localtime(adult_dossier.approved_at).isoformat()
    assert data["registration"]["personal_id"] == adult_dossier.personal_id
    assert data["registration"]["full_name"] == adult_dossier.full_name
    assert data["approved_by"] == "hn.approver" and data["verified_by"] == "hn.verifier"
    assert data["status"] == Status.APPROVED
    assert [(t["action"], t["actor"], t["office_code"]) for t in transitions] == [
        ("submit", None, None),
        ("verify", "hn.verifier", "01"),
        ("approve", "hn.approver", "01"),
    ]


def test_the_stored_archive_is_encrypted_and_not_a_readable_zip(
    document_storage, adult_dossier, hanoi_verifier, hanoi_approver
):
    archive = approve_and_archive(adult_dossier, hanoi_verifier, hanoi_approver)
    raw = stored_bytes(archive)
    assert raw.startswith(MAGIC)
    assert b"PK\x03\x04" not in raw and b"manifest.json" not in raw
    assert adult_dossier.personal_id.encode() not in raw
    assert adult_dossier.full_name.encode() not in raw
    assert _sha256(raw) != archive.sha256


def test_the_sweep_makes_an_archive_whose_job_was_lost(adult_dossier, hanoi_verifier, hanoi_approver):
    approve(adult_dossier, hanoi_verifier, hanoi_approver)
    DBTaskResult.objects.filter(task_path=ARCHIVE_JOB).delete()  # e.g. a queue restored from an older backup
    run_queued_tasks()
    assert not Archive.objects.exists()
    assert archives_missing_build() == 1
    assert Archive.objects.filter(dossier=adult_dossier).count() == 1
    assert archives_missing_build() == 0


def test_a_document_that_differs_from_its_recorded_hash_is_never_sealed_into_an_archive(
    adult_dossier, hanoi_verifier, hanoi_approver
):
    approve(adult_dossier, hanoi_verifier, hanoi_approver)
    Document.objects.filter(dossier=adult_dossier, kind="portrait").update(sha256="0" * 64)
    with pytest.raises(ArchiveNotMade, match=dossier_number_format(adult_dossier.number)) as raised:
        archive_build(dossier_id=adult_dossier.pk)
    assert "portrait" in str(raised.value)
    assert not Archive.objects.exists()
    assert "archives" not in storages["default"].listdir("")[0]  # nothing half-made left in the storage
    assert archives_missing_build() == 0  # logged, left for the next run


def test_a_dossier_that_is_not_approved_gets_no_archive(adult_dossier, hanoi_verifier):
    complete(adult_dossier, hanoi_verifier)
    assert archive_build(dossier_id=adult_dossier.pk) is None
    assert not Archive.objects.exists()


def test_a_run_that_loses_the_race_keeps_the_first_archive_and_removes_its_own_copy(
    document_storage, adult_dossier, hanoi_verifier, hanoi_approver
):
    first = approve_and_archive(adult_dossier, hanoi_verifier, hanoi_approver)
    # A second run that looked before the first had committed: it builds, then meets the unique constraint.
    with mock.patch.object(Archive.objects, "filter", return_value=Archive.objects.none()):
        again = archive_build(dossier_id=adult_dossier.pk)
    assert again == first
    assert list(Archive.objects.all()) == [first]
    folder, stored_name = first.file.name.rsplit("/", 1)
    assert storages["default"].listdir(folder)[1] == [stored_name]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_building_one_archive_at_once_make_exactly_one(reference):
    from gddt.accounts.services import officer_create
    from gddt.offices.models import Office
    from gddt.registrations.models import Dossier
    from gddt.registrations.services import registration_submit
    from gddt_testing.factories import adult_data
    from gddt_testing.personas import PERSONA_PASSWORD

    office = Office.objects.get(code="01")
    verifier, approver = (
        officer_create(username=f"pg.{role}", office=office, roles=[role], password=PERSONA_PASSWORD)
        for role in ("verifier", "approver")
    )
    dossier = Dossier.objects.get(pk=registration_submit(data=adult_data(), files={}).dossier_id)
    approve(dossier, verifier, approver)
    barrier = threading.Barrier(2)
    made: list[str] = []

    def build() -> None:
        try:
            barrier.wait(timeout=10)
            archive = archive_build(dossier_id=dossier.pk)
            made.append(archive.sha256 if archive else "")
        finally:
            connection.close()

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    [archive] = Archive.objects.all()
    assert made == [archive.sha256, archive.sha256]
    folder, stored_name = archive.file.name.rsplit("/", 1)
    assert storages["default"].listdir(folder)[1] == [stored_name]
    assert AuditEvent.objects.filter(action="archive.create").count() == 1


def test_the_sweep_prunes_the_rows_of_archive_jobs_done_more_than_a_day_ago(
    adult_dossier, hanoi_verifier, hanoi_approver
):
    approve_and_archive(adult_dossier, hanoi_verifier, hanoi_approver)
    [job] = DBTaskResult.objects.filter(task_path=ARCHIVE_JOB, status="SUCCESSFUL")
    assert archives_missing_job.call() == {"made": 0, "purged": 0, "jobs_pruned": 0}  # done today: kept for a look
    DBTaskResult.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=1, minutes=1))
    assert archives_missing_job.call() == {"made": 0, "purged": 0, "jobs_pruned": 1}
    assert not DBTaskResult.objects.filter(task_path=ARCHIVE_JOB).exists()
    assert Archive.objects.filter(dossier=adult_dossier).exists()


def test_the_archive_of_a_dossier_purged_by_retention_goes_with_its_documents(
    settings, adult_dossier, hanoi_verifier, hanoi_approver, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    from gddt.registrations.retention import dossiers_purge_due

    archive = approve_and_archive(adult_dossier, hanoi_verifier, hanoi_approver)
    assert archives_purged_delete() == 0  # kept while the dossier is
    settings.GDDT_RETENTION_COMPLETED_DAYS = 0
    assert [due.dossier_id for due in dossiers_purge_due()] == [adult_dossier.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert archives_missing_job.call() == {"made": 0, "purged": 1, "jobs_pruned": 0}
    assert not Archive.objects.exists() and not default_storage.exists(archive.file.name)
    assert AuditEvent.objects.filter(action="archive.purge", dossier=adult_dossier).count() == 1
    assert archives_purged_delete() == 0 and archives_missing_build() == 0  # not made again from the purged dossier
