"""The directors' dashboard (/can-bo/bao-cao/): the flow per period, the backlog over time and by age, the
offices and the officers. Filters live in the URL so that a view can be shared; every look is audited."""

from datetime import date
from typing import cast
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gddt.accounts.decorators import officer_required
from gddt.accounts.models import User
from gddt.core.clients import client_address
from gddt.core.errors import Problem
from gddt.reports.charts import Series, bar_chart, line_chart
from gddt.reports.selectors import (
    GROUPINGS,
    ReportParams,
    report_figures_late,
    report_lag_minutes,
    report_office_for,
    report_offices_choices,
    report_params_clean,
    report_progress,
)
from gddt.reports.services import report_view_record

OFFICE_SORTS = ("backlog", "median", "code")


def _sample(points: list[tuple[date, int]], limit: int = 62) -> list[tuple[date, int]]:
    """At most `limit` points of a long series for its table (every n-th day, and always the last)."""
    if len(points) <= limit:
        return points
    step = -(-len(points) // limit)
    sampled = points[::step]
    return sampled if sampled[-1] == points[-1] else [*sampled, points[-1]]


@officer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    viewer = cast(User, request.user)  # officer_required let only a verified officer in
    report_office_for(viewer=viewer, office_code=None)  # 403 page for someone without the role
    query = request.GET
    errors: dict[str, str] = {}
    try:
        params = report_params_clean(
            date_from=query.get("from"), date_to=query.get("to"), group_by=query.get("group_by")
        )
    except Problem as problem:
        errors = {e.field: str(e.message) for e in problem.errors}
        params = report_params_clean(date_from=None, date_to=None, group_by=None)
    office = report_office_for(viewer=viewer, office_code=query.get("office"))
    report = report_progress(office=office, params=params)
    by_office = (
        report
        if params.group_by == "office"
        else report_progress(
            office=office,
            params=ReportParams(date_from=params.date_from, date_to=params.date_to, group_by="office", format="json"),
        )
    )
    sort = query.get("sort") or "backlog"
    sort = sort if sort in OFFICE_SORTS else "backlog"
    offices = sorted(
        by_office.rows,
        key={
            "backlog": lambda row: (-(row.backlog or 0), row.key),
            "median": lambda row: (-(row.approval_hours_p50 or -1), row.key),
            "code": lambda row: row.key,
        }[sort],
    )
    report_view_record(
        viewer=viewer,
        office=office,
        client_ip=client_address(request),
        what="dashboard",
        params={
            "from": params.date_from.isoformat(),
            "to": params.date_to.isoformat(),
            "group_by": params.group_by,
            "channel": "web",
        },
    )

    labels = [row.label if params.group_by in ("office", "category") else row.key for row in report.rows]
    flow = bar_chart(
        chart_id="flow",
        title=_("Flow per period"),
        description=_(
            "Dossiers submitted, verified, approved and rejected in each period; the table below has the figures."
        ),
        labels=labels,
        series=[
            Series(_("Submitted"), "s-submitted", [row.counts["submitted"] for row in report.rows]),
            Series(_("Verified"), "s-verified", [row.counts["verified"] for row in report.rows]),
            Series(_("Approved"), "s-approved", [row.counts["approved"] for row in report.rows]),
            Series(_("Rejected"), "s-rejected", [row.counts["rejected"] for row in report.rows]),
        ],
    )
    series = report.backlog_series
    backlog_line = line_chart(
        chart_id="backlog",
        title=_("Open dossiers at the end of each day"),
        description=_("The backlog over the period; the table below has the figures."),
        labels=[day.strftime("%d/%m") for day, _n in series],
        series=Series(_("Open dossiers"), "s-backlog", [n for _day, n in series]),
    )
    ages = bar_chart(
        chart_id="ages",
        title=_("Open dossiers by age (days)"),
        description=_("The dossiers waiting now, by days since submission; the table below has the figures."),
        labels=list(report.backlog),
        series=[Series(_("Open dossiers"), "s-backlog", list(report.backlog.values()))],
    )

    base = {
        "office": office.code,
        "from": params.date_from.isoformat(),
        "to": params.date_to.isoformat(),
        "group_by": params.group_by,
    }
    return render(
        request,
        "reports/dashboard.html",
        {
            "report": report,
            "lag_minutes": report_lag_minutes(),
            "figures_late": report_figures_late(report.figures_until),
            "office": office,
            "params": params,
            "errors": errors,
            "query": query,
            "offices_choices": report_offices_choices(viewer),
            "groupings": GROUPINGS,
            "flow_chart": flow,
            "backlog_chart": backlog_line,
            "ages_chart": ages,
            "backlog_table": _sample(series),
            "offices": offices,
            "sort": sort,
            "sort_urls": {key: "?" + urlencode({**base, "sort": key}) + "#offices" for key in OFFICE_SORTS},
            "download": {
                kind: "/api/v1/reports/progress?" + urlencode({**base, "format": kind}) for kind in ("csv", "xlsx")
            },
        },
    )
