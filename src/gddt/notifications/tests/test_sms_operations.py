import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from gddt.notifications import backends
from gddt.notifications.delivery import Deliverer
from gddt.notifications.models import SmsMessage, SmsStatus, SmsTemplate
from gddt.notifications.services import sms_queue, sms_templates_forget
from gddt.notifications.tests.test_sms_delivery import Scripted, use_providers

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_officer):
    """An administrator of the Django admin: staff, superuser, signed in with both factors."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    admin_officer.is_staff = admin_officer.is_superuser = True
    admin_officer.save()
    device = TOTPDevice.objects.create(user=admin_officer, name="test", confirmed=True)
    client.force_login(admin_officer)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def gddt(*args: str) -> str:
    out = StringIO()
    call_command("sms", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def dead_password(monkeypatch):
    """A message carrying a password that the gateway refused for good."""
    use_providers(monkeypatch, file=Scripted(script={"0912345678": backends.PermanentSmsError("HTTP 400")}))
    message = sms_queue(
        to="0912345678", template="approved", context={"username": "001090012345", "password": "Xy7kPq2mRt"}
    )
    Deliverer().drain()
    monkeypatch.undo()
    message.refresh_from_db()
    assert message.status == SmsStatus.DEAD
    return message


def test_status_counts_the_queue_and_each_providers_hour_and_day(settings, dead_password):
    sms_queue(to="0987654321", template="expired", context={})
    sent = sms_queue(to="0987654322", template="expired", context={})
    Deliverer().drain()
    SmsMessage.objects.filter(pk=sent.pk).update(status=SmsStatus.DELIVERED)
    sms_queue(to="0987654323", template="expired", context={})
    state = json.loads(gddt("status", "--json"))
    assert state["queue_depth"] == 1 and state["oldest_pending_seconds"] >= 0 and state["dead_letters"] == 1
    assert state["providers"]["file"]["hour"] == {"sent": 2, "delivered": 1, "failed": 0, "dead": 1}
    assert state["providers"]["file"]["day"] == state["providers"]["file"]["hour"]
    table = gddt("status")
    assert "queue depth: 1" in table and "file" in table


def test_dead_letters_show_a_masked_phone_and_never_the_password(dead_password):
    out = gddt("dead")
    assert str(dead_password.pk) in out and str(dead_password.reference) in out and "091****678" in out
    assert "HTTP 400" in out
    assert "Xy7kPq2mRt" not in out and "0912345678" not in out
    line = json.loads(gddt("dead", "--json"))
    assert line["to_masked"] == "091****678" and "Xy7kPq2mRt" not in json.dumps(line)


def test_retry_puts_a_dead_letter_back_and_the_worker_sends_it(settings, dead_password):
    assert "1 message(s) back in the queue" in gddt("retry", str(dead_password.pk))
    dead_password.refresh_from_db()
    assert dead_password.status == SmsStatus.PENDING and dead_password.attempts == 0
    Deliverer().drain()
    dead_password.refresh_from_db()
    assert dead_password.status == SmsStatus.SENT and "Xy7kPq2mRt" not in dead_password.text
    assert "no dead letters" in gddt("dead")


def test_retry_all_and_its_arguments(dead_password):
    with pytest.raises(CommandError):
        gddt("retry")
    with pytest.raises(CommandError):
        gddt("retry", "--all", "5")
    assert "1 message(s)" in gddt("retry", "--all")
    assert "0 message(s)" in gddt("retry", "--all")


def test_the_admin_lists_the_outbox_masked_and_requeues_dead_letters(admin_client, dead_password):
    url = reverse("admin:notifications_smsmessage_changelist")
    page = admin_client.get(url).content.decode()
    assert "091****678" in page and "0912345678" not in page and "Xy7kPq2mRt" not in page
    detail = admin_client.get(reverse("admin:notifications_smsmessage_change", args=[dead_password.pk]))
    assert detail.status_code == 200 and "Xy7kPq2mRt" not in detail.content.decode()
    response = admin_client.post(url, {"action": "requeue", "_selected_action": [dead_password.pk]}, follow=True)
    assert response.status_code == 200
    dead_password.refresh_from_db()
    assert dead_password.status == SmsStatus.PENDING


@pytest.fixture
def template_url():
    sms_templates_forget()
    yield reverse("admin:notifications_smstemplate_change", args=[SmsTemplate.objects.get(key="expired").pk])
    sms_templates_forget()


def test_the_template_editor_previews_the_text_as_sent_with_its_segment_count(admin_client, template_url):
    page = admin_client.get(template_url).content.decode()
    assert "Ho so DK GDDT so 26-0001234-5 da het han" in page
    assert "1 SMS segment" in page or "1 phần tin SMS" in page


def test_the_template_editor_refuses_a_character_outside_gsm7_naming_it(admin_client, template_url):
    response = admin_client.post(template_url, {"text": "Hồ sơ $dossier_no đã hết hạn “ngay”."})
    assert response.status_code == 200
    page = response.content.decode()
    assert "“" in page and "U+201C" in page and "U+201D" in page
    assert SmsTemplate.objects.get(key="expired").text.startswith("BHXH VN")


def test_the_template_editor_saves_a_text_with_diacritics_that_gsm7_carries_once_stripped(admin_client, template_url):
    response = admin_client.post(template_url, {"text": "Hồ sơ $dossier_no đã hết hạn."})
    assert response.status_code == 302
    assert SmsTemplate.objects.get(key="expired").text == "Hồ sơ $dossier_no đã hết hạn."
