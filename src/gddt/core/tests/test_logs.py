"""JSON log lines with a request id: what an operator greps for, and what must never be in them."""

import json
import logging

import pytest

from gddt.core.logs import JsonFormatter, request_id_var
from gddt_testing.factories import adult_data


def json_lines(caplog, logger: str) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records if record.name == logger]


@pytest.mark.django_db
def test_a_request_is_logged_as_one_json_line_with_its_route_template_status_and_duration(client, caplog):
    data = adult_data()
    created = client.post("/api/v1/registrations", data=data, content_type="application/json")
    number = created.json()["dossier_no"]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="gddt.request"):
        response = client.get(f"/api/v1/registrations/{number}", {"verify": data["personal_id"]})
    [line] = json_lines(caplog, "gddt.request")
    assert line["route"] == "/api/v1/registrations/<dossier_no>" and line["status"] == 200
    assert line["method"] == "GET" and line["level"] == "INFO" and line["logger"] == "gddt.request"
    assert isinstance(line["duration_ms"], float) and line["time"].endswith("+00:00")
    assert line["request_id"] == response["X-Request-ID"]
    text = json.dumps(line)
    assert number not in text and data["personal_id"] not in text and "verify" not in text


@pytest.mark.django_db
def test_the_request_id_of_a_proxy_is_kept_and_returned(client):
    response = client.get("/api/v1/offices", headers={"X-Request-ID": "lb-7f3a.42"})
    assert response["X-Request-ID"] == "lb-7f3a.42"


@pytest.mark.django_db
@pytest.mark.parametrize("given", ["", "has space", 'quote"d', "x" * 200, "ký-tự"])
def test_a_request_id_that_is_not_a_plain_token_is_replaced_by_a_new_one(client, given):
    response = client.get("/api/v1/offices", headers={"X-Request-ID": given} if given else {})
    made = response["X-Request-ID"]
    assert made != given and len(made) == 32 and made.isalnum()


@pytest.mark.django_db
def test_two_requests_get_two_ids(client):
    assert client.get("/api/v1/offices")["X-Request-ID"] != client.get("/api/v1/offices")["X-Request-ID"]


def test_every_line_logged_while_serving_a_request_carries_its_id():
    token = request_id_var.set("req-1")
    try:
        record = logging.LogRecord("gddt.x", logging.WARNING, __file__, 1, "stored %s files", (3,), None)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line == {
        "time": line["time"],
        "level": "WARNING",
        "logger": "gddt.x",
        "message": "stored 3 files",
        "request_id": "req-1",
    }


def test_gunicorns_access_line_has_the_path_without_the_query_string():
    atoms = {
        "m": "GET",
        "U": "/api/v1/office/dossiers",
        "q": "q=079090000001",
        "s": "200",
        "D": "1520",
        "{x-request-id}o": "abc123",
        "{authorization}i": "Bearer gddt_secret",
        "h": "10.0.0.9",
    }
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(m)s %(U)s", (), None)
    record.args = atoms
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /api/v1/office/dossiers 200"
    assert line["status"] == 200 and line["duration_ms"] == 1.5 and line["request_id"] == "abc123"
    assert "079090000001" not in json.dumps(line) and "secret" not in json.dumps(line)


def test_an_exception_is_kept_inside_its_json_line():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("gddt.x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in line["exception"] and "\n" not in JsonFormatter().format(record)
