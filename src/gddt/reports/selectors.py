"""Reads of the reports: who may see which office's figures, the checked parameters, and the progress report
computed from the daily aggregates (models.py), never from the dossiers, so that it costs the same at 10k and at
a million dossiers."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import zip_longest
from typing import Any

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gddt.accounts.models import Role, User
from gddt.accounts.selectors import office_in_reach, offices_with_role
from gddt.core.errors import FieldError, forbidden, invalid, not_found
from gddt.offices.models import Office
from gddt.registrations.models import Category
from gddt.reports.models import DailyFigure, DailyOfficerFigure, DailyRejection, OpenBacklog, ReportCursor
from gddt.reports.services import APPROVAL_BUCKETS, COUNTS, CURSOR, approval_bucket_width, histogram_parse
from gddt.reports.tasks import REFRESH_SECONDS

REPORT_ROLES = {Role.DIRECTOR, Role.ADMIN}
GROUPINGS = ("day", "week", "month", "office", "category")
FORMATS = ("json", "csv", "xlsx")
BACKLOG_AGES = (("0-3", 0, 3), ("4-10", 4, 10), ("11-30", 11, 30), ("31+", 31, None))
MAX_YEARS = 5
DEFAULT_DAYS = 30
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- who sees what ---------------------------------------------------------------------------------------------


def report_tops(viewer: User) -> list[Office]:
    """The tops of the subtrees whose figures `viewer` sees: a director's offices; for an administrator, the
    whole tree. Empty for anyone else."""
    if offices_with_role(viewer, {Role.ADMIN}):
        return list(Office.objects.filter(parent__isnull=True).order_by("path"))
    return sorted(offices_with_role(viewer, {Role.DIRECTOR}), key=lambda office: office.path)


def reports_visible_to(viewer: User) -> bool:
    return bool(report_tops(viewer))


def report_office_for(*, viewer: User, office_code: str | None) -> Office:
    """The one access function of the reports: the office whose subtree's figures `viewer` asked for (their
    widest office when none is named); 403 for someone who is neither a director nor an administrator, 404 for
    an unknown office, 403 for an office outside their subtrees."""
    tops = report_tops(viewer)
    if not tops:
        raise forbidden("not_a_director", _("Only a director or an administrator sees the reports."))
    code = (office_code or "").strip()
    if not code:
        return min(tops, key=lambda office: len(office.path))
    office = Office.objects.filter(code=code).first()
    if office is None:
        raise not_found(_("There is no office with this code."))
    if not office_in_reach(office, tops):
        raise forbidden("outside_your_offices", _("This office is not one of yours: its figures are not shown."))
    return office


def report_offices_choices(viewer: User) -> list[Office]:
    """Every active office in the viewer's subtrees (the office filter of the page)."""
    query = Q(pk__in=[])
    for top in report_tops(viewer):
        query |= Q(path__startswith=top.path)
    return list(Office.objects.filter(query, is_active=True).order_by("path"))


# --- parameters ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportParams:
    date_from: date
    date_to: date
    group_by: str
    format: str


def _date(name: str, value: str | None, errors: list[FieldError]) -> date | None:
    text = (value or "").strip()
    if not text:
        return None
    if not _DATE.match(text):
        errors.append(FieldError(name, "invalid_date", _("Write the date as YYYY-MM-DD, for example 2026-03-31.")))
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(FieldError(name, "invalid_date", _("This date does not exist.")))
        return None


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def report_params_clean(
    *, date_from: str | None, date_to: str | None, group_by: str | None, format: str | None = None
) -> ReportParams:
    """Checks the parameters of a report; a 422 names every wrong one. Without dates: the last 30 days."""
    errors: list[FieldError] = []
    start = _date("from", date_from, errors)
    end = _date("to", date_to, errors)
    grouping = (group_by or "day").strip()
    if grouping not in GROUPINGS:
        errors.append(
            FieldError(
                "group_by", "invalid_choice", _("Choose one of: %(choices)s.") % {"choices": ", ".join(GROUPINGS)}
            )
        )
    kind = (format or "json").strip().lower()
    if kind not in FORMATS:
        errors.append(
            FieldError("format", "invalid_choice", _("Choose one of: %(choices)s.") % {"choices": ", ".join(FORMATS)})
        )
    if not any(e.field in ("from", "to") for e in errors):
        end = end or timezone.localdate()
        start = start or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            errors.append(FieldError("from", "after_to", _("The first day comes after the last day.")))
        elif start < _years_before(end, MAX_YEARS):
            errors.append(
                FieldError(
                    "from", "period_too_long", _("A report covers at most %(years)d years.") % {"years": MAX_YEARS}
                )
            )
    if errors:
        raise invalid(errors)
    assert start is not None and end is not None
    return ReportParams(date_from=start, date_to=end, group_by=grouping, format=kind)


