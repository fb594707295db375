"""Writes of the reports: the aggregation job that keeps the daily figures up to date, the rebuild from the
transitions, and the audited view of a report.

The job reads the transitions (and documents) by increasing id past a high-water mark kept in one row, which it
locks: two workers running it at once take turns, and a batch is counted exactly once because the figures and the
mark move in one transaction. Only rows recorded at least GDDT_REPORTS_GRACE_SECONDS ago are read, so that a
transaction still open with a lower id cannot be skipped; that grace plus the period of the workers' loop
(tasks.REFRESH_SECONDS, a minute) is the lag the page states."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from gddt.accounts.models import User
from gddt.audit.services import audit_record
from gddt.offices.models import Office
from gddt.registrations.models import Document, DocumentSource, Status, Transition
from gddt.reports.models import (
    DailyFigure,
    DailyOfficerFigure,
    DailyRejection,
    OpenBacklog,
    ReportCursor,
)

CURSOR = "progress"
OPEN = (Status.SUBMITTED, Status.VERIFIED)
# The counts a report shows (selectors), then the daily in and out of the backlog (its line over time).
COUNTS = (
    "submitted",
    "verified",
    "approved",
    "rejected",
    "expired",
    "reopened",
    "completed_elsewhere",
    "supplied_at_counter",
    "supplied_online",
)
FIGURE_COLUMNS = (*COUNTS, "backlog_in", "backlog_out")
_ACTION_COLUMN = {
    "submit": "submitted",
    "verify": "verified",
    "approve": "approved",
    "reject": "rejected",
    "expire": "expired",
    "reopen": "reopened",
}


# The lower bounds in hours of the buckets of the approval-time histogram: hourly for the first week, daily up
# to 90 days, then one bucket for anything longer. A histogram is a list of counts by bucket index.
APPROVAL_BUCKETS = (*range(168), *range(168, 2160, 24), 2160)


def approval_bucket(hours: float) -> int:
    """The index in APPROVAL_BUCKETS of the bucket of an approval `hours` after submission."""
    if hours < 0:
        return 0
    if hours < 168:
        return int(hours)
    if hours < 2160:
        return 168 + int((hours - 168) // 24)
    return len(APPROVAL_BUCKETS) - 1


def approval_bucket_width(index: int) -> int:
    return 1 if index < 168 else 24


def histogram_parse(text: str) -> list[int]:
    return [int(n) for n in text.split(",")] if text else []


def histogram_format(counts: list[int]) -> str:
    end = len(counts)
    while end and not counts[end - 1]:
        end -= 1
    return ",".join(map(str, counts[:end]))


def histogram_add(total: list[int], counts: list[int], *, sign: int = 1) -> None:
    """Adds (or with sign=-1 takes away) `counts` to `total`, in place."""
    if len(total) < len(counts):
        total.extend([0] * (len(counts) - len(total)))
    for index, n in enumerate(counts):
        if n:
            total[index] += sign * n


@dataclass
class _Deltas:
    """Changes to the aggregates, keyed as their rows are."""

    figures: dict[tuple[date, int, str], dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: dict.fromkeys(FIGURE_COLUMNS, 0))
    )
    rejections: dict[tuple[date, int, str, str], int] = field(default_factory=lambda: defaultdict(int))
    hours: dict[tuple[date, int, str, int], int] = field(default_factory=lambda: defaultdict(int))
    officers: dict[tuple[date, int, int], dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: {"verified": 0, "approved": 0})
    )
    backlog: dict[tuple[int, str, date], int] = field(default_factory=lambda: defaultdict(int))


_TRANSITION_FIELDS = (
    "id",
    "action",
    "from_status",
    "to_status",
    "at",
    "office_id",
    "actor_id",
    "reason",
    "dossier__office_id",
    "dossier__category",
    "dossier__submitted_at",
)
_DOCUMENT_FIELDS = ("id", "source", "supplied_at", "supplied_at_office_id", "dossier__office_id", "dossier__category")


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _transition_fold(deltas: _Deltas, row: dict[str, Any], *, backlog: bool = True) -> None:
    """One transition into the deltas: the count at the office where it happened (a submission or an expiry,
    which no officer records, at the office chosen), the officer's work, the approval time, the backlog."""
    action, chosen, category = row["action"], row["dossier__office_id"], row["dossier__category"]
    day = _local_day(row["at"])
    office = chosen if action == "submit" else (row["office_id"] or chosen)
    figure = deltas.figures[(day, office, category)]
    column = _ACTION_COLUMN.get(action)
    if column:
        figure[column] += 1
    if action == "reject":
        deltas.rejections[(day, office, category, row["reason"] or "other")] += 1
    if action == "approve":
        if office != chosen:
            figure["completed_elsewhere"] += 1
        hours = (row["at"] - row["dossier__submitted_at"]).total_seconds() / 3600
        deltas.hours[(day, office, category, approval_bucket(hours))] += 1
    if action in ("verify", "approve") and row["actor_id"] is not None:
        deltas.officers[(day, office, row["actor_id"])]["verified" if action == "verify" else "approved"] += 1
    opened = int(row["to_status"] in OPEN) - int(row["from_status"] in OPEN)
    if opened:
        deltas.figures[(day, chosen, category)]["backlog_in" if opened > 0 else "backlog_out"] += 1
        if backlog:
            deltas.backlog[(chosen, category, _local_day(row["dossier__submitted_at"]))] += opened


