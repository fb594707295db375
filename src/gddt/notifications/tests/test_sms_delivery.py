import json
import logging
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gddt.notifications import backends
from gddt.notifications.delivery import Deliverer, pace_reserve
from gddt.notifications.models import Channel, SmsMessage, SmsStatus, SmsTemplate
from gddt.notifications.services import sms_alert_sweep, sms_queue, sms_render, sms_templates_forget
from gddt_testing.factories import run_queued_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _templates_forgotten():
    """A template edited inside a test's transaction must not outlive its rollback in this process's copy."""
    sms_templates_forget()
    yield
    sms_templates_forget()


def delivered(settings) -> list[dict]:
    path = settings.GDDT_SMS_FILE
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


class Scripted:
    """A provider that answers from a script per number: an exception to raise, or a provider id."""

    def __init__(self, name: str = "file", script=None):
        self.name = name
        self.script = script or {}
        self.calls: list[dict] = []

    def send(self, **kwargs):
        self.calls.append(kwargs)
        outcome = self.script.get(kwargs["to"], "id-1")
        if isinstance(outcome, list):
            outcome = outcome.pop(0) if len(outcome) > 1 else outcome[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def use_providers(monkeypatch, **providers):
    monkeypatch.setattr("gddt.notifications.delivery.provider_create", lambda name: providers[name])


def test_a_queued_message_is_delivered_once_by_the_worker(settings):
    with transaction.atomic():
        message = sms_queue(to="0912345678", template="expired", context={"dossier_no": "26-0000001-4"})
    run_queued_tasks()
    run_queued_tasks()
    lines = delivered(settings)
    assert lines == [
        {"to": "0912345678", "text": message.text, "reference": str(message.reference), "sent_at": lines[0]["sent_at"]}
    ]
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT and message.attempts == 1 and message.provider == "file"
    assert message.claimed_by == "" and message.claimed_until is None


def test_queueing_writes_one_row_and_no_task(settings):
    sms_render(template="expired", context={})  # the templates are read once per process, not per message
    with CaptureQueriesContext(connection) as queries:
        sms_queue(to="0912345678", template="expired", context={"dossier_no": "26-0000001-4"})
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == 1 and statements[0].startswith("INSERT")
    assert SmsMessage.objects.count() == 1 and DBTaskResult.objects.count() == 0


def test_a_message_of_a_rolled_back_change_is_never_sent(settings):
    with pytest.raises(RuntimeError), transaction.atomic():
        sms_queue(to="0912345678", template="expired", context={"dossier_no": "x"})
        raise RuntimeError("the change failed")
    run_queued_tasks()
    assert delivered(settings) == [] and SmsMessage.objects.count() == 0


def test_texts_have_no_diacritics_even_when_a_template_is_edited(settings):
    assert "het han" in sms_render(template="expired", context={"dossier_no": "26-1"})
    SmsTemplate.objects.update_or_create(key="expired", defaults={"text": "Hồ sơ $dossier_no đã hết hạn. Đến ngay!"})
    assert sms_render(template="expired", context={"dossier_no": "26-1"}) == "Ho so 26-1 da het han. Den ngay!"


def test_a_temporary_failure_is_retried_later_and_a_permanent_one_is_a_dead_letter(settings, monkeypatch):
    provider = Scripted(
        script={
            "0912345678": backends.TemporarySmsError("HTTP 503"),
            "0900000000": backends.PermanentSmsError("HTTP 400"),
        }
    )
    use_providers(monkeypatch, file=provider)
    temporary = sms_queue(to="0912345678", template="expired", context={})
    permanent = sms_queue(to="0900000000", template="expired", context={})
    Deliverer().drain()
    temporary.refresh_from_db()
    permanent.refresh_from_db()
    assert temporary.status == SmsStatus.PENDING and temporary.attempts == 1
    assert temporary.next_attempt_at > timezone.now() - timedelta(seconds=1)
    assert temporary.last_error == "file: HTTP 503"
    assert permanent.status == SmsStatus.DEAD and permanent.last_error == "file: HTTP 400" and permanent.dead_at
    SmsMessage.objects.filter(pk=temporary.pk).update(next_attempt_at=timezone.now() + timedelta(hours=1))
    assert Deliverer().drain() == 0  # the backoff holds
    assert len(provider.calls) == 2


def test_the_backoff_doubles_from_the_setting_and_stays_within_the_cap(settings):
    from gddt.notifications.delivery import BACKOFF_CAP_SECONDS, backoff_seconds

    settings.GDDT_SMS_RETRY_SECONDS = 10
    for attempts, ceiling in [(1, 10), (2, 20), (3, 40), (9, 2560), (20, BACKOFF_CAP_SECONDS)]:
        waits = [backoff_seconds(attempts) for _ in range(200)]
        assert all(0 <= wait <= ceiling for wait in waits), attempts


def test_after_too_many_temporary_failures_a_message_is_a_dead_letter(settings, monkeypatch):
    use_providers(monkeypatch, file=Scripted(script={"0912345678": backends.TemporarySmsError("down")}))
    settings.GDDT_SMS_MAX_ATTEMPTS = 2
    message = sms_queue(to="0912345678", template="expired", context={})
    Deliverer().drain()
    SmsMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    Deliverer().drain()
    message.refresh_from_db()
    assert message.status == SmsStatus.DEAD and message.attempts == 2


def test_a_provider_that_gives_up_hands_the_message_to_the_fallback(settings, monkeypatch):
    settings.GDDT_SMS_BACKEND, settings.GDDT_SMS_FALLBACK = "http", ["file"]
    use_providers(
        monkeypatch,
        http=Scripted("http", {"0912345678": backends.PermanentSmsError("HTTP 403")}),
        file=backends.FileBackend(),
    )
    message = sms_queue(to="0912345678", template="expired", context={})
    Deliverer().drain()
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT and message.provider == "file"
    assert [line["reference"] for line in delivered(settings)] == [str(message.reference)]


def test_an_invalid_number_is_dead_at_once_without_trying_the_fallback(settings, monkeypatch):
    settings.GDDT_SMS_BACKEND, settings.GDDT_SMS_FALLBACK = "http", ["file"]
    fallback = Scripted("file")
    use_providers(
        monkeypatch, http=Scripted("http", {"0100000000": backends.InvalidNumberError("invalid number")}), file=fallback
    )
    message = sms_queue(to="0100000000", template="expired", context={})
    Deliverer().drain()
    message.refresh_from_db()
    assert message.status == SmsStatus.DEAD and fallback.calls == []


def test_retry_after_is_honoured_and_the_rest_of_the_batch_waits_without_an_attempt(settings, monkeypatch):
    settings.GDDT_SMS_CONCURRENCY = 1  # one lane: the second message comes after the 429
    provider = Scripted(
        script={"0912345678": backends.TemporarySmsError("HTTP 429", retry_after=120, provider_down=True)}
    )
    use_providers(monkeypatch, file=provider)
    first = sms_queue(to="0912345678", template="expired", context={})
    second = sms_queue(to="0987654321", template="expired", context={})
    before = timezone.now()
    Deliverer().drain()
    first.refresh_from_db()
    second.refresh_from_db()
    assert len(provider.calls) == 1
    assert first.attempts == 1 and first.next_attempt_at >= before + timedelta(seconds=119)
    assert second.attempts == 0 and second.status == SmsStatus.PENDING
    assert second.next_attempt_at >= before + timedelta(seconds=119)


def test_a_crash_after_the_provider_took_the_message_does_not_send_it_twice(settings, monkeypatch):
    message = sms_queue(to="0912345678", template="expired", context={"dossier_no": "26-0000001-4"})
    real = backends.FileBackend()

    class CrashAfterSending:
        name = "file"

        def send(self, **kwargs):
            real.send(**kwargs)
            raise SystemExit("the worker died before recording the delivery")

    use_providers(monkeypatch, file=CrashAfterSending())
    with pytest.raises(SystemExit):
        Deliverer().drain()
    message.refresh_from_db()
    assert message.status == SmsStatus.PENDING and message.claimed_by
    monkeypatch.undo()
    assert Deliverer().drain() == 0  # still claimed by the dead worker until its lease ends
    SmsMessage.objects.filter(pk=message.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert Deliverer().drain() == 1
    assert len(delivered(settings)) == 1
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT and message.claims == 2


def test_the_heartbeat_keeps_the_lease_of_the_batch_in_hand(settings):
    sms_queue(to="0912345678", template="expired", context={})
    worker, other = Deliverer(), Deliverer()
    [message] = worker.claim()
    SmsMessage.objects.filter(pk=message.pk).update(claimed_until=timezone.now() + timedelta(seconds=1))
    assert worker.renew() == 1
    message.refresh_from_db()
    assert message.claimed_until > timezone.now() + timedelta(seconds=settings.GDDT_SMS_LEASE_SECONDS - 5)
    assert other.claim() == []


def test_a_message_carrying_a_password_is_redacted_once_delivered(settings):
    message = sms_queue(
        to="0912345678", template="approved", context={"username": "001090012345", "password": "Xy7kPq2mRt"}
    )
    assert "Xy7kPq2mRt" in message.text
    run_queued_tasks()
    message.refresh_from_db()
    assert "Xy7kPq2mRt" not in message.text
    assert "Xy7kPq2mRt" in delivered(settings)[0]["text"]


def test_a_citizen_who_gave_an_email_also_gets_the_messages_without_a_secret_by_email(settings, adult_dossier):
    from django.core import mail

    settings.GDDT_EMAIL_URL = "console:"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    type(adult_dossier).objects.filter(pk=adult_dossier.pk).update(email="an@example.vn")
    plain = sms_queue(
        to=adult_dossier.phone, template="expired", context={"dossier_no": "26-1"}, dossier_id=adult_dossier.pk
    )
    sms_queue(
        to=adult_dossier.phone,
        template="approved",
        context={"username": "u", "password": "Xy7kPq2mRt"},
        dossier_id=adult_dossier.pk,
    )
    run_queued_tasks()
    copies = SmsMessage.objects.filter(channel=Channel.EMAIL)
    assert {m.template for m in copies} == {"submitted", "expired"}  # the password went by SMS only
    copy = copies.get(template="expired")
    assert copy.status == SmsStatus.SENT and copy.to == "an@example.vn"
    sent = {m.extra_headers["X-GDDT-Reference"]: (m.to, m.body) for m in mail.outbox}
    assert len(mail.outbox) == 2 and sent[str(copy.reference)] == (["an@example.vn"], plain.text)


def test_without_an_email_setting_no_copy_is_written(settings, adult_dossier):
    settings.GDDT_EMAIL_URL = None
    type(adult_dossier).objects.filter(pk=adult_dossier.pk).update(email="an@example.vn")
    sms_queue(to=adult_dossier.phone, template="expired", context={}, dossier_id=adult_dossier.pk)
    run_queued_tasks()
    assert not SmsMessage.objects.filter(channel=Channel.EMAIL).exists()


def test_the_rate_limit_is_one_schedule_shared_by_every_worker():
    first = pace_reserve(provider="http", count=10, rate=5.0)
    second = pace_reserve(provider="http", count=1, rate=5.0)
    assert second == pytest.approx(first + 2.0)  # ten messages at five a second take two seconds of the schedule


def test_an_overdue_message_is_warned_about_once_without_its_phone_or_text(settings, caplog):
    message = sms_queue(to="0912345678", template="expired", context={"dossier_no": "26-0000001-4"})
    SmsMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=16), next_attempt_at=timezone.now() + timedelta(hours=1)
    )
    with caplog.at_level(logging.WARNING, logger="gddt.notifications.services"):
        assert sms_alert_sweep() == 1
        assert sms_alert_sweep() == 0
    [record] = caplog.records
    assert str(message.pk) in record.getMessage()
    assert "0912345678" not in record.getMessage() and message.text not in record.getMessage()


