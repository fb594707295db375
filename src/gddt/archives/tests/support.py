"""Shortcuts shared by the archives' tests (not a test module itself): an approved dossier, the storage under test
and the stored bytes of an archive as they lie in that storage."""

import io
import zipfile

from django.core.files.storage import storages

from gddt.archives.models import Archive
from gddt.counter import services
from gddt.counter.tests.apiclient import complete
from gddt.registrations.models import Dossier
from gddt_testing.factories import jpeg_bytes, run_queued_tasks


def approve(dossier: Dossier, verifier, approver, *, replace: str | None = None) -> Dossier:
    """Completes, verifies and approves the dossier at the counter; `replace` supplements that kind a second time
    first, so that the dossier holds a replaced document too. The archive's job is queued, not yet run."""
    if replace is not None:
        found = services.dossier_for_officer(officer=verifier, dossier_no=dossier.number, action="edit")
        services.document_supplement(
            officer=verifier,
            dossier=found,
            kind=replace,
            upload=jpeg_bytes(1000, 700, color=(200, 40, 40)),
            expected_version=None,
            client_ip=None,
        )
    complete(dossier, verifier)
    found = services.dossier_for_officer(officer=approver, dossier_no=dossier.number, action="approve")
    services.dossier_approve(officer=approver, dossier=found, client_ip=None)
    dossier.refresh_from_db()
    return dossier


def approve_and_archive(dossier: Dossier, verifier, approver, **kwargs) -> Archive:
    approve(dossier, verifier, approver, **kwargs)
    run_queued_tasks()
    return Archive.objects.get(dossier=dossier)


def stored_bytes(archive: Archive) -> bytes:
    """The archive's object as the storage under the encryption holds it (what a thief of the disk would read)."""
    with storages["default"].inner.open(archive.file.name, "rb") as handle:
        return handle.read()


def stored_replace(archive: Archive, content: bytes) -> None:
    """Puts other bytes in place of the stored archive object (a damaged disk, a bad restore)."""
    storages["default"]._replace(archive.file.name, content)


def opened(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))
