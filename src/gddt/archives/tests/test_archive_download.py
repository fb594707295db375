"""An officer downloads a dossier's archive (GET /api/v1/office/dossiers/{no}/archive.zip): only with a counter role
in the completing office's subtree, audited; a clear answer when it is not made yet, and a clear error naming the
dossier when the stored archive is damaged, never a crash."""

import hashlib
import secrets
from io import StringIO

import pytest
from django.core.management import call_command

from gddt.archives.models import Archive
from gddt.archives.tests.support import approve, approve_and_archive, opened, stored_bytes, stored_replace
from gddt.audit.models import AuditEvent
from gddt.counter.tests.apiclient import CLIENT_IP, OfficerApi, complete, url
from gddt.counter.tests.test_web_support import officer_client, page_url
from gddt.registrations.numbers import dossier_number_format

pytestmark = pytest.mark.django_db


def _download(officer, dossier):
    return OfficerApi(officer).get(url(dossier, "/archive.zip"), headers={"Accept-Language": "en"})


def test_an_approver_of_the_completing_office_downloads_the_archive_and_the_look_is_audited(
    document_storage, adult_dossier, hanoi_verifier, hanoi_approver
):
    archive = approve_and_archive(adult_dossier, hanoi_verifier, hanoi_approver)
    response = _download(hanoi_approver, adult_dossier)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == f'attachment; filename="ho-so-{adult_dossier.number}.zip"'
    assert hashlib.sha256(response.content).hexdigest() == archive.sha256
    with opened(response.content) as zipped:
        assert "manifest.json" in zipped.namelist() and zipped.testzip() is None
    [event] = AuditEvent.objects.filter(action="archive.download")
    assert (event.actor, event.office.code, event.dossier, event.client_ip) == (
        hanoi_approver,
        "01",
        adult_dossier,
        CLIENT_IP,
    )


def test_the_receiving_officer_and_a_central_administrator_reach_it_too(
    adult_dossier, hanoi_verifier, hanoi_approver, admin_officer
):
    approve_and_archive(adult_dossier, hanoi_verifier, hanoi_approver)
    assert _download(hanoi_verifier, adult_dossier).status_code == 200
    assert _download(admin_officer, adult_dossier).status_code == 200  # the central office's subtree is the country


def test_an_officer_of_another_province_gets_404_as_if_there_were_no_such_dossier(
    adult_dossier, hanoi_verifier, hanoi_approver, hcm_approver
):
    approve_and_archive(adult_dossier, hanoi_verifier, hanoi_approver)
    response = _download(hcm_approver, adult_dossier)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not AuditEvent.objects.filter(action="archive.download").exists()


def test_an_officer_with_no_role_at_all_gets_404(adult_dossier, hanoi_verifier, hanoi_approver, outsider):
    approve_and_archive(adult_dossier, hanoi_verifier, hanoi_approver)
    assert _download(outsider, adult_dossier).json()["code"] == "not_found"


def test_a_director_of_the_completing_office_without_a_counter_role_gets_403(
    adult_dossier, hanoi_verifier, hanoi_approver, hanoi_director
):
    approve_and_archive(adult_dossier, hanoi_verifier, hanoi_approver)
    response = _download(hanoi_director, adult_dossier)
    assert response.status_code == 403
    assert response.json()["code"] == "missing_role"
    assert not AuditEvent.objects.filter(action="archive.download").exists()


def test_an_unknown_or_mistyped_number_is_404(hanoi_approver):
    api = OfficerApi(hanoi_approver)
    assert api.get("/api/v1/office/dossiers/26-0000001-0/archive.zip").json()["code"] == "not_found"
    assert api.get("/api/v1/office/dossiers/not-a-number/archive.zip").status_code == 404


def test_an_archive_not_made_yet_is_a_404_that_says_so(adult_dossier, hanoi_verifier, hanoi_approver):
    approve(adult_dossier, hanoi_verifier, hanoi_approver)  # the worker has not run yet
    response = _download(hanoi_approver, adult_dossier)
    assert response.status_code == 404
    assert response.json()["code"] == "archive_not_ready"
    assert "after approval" in response.json()["title"]


def test_a_dossier_not_yet_approved_has_no_archive(adult_dossier, hanoi_verifier, hanoi_approver):
    complete(adult_dossier, hanoi_verifier)  # verified: the completing office is set
    response = _download(hanoi_approver, adult_dossier)
    assert response.status_code == 404
    assert response.json()["code"] == "archive_not_ready"
    assert response.json()["title"] == "Only an approved dossier has an archive."


