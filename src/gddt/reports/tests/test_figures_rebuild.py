"""The aggregation job and the rebuild: a random history of dossiers across offices and days, folded in by the job
at random moments in random batch sizes, gives exactly the figures that `reports rebuild` computes from the
transitions afterwards, whole or from a day on."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gddt.accounts.models import User
from gddt.offices.models import Office
from gddt.registrations.models import DocumentSource, Status
from gddt.reports.models import (
    DailyFigure,
    DailyOfficerFigure,
    DailyRejection,
    OpenBacklog,
    ReportCursor,
)
from gddt.reports.services import FIGURE_COLUMNS, report_figures_rebuild, report_figures_refresh
from gddt.reports.tests.history import act, document, local_office, submit

pytestmark = pytest.mark.django_db

OFFICE_CODES = ["01", "79", "48", "01901"]
ACTIONS = ["submit", "verify", "approve", "reject", "expire", "reopen", "document", "refresh"]
REASONS = ["data_mismatch", "identity_mismatch", "other"]


def snapshot() -> dict[str, set[tuple]]:
    return {
        "figures": set(
            DailyFigure.objects.values_list("day", "office_id", "category", *FIGURE_COLUMNS, "approval_hours")
        ),
        "rejections": set(DailyRejection.objects.values_list("day", "office_id", "category", "reason", "count")),
        "officers": set(
            DailyOfficerFigure.objects.values_list("day", "office_id", "officer_id", "verified", "approved")
        ),
        "backlog": set(OpenBacklog.objects.values_list("office_id", "category", "submitted_on", "count")),
    }


def country_total(model, column: str) -> int:
    """The whole country's count: the rows of the root office, whose subtree holds every other office."""
    return sum(model.objects.filter(office__parent__isnull=True).values_list(column, flat=True))


step = st.tuples(
    st.sampled_from(ACTIONS),
    st.integers(0, 7),  # which dossier (modulo those that exist)
    st.integers(0, len(OFFICE_CODES) - 1),  # where
    st.integers(0, 3),  # days after the previous step
    st.integers(0, 23 * 60),  # minute of that day
    st.sampled_from(["with_id_card", "minor_without_id_card"]),
    st.integers(1, 6),  # batch size of a refresh
)


@pytest.fixture
def offices(db):
    local_office("01901", "01", "BHXH cơ sở Sóc Sơn")
    return [Office.objects.get(code=code) for code in OFFICE_CODES]


@pytest.fixture
def officers(offices):
    from gddt.accounts.services import officer_create

    return [
        officer_create(
            username=f"p.officer{n}",
            office=office,
            roles=["verifier", "approver"],
            password="Mật-khẩu-thử-nghiệm-2026",
            full_name="Cán bộ",
        )
        for n, office in enumerate(offices)
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=st.lists(step, min_size=1, max_size=40), rebuild_from=st.integers(0, 60))
def test_incremental_figures_equal_the_rebuilt_ones(offices, officers, steps, rebuild_from):
    for model in (DailyFigure, DailyRejection, DailyOfficerFigure, OpenBacklog, ReportCursor):
        model.objects.all().delete()
    User.objects.filter(kind="citizen").delete()
    start = timezone.now().replace(microsecond=0) - timedelta(days=130)
    moment = start
    dossiers = []
    allowed = {
        "verify": {Status.SUBMITTED},
        "approve": {Status.VERIFIED},
        "reject": {Status.SUBMITTED, Status.VERIFIED},
        "expire": {Status.SUBMITTED},
        "reopen": {Status.EXPIRED},
        "document": {Status.SUBMITTED, Status.VERIFIED},
    }
    for action, which, where, days, minute, category, batch in steps:
        moment = (moment + timedelta(days=days)).replace(hour=0, minute=0) + timedelta(minutes=minute)
        office, officer = offices[where], officers[where]
        if action == "refresh":
            report_figures_refresh(batch=batch, max_batches=1 if which % 2 else None)
            continue
        if action == "submit" or not dossiers:
            dossiers.append(submit(office=office, at=moment, category=category, online_documents=which % 2))
            continue
        dossier = dossiers[which % len(dossiers)]
        if dossier.status not in allowed[action]:
            continue
        if action == "document":
            document(dossier, at=moment, office=office, officer=officer, source=DocumentSource.COUNTER)
        elif action == "expire":
            act(dossier, "expire", at=moment)
        else:
            act(
                dossier,
                action,
                at=moment,
                office=office,
                actor=officer,
                reason=REASONS[which % len(REASONS)] if action == "reject" else "",
            )
    report_figures_refresh(batch=3)
    incremental = snapshot()
    assert report_figures_refresh() == 0  # nothing left: a second run changes nothing
    assert snapshot() == incremental

    report_figures_rebuild()
    assert snapshot() == incremental
    since = timezone.localtime(start + timedelta(days=rebuild_from)).date()
    report_figures_rebuild(since=since)
    assert snapshot() == incremental