# --- the figures -----------------------------------------------------------------------------------------------


def approval_percentile(histogram: list[int], q: float) -> float | None:
    """The q-quantile of the hours to approval, interpolated inside its histogram bucket (a histogram is a list
    of counts by index in APPROVAL_BUCKETS); None without data."""
    total = sum(histogram)
    if total == 0:
        return None
    target = q * total
    seen = 0
    for index, count in enumerate(histogram):
        if count and seen + count >= target:
            return round(APPROVAL_BUCKETS[index] + approval_bucket_width(index) * (target - seen) / count, 1)
        seen += count
    return float(APPROVAL_BUCKETS[max(i for i, n in enumerate(histogram) if n)])


def _histograms_sum(histograms: list[list[int]]) -> list[int]:
    if len(histograms) == 1:
        return list(histograms[0])
    return [sum(counts) for counts in zip_longest(*histograms, fillvalue=0)]


@dataclass
class ReportRow:
    key: str
    label: str
    start: date | None = None  # the first day of a day, week or month row
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    histogram: list[int] = field(default_factory=list)
    backlog: int | None = None  # open dossiers now (office rows only)

    @property
    def approval_hours_p50(self) -> float | None:
        return approval_percentile(self.histogram, 0.5)

    @property
    def approval_hours_p90(self) -> float | None:
        return approval_percentile(self.histogram, 0.9)

    def add(self, other: "ReportRow", *, sign: int = 1) -> None:
        """Adds `other`'s figures to this row's (sign=-1: takes them away)."""
        for name, n in other.counts.items():
            self.counts[name] += sign * n
        for reason, n in other.rejected_by_reason.items():
            self.rejected_by_reason[reason] = self.rejected_by_reason.get(reason, 0) + sign * n
            if not self.rejected_by_reason[reason]:
                del self.rejected_by_reason[reason]
        if other.histogram:
            self.histogram = _histograms_sum([self.histogram, [sign * n for n in other.histogram]])
        if other.backlog is not None:
            self.backlog = (self.backlog or 0) + sign * other.backlog

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            **self.counts,
            "rejected_by_reason": dict(sorted(self.rejected_by_reason.items())),
            "approval_hours_p50": self.approval_hours_p50,
            "approval_hours_p90": self.approval_hours_p90,
        }


@dataclass(frozen=True)
class OfficerRow:
    username: str
    full_name: str
    office_code: str
    verified: int
    approved: int


@dataclass
class ProgressReport:
    office: Office
    params: ReportParams
    rows: list[ReportRow]
    totals: ReportRow
    backlog: dict[str, int]
    officers: list[OfficerRow]
    figures_until: datetime | None
    backlog_series: list[tuple[date, int]]

    def as_dict(self) -> dict[str, Any]:
        totals = self.totals.as_dict()
        del totals["key"], totals["label"]
        return {
            "office": self.office.code,
            "office_name": self.office.name,
            "from": self.params.date_from.isoformat(),
            "to": self.params.date_to.isoformat(),
            "group_by": self.params.group_by,
            "figures_until": self.figures_until.isoformat() if self.figures_until else None,
            "rows": [row.as_dict() for row in self.rows],
            "totals": totals,
            "backlog": dict(self.backlog),
            "officers": [
                {"username": o.username, "office_code": o.office_code, "verified": o.verified, "approved": o.approved}
                for o in self.officers
            ],
        }


def _period_start(day: date, grouping: str) -> date:
    if grouping == "week":
        return day - timedelta(days=day.weekday())
    if grouping == "month":
        return day.replace(day=1)
    return day


def _period_key(start: date, grouping: str) -> tuple[str, str]:
    if grouping == "week":
        year, week, _weekday = start.isocalendar()
        end = start + timedelta(days=6)
        return f"{year}-W{week:02d}", str(
            _("Week %(week)02d/%(year)d (%(start)s–%(end)s)")
            % {"week": week, "year": year, "start": start.strftime("%d/%m"), "end": end.strftime("%d/%m")}
        )
    if grouping == "month":
        return start.strftime("%Y-%m"), start.strftime("%m/%Y")
    return start.isoformat(), start.strftime("%d/%m/%Y")


