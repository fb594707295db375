import hashlib
import hmac
import json

import pytest

from gddt.notifications.models import SmsMessage, SmsStatus
from gddt.notifications.services import sms_queue
from gddt_testing.factories import run_queued_tasks

pytestmark = pytest.mark.django_db

URL = "/api/v1/sms/receipts"
SECRET = "receipts-secret-for-tests"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.GDDT_SMS_RECEIPT_SECRET = SECRET


def signed(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def report(client, payload: dict, *, signature: str | None = "sign"):
    body = json.dumps(payload).encode()
    headers = {} if signature is None else {"X-Signature": signed(body) if signature == "sign" else signature}
    return client.post(URL, data=body, content_type="application/json", headers=headers)


@pytest.fixture
def sent_message(settings):
    message = sms_queue(to="0912345678", template="expired", context={"dossier_no": "26-0000001-4"})
    run_queued_tasks()
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    return message


def test_a_signed_report_marks_a_sent_message_delivered(client, sent_message):
    response = report(client, {"reference": str(sent_message.reference), "status": "delivered"})
    assert response.status_code == 204 and response.content == b""
    sent_message.refresh_from_db()
    assert sent_message.status == SmsStatus.DELIVERED and sent_message.receipt_at is not None


def test_the_same_report_again_still_answers_204_and_changes_nothing(client, sent_message):
    payload = {"reference": str(sent_message.reference), "status": "delivered"}
    assert report(client, payload).status_code == 204
    first = SmsMessage.objects.get(pk=sent_message.pk)
    assert report(client, payload).status_code == 204
    assert report(client, {**payload, "status": "failed", "error": "late"}).status_code == 204
    again = SmsMessage.objects.get(pk=sent_message.pk)
    assert (again.status, again.receipt_at, again.last_error) == (first.status, first.receipt_at, first.last_error)


def test_a_failure_report_marks_the_message_undelivered_with_the_gateways_reason(client, sent_message):
    response = report(
        client, {"reference": str(sent_message.reference), "status": "failed", "error": "subscriber absent"}
    )
    assert response.status_code == 204
    sent_message.refresh_from_db()
    assert sent_message.status == SmsStatus.UNDELIVERED and sent_message.last_error == "gateway: subscriber absent"


@pytest.mark.parametrize("signature", [None, "", "sha256=00", "md5=abc", "wrong-secret"])
def test_a_report_without_a_valid_signature_is_refused_with_401(client, sent_message, signature):
    payload = {"reference": str(sent_message.reference), "status": "delivered"}
    if signature == "wrong-secret":
        signature = signed(json.dumps(payload).encode(), "another secret")
    response = report(client, payload, signature=signature)
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "X-Signature"
    sent_message.refresh_from_db()
    assert sent_message.status == SmsStatus.SENT


def test_the_signature_covers_the_raw_body(client, sent_message):
    body = json.dumps({"reference": str(sent_message.reference), "status": "delivered"}).encode()
    tampered = body.replace(b"delivered", b"failed")
    response = client.post(URL, data=tampered, content_type="application/json", headers={"X-Signature": signed(body)})
    assert response.status_code == 401


def test_without_a_configured_secret_every_report_is_refused(client, settings, sent_message):
    settings.GDDT_SMS_RECEIPT_SECRET = None
    assert report(client, {"reference": str(sent_message.reference), "status": "delivered"}).status_code == 401


def test_an_unknown_reference_answers_404(client):
    response = report(client, {"reference": "6f0e7a52-6a3c-4a55-9d1e-2b5a3c1f9e10", "status": "delivered"})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_malformed_report_names_its_fields(client):
    response = report(client, {"reference": "not-a-uuid", "status": "read"})
    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {"reference", "status"}
    body = b"{not json"
    response = client.post(URL, data=body, content_type="application/json", headers={"X-Signature": signed(body)})
    assert response.status_code == 400


def test_a_report_that_overtakes_the_workers_record_still_applies(client, settings):
    message = sms_queue(to="0912345678", template="expired", context={})
    assert report(client, {"reference": str(message.reference), "status": "delivered"}).status_code == 204
    run_queued_tasks()  # the worker's record of the sending does not undo the report
    message.refresh_from_db()
    assert message.status == SmsStatus.DELIVERED and message.sent_at is not None