def _document_fold(deltas: _Deltas, row: dict[str, Any]) -> None:
    office = row["supplied_at_office_id"] or row["dossier__office_id"]
    column = "supplied_at_counter" if row["source"] == DocumentSource.COUNTER else "supplied_online"
    deltas.figures[(_local_day(row["supplied_at"]), office, row["dossier__category"])][column] += 1


def office_ancestors() -> dict[int, tuple[int, ...]]:
    """Every office's id with those of the offices whose subtree it is in: itself, its parent, ... the root."""
    rows = list(Office.objects.values_list("id", "path"))
    by_path = {path: pk for pk, path in rows}
    ancestors = {}
    for pk, path in rows:
        codes = path.strip("/").split("/")
        prefixes = ("/" + "/".join(codes[:n]) + "/" for n in range(len(codes), 0, -1))
        ancestors[pk] = tuple(by_path[prefix] for prefix in prefixes if prefix in by_path)
    return ancestors


def _rolled_up(changes: dict[tuple, Any], ancestors: dict[int, tuple[int, ...]], *, at: int) -> dict[tuple, Any]:
    """The changes of each office (the key's element `at`) added to every subtree the office is in."""
    rolled: dict[tuple, Any] = {}
    for key, change in changes.items():
        for office in ancestors.get(key[at], (key[at],)):
            target = (*key[:at], office, *key[at + 1 :])
            if isinstance(change, dict):
                total = rolled.setdefault(target, dict.fromkeys(change, 0))
                for name, n in change.items():
                    total[name] = total.get(name, 0) + n
            else:
                rolled[target] = rolled.get(target, 0) + change
    return rolled


def _merge(deltas: _Deltas, *, fresh: bool = False) -> None:
    """Adds the deltas to the rows of every subtree they belong to (the caller holds the cursor's lock, so nobody
    else writes them meanwhile); `fresh`: the daily rows of these days were just deleted, so every one is new."""
    ancestors = office_ancestors()
    histograms: dict[tuple, dict[int, int]] = defaultdict(dict)
    for (day, office, category, bucket), n in _rolled_up(deltas.hours, ancestors, at=1).items():
        histograms[(day, office, category)][bucket] = n
    _merge_counts(
        DailyFigure,
        ("day", "office_id", "category"),
        _rolled_up(deltas.figures, ancestors, at=1),
        fresh=fresh,
        histograms=histograms,
    )
    _merge_counts(
        DailyRejection,
        ("day", "office_id", "category", "reason"),
        {key: {"count": n} for key, n in _rolled_up(deltas.rejections, ancestors, at=1).items()},
        fresh=fresh,
    )
    _merge_counts(DailyOfficerFigure, ("day", "office_id", "officer_id"), deltas.officers, fresh=fresh)
    backlog = {key: {"count": n} for key, n in _rolled_up(deltas.backlog, ancestors, at=0).items() if n}
    if backlog:
        _merge_counts(OpenBacklog, ("office_id", "category", "submitted_on"), backlog)
        OpenBacklog.objects.filter(count=0).delete()