def _assert_damaged(response, dossier):
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "archive_damaged"
    assert body["dossier_no"] == dossier_number_format(dossier.number)
    assert dossier_number_format(dossier.number) in body["title"]
    assert not AuditEvent.objects.filter(action="archive.download").exists()


def test_an_archive_whose_stored_bytes_were_damaged_is_a_clear_error_naming_the_dossier(
    document_storage, adult_dossier, hanoi_verifier, hanoi_approver
):
    archive = approve_and_archive(adult_dossier, hanoi_verifier, hanoi_approver)
    raw = bytearray(stored_bytes(archive))
    raw[-40] ^= 0xFF  # one byte of the encrypted body: authentication fails
    stored_replace(archive, bytes(raw))
    response = _download(hanoi_approver, adult_dossier)
    _assert_damaged(response, adult_dossier)
    assert "fails authentication" in response.json()["title"]


def test_an_archive_that_differs_from_its_recorded_hash_is_a_clear_error(adult_dossier, hanoi_verifier, hanoi_approver):
    archive = approve_and_archive(adult_dossier, hanoi_verifier, hanoi_approver)
    Archive.objects.filter(pk=archive.pk).update(sha256="f" * 64)
    response = _download(hanoi_approver, adult_dossier)
    _assert_damaged(response, adult_dossier)
    assert "differs from the SHA-256" in response.json()["title"]


def test_an_archive_sealed_under_a_key_this_node_lacks_is_a_clear_error(
    settings, adult_dossier, hanoi_verifier, hanoi_approver
):
    approve_and_archive(adult_dossier, hanoi_verifier, hanoi_approver)
    settings.GDDT_DATA_KEY = secrets.token_bytes(32)  # another node's key; the archive's is not configured
    response = _download(hanoi_approver, adult_dossier)
    _assert_damaged(response, adult_dossier)
    assert "master key" in response.json()["title"]


def test_an_archive_missing_from_the_storage_is_a_clear_error(adult_dossier, hanoi_verifier, hanoi_approver):
    archive = approve_and_archive(adult_dossier, hanoi_verifier, hanoi_approver)
    archive.file.storage.delete(archive.file.name)
    _assert_damaged(_download(hanoi_approver, adult_dossier), adult_dossier)


def test_the_dossier_page_links_the_archive_only_for_officers_who_may_download_it(
    adult_dossier, hanoi_verifier, hanoi_approver, hcm_approver
):
    approve_and_archive(adult_dossier, hanoi_verifier, hanoi_approver)
    link = f'href="{url(adult_dossier, "/archive.zip")}"'
    html = officer_client(hanoi_approver).get(page_url(adult_dossier)).content.decode()
    assert link in html and "Download the archived record (zip)" in html
    # An approver of another province opens the dossier by its number, but the archive is not within reach.
    other = officer_client(hcm_approver).get(page_url(adult_dossier))
    assert other.status_code == 200 and link not in other.content.decode()
    # The session that shows the page also downloads from the link.
    assert officer_client(hanoi_approver).get(url(adult_dossier, "/archive.zip")).status_code == 200


def test_a_dossier_not_yet_approved_shows_no_archive_link(adult_dossier, hanoi_verifier, hanoi_approver):
    complete(adult_dossier, hanoi_verifier)
    html = officer_client(hanoi_approver).get(page_url(adult_dossier)).content.decode()
    assert "/archive.zip" not in html


def test_after_a_key_rotation_the_archive_still_downloads_under_the_new_key_alone(
    document_storage, settings, adult_dossier, hanoi_verifier, hanoi_approver
):
    archive = approve_and_archive(adult_dossier, hanoi_verifier, hanoi_approver)
    settings.GDDT_DATA_KEY, settings.GDDT_DATA_KEY_PREVIOUS = secrets.token_bytes(32), [settings.GDDT_DATA_KEY]
    call_command("keys", "rotate", stdout=StringIO(), stderr=StringIO())
    settings.GDDT_DATA_KEY_PREVIOUS = []  # the old key removed, as the operator's guide says
    response = _download(hanoi_approver, adult_dossier)
    assert response.status_code == 200, response.content
    assert hashlib.sha256(response.content).hexdigest() == archive.sha256