class _Layout:
    """The rows of one grouping, in order, and which row each day, category or office (of the subtree rows
    read: the office's own, and for the office grouping its children's) falls in."""

    def __init__(self, *, office: Office, params: ReportParams):
        self.grouping = params.group_by
        self.rows: dict[str, ReportRow] = {}
        self.by_day: dict[date, ReportRow] = {}
        self.by_office: dict[int, ReportRow] = {}
        self.offices = [office.pk]
        if self.grouping in ("day", "week", "month"):
            day = _period_start(params.date_from, self.grouping)
            while day <= params.date_to:
                key, label = _period_key(day, self.grouping)
                row = self.rows[key] = ReportRow(key=key, label=label, start=day)
                following = (
                    day + timedelta(days=1)
                    if self.grouping == "day"
                    else day + timedelta(days=7)
                    if self.grouping == "week"
                    else (day + timedelta(days=32)).replace(day=1)
                )
                while day < following:
                    self.by_day[day] = row
                    day += timedelta(days=1)
        elif self.grouping == "category":
            for value, name in Category.choices:
                self.rows[value] = ReportRow(key=value, label=str(name))
        else:
            # The office itself (what happened at that very office: its subtree's figures minus its children's),
            # then each office directly below it with its subtree.
            self.rows[office.code] = self.by_office[office.pk] = ReportRow(
                key=office.code, label=office.name, backlog=0
            )
            for child in Office.objects.filter(parent=office).values("id", "code", "name").order_by("path"):
                row = ReportRow(key=child["code"], label=child["name"], backlog=0)
                self.rows[child["code"]] = self.by_office[child["id"]] = row
                self.offices.append(child["id"])

    @property
    def column(self) -> str:
        """The column of the subtree rows that picks a row of this grouping."""
        return {"office": "office_id", "category": "category"}.get(self.grouping, "day")

    def row_for(self, value: Any) -> ReportRow | None:
        if self.grouping == "office":
            return self.by_office.get(value)
        if self.grouping == "category":
            return self.rows.get(value)
        return self.by_day.get(value)

    def children_taken_away(self, office: Office) -> None:
        """Office grouping: the office's own row becomes its subtree's figures minus those of its children."""
        if self.grouping != "office":
            return
        own = self.by_office[office.pk]
        for pk, row in self.by_office.items():
            if pk != office.pk:
                own.add(row, sign=-1)


def report_progress(*, office: Office, params: ReportParams) -> ProgressReport:
    """The progress report of `office`'s subtree for the period, grouped as asked (rows cover the whole period,
    with zeros where nothing happened), with the totals, the backlog by age now and the officers' work. It reads
    the subtree rows of the office (and of its children for the office grouping): one per day and category."""
    layout = _Layout(office=office, params=params)
    column = layout.column
    figures = DailyFigure.objects.filter(
        office_id__in=layout.offices, day__gte=params.date_from, day__lte=params.date_to
    )
    # The counts summed by the database; the histograms (text) merged here, from the rows that have any.
    for values in figures.values(column).annotate(**{name: Sum(name) for name in COUNTS}).order_by():
        row = layout.row_for(values[column])
        if row is not None:
            for name in COUNTS:
                row.counts[name] += values[name]
    histograms: dict[int, list[list[int]]] = defaultdict(list)  # by id() of the row
    rows_by_id: dict[int, ReportRow] = {}
    for value, hours in figures.exclude(approval_hours="").values_list(column, "approval_hours"):
        row = layout.row_for(value)
        if row is not None:
            histograms[id(row)].append(histogram_parse(hours))
            rows_by_id[id(row)] = row
    for key, parts in histograms.items():
        rows_by_id[key].histogram = _histograms_sum(parts)
    for values in (
        DailyRejection.objects.filter(office_id__in=layout.offices, day__gte=params.date_from, day__lte=params.date_to)
        .values(column, "reason")
        .annotate(n=Sum("count"))
        .order_by()
    ):
        row = layout.row_for(values[column])
        if row is not None:
            row.rejected_by_reason[values["reason"]] = row.rejected_by_reason.get(values["reason"], 0) + values["n"]
    today = timezone.localdate()
    backlog_rows = list(
        OpenBacklog.objects.filter(office_id__in=layout.offices, count__gt=0).values_list(
            "office_id", "submitted_on", "count"
        )
    )
    if params.group_by == "office":
        for office_id, _day, n in backlog_rows:
            layout.by_office[office_id].backlog = (layout.by_office[office_id].backlog or 0) + n
    layout.children_taken_away(office)
    rows = list(layout.rows.values())
    totals = ReportRow(key="", label=str(_("Total")))
    for row in rows:
        for name, n in row.counts.items():
            totals.counts[name] += n
        for reason, n in row.rejected_by_reason.items():
            totals.rejected_by_reason[reason] = totals.rejected_by_reason.get(reason, 0) + n
    totals.histogram = _histograms_sum([row.histogram for row in rows if row.histogram] or [[]])
    if params.group_by == "office":
        totals.backlog = sum(row.backlog or 0 for row in rows)
    backlog = _backlog_by_age([(day, n) for office_id, day, n in backlog_rows if office_id == office.pk], today=today)
    return ProgressReport(
        office=office,
        params=params,
        rows=rows,
        totals=totals,
        backlog=backlog,
        officers=_officers(office, params),
        figures_until=report_figures_until(),
        backlog_series=_backlog_series(office, params, now_total=sum(backlog.values()), today=today),
    )


