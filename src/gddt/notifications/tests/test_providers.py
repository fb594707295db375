import json
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from gddt.core.env import email_settings
from gddt.notifications import backends
from gddt_testing.sms_gateway import Answer, GatewayStub


@pytest.fixture
def http_settings(settings):
    def configure(url: str, **extra):
        settings.GDDT_SMS_HTTP_URL = url
        settings.GDDT_SMS_HTTP_AUTH = "Bearer gw-token"
        settings.GDDT_SMS_HTTP_CONNECT_TIMEOUT = 1.0
        settings.GDDT_SMS_HTTP_READ_TIMEOUT = 0.5
        for name, value in extra.items():
            setattr(settings, name, value)
        return backends.HttpBackend()

    return configure


def send(provider, to="0912345678", reference="6f0e7a52-6a3c-4a55-9d1e-2b5a3c1f9e10"):
    return provider.send(to=to, text="Xin chao", reference=reference, sent_at=timezone.now(), is_retry=False)


def test_the_http_provider_posts_the_default_body_with_the_auth_header_and_reads_the_id(http_settings):
    posts = []
    with GatewayStub(lambda post: posts.append(post)) as gateway:
        provider = http_settings(gateway.url)
        assert send(provider) == "gw-1"
        assert send(provider) == "gw-1"  # the gateway drops the repeat and answers the same id
    assert gateway.accepted["6f0e7a52-6a3c-4a55-9d1e-2b5a3c1f9e10"] == {
        "to": "+84912345678",
        "text": "Xin chao",
        "reference": "6f0e7a52-6a3c-4a55-9d1e-2b5a3c1f9e10",
    }
    assert posts[0].authorization == "Bearer gw-token" and gateway.total_sends() == 2


def test_a_configured_body_template_and_id_path(http_settings):
    with GatewayStub() as gateway:
        provider = http_settings(
            gateway.url,
            GDDT_SMS_HTTP_ID_PATH="status",
            GDDT_SMS_HTTP_BODY=json.dumps(
                {
                    "to": "$to",
                    "text": "$text",
                    "reference": "$reference",
                    "brand": "BHXHVN",
                    "meta": {"ref": "x-$reference"},
                }
            ),
        )
        assert send(provider) == "accepted"
    body = next(iter(gateway.accepted.values()))
    assert body["brand"] == "BHXHVN" and body["meta"] == {"ref": "x-6f0e7a52-6a3c-4a55-9d1e-2b5a3c1f9e10"}


@pytest.mark.parametrize(
    "status,kind",
    [
        (500, backends.TemporarySmsError),
        (503, backends.TemporarySmsError),
        (400, backends.PermanentSmsError),
        (401, backends.PermanentSmsError),
        (404, backends.PermanentSmsError),
    ],
)
def test_5xx_is_temporary_and_other_4xx_permanent(http_settings, status, kind):
    with GatewayStub(lambda post: Answer(status)) as gateway, pytest.raises(kind) as raised:
        send(http_settings(gateway.url))
    assert str(raised.value) == f"HTTP {status}" and gateway.accepted == {}


def test_429_is_temporary_and_carries_retry_after(http_settings):
    stub = GatewayStub(lambda post: Answer(429, {"Retry-After": "7"}))
    with stub as gateway, pytest.raises(backends.TemporarySmsError) as raised:
        send(http_settings(gateway.url))
    assert raised.value.retry_after == 7 and raised.value.provider_down


def test_a_read_timeout_and_a_refused_connection_are_temporary(http_settings):
    with GatewayStub(lambda post: Answer(delay=1.5)) as gateway:
        with pytest.raises(backends.TemporarySmsError, match="timeout"):
            send(http_settings(gateway.url))
        url = gateway.url
    time.sleep(0.1)
    with pytest.raises(backends.TemporarySmsError, match="connection error"):
        send(http_settings(url))


def test_a_number_that_cannot_exist_is_refused_before_sending(http_settings):
    with GatewayStub() as gateway, pytest.raises(backends.InvalidNumberError):
        send(http_settings(gateway.url), to="0100000000")
    assert gateway.total_sends() == 0


def test_the_email_url_gives_djangos_smtp_settings(monkeypatch):
    monkeypatch.setenv("GDDT_EMAIL_URL", "smtp://mailer%40bhxh:p%40ss@mail.example.vn:587?tls=true")
    assert email_settings("GDDT_EMAIL_URL") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.vn",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer@bhxh",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 20.0,
    }
    monkeypatch.setenv("GDDT_EMAIL_URL", "smtps://mail.example.vn")
    assert email_settings("GDDT_EMAIL_URL")["EMAIL_PORT"] == 465
    assert email_settings("GDDT_EMAIL_URL")["EMAIL_USE_SSL"] is True
    monkeypatch.setenv("GDDT_EMAIL_URL", "console:")
    assert email_settings("GDDT_EMAIL_URL") == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    monkeypatch.delenv("GDDT_EMAIL_URL")
    assert email_settings("GDDT_EMAIL_URL") == {}


@pytest.mark.parametrize(
    "url", ["smtp://mail.example.vn?tls=yes", "ftp://mail.example.vn", "smtp://", "smtp://mail.example.vn:port"]
)
def test_a_wrong_email_url_stops_the_start_naming_the_variable(monkeypatch, url):
    monkeypatch.setenv("GDDT_EMAIL_URL", url)
    with pytest.raises(ImproperlyConfigured, match="GDDT_EMAIL_URL"):
        email_settings("GDDT_EMAIL_URL")
