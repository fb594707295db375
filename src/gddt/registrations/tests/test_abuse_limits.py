"""Issue 7 item 2 and 8: registrations per client address, receipts per phone, the "not you?" message once per
period however many tries arrive together, and the status look-up limit as a sliding window."""

import json
from unittest import mock

import pytest

from gddt.notifications.models import SmsMessage
from gddt.registrations.models import Dossier
from gddt_testing.factories import adult_data

from .helpers import API, kept, post_json

pytestmark = pytest.mark.django_db
WINDOW = 600  # the status look-up's window


def post_from(client, address: str, data: dict):
    return client.post(API, data=json.dumps(data), content_type="application/json", REMOTE_ADDR=address)


def test_registrations_from_one_address_are_limited_and_the_next_one_waits(client, settings):
    settings.GDDT_REGISTRATIONS_PER_ADDRESS_PER_HOUR = 3
    answers = [post_from(client, "203.0.113.7", adult_data()).status_code for _ in range(3)]
    assert answers == [201, 201, 201]
    before = kept()
    refused = post_from(client, "203.0.113.7", adult_data())
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "too_many_requests"
    assert 0 < int(refused["Retry-After"]) <= 3600 + 60
    assert kept() == before  # nothing of the refused request is kept
    assert post_from(client, "203.0.113.8", adult_data()).status_code == 201


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(client, settings):
    settings.GDDT_REGISTRATIONS_PER_ADDRESS_PER_HOUR = 1
    settings.GDDT_TRUSTED_PROXIES = ["10.0.0.0/8"]

    def through_proxy(forwarded: str):
        return client.post(
            API,
            data=json.dumps(adult_data()),
            content_type="application/json",
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    assert through_proxy("198.51.100.1").status_code == 201
    assert through_proxy("198.51.100.2").status_code == 201
    assert through_proxy("198.51.100.1").status_code == 429
    # What the client itself wrote at the left of the header is not believed.
    assert through_proxy("198.51.100.9, 198.51.100.1").status_code == 429


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, settings):
    settings.GDDT_REGISTRATIONS_PER_ADDRESS_PER_HOUR = 1
    settings.GDDT_TRUSTED_PROXIES = []
    answers = [
        client.post(
            API,
            data=json.dumps(adult_data()),
            content_type="application/json",
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        ).status_code
        for i in range(2)
    ]
    assert answers == [201, 429]


def test_the_registration_form_is_limited_too_and_says_so(client, settings):
    settings.GDDT_REGISTRATIONS_PER_ADDRESS_PER_HOUR = 1
    assert post_json(client, adult_data()).status_code == 201
    from .test_web_register import FORM, form_fields

    page = client.post(FORM, form_fields(adult_data()), headers={"Accept-Language": "en"})
    assert page.status_code == 429
    assert "Too many attempts" in page.content.decode()
    assert page["Retry-After"].isdigit()


def test_receipts_to_one_phone_stop_at_the_daily_limit_but_the_registration_is_kept(client, settings):
    settings.GDDT_SMS_PER_PHONE_PER_DAY = 2
    bodies = [post_json(client, adult_data(phone="0912000111")).json() for _ in range(3)]
    assert [b["sms_sent"] for b in bodies] == [True, True, False]
    assert (
        "No SMS was sent"
        in post_json(client, adult_data(phone="0912000111"), **{"Accept-Language": "en"}).json()["message"]
    )
    assert bodies[0]["message"] != bodies[2]["message"]
    assert Dossier.objects.filter(phone="0912000111").count() == 4
    assert SmsMessage.objects.filter(to="0912000111", template="submitted").count() == 2
    other = post_json(client, adult_data(phone="0912000222")).json()
    assert other["sms_sent"] is True


def test_the_receipt_page_says_when_no_sms_was_sent(client, settings):
    from .test_web_register import FORM, form_fields  # the form as a browser sends it

    settings.GDDT_SMS_PER_PHONE_PER_DAY = 1
    assert post_json(client, adult_data()).json()["sms_sent"] is True
    response = client.post(FORM, form_fields(adult_data()), headers={"Accept-Language": "en"})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"], headers={"Accept-Language": "en"}).content.decode()
    assert "No SMS was sent" in page
    assert "We have sent an SMS" not in page


def test_the_status_limit_is_a_sliding_window_not_reset_at_a_boundary(client, settings):
    """A fixed window let the limit through just before its end and again just after it."""
    settings.GDDT_STATUS_LOOKUPS_PER_WINDOW = 30
    data = adult_data()
    number = post_json(client, data).json()["dossier_no"]
    boundary = 1_800_000_000 - 1_800_000_000 % WINDOW + WINDOW
    with mock.patch("gddt.core.throttle.time.time", return_value=boundary - 1):
        before = [client.get(f"/api/v1/registrations/{number}", {"verify": "0"}).status_code for _ in range(30)]
    with mock.patch("gddt.core.throttle.time.time", return_value=boundary + 1):
        after = client.get(f"/api/v1/registrations/{number}", {"verify": data["personal_id"]})
    assert before == [404] * 30
    assert after.status_code == 429
    with mock.patch("gddt.core.throttle.time.time", return_value=boundary - 1 + WINDOW + WINDOW // 60 + 1):
        later = client.get(f"/api/v1/registrations/{number}", {"verify": data["personal_id"]})
    assert later.status_code == 200  # a window later the tries have left it


def test_a_second_registration_tells_the_owner_once_a_day_however_often_it_is_tried(client):
    data = adult_data()
    assert post_json(client, data).status_code == 201
    answers = [post_json(client, dict(data, phone=f"09870000{i:02d}")).status_code for i in range(5)]
    assert answers == [409] * 5
    assert list(SmsMessage.objects.filter(template="not_you").values_list("to", flat=True)) == [data["phone"]]
