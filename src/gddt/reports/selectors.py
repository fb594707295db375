"""Reads of the reports: who may see which office's figures, the checked parameters, and the progress report
computed from the daily aggregates (models.py), never from the dossiers, so that it costs the same at 10k and at
a million dossiers."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gddt.accounts.models import Role, User
from gddt.accounts.selectors import office_in_reach, offices_with_role
from gddt.core.errors import FieldError, forbidden, invalid, not_found
from gddt.offices.models import Office
from gddt.registrations.models import Category
from gddt.reports.models import (
    DailyApprovalHours,
    DailyFigure,
    DailyOfficerFigure,
    DailyRejection,
    OpenBacklog,
    ReportCursor,
)
from gddt.reports.services import CURSOR, approval_bucket_width

REPORT_ROLES = {Role.DIRECTOR, Role.ADMIN}
GROUPINGS = ("day", "week", "month", "office", "category")
FORMATS = ("json", "csv", "xlsx")
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


def approval_percentile(histogram: dict[int, int], q: float) -> float | None:
    """The q-quantile of the hours to approval, interpolated inside its histogram bucket; None without data."""
    total = sum(histogram.values())
    if total == 0:
        return None
    target = q * total
    seen = 0
    for bucket in sorted(histogram):
        count = histogram[bucket]
        if count and seen + count >= target:
            return round(bucket + approval_bucket_width(bucket) * (target - seen) / count, 1)
        seen += count
    return float(max(histogram))


@dataclass
class ReportRow:
    key: str
    label: str
    start: date | None = None  # the first day of a day, week or month row
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    histogram: dict[int, int] = field(default_factory=dict)
    backlog: int | None = None  # open dossiers now (office rows only)

    @property
    def approval_hours_p50(self) -> float | None:
        return approval_percentile(self.histogram, 0.5)

    @property
    def approval_hours_p90(self) -> float | None:
        return approval_percentile(self.histogram, 0.9)

    def add(self, other: "ReportRow") -> None:
        for name, n in other.counts.items():
            self.counts[name] += n
        for reason, n in other.rejected_by_reason.items():
            self.rejected_by_reason[reason] = self.rejected_by_reason.get(reason, 0) + n
        for bucket, n in other.histogram.items():
            self.histogram[bucket] = self.histogram.get(bucket, 0) + n
        if other.backlog is not None:
            self.backlog = (self.backlog or 0) + other.backlog

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


def _in_subtree(office: Office) -> Q:
    return Q(office__path__startswith=office.path)


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


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _group_expression(grouping: str) -> Any:
    return {
        "day": F("day"),
        "week": TruncWeek("day"),
        "month": TruncMonth("day"),
        "office": F("office_id"),
        "category": F("category"),
    }[grouping]


class _Layout:
    """The rows of one grouping, in order, and which row each grouped value (a day, an office id...) falls in."""

    def __init__(self, *, office: Office, params: ReportParams):
        self.grouping = params.group_by
        self.rows: dict[str, ReportRow] = {}
        self.office_row: dict[int, str] = {}
        if self.grouping in ("day", "week", "month"):
            day = _period_start(params.date_from, self.grouping)
            while day <= params.date_to:
                key, label = _period_key(day, self.grouping)
                self.rows[key] = ReportRow(key=key, label=label, start=day)
                day = (
                    day + timedelta(days=1)
                    if self.grouping == "day"
                    else day + timedelta(days=7)
                    if self.grouping == "week"
                    else (day + timedelta(days=32)).replace(day=1)
                )
        elif self.grouping == "category":
            for value, name in Category.choices:
                self.rows[value] = ReportRow(key=value, label=str(name))
        else:
            # The office itself (what happened at that very office), then each office below it with its subtree.
            offices = list(
                Office.objects.filter(path__startswith=office.path)
                .values("id", "code", "name", "path")
                .order_by("path")
            )
            children = [o for o in offices if o["path"].count("/") == office.path.count("/") + 1]
            self.rows[office.code] = ReportRow(key=office.code, label=office.name, backlog=0)
            for child in children:
                self.rows[child["code"]] = ReportRow(key=child["code"], label=child["name"], backlog=0)
            for other in offices:
                top = next((c for c in children if other["path"].startswith(c["path"])), None)
                self.office_row[other["id"]] = top["code"] if top else office.code

    def row_for(self, value: Any) -> ReportRow | None:
        if self.grouping == "office":
            key = self.office_row.get(value)
        elif self.grouping == "category":
            key = value
        else:
            key = _period_key(_as_date(value), self.grouping)[0]
        return self.rows.get(key) if key is not None else None


def _figures(queryset: Any, office: Office, params: ReportParams) -> QuerySet:
    return queryset.filter(_in_subtree(office), day__gte=params.date_from, day__lte=params.date_to)


def report_progress(*, office: Office, params: ReportParams) -> ProgressReport:
    """The progress report of `office`'s subtree for the period, grouped as asked (rows cover the whole period,
    with zeros where nothing happened), with the totals, the backlog by age now and the officers' work."""
    layout = _Layout(office=office, params=params)
    group = _group_expression(params.group_by)
    sums = {name: Sum(name) for name in COUNTS}
    for values in _figures(DailyFigure.objects, office, params).values(g=group).annotate(**sums).order_by():
        row = layout.row_for(values["g"])
        if row is not None:
            for name in COUNTS:
                row.counts[name] += values[name] or 0
    for values in (
        _figures(DailyRejection.objects, office, params).values("reason", g=group).annotate(n=Sum("count")).order_by()
    ):
        row = layout.row_for(values["g"])
        if row is not None:
            row.rejected_by_reason[values["reason"]] = row.rejected_by_reason.get(values["reason"], 0) + values["n"]
    for values in (
        _figures(DailyApprovalHours.objects, office, params)
        .values("bucket", g=group)
        .annotate(n=Sum("count"))
        .order_by()
    ):
        row = layout.row_for(values["g"])
        if row is not None:
            row.histogram[values["bucket"]] = row.histogram.get(values["bucket"], 0) + values["n"]
    today = timezone.localdate()
    backlog_now = OpenBacklog.objects.filter(_in_subtree(office), count__gt=0)
    if params.group_by == "office":
        for values in backlog_now.values("office_id").annotate(n=Sum("count")).order_by():
            row = layout.row_for(values["office_id"])
            if row is not None:
                row.backlog = (row.backlog or 0) + values["n"]
    totals = ReportRow(key="", label=str(_("Total")))
    rows = list(layout.rows.values())
    for row in rows:
        totals.add(row)
    backlog = _backlog_by_age(backlog_now, today=today)
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


