"""GET /metrics: the Prometheus text an operator scrapes, only with GDDT_METRICS_TOKEN."""

import re

import pytest
from prometheus_client.parser import text_string_to_metric_families

from gddt.core import metrics
from gddt_testing.factories import adult_data

TOKEN = "a-long-random-metrics-token"


@pytest.fixture(autouse=True)
def _fresh_figures(monkeypatch, settings):
    settings.GDDT_METRICS_TOKEN = TOKEN
    monkeypatch.setattr(metrics, "FIGURES_MAX_AGE", 0.0)


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_without_a_configured_token_there_is_no_metrics_endpoint(client, settings):
    settings.GDDT_METRICS_TOKEN = None
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer anything"}).status_code == 404


def test_a_missing_or_wrong_token_gets_401(client):
    response = client.get("/metrics")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    assert b"gddt_" not in response.content


@pytest.mark.django_db
def test_requests_are_counted_by_route_template_and_status_never_by_their_values(client):
    data = adult_data()
    created = client.post("/api/v1/registrations", data=data, content_type="application/json")
    assert created.status_code == 201
    number = created.json()["dossier_no"]
    before = scrape(client)
    route = "/api/v1/registrations/<dossier_no>"
    client.get(f"/api/v1/registrations/{number}", {"verify": data["personal_id"]})
    client.get(f"/api/v1/registrations/{number}", {"verify": "000000000000"})
    after = scrape(client)
    ok = ("gddt_http_requests_total", {"method": "GET", "route": route, "status": "200"})
    missing = ("gddt_http_requests_total", {"method": "GET", "route": route, "status": "404"})
    assert value(after, ok[0], **ok[1]) - value(before, ok[0], **ok[1]) == 1
    assert value(after, missing[0], **missing[1]) - value(before, missing[0], **missing[1]) == 1
    count = "gddt_http_request_duration_seconds_count"
    assert value(after, count, method="GET", route=route) - value(before, count, method="GET", route=route) == 2
    assert value(after, "gddt_http_request_duration_seconds_bucket", method="GET", route=route, le="+Inf") >= 2
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).content.decode()
    assert number not in text and data["personal_id"] not in text and data["phone"] not in text
    assert all(name.startswith("gddt_") for name in re.findall(r"^([a-z_]+)[{ ]", text, re.MULTILINE))


@pytest.mark.django_db(transaction=True)
def test_dossiers_by_status_transitions_and_the_sms_queue_come_from_the_database(client, reference):
    before = scrape(client)
    assert value(before, "gddt_dossiers", status="approved") == 0  # every state is named, even at 0
    assert ("gddt_dossiers", (("status", "expired"),)) in before
    for _ in range(2):
        response = client.post("/api/v1/registrations", data=adult_data(), content_type="application/json")
        assert response.status_code == 201
    after = scrape(client)
    submitted = value(after, "gddt_dossiers", status="submitted") - value(before, "gddt_dossiers", status="submitted")
    assert submitted == 2
    transitions = value(after, "gddt_dossier_transitions_total", action="submit") - value(
        before, "gddt_dossier_transitions_total", action="submit"
    )
    assert transitions == submitted  # counted once committed
    assert value(after, "gddt_sms_queue_depth") >= submitted
    assert value(after, "gddt_sms_oldest_pending_seconds") >= 0
    assert ("gddt_sms_dead_letters", ()) in after


@pytest.mark.django_db
def test_an_unknown_method_is_counted_as_other_so_no_client_can_grow_the_labels(client):
    client.generic("BREW", "/")
    samples = scrape(client)
    assert not any(dict(labels).get("method") == "BREW" for _name, labels in samples)
    assert any(dict(labels).get("method") == "other" for _name, labels in samples)


@pytest.mark.django_db
def test_failed_sign_ins_and_lock_outs_are_counted(client, hanoi_verifier, settings):
    settings.AXES_FAILURE_LIMIT = 2
    before = scrape(client)
    for _ in range(3):
        client.post("/can-bo/dang-nhap/", {"username": "hn.verifier", "password": "wrong password"})
    after = scrape(client)
    assert value(after, "gddt_sign_in_failures_total") - value(before, "gddt_sign_in_failures_total") >= 2
    assert value(after, "gddt_sign_in_lockouts_total") - value(before, "gddt_sign_in_lockouts_total") >= 1


@pytest.mark.django_db
def test_a_broken_collector_is_reported_without_hiding_the_others(client, monkeypatch):
    def broken():
        raise RuntimeError("the database is gone")

    monkeypatch.setitem(metrics._collectors, "broken", broken)
    samples = scrape(client)
    assert value(samples, "gddt_metrics_collector_errors", collector="broken") == 1
    assert ("gddt_sign_in_failures_total", ()) in samples


def test_metric_names_must_start_with_gddt():
    with pytest.raises(ValueError, match="gddt_"):
        metrics.Figure(name="dossiers", help="", values={(): 1})
