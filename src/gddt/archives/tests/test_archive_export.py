"""`gddt archive export --from DATE --to DATE DIR`: the archives of the dossiers approved in the period (local days,
both included) decrypted into DIR with an index.csv, each checked against its hash; a damaged one is named and the
command fails at the end, having written the others."""

import csv
import hashlib
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gddt.archives.models import Archive
from gddt.archives.tests.support import approve, approve_and_archive, opened, stored_bytes, stored_replace
from gddt.audit.models import AuditEvent
from gddt.registrations.models import Dossier
from gddt.registrations.numbers import dossier_number_format
from gddt_testing.factories import run_queued_tasks

pytestmark = pytest.mark.django_db

SAIGON = ZoneInfo("Asia/Ho_Chi_Minh")


def _approved_at(dossier: Dossier, local: datetime) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(approved_at=local.replace(tzinfo=SAIGON))
    dossier.refresh_from_db()


def _export(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("archive", "export", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def two_archives(adult_dossier, minor_dossier, hanoi_verifier, hanoi_approver, hcm_verifier, hcm_approver):
    """The adult's approved at 23:30 on 1 March (local time), the minor's at 00:10 on 2 March (17:10 UTC on the
    1st): the day boundary is Hà Nội's, not UTC's."""
    first = approve_and_archive(adult_dossier, hanoi_verifier, hanoi_approver)
    second = approve_and_archive(minor_dossier, hcm_verifier, hcm_approver)
    _approved_at(adult_dossier, datetime(2026, 3, 1, 23, 30))
    _approved_at(minor_dossier, datetime(2026, 3, 2, 0, 10))
    return first, second


def test_the_archives_of_the_period_are_written_decrypted_with_an_index(
    document_storage, two_archives, adult_dossier, minor_dossier, tmp_path
):
    adult_archive, _minor_archive = two_archives
    target = tmp_path / "records-office"
    target.mkdir()
    out, err = _export("--from", "2026-03-01", "--to", "2026-03-01", str(target))
    adult_no = dossier_number_format(adult_dossier.number)
    assert {p.name for p in target.iterdir()} == {f"{adult_no}.zip", "index.csv"}  # the minor's is of the 2nd
    written = (target / f"{adult_no}.zip").read_bytes()
    assert hashlib.sha256(written).hexdigest() == adult_archive.sha256
    assert written != stored_bytes(adult_archive)  # decrypted: what the records office can open
    with opened(written) as zipped:
        assert zipped.testzip() is None and "manifest.json" in zipped.namelist()
    with open(target / "index.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [
        {
            "dossier_no": adult_no,
            "approved_at": "2026-03-01T23:30:00+07:00",
            "completed_office": "01",
            "file": f"{adult_no}.zip",
            "sha256": adult_archive.sha256,
            "size": str(adult_archive.size),
            "archive_created_at": adult_archive.created_at.astimezone(SAIGON).isoformat(),
        }
    ]
    assert "1 archive(s) of dossiers approved 2026-03-01 to 2026-03-01 written" in out and err == ""
    [event] = AuditEvent.objects.filter(action="archive.export")
    assert event.detail["from"] == "2026-03-01" and event.detail["written"] == 1


def test_both_days_are_included_and_each_archive_is_named_by_its_dossier(
    two_archives, adult_dossier, minor_dossier, tmp_path
):
    target = tmp_path / "out"
    target.mkdir()
    _export("--from", "2026-03-01", "--to", "2026-03-02", str(target))
    names = {dossier_number_format(d.number) + ".zip" for d in (adult_dossier, minor_dossier)}
    assert {p.name for p in target.iterdir()} == names | {"index.csv"}
    with open(target / "index.csv", encoding="utf-8", newline="") as handle:
        assert [row["completed_office"] for row in csv.DictReader(handle)] == ["01", "79"]  # in order of approval


def test_a_damaged_archive_is_named_the_others_are_written_and_the_command_fails(
    two_archives, adult_dossier, minor_dossier, tmp_path
):
    adult_archive, _minor_archive = two_archives
    raw = bytearray(stored_bytes(adult_archive))
    raw[-1] ^= 0x01
    stored_replace(adult_archive, bytes(raw))
    target = tmp_path / "out"
    target.mkdir()
    out, err = StringIO(), StringIO()
    adult_no, minor_no = dossier_number_format(adult_dossier.number), dossier_number_format(minor_dossier.number)
    with pytest.raises(CommandError, match=f"1 archive\\(s\\) not written \\(named above\\): {adult_no}"):
        call_command(
            "archive", "export", "--from", "2026-03-01", "--to", "2026-03-02", str(target), stdout=out, stderr=err
        )
    assert f"PROBLEM  {adult_no}: the archive of dossier {adult_no} is damaged" in err.getvalue()
    assert {p.name for p in target.iterdir()} == {f"{minor_no}.zip", "index.csv"}
    with open(target / "index.csv", encoding="utf-8", newline="") as handle:
        assert [row["dossier_no"] for row in csv.DictReader(handle)] == [minor_no]


def test_an_approved_dossier_whose_archive_is_not_made_yet_is_named(
    adult_dossier, hanoi_verifier, hanoi_approver, tmp_path
):
    approve(adult_dossier, hanoi_verifier, hanoi_approver)
    _approved_at(adult_dossier, datetime(2026, 3, 1, 12, 0))
    target = tmp_path / "out"
    target.mkdir()
    number = dossier_number_format(adult_dossier.number)
    with pytest.raises(CommandError, match=number):
        _export("--from", "2026-03-01", "--to", "2026-03-01", str(target))
    assert {p.name for p in target.iterdir()} == {"index.csv"}
    run_queued_tasks()  # the worker makes it; the same export then succeeds
    assert Archive.objects.filter(dossier=adult_dossier).exists()
    _export("--from", "2026-03-01", "--to", "2026-03-01", str(target))
    assert (target / f"{number}.zip").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "01/03/2026", "--to", "2026-03-02"], "--from '01/03/2026' is not a date: write it as YYYY-MM-DD"),
        (["--from", "2026-03-01", "--to", "2026-02-30"], "--to '2026-02-30' is not a date"),
        (["--from", "2026-03-02", "--to", "2026-03-01"], "--from 2026-03-02 is after --to 2026-03-01"),
    ],
)
def test_a_bad_period_is_refused_clearly(args, message, tmp_path):
    with pytest.raises(CommandError, match=message):
        _export(*args, str(tmp_path))


def test_a_missing_folder_is_refused_clearly(tmp_path):
    with pytest.raises(CommandError, match="is not an existing folder: create it first"):
        _export("--from", "2026-03-01", "--to", "2026-03-01", str(tmp_path / "absent"))