def test_the_job_waits_for_what_was_recorded_within_the_grace(settings, offices):
    settings.GDDT_REPORTS_GRACE_SECONDS = 60
    now = timezone.now()
    submit(office=offices[0], at=now - timedelta(minutes=5))
    recent = submit(office=offices[0], at=now - timedelta(seconds=10))
    assert report_figures_refresh(now=now) == 1  # the recent one may belong to a transaction still open
    cursor = ReportCursor.objects.get()
    assert cursor.figures_until == now - timedelta(seconds=60)
    assert cursor.transition_id < recent.transitions.get().id
    assert report_figures_refresh(now=now + timedelta(minutes=2)) == 1
    assert country_total(DailyFigure, "submitted") == 2


def test_the_rebuild_command_recomputes_damaged_figures(offices, capsys):
    at = timezone.now() - timedelta(days=3)
    for _ in range(3):
        submit(office=offices[1], at=at)
    report_figures_refresh()
    before = snapshot()
    DailyFigure.objects.update(submitted=99)
    OpenBacklog.objects.all().delete()
    call_command("reports", "rebuild")
    assert snapshot() == before
    assert "3 transitions" in capsys.readouterr().out
    DailyFigure.objects.update(submitted=0)
    call_command("reports", "rebuild", "--from", timezone.localtime(at).date().isoformat())
    assert snapshot() == before


def test_the_rebuild_command_refuses_an_impossible_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--from"):
        call_command("reports", "rebuild", "--from", "2026-02-30")


def test_every_worker_brings_the_figures_up_to_date_every_minute(offices):
    from gddt.core.registry import worker_loops
    from gddt.reports.tasks import REFRESH_SECONDS
    from gddt_testing.factories import run_queued_tasks

    assert "report_figures" in worker_loops() and REFRESH_SECONDS == 60
    submit(office=offices[0], at=timezone.now() - timedelta(hours=1))
    run_queued_tasks()  # `gddt worker --batch`: one turn of every worker loop
    assert country_total(DailyFigure, "submitted") == 1
    assert ReportCursor.objects.get().figures_until is not None


def test_a_rebuild_before_the_job_ever_ran_counts_everything_and_moves_the_mark(offices):
    at = timezone.now() - timedelta(days=2)
    dossiers = [submit(office=offices[n % 2], at=at + timedelta(minutes=n)) for n in range(4)]
    act(dossiers[0], "expire", at=at + timedelta(days=1))
    report = report_figures_rebuild()
    assert report.transitions == 5
    assert country_total(DailyFigure, "submitted") == 4
    assert country_total(DailyFigure, "expired") == 1
    assert country_total(OpenBacklog, "count") == 3
    assert ReportCursor.objects.get().transition_id == dossiers[0].transitions.order_by("-id").first().id
    assert report_figures_refresh() == 0