def _merge_counts(
    model: Any,
    key_fields: tuple[str, ...],
    changes: dict[tuple, dict[str, int]],
    *,
    fresh: bool = False,
    histograms: dict[tuple, dict[int, int]] | None = None,
) -> None:
    """Adds `changes` (and, for the daily figures, the approval-time `histograms`) to the rows of their keys."""
    histograms = histograms or {}
    if not changes and not histograms:
        return
    changes = {**{key: {} for key in histograms}, **changes}
    columns = sorted({c for counts in changes.values() for c in counts} | ({"approval_hours"} if histograms else set()))
    existing: dict[tuple, Any] = {}
    if not fresh:
        # The rows of the batch's days and offices (a minute's batch touches a day or two), matched here by key.
        firsts = sorted({key[0] for key in changes})
        seconds = sorted({key[1] for key in changes})
        for start in range(0, len(firsts), 400):  # bounded IN lists: SQLite's limit on variables
            for row in model.objects.filter(
                **{f"{key_fields[0]}__in": firsts[start : start + 400], f"{key_fields[1]}__in": seconds}
            ):
                key = tuple(getattr(row, f) for f in key_fields)
                if key in changes:
                    existing[key] = row
    updated, created = [], []
    for key, counts in changes.items():
        row = existing.get(key)
        if row is None:
            row = model(**dict(zip(key_fields, key, strict=True)))
            created.append(row)
        else:
            updated.append(row)
        for column, n in counts.items():
            setattr(row, column, getattr(row, column) + n)
        if key in histograms:
            total = histogram_parse(row.approval_hours)
            added = histograms[key]
            histogram_add(total, [added.get(index, 0) for index in range(max(added) + 1)])
            row.approval_hours = histogram_format(total)
    model.objects.bulk_create(created, batch_size=500)
    if updated:
        model.objects.bulk_update(updated, columns, batch_size=500)


def _cursor_locked() -> ReportCursor:
    ReportCursor.objects.get_or_create(name=CURSOR)
    return ReportCursor.objects.select_for_update().get(name=CURSOR)


