"""GET /api/v1/reports/progress: the figures of a subtree, worked out by hand for one small history, and the
same numbers as JSON, CSV and XLSX."""

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from gddt.counter.tests.apiclient import OfficerApi
from gddt.reports.tests.scenario import scenario_build

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/progress"


@pytest.fixture
def scenario(hanoi_verifier, hanoi_approver, hcm_verifier, hcm_approver):
    return scenario_build(
        hn_verifier=hanoi_verifier, hn_approver=hanoi_approver, hcm_verifier=hcm_verifier, hcm_approver=hcm_approver
    )


def _get(user, **params):
    return OfficerApi(user).get(URL, params)


def test_a_director_sees_the_flow_backlog_and_officers_of_their_province(scenario, hanoi_director):
    response = _get(hanoi_director, **{"from": scenario.day0.isoformat(), "to": scenario.today.isoformat()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["office"] == "01" and body["group_by"] == "day"
    assert body["from"] == scenario.day0.isoformat() and body["to"] == scenario.today.isoformat()
    totals = body["totals"]
    # d1, d2 (at the local office 01001), d3 and d6; d5 was chosen in Hồ Chí Minh, d4 before the period.
    assert totals["submitted"] == 4
    assert totals["verified"] == 1 and totals["approved"] == 1  # d2 at 01; d1 was completed at 79
    assert totals["completed_elsewhere"] == 1  # d2 chose 01001, was approved at 01
    assert totals["rejected"] == 1 and totals["rejected_by_reason"] == {"data_mismatch": 1}
    assert totals["expired"] == 0 and totals["reopened"] == 1
    assert totals["supplied_at_counter"] == 1 and totals["supplied_online"] == 1
    assert totals["approval_hours_p50"] == 52.5 and totals["approval_hours_p90"] == 52.9  # one approval, 52 h
    assert body["backlog"] == {"0-3": 1, "4-10": 0, "11-30": 0, "31+": 1}  # d6 and the reopened d4
    assert body["officers"] == [
        {"username": "hn.approver", "office_code": "01", "verified": 0, "approved": 1},
        {"username": "hn.verifier", "office_code": "01", "verified": 1, "approved": 0},
    ]
    rows = {row["key"]: row for row in body["rows"]}
    assert len(rows) == 11  # every day of the period, empty ones too
    day0, day2 = scenario.day0, scenario.day0 + timedelta(days=2)
    assert rows[day0.isoformat()]["submitted"] == 2 and rows[day0.isoformat()]["label"] == day0.strftime("%d/%m/%Y")
    assert rows[day2.isoformat()]["approved"] == 1 and rows[day2.isoformat()]["verified"] == 1
    assert rows[scenario.today.isoformat()]["submitted"] == 1


def test_an_administrator_sees_the_whole_country_by_office(scenario, admin_officer):
    response = _get(
        admin_officer,
        office="00",
        group_by="office",
        **{"from": scenario.day0.isoformat(), "to": scenario.today.isoformat()},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    rows = {row["key"]: row for row in body["rows"]}
    assert rows["01"]["submitted"] == 4 and rows["79"]["submitted"] == 1
    assert rows["79"]["approved"] == 1 and rows["79"]["completed_elsewhere"] == 1  # d1, chosen in Hà Nội
    assert rows["79"]["approval_hours_p50"] == 30.5
    assert rows["00"]["submitted"] == 0  # the central office itself receives nobody
    assert body["totals"]["submitted"] == 5 and body["totals"]["approved"] == 2
    assert body["totals"]["approval_hours_p50"] == 31.0 and body["totals"]["approval_hours_p90"] == 52.8
    assert body["backlog"] == {"0-3": 1, "4-10": 1, "11-30": 0, "31+": 1}
    assert [o["username"] for o in body["officers"]] == ["hcm.approver", "hn.approver", "hcm.verifier", "hn.verifier"]


@pytest.mark.parametrize("group_by", ["day", "week", "month", "office", "category"])
def test_every_grouping_adds_up_to_the_same_totals(scenario, hanoi_director, group_by):
    body = _get(
        hanoi_director, group_by=group_by, **{"from": scenario.day0.isoformat(), "to": scenario.today.isoformat()}
    ).json()
    assert body["totals"]["submitted"] == 4
    for name in ("submitted", "verified", "approved", "rejected", "reopened", "supplied_at_counter"):
        assert sum(row[name] for row in body["rows"]) == body["totals"][name]


def test_without_dates_it_shows_the_last_thirty_days(scenario, hanoi_director):
    body = _get(hanoi_director).json()
    assert body["to"] == scenario.today.isoformat()
    assert body["from"] == (scenario.today - timedelta(days=29)).isoformat()
    assert body["totals"]["expired"] == 1  # d4, fifteen days ago


def test_csv_and_xlsx_carry_the_same_numbers_as_json(scenario, hanoi_director):
    params = {"from": scenario.day0.isoformat(), "to": scenario.today.isoformat(), "group_by": "day"}
    body = _get(hanoi_director, **params).json()

    response = _get(hanoi_director, format="csv", **params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM, so that Excel reads UTF-8
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = lines[0]
    assert header[:3] == ["Mã", "Ngày", "Ngày đầu"] and "Đã nộp" in header and "Đã phê duyệt" in header
    by_key = {line[0]: line for line in lines[1:-1]}
    for row in body["rows"]:
        line = by_key[row["key"]]
        assert int(line[header.index("Đã nộp")]) == row["submitted"]
        assert int(line[header.index("Đã phê duyệt")]) == row["approved"]
    total = lines[-1]
    assert total[1] == "Tổng cộng" and int(total[header.index("Đã nộp")]) == body["totals"]["submitted"]
    assert float(total[header.index("Số giờ đến khi phê duyệt (trung vị)")]) == body["totals"]["approval_hours_p50"]

    response = _get(hanoi_director, format="xlsx", **params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    cells = list(sheet.iter_rows(values_only=True))
    header = list(cells[0])
    assert header == [cell for cell in lines[0]]
    first = cells[1]
    assert isinstance(first[2], date) or hasattr(first[2], "date")  # a real date cell
    for values, row in zip(cells[1:-1], body["rows"], strict=True):
        assert values[0] == row["key"]
        assert values[header.index("Đã nộp")] == row["submitted"]  # a number, not text
        assert values[header.index("Đã phê duyệt")] == row["approved"]
    assert cells[-1][header.index("Đã nộp")] == body["totals"]["submitted"]
    backlog = {row[0]: row[1] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert backlog["31+"] == body["backlog"]["31+"]
    officers = list(book.worksheets[2].iter_rows(min_row=2, values_only=True))
    assert officers[0] == ("hn.approver", "01", 0, 1)


def test_an_office_name_that_looks_like_a_formula_stays_text_in_csv_and_xlsx(scenario, hanoi_director):
    from gddt.offices.models import Office

    Office.objects.filter(code="01").update(name='=HYPERLINK("http://example.invalid","x")')
    params = {"from": scenario.day0.isoformat(), "to": scenario.today.isoformat(), "group_by": "office"}

    lines = list(csv.reader(io.StringIO(_get(hanoi_director, format="csv", **params).content.decode("utf-8-sig"))))
    labels = [line[1] for line in lines[1:-1]]
    assert '\'=HYPERLINK("http://example.invalid","x")' in labels
    assert not any(label.startswith("=") for label in labels)

    book = load_workbook(io.BytesIO(_get(hanoi_director, format="xlsx", **params).content))
    cells = [row[1] for row in book.worksheets[0].iter_rows(min_row=2)]
    assert all(cell.data_type != "f" for cell in cells)
    assert any(str(cell.value).startswith("'=HYPERLINK") for cell in cells)
