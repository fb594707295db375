"""What goes over the wire: pages gzipped (text only), static files collected with hashed names and
compressed copies that browsers keep for a year, `gddt init` collecting them, and HEAD answered."""

import gzip
import re

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

from gddt.registrations.tests.test_web_register import FORM, form_fields, form_token, photo
from gddt_testing.factories import adult_data

pytestmark = pytest.mark.django_db
GZIP = {"accept-encoding": "gzip, deflate, br"}
YEAR = 365 * 24 * 3600


def test_pages_are_gzipped(client):
    page = client.get("/dang-ky/", headers=GZIP)
    assert page["Content-Encoding"] == "gzip" and "Accept-Encoding" in page["Vary"]
    assert "<form" in gzip.decompress(page.content).decode()
    plain = client.get("/dang-ky/")  # a client that does not ask for it gets the page as it is
    assert not plain.has_header("Content-Encoding")


def test_photos_are_not_compressed_again(client):
    token = form_token(client.get(FORM).content.decode())
    body = form_fields({**adult_data(), "phone": "1"}, token=token)
    body["portrait"] = photo(width=800, height=1000)
    client.post(FORM, body)
    preview = client.get("/dang-ky/anh-da-nhan/portrait/", headers=GZIP)
    assert preview.status_code == 200 and not preview.has_header("Content-Encoding")
    assert preview.content[:3] == b"\xff\xd8\xff"


def test_head_of_the_form_and_the_status_page_answers(client):
    for path in ("/dang-ky/", "/tra-cuu/", "/"):
        response = client.head(path)
        assert response.status_code == 200, path


@pytest.fixture
def collected(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    return tmp_path / "static"


def test_gddt_init_collects_the_static_files_with_hashed_names_and_compressed_copies(collected, monkeypatch):
    monkeypatch.setattr(
        "gddt.core.management.commands.init.system_init", lambda: {"provinces": 34, "wards": 3321, "offices": 35}
    )  # the database part is tested apart
    call_command("init", verbosity=0)
    url = static("gddt/site.css")
    assert re.fullmatch(r"/static/gddt/site\.[0-9a-f]{12}\.css", url)
    assert (collected / url.removeprefix("/static/")).exists()
    assert (collected / (url.removeprefix("/static/") + ".gz")).exists()
    assert (collected / "staticfiles.json").exists()


def test_hashed_static_files_are_served_compressed_and_cached_for_a_year(collected):
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()  # a new handler: WhiteNoise reads the collected folder as it starts
    page = gzip.decompress(client.get("/dang-ky/", headers=GZIP).content).decode()
    css, script = static("gddt/site.css"), static("registrations/register.js")
    assert f'href="{css}"' in page and f'src="{script}"' in page
    for url in (css, script):
        response = client.get(url, headers=GZIP)
        assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
        max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))
        assert max_age >= YEAR and "immutable" in response["Cache-Control"]
        response.close()