def _backlog_by_age(backlog: QuerySet, *, today: date) -> dict[str, int]:
    ages = dict.fromkeys((label for label, _low, _high in BACKLOG_AGES), 0)
    for values in backlog.values("submitted_on").annotate(n=Sum("count")).order_by():
        age = max(0, (today - values["submitted_on"]).days)
        for label, _low, high in BACKLOG_AGES:
            if high is None or age <= high:
                ages[label] += values["n"]
                break
    return ages


def _backlog_series(office: Office, params: ReportParams, *, now_total: int, today: date) -> list[tuple[date, int]]:
    """The open dossiers at the end of each day of the period: today's backlog minus what opened, plus what
    closed, after that day (the daily in and out are counted at the office chosen)."""
    net: dict[date, int] = defaultdict(int)
    for values in (
        DailyFigure.objects.filter(_in_subtree(office), day__gt=params.date_from)
        .values("day")
        .annotate(i=Sum("backlog_in"), o=Sum("backlog_out"))
        .order_by()
    ):
        net[values["day"]] += (values["i"] or 0) - (values["o"] or 0)
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
    rows = (
        _figures(DailyOfficerFigure.objects, office, params)
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


def report_figures_until() -> datetime | None:
    """Everything recorded before this moment is in the figures (None before the first run of the job)."""
    return ReportCursor.objects.filter(name=CURSOR).values_list("figures_until", flat=True).first()
