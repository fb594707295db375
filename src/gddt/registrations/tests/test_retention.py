"""Retention (issue 13): the documents and personal data of a dossier go once its decision is older than the
retention settings say; the number, status, dates, document rows, transitions and audit events stay."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from gddt.audit.models import AuditEvent
from gddt.core.registry import periodic_jobs
from gddt.counter import services as counter
from gddt.counter.tests.apiclient import OfficerApi, complete, url
from gddt.registrations.models import Document, Dossier, Status, Transition
from gddt.registrations.numbers import dossier_number_format
from gddt.registrations.retention import dossiers_purge_due
from gddt.registrations.services import registration_submit
from gddt.registrations.tasks import dossiers_retention_job
from gddt_testing.factories import adult_data, jpeg_bytes, minor_data
from gddt_testing.storage import stored_files

pytestmark = pytest.mark.django_db

PHOTOS = {
    "with_id_card": ("id_front", "id_back", "portrait"),
    "minor_without_id_card": ("portrait", "birth_certificate", "guardian_id_front"),
}


def submitted(data=None) -> Dossier:
    """A dossier submitted online with three photos."""
    data = data or adult_data()
    files = {kind: SimpleUploadedFile(f"{kind}.jpg", jpeg_bytes(), "image/jpeg") for kind in PHOTOS[data["category"]]}
    return Dossier.objects.get(pk=registration_submit(data=data, files=files).dossier_id)


def decided(status: str, days_ago: float, data=None) -> Dossier:
    """A dossier with photos whose decision (rejection, deadline or approval) was `days_ago` days ago."""
    dossier = submitted(data)
    moment = timezone.now() - timedelta(days=days_ago)
    date_field = {Status.REJECTED: "rejected_at", Status.EXPIRED: "expires_at", Status.APPROVED: "approved_at"}
    Dossier.objects.filter(pk=dossier.pk).update(status=status, **{date_field[status]: moment})
    dossier.refresh_from_db()
    return dossier


def run(*args: str) -> str:
    out = StringIO()
    call_command("retention", "run", *args, stdout=out)
    return out.getvalue()


def test_a_rejected_dossier_is_purged_ninety_days_after_its_rejection_and_not_a_day_before():
    due = decided(Status.REJECTED, 90.01)
    kept = decided(Status.REJECTED, 89)
    assert [d.dossier_id for d in dossiers_purge_due()] == [due.pk]
    due.refresh_from_db()
    kept.refresh_from_db()
    assert due.purged_at is not None and kept.purged_at is None
    assert kept.full_name == "Nguyễn Văn An" and kept.personal_id


def test_an_expired_dossier_is_purged_ninety_days_after_its_deadline_and_not_a_day_before():
    due = decided(Status.EXPIRED, 91)
    kept = decided(Status.EXPIRED, 89)
    assert [d.dossier_id for d in dossiers_purge_due()] == [due.pk]
    kept.refresh_from_db()
    assert kept.purged_at is None


def test_an_approved_dossier_is_kept_for_ever_unless_a_completed_period_is_set(settings):
    long_ago = decided(Status.APPROVED, 3650)
    assert dossiers_purge_due() == []
    settings.GDDT_RETENTION_COMPLETED_DAYS = 365 * 5
    recent = decided(Status.APPROVED, 365 * 4)
    assert [d.dossier_id for d in dossiers_purge_due()] == [long_ago.pk]
    recent.refresh_from_db()
    assert recent.purged_at is None


def test_open_dossiers_are_never_purged_however_old(settings):
    settings.GDDT_RETENTION_REJECTED_DAYS = settings.GDDT_RETENTION_EXPIRED_DAYS = 0
    settings.GDDT_RETENTION_COMPLETED_DAYS = 0
    old = submitted()
    verified = submitted(minor_data())
    Dossier.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=4000))
    Dossier.objects.filter(pk=verified.pk).update(
        status=Status.VERIFIED, verified_at=timezone.now() - timedelta(days=4000)
    )
    assert dossiers_purge_due() == []


def test_the_periods_follow_the_settings(settings):
    settings.GDDT_RETENTION_REJECTED_DAYS = 10
    settings.GDDT_RETENTION_EXPIRED_DAYS = 400
    rejected = decided(Status.REJECTED, 11)
    expired = decided(Status.EXPIRED, 200, minor_data())
    assert [d.dossier_id for d in dossiers_purge_due()] == [rejected.pk]
    expired.refresh_from_db()
    assert expired.purged_at is None


def test_a_purge_deletes_the_files_and_the_personal_data_and_keeps_what_the_reports_and_the_audit_need():
    dossier = decided(Status.REJECTED, 100, minor_data())
    before = {
        "documents": list(
            Document.objects.filter(dossier=dossier).values_list("kind", "sha256", "source", "supplied_at")
        ),
        "transitions": list(Transition.objects.filter(dossier=dossier).values_list("pk", "action", "at")),
        "audit": list(AuditEvent.objects.values_list("pk", "action")),
    }
    names = set(Document.objects.filter(dossier=dossier).values_list("file", flat=True))
    assert len(names) == 3 and names <= set(stored_files())
    born = dossier.date_of_birth

    dossiers_purge_due()

    assert names.isdisjoint(stored_files())
    dossier.refresh_from_db()
    assert dossier.purged_at is not None
    for blanked in (
        "full_name",
        "id_number",
        "id_issued_by",
        "birth_certificate_number",
        "birth_certificate_issued_by",
        "guardian_full_name",
        "guardian_relationship",
        "guardian_personal_id",
        "guardian_phone",
        "phone",
        "email",
        "street",
    ):
        assert getattr(dossier, blanked) == "", blanked
    assert dossier.personal_id is None and dossier.bhxh_code is None
    assert dossier.id_issued_on is None and dossier.birth_certificate_issued_on is None
    assert dossier.date_of_birth == date(born.year, 1, 1)  # only the year stays
    # What the reports and the audit read stays.
    assert dossier.number and dossier.status == Status.REJECTED and dossier.category == "minor_without_id_card"
    assert dossier.office.code == "79" and dossier.submitted_at and dossier.rejected_at
    documents = Document.objects.filter(dossier=dossier)
    assert list(documents.values_list("kind", "sha256", "source", "supplied_at")) == before["documents"]
    assert set(documents.values_list("file", flat=True)) == {""}
    assert list(Transition.objects.filter(dossier=dossier).values_list("pk", "action", "at")) == before["transitions"]
    assert list(AuditEvent.objects.values_list("pk", "action"))[: len(before["audit"])] == before["audit"]
    [event] = AuditEvent.objects.filter(action="dossier.purge")
    assert event.dossier == dossier and event.actor is None and event.actor_username == ""
    assert event.detail == {
        "status": "rejected",
        "decided_at": dossier.rejected_at.isoformat(),
        "retention_days": 90,
        "files": 3,
        "messages": 0,
    }


def test_a_second_run_does_nothing():
    dossier = decided(Status.REJECTED, 100)
    assert len(dossiers_purge_due()) == 1
    dossier.refresh_from_db()
    first = (dossier.purged_at, dossier.version)
    assert dossiers_purge_due() == []
    assert run().endswith("purged 0 dossier(s), 0 file(s)\n")
    dossier.refresh_from_db()
    assert (dossier.purged_at, dossier.version) == first
    assert AuditEvent.objects.filter(action="dossier.purge").count() == 1


def test_the_dry_run_prints_what_goes_and_changes_nothing():
    dossier = decided(Status.REJECTED, 100)
    files = stored_files()
    output = run("--dry-run")
    number = dossier_number_format(dossier.number)
    decided_on = timezone.localtime(dossier.rejected_at).date().isoformat()
    assert f"{number}  rejected  decided {decided_on}  3 file(s)" in output
    assert output.endswith("would purge 1 dossier(s), 3 file(s) (dry run: nothing changed)\n")
    assert stored_files() == files
    dossier.refresh_from_db()
    assert dossier.purged_at is None and dossier.full_name == "Nguyễn Văn An"
    assert not AuditEvent.objects.filter(action="dossier.purge").exists()


def test_the_command_purges_and_prints_numbers_never_names_ids_or_phones():
    dossier = decided(Status.EXPIRED, 100)
    output = run()
    assert "retention: rejected 90 days, expired 90 days, approved kept after the decision" in output
    assert f"{dossier_number_format(dossier.number)}  expired " in output
    assert output.endswith("purged 1 dossier(s), 3 file(s)\n")
    for secret in (dossier.full_name, dossier.personal_id, dossier.phone, dossier.email):
        assert secret not in output
    assert stored_files() == []


def test_the_periodic_job_is_registered_and_purges_what_is_due():
    assert periodic_jobs()["dossiers_retention"] is dossiers_retention_job
    decided(Status.REJECTED, 100)
    assert dossiers_retention_job.call() == {"purged": 1}
    assert dossiers_retention_job.call() == {"purged": 0}


def test_a_purged_dossiers_photo_is_gone_with_a_clear_answer(hanoi_verifier):
    dossier = decided(Status.REJECTED, 100)
    dossiers_purge_due()
    response = OfficerApi(hanoi_verifier).get(url(dossier, "/documents/portrait"))
    assert response.status_code == 410
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "purged"
    assert not AuditEvent.objects.filter(action="document.view").exists()


def test_a_purged_approved_dossier_prints_neither_the_declaration_nor_the_guide(
    settings, hanoi_verifier, hanoi_approver
):
    dossier = submitted()
    complete(dossier, hanoi_verifier)
    found = counter.dossier_for_officer(officer=hanoi_approver, dossier_no=dossier.number, action="approve")
    counter.dossier_approve(officer=hanoi_approver, dossier=found, client_ip=None)
    settings.GDDT_RETENTION_COMPLETED_DAYS = 0
    assert len(dossiers_purge_due()) == 1
    api = OfficerApi(hanoi_approver)
    for suffix in ("/declaration.pdf", "/guide.pdf"):
        response = api.get(url(dossier, suffix))
        assert response.status_code == 410, suffix
        assert response.json()["code"] == "purged"
    assert AuditEvent.objects.get(action="dossier.purge").detail["files"] == 7  # 3 online (replaced), 4 supplemented


def test_a_purged_expired_dossier_cannot_be_reopened(hanoi_verifier):
    dossier = decided(Status.EXPIRED, 100)
    dossiers_purge_due()
    response = OfficerApi(hanoi_verifier).post(url(dossier, "/reopen"), {"note": "the person came"})
    assert response.status_code == 410 and response.json()["code"] == "purged"
    dossier.refresh_from_db()
    assert dossier.status == Status.EXPIRED
    assert not Transition.objects.filter(dossier=dossier, action="reopen").exists()


@pytest.fixture
def s3(settings, tmp_path):
    from gddt_testing.s3 import s3_server

    with s3_server() as server:
        settings.STORAGES = {**settings.STORAGES, "default": server.storage_setting()}
        yield server


def test_on_s3_the_purge_deletes_the_objects_from_the_bucket_and_only_those(s3):
    due = decided(Status.REJECTED, 100)
    kept = decided(Status.REJECTED, 10, minor_data())
    due_names = set(Document.objects.filter(dossier=due).values_list("file", flat=True))
    kept_names = set(Document.objects.filter(dossier=kept).values_list("file", flat=True))
    assert set(s3.keys()) == due_names | kept_names and len(due_names) == 3
    assert "3 file(s)" in run("--dry-run")
    assert set(s3.keys()) == due_names | kept_names
    assert [d.dossier_id for d in dossiers_purge_due()] == [due.pk]
    assert set(s3.keys()) == kept_names
    assert dossiers_purge_due() == []


@pytest.mark.parametrize(
    "variable", ["GDDT_RETENTION_REJECTED_DAYS", "GDDT_RETENTION_EXPIRED_DAYS", "GDDT_RETENTION_COMPLETED_DAYS"]
)
@pytest.mark.parametrize("value", ["-1", "ninety", "1.5"])
def test_a_nonsensical_retention_setting_stops_the_start_naming_the_variable(tmp_path, variable, value):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("GDDT_") and k != "DATABASE_URL"}
    env.update(GDDT_DATA_DIR=str(tmp_path), **{variable: value})
    done = subprocess.run(
        [sys.executable, "-m", "gddt.cli", "check", "--system-only"], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert f"ImproperlyConfigured: {variable} must be a whole number of days from 0 to 36500, not {value!r}" in (
        done.stderr
    )


@pytest.mark.parametrize("value,expected", [("", None), ("0", 0), (" 30 ", 30), ("36500", 36500)])
def test_a_retention_setting_is_a_whole_number_of_days_or_unset(monkeypatch, value, expected):
    from gddt.core.env import env_days

    monkeypatch.setenv("GDDT_X_DAYS", value)
    assert env_days("GDDT_X_DAYS", None) == expected


@pytest.mark.parametrize("value", ["-5", "+5", "1e3", "٣", "36501", "90d"])
def test_a_retention_setting_refuses_signs_fractions_words_and_other_digits(monkeypatch, value):
    from django.core.exceptions import ImproperlyConfigured

    from gddt.core.env import env_days

    monkeypatch.setenv("GDDT_X_DAYS", value)
    with pytest.raises(ImproperlyConfigured, match=r"^GDDT_X_DAYS must be a whole number of days"):
        env_days("GDDT_X_DAYS", 90)


def test_the_counter_page_of_a_purged_dossier_says_so_in_vietnamese_and_offers_no_print_or_reopening(hanoi_verifier):
    from gddt.counter.tests.test_web_support import officer_client, page_url

    dossier = decided(Status.EXPIRED, 100)
    dossiers_purge_due()
    client = officer_client(hanoi_verifier, language="vi")
    response = client.get(page_url(dossier))
    assert response.status_code == 200
    html = response.content.decode()
    purged_on = timezone.localtime(timezone.now()).strftime("%d/%m/%Y")
    assert f"Giấy tờ và dữ liệu cá nhân của hồ sơ này đã bị xóa ngày {purged_on}" in html
    assert "Đã xóa giấy tờ và dữ liệu cá nhân (hết thời hạn lưu trữ)" in html  # the history names the purge
    assert response.context["can"]["reopen"] is False and response.context["can"]["print"] is False
    assert response.context["panel"].headline == "Hồ sơ đã hết thời hạn lưu trữ: không còn việc gì phải làm."
    photo = client.get(page_url(dossier, "document", kind="portrait"))
    assert photo.status_code == 410
    assert "đã bị xóa" in photo.content.decode()


def test_the_history_of_a_purged_dossier_keeps_every_transition_and_names_the_purge_by_the_system(hanoi_verifier):
    dossier = decided(Status.REJECTED, 100)
    dossiers_purge_due()
    response = OfficerApi(hanoi_verifier).get(url(dossier, "/history"))
    assert response.status_code == 200
    body = response.json()
    assert [t["action"] for t in body["transitions"]] == ["submit"]
    [purge] = [e for e in body["events"] if e["action"] == "dossier.purge"]
    assert purge["actor"] is None and purge["office_code"] is None and purge["detail"]["files"] == 3


def test_a_dossier_whose_files_cannot_be_deleted_stays_whole_and_does_not_hold_up_the_others(caplog):
    from unittest import mock

    from django.core.files.storage import default_storage
    from django.core.management.base import CommandError

    stuck = decided(Status.REJECTED, 100)
    other = decided(Status.EXPIRED, 100, minor_data())
    stuck_names = set(Document.objects.filter(dossier=stuck).values_list("file", flat=True))
    real_delete = default_storage.delete

    def delete(name):
        if name in stuck_names:
            raise PermissionError("the bucket refused")
        real_delete(name)

    with mock.patch.object(default_storage, "delete", side_effect=delete):
        assert [d.dossier_id for d in dossiers_purge_due()] == [other.pk]
        err = StringIO()
        with pytest.raises(CommandError, match="1 dossier"):
            call_command("retention", "run", stdout=StringIO(), stderr=err)
    assert f"PROBLEM  {dossier_number_format(stuck.number)}  rejected" in err.getvalue()
    assert stuck.full_name not in err.getvalue() and stuck.personal_id not in err.getvalue()
    stuck.refresh_from_db()
    assert stuck.purged_at is None and stuck.full_name == "Nguyễn Văn An"
    assert set(Document.objects.filter(dossier=stuck).values_list("file", flat=True)) == stuck_names
    assert stuck_names <= set(stored_files())
    assert not AuditEvent.objects.filter(action="dossier.purge", dossier=stuck).exists()
    assert f"retention could not purge dossier={stuck.pk}" in caplog.text
    assert [d.dossier_id for d in dossiers_purge_due()] == [stuck.pk]  # once it can, the next run does it


def test_the_messages_sent_about_a_purged_dossier_lose_their_recipient_and_text_and_stay_counted():
    from gddt.notifications.models import SmsMessage, SmsStatus
    from gddt.notifications.services import sms_retry

    dossier = decided(Status.REJECTED, 100)
    other = decided(Status.REJECTED, 10, minor_data())
    SmsMessage.objects.filter(dossier=dossier).update(status=SmsStatus.DELIVERED)
    SmsMessage.objects.create(
        to=dossier.phone,
        text="dead",
        template="expired",
        dossier=dossier,
        status=SmsStatus.DEAD,
        created_at=timezone.now(),
    )
    SmsMessage.objects.create(
        to=dossier.phone, text="waiting", template="reminder", dossier=dossier, created_at=timezone.now()
    )
    dossiers_purge_due()
    rows = {m.template: (m.to, m.text, m.status) for m in SmsMessage.objects.filter(dossier=dossier)}
    assert rows == {
        "submitted": ("", "", SmsStatus.DELIVERED),
        "expired": ("", "", SmsStatus.DEAD),
        "reminder": (dossier.phone, "waiting", SmsStatus.PENDING),  # still to be sent: left alone
    }
    assert AuditEvent.objects.get(action="dossier.purge").detail["messages"] == 2
    assert SmsMessage.objects.get(dossier=other).to == other.phone
    assert sms_retry() == 0  # an emptied dead letter is not put back in the queue


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_purging_at_once_purge_each_dossier_exactly_once(reference):
    import threading

    from django.db import connection

    dossiers = [decided(Status.REJECTED, 100, adult_data() if i % 2 else minor_data()) for i in range(4)]
    barrier = threading.Barrier(2)
    purged: list[int] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            purged.extend(d.dossier_id for d in dossiers_purge_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(purged) == sorted(d.pk for d in dossiers)
    for dossier in dossiers:
        assert AuditEvent.objects.filter(action="dossier.purge", dossier=dossier).count() == 1
    assert stored_files() == []
