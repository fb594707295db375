"""`gddt audit export` (issue 13, breach readiness): who looked at what in a period, as CSV, streamed."""

import csv
import json
from datetime import UTC, datetime
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import QuerySet

from gddt.audit import selectors
from gddt.audit.models import AuditEvent
from gddt.offices.models import Office
from gddt.registrations.numbers import dossier_number_format

pytestmark = pytest.mark.django_db

HEADER = ["time", "officer", "office", "action", "dossier", "target", "client_address", "detail"]


def event(at_utc: str, *, actor=None, office=None, action="dossier.view", dossier=None, **fields) -> AuditEvent:
    return AuditEvent.objects.create(
        at=datetime.fromisoformat(at_utc).replace(tzinfo=UTC),
        actor=actor,
        actor_username=actor.username if actor else "",
        office=office if office is not None else (actor.office if actor else None),
        action=action,
        dossier=dossier,
        **fields,
    )


def export(tmp_path, *args: str, name: str = "audit.csv") -> list[list[str]]:
    target = tmp_path / name
    out = StringIO()
    call_command("audit", "export", *args, str(target), stdout=out)
    assert f"written to {target}" in out.getvalue()
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == HEADER
    return rows[1:]


def test_the_period_is_vietnams_days_with_both_ends_included(tmp_path, hanoi_verifier):
    # Vietnam is UTC+7: 1 November 00:00 there is 31 October 17:00 UTC.
    event("2026-10-31T16:59:59", actor=hanoi_verifier, target="before")
    event("2026-10-31T17:00:00", actor=hanoi_verifier, target="first")
    event("2026-11-30T16:59:59", actor=hanoi_verifier, target="last")
    event("2026-11-30T17:00:00", actor=hanoi_verifier, target="after")
    rows = export(tmp_path, "--from", "2026-11-01", "--to", "2026-11-30")
    assert [row[5] for row in rows] == ["first", "last"]
    assert [row[0] for row in rows] == ["2026-11-01T00:00:00.000+07:00", "2026-11-30T23:59:59.000+07:00"]


def test_each_row_says_when_who_where_what_on_which_dossier_from_which_address(tmp_path, hanoi_verifier, adult_dossier):
    event(
        "2026-11-10T03:00:00",
        actor=hanoi_verifier,
        action="document.view",
        dossier=adult_dossier,
        client_ip="203.0.113.7",
        detail={"kind": "id_front", "ghi_chú": "Hà Nội"},
    )
    event("2026-11-10T04:00:00", action="officer.create", target="hn.new", detail={"office": "01"})
    [look, system] = export(tmp_path, "--from", "2026-11-10", "--to", "2026-11-10")
    assert look == [
        "2026-11-10T10:00:00.000+07:00",
        "hn.verifier",
        "01",
        "document.view",
        dossier_number_format(adult_dossier.number),
        "",
        "203.0.113.7",
        '{"ghi_chú": "Hà Nội", "kind": "id_front"}',
    ]
    assert json.loads(look[7]) == {"kind": "id_front", "ghi_chú": "Hà Nội"}
    assert system == ["2026-11-10T11:00:00.000+07:00", "", "", "officer.create", "", "hn.new", "", '{"office": "01"}']


def test_it_filters_by_officer_and_by_office(tmp_path, hanoi_verifier, hcm_verifier, hanoi_approver):
    event("2026-11-10T03:00:00", actor=hanoi_verifier, target="a")
    event("2026-11-10T03:01:00", actor=hcm_verifier, target="b")
    event("2026-11-10T03:02:00", actor=hanoi_approver, target="c")
    period = ("--from", "2026-11-10", "--to", "2026-11-10")
    assert [r[5] for r in export(tmp_path, *period, "--officer", "hn.verifier", name="1.csv")] == ["a"]
    assert [r[5] for r in export(tmp_path, *period, "--office", "79", name="2.csv")] == ["b"]
    assert [r[5] for r in export(tmp_path, *period, "--office", "01", name="3.csv")] == ["a", "c"]
    both = export(tmp_path, *period, "--office", "01", "--officer", "hn.approver", name="4.csv")
    assert [r[5] for r in both] == ["c"]


def test_the_export_itself_is_recorded(tmp_path, hanoi_verifier):
    event("2026-11-10T03:00:00", actor=hanoi_verifier)
    export(tmp_path, "--from", "2026-11-01", "--to", "2026-11-30", "--officer", "hn.verifier", "--office", "01")
    recorded = AuditEvent.objects.get(action="audit.export")
    assert recorded.detail == {
        "from": "2026-11-01",
        "to": "2026-11-30",
        "officer": "hn.verifier",
        "office": "01",
        "rows": 1,
    }


@pytest.mark.parametrize(
    "args,option",
    [
        (["--from", "30/11/2026", "--to", "2026-11-30"], "--from"),
        (["--from", "2026-11-01", "--to", "2026-11-31"], "--to"),
        (["--from", "2026-11-30", "--to", "2026-11-01"], "--to"),
        (["--from", "2026-11-01", "--to", "2026-11-30", "--officer", "nobody"], "--officer"),
        (["--from", "2026-11-01", "--to", "2026-11-30", "--office", "99999"], "--office"),
    ],
)
def test_a_bad_option_is_refused_naming_it_and_nothing_is_written(tmp_path, args, option):
    with pytest.raises(CommandError, match=rf"^{option}: "):
        call_command("audit", "export", *args, str(tmp_path / "audit.csv"))
    assert list(tmp_path.iterdir()) == []
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_an_existing_file_is_never_overwritten(tmp_path):
    kept = tmp_path / "audit.csv"
    kept.write_text("an earlier export\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"^FILE: .* exists"):
        call_command("audit", "export", "--from", "2026-11-01", "--to", "2026-11-30", str(kept))
    assert kept.read_text(encoding="utf-8") == "an earlier export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.csv"]


def test_the_rows_are_streamed_in_chunks_never_loaded_at_once(tmp_path, hanoi_verifier, monkeypatch):
    for minute in range(7):
        event(f"2026-11-10T03:0{minute}:00", actor=hanoi_verifier, target=str(minute))
    monkeypatch.setattr(selectors, "EXPORT_CHUNK", 3)

    def loaded_at_once(self):
        raise AssertionError("the whole result was loaded into memory")

    with mock.patch.object(QuerySet, "_fetch_all", loaded_at_once):
        rows = export(tmp_path, "--from", "2026-11-10", "--to", "2026-11-10")
    assert [row[5] for row in rows] == [str(minute) for minute in range(7)]


def test_a_dash_writes_to_standard_output(hanoi_verifier):
    event("2026-11-10T03:00:00", actor=hanoi_verifier, target="x")
    out, err = StringIO(), StringIO()
    call_command("audit", "export", "--from", "2026-11-10", "--to", "2026-11-10", "-", stdout=out, stderr=err)
    rows = list(csv.reader(StringIO(out.getvalue())))
    assert rows[0] == HEADER and [row[5] for row in rows[1:]] == ["x"]
    assert err.getvalue().strip() == "1 event(s)"


def test_an_office_that_is_closed_can_still_be_investigated(tmp_path, hanoi_verifier):
    Office.objects.filter(code="79").update(is_active=False)
    event("2026-11-10T03:00:00", actor=hanoi_verifier, office=Office.objects.get(code="79"), target="closed")
    assert [r[5] for r in export(tmp_path, "--from", "2026-11-10", "--to", "2026-11-10", "--office", "79")] == [
        "closed"
    ]