@pytest.mark.django_db(transaction=True)
def test_a_running_delivery_loop_warns_about_an_overdue_message_without_waiting_for_the_scheduler(caplog):
    import threading

    message = sms_queue(to="0912345678", template="expired", context={"dossier_no": "26-0000001-4"})
    SmsMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=16), next_attempt_at=timezone.now() + timedelta(hours=1)
    )
    stopping = threading.Event()
    loop = threading.Thread(target=Deliverer().run, args=(stopping,))
    with caplog.at_level(logging.WARNING, logger="gddt.notifications.services"):
        loop.start()
        for _ in range(100):
            if SmsMessage.objects.filter(pk=message.pk, alerted_at__isnull=False).exists():
                break
            stopping.wait(0.1)
        stopping.set()
        loop.join(timeout=30)
    assert any(str(message.pk) in record.getMessage() for record in caplog.records)
    assert SmsMessage.objects.get(pk=message.pk).status == SmsStatus.PENDING  # warned, not sent before its time


def test_a_message_younger_than_the_alert_age_is_not_warned_about(settings):
    sms_queue(to="0912345678", template="expired", context={})
    assert sms_alert_sweep() == 0


def test_the_console_backend_prints_one_json_line(capsys):
    backends.ConsoleBackend().send(
        to="0912345678", text="Xin chao", reference=str(uuid.uuid4()), sent_at=timezone.now(), is_retry=False
    )
    line = json.loads(capsys.readouterr().out)
    assert line["to"] == "0912345678" and line["text"] == "Xin chao"


