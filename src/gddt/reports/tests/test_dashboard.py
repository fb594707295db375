"""The directors' dashboard: charts drawn on the server, a table under each, filters in the URL, audited."""

import pytest

from gddt.audit.models import AuditEvent
from gddt.counter.tests.test_web_support import officer_client
from gddt.reports.tests.scenario import scenario_build

pytestmark = pytest.mark.django_db
URL = "/can-bo/bao-cao/"


@pytest.fixture
def scenario(hanoi_verifier, hanoi_approver, hcm_verifier, hcm_approver):
    return scenario_build(
        hn_verifier=hanoi_verifier, hn_approver=hanoi_approver, hcm_verifier=hcm_verifier, hcm_approver=hcm_approver
    )


def test_a_director_opens_the_dashboard_of_their_offices(scenario, hanoi_director):
    response = officer_client(hanoi_director, language="vi").get(
        URL, {"from": scenario.day0.isoformat(), "to": scenario.today.isoformat(), "group_by": "day"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Báo cáo tiến độ" in html and "Số liệu tính đến" in html
    assert html.count('<svg class="chart"') == 3 and html.count('<table class="figures') >= 4
    assert "<script" not in html and 'style="' not in html  # strict CSP: nothing inline
    assert "reports/reports.css" in html
    assert "hn.approver" in html and "hn.verifier" in html
    assert "hcm.approver" not in html  # officers of another province stay out
    assert 'href="/api/v1/reports/progress?office=01&amp;from=' in html  # the same view as CSV and Excel
    assert 'href="/can-bo/bao-cao/"' in html  # the link in the officer frame
    event = AuditEvent.objects.get(action="report.view")
    assert event.actor == hanoi_director and event.target == "01" and event.detail["channel"] == "web"


def test_the_offices_table_sorts_by_backlog(scenario, admin_officer):
    response = officer_client(admin_officer).get(URL, {"office": "00", "sort": "backlog"})
    html = response.content.decode()
    offices = html[html.index('id="offices"') : html.index('id="h-officers"')]
    # Hà Nội holds two open dossiers, Hồ Chí Minh one: they lead the table in that order.
    assert offices.index("01 · ") < offices.index("79 · ") < offices.index("48 · ")


def test_a_bad_date_is_named_on_the_page(hanoi_director):
    response = officer_client(hanoi_director).get(URL, {"from": "2026-02-30"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert "This date does not exist." in response.content.decode()


def test_officers_without_the_role_get_a_403_page_and_no_link(hanoi_verifier):
    client = officer_client(hanoi_verifier)
    assert client.get(URL).status_code == 403
    assert 'href="/can-bo/bao-cao/"' not in client.get("/can-bo/").content.decode()


def test_another_province_is_a_403_page(hanoi_director):
    assert officer_client(hanoi_director).get(URL, {"office": "79"}).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in():
    from django.test import Client

    response = Client().get(URL)
    assert response.status_code == 302 and "/can-bo/dang-nhap/" in response["Location"]


def test_the_page_says_up_to_when_the_figures_count_and_when_they_are_late(scenario, hanoi_director):
    from datetime import timedelta

    from django.utils import timezone

    from gddt.reports.models import ReportCursor

    client = officer_client(hanoi_director, language="vi")
    until = ReportCursor.objects.get().figures_until
    moment = timezone.localtime(until).strftime("%H:%M %d/%m/%Y")
    html = client.get(URL).content.decode()
    # The workers' loop runs every minute and the tests' grace is 0: a change is counted within a minute.
    assert f"Số liệu tính đến {moment}; mỗi thay đổi được tính trong vòng 1 phút." in html
    ReportCursor.objects.update(figures_until=timezone.now() - timedelta(hours=2))
    late = timezone.localtime(ReportCursor.objects.get().figures_until).strftime("%H:%M %d/%m/%Y")
    html = client.get(URL).content.decode()
    assert f"Số liệu tính đến {late}: số liệu đang bị chậm" in html
