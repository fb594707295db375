"""Helpers shared by the counter's web tests (this module holds no test of its own)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from gddt.registrations.models import Dossier
from gddt.registrations.numbers import dossier_number_format
from gddt.registrations.selectors import missing_documents
from gddt_testing.factories import jpeg_bytes

HOME = "/can-bo/"


def officer_client(user, *, verified: bool = True, language: str = "en") -> Client:
    """A browser session of `user`, signed in; with `verified`, past the second factor (TOTP) too."""
    client = Client(headers={"accept-language": language})
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if verified:
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def number_of(dossier: Dossier) -> str:
    return dossier_number_format(dossier.number or "")


def page_url(dossier: Dossier, name: str = "dossier", **kwargs) -> str:
    return reverse(f"counter:{name}", kwargs={"dossier_no": number_of(dossier), **kwargs})


def photo(name: str = "photo.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def supplement_all(client: Client, dossier: Dossier) -> None:
    """Supplements every missing component through the web page, as the verifier does at the counter."""
    for kind in missing_documents(fresh(dossier)):
        response = client.post(
            page_url(dossier, "supplement", kind=kind),
            {"file": photo(f"{kind}.jpg"), "version": fresh(dossier).version},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    assert missing_documents(fresh(dossier)) == []


def urls_of(response) -> list[str]:
    """Every path and query string the client requested or was sent to while following `response`."""
    seen = [url for url, _status in getattr(response, "redirect_chain", [])]
    seen.append(response.request["PATH_INFO"] + "?" + response.request.get("QUERY_STRING", ""))
    return seen