def test_default_texts_fit_one_segment_of_gsm7():
    import string

    from gddt.notifications.admin import PREVIEW_CONTEXT as context  # values as long as real ones
    from gddt.notifications.templates import DEFAULT_TEMPLATES, gsm7_outside, gsm7_segments

    for key, text in DEFAULT_TEMPLATES.items():
        rendered = string.Template(text).substitute(context)
        assert rendered.isascii() and len(rendered) <= 160, key
        assert gsm7_outside(rendered) == [] and gsm7_segments(rendered) == 1, key


def test_segments_are_counted_in_septets():
    from gddt.notifications.templates import gsm7_outside, gsm7_segments

    assert gsm7_segments("a" * 160) == 1
    assert gsm7_segments("a" * 161) == 2  # then 153 a part
    assert gsm7_segments("a" * 306) == 2 and gsm7_segments("a" * 307) == 3
    assert gsm7_segments("[" * 80) == 1 and gsm7_segments("[" * 81) == 2  # two septets each
    assert gsm7_outside("Dạ “vâng” ₫") == ["ạ", "“", "â", "”", "₫"]


@pytest.fixture
def smtp(settings, monkeypatch):
    """A real SMTP server on 127.0.0.1 and the settings that GDDT_EMAIL_URL gives for it, with credentials."""
    from gddt.core.env import email_settings
    from gddt_testing.smtp_stub import SmtpStub

    with SmtpStub() as server:
        url = f"smtp://gddt%40vss.gov.vn:s3cret@127.0.0.1:{server.port}?timeout=5"
        monkeypatch.setenv("GDDT_EMAIL_URL", url)
        settings.GDDT_EMAIL_URL = url
        for key, value in email_settings("GDDT_EMAIL_URL").items():
            setattr(settings, key, value)
        yield server


