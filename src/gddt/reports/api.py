"""GET /api/v1/reports/progress (product.md): the figures of an office subtree for a period, as JSON, CSV or XLSX.
The endpoint parses, asks the selectors (which hold the rules) and records the look in the audit log."""

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from gddt.accounts.auth import officer_auth
from gddt.core.clients import client_address
from gddt.reports.exports import report_csv, report_xlsx
from gddt.reports.selectors import ProgressReport, report_office_for, report_params_clean, report_progress
from gddt.reports.services import report_view_record

router = Router(tags=["reports"], auth=officer_auth)

_PROBLEM = {"content": {"application/problem+json": {"schema": {"type": "object"}}}}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CountsOut(Schema):
    submitted: int
    verified: int
    approved: int
    rejected: int
    expired: int
    reopened: int
    completed_elsewhere: int = Field(description="approved at an office other than the one the citizen chose")
    supplied_at_counter: int = Field(description="documents an officer supplied at the counter")
    supplied_online: int = Field(description="documents the citizen supplied online")
    rejected_by_reason: dict[str, int]
    approval_hours_p50: float | None = Field(description="median hours from submission to approval")
    approval_hours_p90: float | None = Field(description="90th percentile of the hours from submission to approval")


class RowOut(CountsOut):
    key: str = Field(description="YYYY-MM-DD (day), YYYY-Www (ISO week), YYYY-MM (month), an office code or a category")
    label: str


class OfficerOut(Schema):
    username: str
    office_code: str
    verified: int
    approved: int


class ProgressOut(Schema):
    office: str
    office_name: str
    from_: str = Field(alias="from")
    to: str
    group_by: str
    figures_until: str | None = Field(description="everything recorded before this moment is counted")
    rows: list[RowOut]
    totals: CountsOut
    backlog: dict[str, int] = Field(description='open dossiers now by age in days: "0-3", "4-10", "11-30", "31+"')
    officers: list[OfficerOut]


def progress_response(report: ProgressReport, *, format: str) -> HttpResponse:
    stem = f"tien-do-{report.office.code}-{report.params.date_from:%Y%m%d}-{report.params.date_to:%Y%m%d}"
    if format == "csv":
        response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    elif format == "xlsx":
        response = HttpResponse(report_xlsx(report), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
    else:
        response = HttpResponse(
            ProgressOut(**report.as_dict()).model_dump_json(by_alias=True), content_type="application/json"
        )
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/reports/progress",
    response={200: ProgressOut},
    by_alias=True,
    summary="Progress of an office subtree over a period: flow, backlog by age, officers",
    description=(
        "Directors (their offices and those below) and administrators (every office). `from` and `to` are "
        "inclusive dates in Asia/Ho_Chi_Minh (default: the last 30 days); a count belongs to the day its transition "
        "happened and to the office where it happened (a submission or an expiry: the office the citizen chose). "
        "`format=csv` (UTF-8 with a BOM, Vietnamese header row) or `format=xlsx` give the rows and a totals row. "
        "The figures are aggregated by a job: `figures_until` says up to when."
    ),
    openapi_extra={
        "responses": {
            200: {
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    XLSX: {"schema": {"type": "string", "format": "binary"}},
                }
            },
            **{code: _PROBLEM for code in (401, 403, 404, 422)},
        }
    },
)
def progress(
    request: HttpRequest,
    office: str | None = None,
    from_: str | None = Query(None, alias="from"),
    to: str | None = None,
    group_by: str | None = None,
    format: str | None = None,
) -> HttpResponse:
    viewer = request.auth  # type: ignore[attr-defined]  # set by officer_auth
    report_office_for(viewer=viewer, office_code=None)  # 403 before anything else for someone without the role
    params = report_params_clean(date_from=from_, date_to=to, group_by=group_by, format=format)
    chosen = report_office_for(viewer=viewer, office_code=office)
    report = report_progress(office=chosen, params=params)
    report_view_record(
        viewer=viewer,
        office=chosen,
        client_ip=client_address(request),
        what="progress",
        params={
            "from": params.date_from.isoformat(),
            "to": params.date_to.isoformat(),
            "group_by": params.group_by,
            "format": params.format,
            "channel": "api",
        },
    )
    return progress_response(report, format=params.format)