def _horizon(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(seconds=settings.GDDT_REPORTS_GRACE_SECONDS)


def _prefix(rows: QuerySet[Any], *, moment: str, horizon: datetime, batch: int) -> tuple[list[dict[str, Any]], bool]:
    """The next rows by id up to the first one recorded after `horizon` (ids follow the order of insertion, so
    the mark never passes a row whose transaction may still be open); and whether a full batch was taken."""
    taken: list[dict[str, Any]] = []
    for row in rows[:batch]:
        if row[moment] >= horizon:
            return taken, False
        taken.append(row)
    return taken, len(taken) == batch


def report_figures_refresh(*, batch: int = 5000, max_batches: int | None = None, now: datetime | None = None) -> int:
    """Folds the transitions and documents recorded since the last run into the figures, a batch per
    transaction; answers how many rows it folded. Safe to run twice and at once (the cursor row is locked)."""
    folded = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        batches += 1
        with transaction.atomic():
            cursor = _cursor_locked()
            horizon = _horizon(now)
            transitions, more_transitions = _prefix(
                Transition.objects.filter(id__gt=cursor.transition_id).order_by("id").values(*_TRANSITION_FIELDS),
                moment="at",
                horizon=horizon,
                batch=batch,
            )
            documents, more_documents = _prefix(
                Document.objects.filter(id__gt=cursor.document_id).order_by("id").values(*_DOCUMENT_FIELDS),
                moment="supplied_at",
                horizon=horizon,
                batch=batch,
            )
            deltas = _Deltas()
            for row in transitions:
                _transition_fold(deltas, row)
            for row in documents:
                _document_fold(deltas, row)
            _merge(deltas)
            if transitions:
                cursor.transition_id = transitions[-1]["id"]
            if documents:
                cursor.document_id = documents[-1]["id"]
            done = not (more_transitions or more_documents)
            if done:
                cursor.figures_until = horizon
            cursor.updated_at = timezone.now()
            cursor.save()
        folded += len(transitions) + len(documents)
        if done:
            break
    return folded


@dataclass(frozen=True)
class Rebuild:
    since: date | None
    transitions: int
    documents: int
    backlog_rows: int


def _fold_all(
    rows: Iterable[dict[str, Any]],
    *,
    moment: str,
    horizon: datetime,
    counted_upto: int,
    fold: Callable[[dict[str, Any]], None],
) -> tuple[int, int, bool]:
    """Folds rows by increasing id: every row up to the cursor (`counted_upto`), then those after it up to the
    first one recorded after `horizon`, as the job would. Answers how many, the last id folded, and whether the
    rows ran out (rather than stopping at the horizon)."""
    count, last = 0, counted_upto
    for row in rows:
        if row["id"] > counted_upto and row[moment] >= horizon:
            return count, last, False
        fold(row)
        count += 1
        last = max(last, row["id"])
    return count, last, True


def report_figures_rebuild(*, since: date | None = None, batch: int = 20000) -> Rebuild:
    """Recomputes the figures from the transitions and documents (all days, or the days from `since` on) in one
    pass held in memory (the figures are small: days x offices x categories) and written at once; it also takes in
    what the job has not folded yet. The open backlog is recounted from every transition with one grouped query,
    independently of the job's bookkeeping."""
    with transaction.atomic():
        cursor = _cursor_locked()
        horizon = _horizon()
        day_filter = Q()
        transitions = Transition.objects.all()
        documents = Document.objects.all()
        if since is not None:
            day_filter = Q(day__gte=since)
            moment_from = timezone.make_aware(datetime.combine(since, time.min))
            transitions = transitions.filter(at__gte=moment_from)
            documents = documents.filter(supplied_at__gte=moment_from)
        for model in (DailyFigure, DailyRejection, DailyOfficerFigure):
            model.objects.filter(day_filter).delete()
        deltas = _Deltas()
        counted_transitions, last_transition, all_transitions = _fold_all(
            transitions.order_by("id").values(*_TRANSITION_FIELDS).iterator(chunk_size=batch),
            moment="at",
            horizon=horizon,
            counted_upto=cursor.transition_id,
            fold=lambda row: _transition_fold(deltas, row, backlog=False),
        )
        counted_documents, last_document, all_documents = _fold_all(
            documents.order_by("id").values(*_DOCUMENT_FIELDS).iterator(chunk_size=batch),
            moment="supplied_at",
            horizon=horizon,
            counted_upto=cursor.document_id,
            fold=lambda row: _document_fold(deltas, row),
        )
        if since is not None:
            # The rows before `since` that the job had not reached yet still count, on their own (older) days.
            early = _Deltas()
            for row in Transition.objects.filter(
                id__gt=cursor.transition_id, id__lte=last_transition, at__lt=moment_from
            ).values(*_TRANSITION_FIELDS):
                _transition_fold(early, row, backlog=False)
            for row in Document.objects.filter(
                id__gt=cursor.document_id, id__lte=last_document, supplied_at__lt=moment_from
            ).values(*_DOCUMENT_FIELDS):
                _document_fold(early, row)
            _merge(early)
        _merge(deltas, fresh=True)
        cursor.transition_id, cursor.document_id = last_transition, last_document
        if all_transitions and all_documents:
            cursor.figures_until = horizon
        cursor.updated_at = timezone.now()
        cursor.save()
        backlog_rows = _backlog_recount(upto=cursor.transition_id)
    report_figures_refresh()
    return Rebuild(since=since, transitions=counted_transitions, documents=counted_documents, backlog_rows=backlog_rows)


def _backlog_recount(*, upto: int) -> int:
    """The open dossiers per chosen office, category and day of submission, as the transitions up to `upto` left
    them: each transition into an open state adds one, each out of one takes one away."""
    opened = Case(When(to_status__in=OPEN, then=Value(1)), default=Value(0), output_field=IntegerField()) - Case(
        When(from_status__in=OPEN, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    rows = (
        Transition.objects.filter(id__lte=upto)
        .values(chosen=F("dossier__office_id"), kind=F("dossier__category"), day=TruncDate("dossier__submitted_at"))
        .annotate(n=Sum(opened))
        .order_by()
    )
    counts = _rolled_up(
        {(row["chosen"], row["kind"], _as_day(row["day"])): row["n"] for row in rows if row["n"]},
        office_ancestors(),
        at=0,
    )
    OpenBacklog.objects.all().delete()
    created = [
        OpenBacklog(office_id=office, category=category, submitted_on=day, count=n)
        for (office, category, day), n in counts.items()
        if n
    ]
    OpenBacklog.objects.bulk_create(created, batch_size=1000)
    return len(created)


def _as_day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def report_view_record(
    *, viewer: User, office: Office, client_ip: str | None, what: str, params: dict[str, Any]
) -> None:
    """Who looked at which office's figures, for which period (product.md rule 12 for reports)."""
    with transaction.atomic():
        audit_record(
            action="report.view",
            actor=viewer,
            office=getattr(viewer, "office", None),
            client_ip=client_ip,
            target=office.code,
            detail={"report": what, **params},
        )
