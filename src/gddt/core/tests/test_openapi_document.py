"""The OpenAPI document says what the code does (issue 7 item 7): problem answers are application/problem+json, 400
and 414 are described where they can happen, If-Match and ETag are described, unknown fields are refused; and
the check that every answer of the suite keeps to the document refuses what it does not describe."""

import pytest

from gddt.api import api
from gddt_testing.openapi import UndocumentedAnswer, api_answer_check


@pytest.fixture(scope="module")
def document():
    return api.get_openapi_schema()


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def _resolve(document, schema):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_every_error_answer_is_a_problem_in_application_problem_json(document):
    for name, operation in _operations(document):
        for code, answer in operation["responses"].items():
            if int(code) >= 400 and int(code) != 414:
                assert answer["content"] == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }, (name, code)
                assert answer["description"], (name, code)


def test_every_operation_describes_414_and_400_wherever_a_body_or_header_can_be_malformed(document):
    for name, operation in _operations(document):
        assert "text/html" in operation["responses"][414]["content"], name
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if "requestBody" in operation or headers & {"If-Match", "Idempotency-Key"}:
            assert 400 in operation["responses"], name
        if operation.get("security"):
            assert 401 in operation["responses"], name


def test_every_change_of_a_dossier_describes_if_match_and_its_answer_the_etag(document):
    changes = [
        (name, op)
        for name, op in _operations(document)
        if name.split()[0] in ("PATCH", "PUT", "POST")
        and "/office/dossiers/{dossier_no}" in name
        and "/account/" not in name
    ]
    assert len(changes) >= 6
    for name, operation in changes:
        [if_match] = [p for p in operation["parameters"] if p["name"] == "If-Match"]
        assert if_match["in"] == "header" and "412" in if_match["description"], name
        assert "ETag" in operation["responses"][200]["headers"], name
        assert 412 in operation["responses"], name


def test_every_json_request_body_refuses_unknown_fields(document):
    bodies = 0
    for name, operation in _operations(document):
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content and name != "POST /api/v1/sms/receipts":  # the gateway's own format
            bodies += 1
            assert _resolve(document, content["application/json"]["schema"])["additionalProperties"] is False, name
    assert bodies >= 10


def test_the_registration_data_refuses_unknown_fields_at_every_level(document):
    operation = document["paths"]["/api/v1/registrations"]["post"]
    data = operation["requestBody"]["content"]["application/json"]["schema"]
    assert data["additionalProperties"] is False
    for member in ("id_document", "birth_certificate", "guardian", "address"):
        assert data["properties"][member]["additionalProperties"] is False, member


# --- the check of every answer (testing/gddt_testing/openapi.py) ---------------------------------------------


def _check(status, content_type, body, *, method="GET", path="/api/v1/offices"):
    api_answer_check(method=method, path=path, status=status, content_type=content_type, body=body)


def test_the_answer_check_accepts_a_documented_answer():
    _check(200, "application/json", b'[{"code": "01", "name": "BHXH", "parent_code": null, "province_code": "01"}]')


@pytest.mark.parametrize(
    ("status", "content_type", "body", "why"),
    [
        (201, "application/json", b"[]", "status 201 is not documented"),
        (200, "text/html", b"<p>", "answered text/html"),
        (200, "application/json", b'[{"code": 1}]', "does not match the document"),
        (200, "application/json", b"not json", "not JSON"),
    ],
)
def test_the_answer_check_refuses_what_the_document_does_not_describe(status, content_type, body, why):
    with pytest.raises(UndocumentedAnswer, match=why):
        _check(status, content_type, body)


def test_the_answer_check_refuses_a_problem_of_the_wrong_shape_or_content_type():
    path = "/api/v1/office/dossiers/26-0000001-4/approve"
    with pytest.raises(UndocumentedAnswer, match="answered application/json"):
        _check(409, "application/json", b"{}", method="POST", path=path)
    with pytest.raises(UndocumentedAnswer, match="'code' is a required property"):
        _check(
            409,
            "application/problem+json",
            b'{"type": "t", "title": "t", "status": 409, "errors": []}',
            method="POST",
            path=path,
        )


def test_the_answer_check_wants_a_405_for_a_method_the_path_does_not_have():
    _check(405, "text/html", b"", method="DELETE")
    with pytest.raises(UndocumentedAnswer, match="no DELETE operation"):
        _check(200, "application/json", b"[]", method="DELETE")
