"""Who sees which figures, every bad parameter named, and every look recorded in the audit log."""

import pytest

from gddt.audit.models import AuditEvent
from gddt.counter.tests.apiclient import OfficerApi
from gddt.reports.tests.history import local_office

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/progress"


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


@pytest.mark.parametrize("persona", ["hanoi_verifier", "hanoi_approver", "outsider"])
def test_officers_who_are_not_directors_get_403(request, persona):
    user = request.getfixturevalue(persona)
    body = _problem(OfficerApi(user).get(URL, {"office": "01"}), 403)
    assert body["code"] == "not_a_director"
    assert not AuditEvent.objects.filter(action="report.view").exists()


def test_without_a_token_it_is_401():
    _problem(OfficerApi().get(URL), 401)


def test_a_director_may_not_see_another_province(hanoi_director):
    body = _problem(OfficerApi(hanoi_director).get(URL, {"office": "79"}), 403)
    assert body["code"] == "outside_your_offices"
    _problem(OfficerApi(hanoi_director).get(URL, {"office": "00"}), 403)  # nor the country above them


def test_a_director_sees_an_office_below_theirs(hanoi_director):
    local_office("01001", "01", "BHXH cơ sở Hoàn Kiếm")
    response = OfficerApi(hanoi_director).get(URL, {"office": "01001"})
    assert response.status_code == 200 and response.json()["office"] == "01001"


def test_an_unknown_office_is_404(hanoi_director, admin_officer):
    _problem(OfficerApi(hanoi_director).get(URL, {"office": "99999"}), 404)
    _problem(OfficerApi(admin_officer).get(URL, {"office": "99999"}), 404)


def test_an_administrator_sees_any_office(admin_officer):
    for code in ("00", "01", "79"):
        assert OfficerApi(admin_officer).get(URL, {"office": code}).status_code == 200


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"from": "2026-03-10", "to": "2026-03-01"}, "from", "after_to"),
        ({"from": "2020-01-01", "to": "2026-01-02"}, "from", "period_too_long"),
        ({"from": "2026-02-30"}, "from", "invalid_date"),
        ({"to": "2026-13-01"}, "to", "invalid_date"),
        ({"from": "01/03/2026"}, "from", "invalid_date"),
        ({"group_by": "year"}, "group_by", "invalid_choice"),
        ({"format": "pdf"}, "format", "invalid_choice"),
    ],
)
def test_bad_input_is_a_422_naming_the_parameter(hanoi_director, params, field, code):
    body = _problem(OfficerApi(hanoi_director).get(URL, params), 422)
    assert [(e["field"], e["code"]) for e in body["errors"]] == [(field, code)]
    assert all(e["message"] for e in body["errors"])


def test_five_years_exactly_is_allowed(hanoi_director):
    response = OfficerApi(hanoi_director).get(URL, {"from": "2021-01-02", "to": "2026-01-02", "group_by": "month"})
    assert response.status_code == 200
    assert len(response.json()["rows"]) == 61


def test_every_look_is_audited_with_the_office_and_the_period(hanoi_director):
    OfficerApi(hanoi_director).get(URL, {"office": "01", "from": "2026-03-01", "to": "2026-03-31", "format": "csv"})
    event = AuditEvent.objects.get(action="report.view")
    assert event.actor == hanoi_director and event.target == "01"
    assert event.detail == {
        "report": "progress",
        "from": "2026-03-01",
        "to": "2026-03-31",
        "group_by": "day",
        "format": "csv",
        "channel": "api",
    }
    assert event.client_ip == "203.0.113.7"