def _backlog_by_age(counts: list[tuple[date, int]], *, today: date) -> dict[str, int]:
    ages = dict.fromkeys((label for label, _low, _high in BACKLOG_AGES), 0)
    for submitted_on, n in counts:
        age = max(0, (today - submitted_on).days)
        for label, _low, high in BACKLOG_AGES:
            if high is None or age <= high:
                ages[label] += n
                break
    return ages


def _backlog_series(office: Office, params: ReportParams, *, now_total: int, today: date) -> list[tuple[date, int]]:
    """The open dossiers at the end of each day of the period: today's backlog minus what opened, plus what
    closed, after that day (the daily in and out are counted at the office chosen)."""
    net: dict[date, int] = defaultdict(int)
    for day, opened, closed in DailyFigure.objects.filter(office=office, day__gt=params.date_from).values_list(
        "day", "backlog_in", "backlog_out"
    ):
        net[day] += opened - closed
    last = min(params.date_to, today)
    series: list[tuple[date, int]] = []
    after = sum(n for day, n in net.items() if day > last)
    level = now_total - after
    day = last
    while day >= params.date_from:
        series.append((day, level))
        level -= net.get(day, 0)
        day -= timedelta(days=1)
    return list(reversed(series))


def _officers(office: Office, params: ReportParams) -> list[OfficerRow]:
    subtree = Office.objects.filter(path__startswith=office.path).values("id")
    rows = (
        DailyOfficerFigure.objects.filter(office_id__in=subtree, day__gte=params.date_from, day__lte=params.date_to)
        .values("officer__username", "officer__first_name", "officer__last_name", "office__code")
        .annotate(v=Sum("verified"), a=Sum("approved"))
        .order_by("-a", "-v", "officer__username", "office__code")
    )
    return [
        OfficerRow(
            username=r["officer__username"],
            full_name=f"{r['officer__first_name']} {r['officer__last_name']}".strip(),
            office_code=r["office__code"],
            verified=r["v"] or 0,
            approved=r["a"] or 0,
        )
        for r in rows
    ]


def report_lag_minutes() -> int:
    """The lag of the figures when the workers run: a change is counted once it is GDDT_REPORTS_GRACE_SECONDS old,
    by the next run of the workers' loop (every REFRESH_SECONDS)."""
    return -(-(REFRESH_SECONDS + settings.GDDT_REPORTS_GRACE_SECONDS) // 60)


def report_figures_late(figures_until: datetime | None, *, now: datetime | None = None) -> bool:
    """Whether the figures are older than the workers would leave them (ten missed runs): none run, or they fail."""
    if figures_until is None:
        return False
    limit = timedelta(seconds=10 * REFRESH_SECONDS + settings.GDDT_REPORTS_GRACE_SECONDS)
    return (now or timezone.now()) - figures_until > limit


def report_figures_until() -> datetime | None:
    """Everything recorded before this moment is in the figures (None before the first run of the job)."""
    return ReportCursor.objects.filter(name=CURSOR).values_list("figures_until", flat=True).first()