def _emailed(adult_dossier, address: str) -> SmsMessage:
    """Queues a message without a secret for a dossier whose citizen gave `address`, runs the delivery, and
    answers the email twin of that message."""
    type(adult_dossier).objects.filter(pk=adult_dossier.pk).update(email=address)
    sms_queue(to=adult_dossier.phone, template="expired", context={"dossier_no": "26-1"}, dossier_id=adult_dossier.pk)
    run_queued_tasks()
    return SmsMessage.objects.get(channel=Channel.EMAIL, template="expired")


def test_an_email_goes_through_a_real_smtp_server_signed_in_with_the_urls_credentials(smtp, adult_dossier):
    copy = _emailed(adult_dossier, "an@example.vn")
    assert copy.status == SmsStatus.SENT
    [mail] = [m for m in smtp.state.mails if m.message["X-GDDT-Reference"] == str(copy.reference)]
    assert mail.recipients == ["an@example.vn"]
    assert mail.message.get_payload(decode=True).decode().strip() == copy.text.strip()
    assert mail.message["Message-ID"] == f"<{copy.reference}@gddt>"
    assert set(smtp.state.logins) == {("gddt@vss.gov.vn", "s3cret")}


def test_an_address_the_mail_server_refuses_is_a_dead_letter_at_once(smtp, adult_dossier):
    smtp.state.refuse["gone@example.vn"] = "550 5.1.1 no such user"
    copy = _emailed(adult_dossier, "gone@example.vn")
    assert copy.status == SmsStatus.DEAD and copy.attempts == 1
    assert not [m for m in smtp.state.mails if "gone@example.vn" in m.recipients]


def test_a_mail_server_that_says_try_later_gets_the_email_again_later(smtp, adult_dossier):
    smtp.state.refuse["busy@example.vn"] = "451 4.3.0 try again later"
    copy = _emailed(adult_dossier, "busy@example.vn")
    assert copy.status == SmsStatus.PENDING and copy.attempts == 1 and copy.next_attempt_at > timezone.now()
    del smtp.state.refuse["busy@example.vn"]
    SmsMessage.objects.filter(pk=copy.pk).update(next_attempt_at=timezone.now())
    run_queued_tasks()
    copy.refresh_from_db()
    assert copy.status == SmsStatus.SENT
    assert [m.recipients for m in smtp.state.mails if m.message["X-GDDT-Reference"] == str(copy.reference)] == [
        ["busy@example.vn"]
    ]
