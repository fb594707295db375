import json
import uuid

import pytest
from django.db import transaction
from django.utils import timezone

from gddt.notifications import backends
from gddt.notifications.models import SmsMessage, SmsStatus
from gddt.notifications.services import sms_queue, sms_render
from gddt.notifications.tasks import LEASE, sms_deliver_one, sms_sweep
from gddt_testing.factories import run_queued_tasks

pytestmark = pytest.mark.django_db


def delivered(settings) -> list[dict]:
    path = settings.GDDT_SMS_FILE
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def run_worker():
    run_queued_tasks()


def test_a_queued_message_is_delivered_once_by_the_worker(settings):
    with transaction.atomic():
        message = sms_queue(to="0912345678", template="expired", context={"dossier_no": "26-0000001-4"})
    run_worker()
    run_worker()
    lines = delivered(settings)
    assert lines == [{"to": "0912345678", "text": message.text, "reference": str(message.reference),
                      "sent_at": lines[0]["sent_at"]}]
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT and message.attempts == 1


def test_a_message_of_a_rolled_back_change_is_never_sent(settings):
    with pytest.raises(RuntimeError), transaction.atomic():
        sms_queue(to="0912345678", template="expired", context={"dossier_no": "x"})
        raise RuntimeError("the change failed")
    run_worker()
    assert delivered(settings) == [] and SmsMessage.objects.count() == 0


def test_texts_have_no_diacritics_even_when_a_template_is_edited(settings):
    from gddt.notifications.models import SmsTemplate

    SmsTemplate.objects.update_or_create(key="expired", defaults={"text": "Hồ sơ $dossier_no đã hết hạn. Đến ngay!"})
    assert sms_render(template="expired", context={"dossier_no": "26-1"}) == "Ho so 26-1 da het han. Den ngay!"


def test_a_temporary_failure_is_retried_later_and_a_permanent_one_stops(settings, monkeypatch):
    calls = []

    class Flaky:
        def send(self, **kwargs):
            calls.append(kwargs)
            if kwargs["to"] == "0900000000":
                raise backends.PermanentSmsError("unknown subscriber")
            raise backends.TemporarySmsError("provider busy")

    monkeypatch.setattr("gddt.notifications.tasks.sms_backend", lambda: Flaky())
    temporary = sms_queue(to="0912345678", template="expired", context={})
    permanent = sms_queue(to="0900000000", template="expired", context={})
    assert sms_deliver_one(message_id=temporary.pk) == "retry"
    assert sms_deliver_one(message_id=permanent.pk) == "failed"
    temporary.refresh_from_db()
    permanent.refresh_from_db()
    assert temporary.status == SmsStatus.PENDING and temporary.next_attempt_at > timezone.now()
    assert permanent.status == SmsStatus.FAILED and permanent.last_error == "unknown subscriber"
    assert sms_deliver_one(message_id=temporary.pk) == "not yet"  # the backoff holds


def test_after_too_many_temporary_failures_a_message_is_given_up(settings, monkeypatch):
    class Down:
        def send(self, **kwargs):
            raise backends.TemporarySmsError("down")

    monkeypatch.setattr("gddt.notifications.tasks.sms_backend", lambda: Down())
    settings.GDDT_SMS_MAX_ATTEMPTS = 2
    message = sms_queue(to="0912345678", template="expired", context={})
    assert sms_deliver_one(message_id=message.pk) == "retry"
    SmsMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert sms_deliver_one(message_id=message.pk) == "failed"


def test_a_crash_after_the_provider_took_the_message_does_not_send_it_twice(settings, monkeypatch):
    message = sms_queue(to="0912345678", template="expired", context={"dossier_no": "26-0000001-4"})
    real = backends.FileBackend()

    class CrashAfterSending:
        def send(self, **kwargs):
            real.send(**kwargs)
            raise SystemExit("the worker died before recording the delivery")

    monkeypatch.setattr("gddt.notifications.tasks.sms_backend", lambda: CrashAfterSending())
    with pytest.raises(SystemExit):
        sms_deliver_one(message_id=message.pk)
    monkeypatch.undo()
    # The lease runs out; the sweep re-enqueues it; the provider already has that reference.
    SmsMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - LEASE)
    assert sms_sweep() == 1
    run_worker()
    assert len(delivered(settings)) == 1
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT and message.attempts == 2


def test_a_message_carrying_a_password_is_redacted_once_delivered(settings):
    message = sms_queue(to="0912345678", template="approved", context={"username": "001090012345",
                                                                       "password": "Xy7kPq2mRt"})
    assert "Xy7kPq2mRt" in message.text
    run_worker()
    message.refresh_from_db()
    assert "Xy7kPq2mRt" not in message.text
    assert "Xy7kPq2mRt" in delivered(settings)[0]["text"]


def test_the_console_backend_prints_one_json_line(capsys):
    backends.ConsoleBackend().send(to="0912345678", text="Xin chao", reference=str(uuid.uuid4()),
                                   sent_at=timezone.now(), is_retry=False)
    line = json.loads(capsys.readouterr().out)
    assert line["to"] == "0912345678" and line["text"] == "Xin chao"


def test_default_texts_fit_one_segment():
    from gddt.notifications.templates import DEFAULT_TEMPLATES

    context = {"dossier_no": "26-0001234-5", "identity": "ma so BHXH 0123456789", "deadline": "25/12/2026",
               "username": "001090012345", "password": "Xy7kPq2mRt", "reason": "Thong tin khong khop",
               "code": "123456"}
    import string

    for key, text in DEFAULT_TEMPLATES.items():
        rendered = string.Template(text).substitute(context)
        assert rendered.isascii() and len(rendered) <= 160, key
