"""The progress report as a spreadsheet: CSV (UTF-8 with a BOM, so that Excel shows Vietnamese) and XLSX (numbers
as numbers, dates as dates, a totals row, a frozen header). Headers are in Vietnamese whatever the request's
language, as the offices file them; the figures are those of the JSON answer."""

import csv
import io
from datetime import date
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from gddt.counter.services import REJECT_REASONS
from gddt.reports.selectors import COUNTS, ProgressReport, ReportRow

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _plain(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula (an office or user name starting with "=") is kept as
    text by a leading apostrophe, as OWASP advises against CSV injection; numbers and dates pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _headers(report: ProgressReport) -> list[str]:
    labels = {
        "submitted": _("Submitted"),
        "verified": _("Verified"),
        "approved": _("Approved"),
        "rejected": _("Rejected"),
        "expired": _("Expired"),
        "reopened": _("Reopened"),
        "completed_elsewhere": _("Completed at another office"),
        "supplied_at_counter": _("Documents supplied at the counter"),
        "supplied_online": _("Documents supplied online"),
    }
    grouping = {
        "day": _("Day"),
        "week": _("Week"),
        "month": _("Month"),
        "office": _("Office"),
        "category": _("Category"),
    }[report.params.group_by]
    headers = [_("Code"), grouping]
    if _dated(report):
        headers.append(_("First day"))
    headers += [str(labels[name]) for name in COUNTS]
    headers += [_("Rejected: %(reason)s") % {"reason": REJECT_REASONS.get(code, code)} for code in _reasons(report)]
    headers += [_("Median hours to approval"), _("90th percentile hours to approval")]
    return headers


def _dated(report: ProgressReport) -> bool:
    return report.params.group_by in ("day", "week", "month")


def _reasons(report: ProgressReport) -> list[str]:
    seen = set(report.totals.rejected_by_reason)
    return [code for code in REJECT_REASONS if code in seen] + sorted(seen - set(REJECT_REASONS))


def _cells(report: ProgressReport, row: ReportRow, *, key: str, label: str) -> list[Any]:
    cells: list[Any] = [_plain(key), _plain(label)]
    if _dated(report):
        cells.append(row.start)
    cells += [row.counts[name] for name in COUNTS]
    cells += [row.rejected_by_reason.get(code, 0) for code in _reasons(report)]
    cells += [row.approval_hours_p50, row.approval_hours_p90]
    return cells


def _table(report: ProgressReport) -> tuple[list[str], list[list[Any]]]:
    with translation.override("vi"):
        headers = _headers(report)
        lines = [_cells(report, row, key=row.key, label=row.label) for row in report.rows]
        lines.append(_cells(report, report.totals, key="", label=_("Total")))
        if _dated(report):
            lines[-1][2] = None
    return headers, lines


def report_csv(report: ProgressReport) -> bytes:
    headers, lines = _table(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for line in lines:
        writer.writerow(["" if cell is None else cell.isoformat() if isinstance(cell, date) else cell for cell in line])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def report_xlsx(report: ProgressReport) -> bytes:
    headers, lines = _table(report)
    book = Workbook()
    sheet = book.active
    with translation.override("vi"):
        sheet.title = _("Progress")[:31]
        bold = Font(bold=True)
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = bold
        for line in lines:
            sheet.append(line)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        if _dated(report):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
                cell.number_format = "DD/MM/YYYY"
        sheet.freeze_panes = "A2"
        sheet.column_dimensions["B"].width = 36

        backlog = book.create_sheet(_("Backlog")[:31])
        backlog.append([_("Age in days"), _("Open dossiers")])
        for age, count in report.backlog.items():
            backlog.append([age, count])
        backlog.append([_("Total"), sum(report.backlog.values())])
        backlog.freeze_panes = "A2"

        officers = book.create_sheet(_("Officers")[:31])
        officers.append([_("Username"), _("Office"), _("Verified"), _("Approved")])
        for officer in report.officers:
            officers.append([_plain(officer.username), _plain(officer.office_code), officer.verified, officer.approved])
        officers.append(
            [_("Total"), "", sum(o.verified for o in report.officers), sum(o.approved for o in report.officers)]
        )
        officers.freeze_panes = "A2"
        for sheet_ in (backlog, officers):
            for cell in sheet_[1]:
                cell.font = bold
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
