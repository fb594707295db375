"""The registration form on a 360-px phone, in a real browser (Debian's chromium driven by Playwright): the whole
registration, photos kept when the form comes back, photos made smaller before they are sent, the markers and the
name warning that follow what is typed, axe-core on every citizen page, and the weight of the first pages as a
phone receives them (compressed)."""

import io
import os
import random
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from gddt.registrations.models import Document, Dossier
from gddt.registrations.numbers import dossier_number_is_valid, dossier_number_normalize
from gddt_testing import browser as browser_plugin
from gddt_testing.browser import axe_violations, wait_until
from gddt_testing.factories import adult_data, jpeg_bytes


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


ALL = ("minor", "moderate", "serious", "critical")  # a citizen page has no violation at all


def _fill(page, data: dict) -> None:
    """Types an adult's registration into the form as a person does (the script shows the adult's blocks)."""
    page.fill('[name="full_name"]', data["full_name"])
    page.fill('[name="date_of_birth"]', data["date_of_birth"])
    page.check(f'input[name="sex"][value="{data["sex"]}"]')
    page.fill('[name="personal_id"]', data["personal_id"])
    page.select_option('[name="id_document.type"]', "cccd")
    page.fill('[name="id_document.issued_on"]', data["id_document"]["issued_on"])
    page.fill('[name="id_document.issued_by"]', data["id_document"]["issued_by"])
    page.fill('[name="phone"]', data["phone"])
    page.select_option('[name="address.province_code"]', "01")
    page.wait_for_selector('[name="address.ward_code"] option[value="00070"]', state="attached")
    page.select_option('[name="address.ward_code"]', "00070")
    page.check('[name="consent"]')


def _phone_photo(path: Path, width: int, height: int) -> int:
    """A photo as a phone saves it: large and full of detail (noise does not compress), EXIF and all."""
    rng = random.Random(7)
    small = (width // 4, height // 4)
    image = Image.frombytes("RGB", small, rng.randbytes(small[0] * small[1] * 3)).resize((width, height), Image.BICUBIC)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    path.write_bytes(out.getvalue())
    return len(out.getvalue())


def _screenshot(page, name: str) -> None:
    folder = os.environ.get("GDDT_SCREENSHOTS")  # e.g. /tmp/shots, to look at the pages by eye
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


@pytest.mark.browser
def test_an_adult_registers_on_a_phone_with_photos(live_server, reference, one_request_at_a_time, phone_page, tmp_path):
    page = phone_page
    data = adult_data()
    photos = {}
    for kind, size in (("id_front", (1200, 800)), ("id_back", (1200, 800)), ("portrait", (800, 1000))):
        photos[kind] = tmp_path / f"{kind}.jpg"
        photos[kind].write_bytes(jpeg_bytes(*size))

    problems: list[str] = []  # script errors and CSP violations, which the console reports
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{live_server.url}/")
    assert page.get_attribute("html", "lang") == "vi"
    assert axe_violations(page, impacts=ALL) == []
    page.get_by_role("link", name="Đăng ký", exact=True).click()
    page.wait_for_url("**/dang-ky/")
    assert _no_horizontal_scroll(page)
    assert axe_violations(page, impacts=ALL) == []
    # Only the adult's blocks show once the script runs.
    assert page.locator('[name="birth_certificate.number"]').is_hidden()
    assert page.locator('[name="id_document.number"]').is_visible()

    page.fill('[name="full_name"]', data["full_name"])
    page.fill('[name="date_of_birth"]', data["date_of_birth"])
    page.check('input[name="sex"][value="male"]')
    page.fill('[name="personal_id"]', data["personal_id"])
    page.select_option('[name="id_document.type"]', "cccd")
    assert page.input_value('[name="id_document.number"]') == data["personal_id"]  # copied from the personal ID
    page.fill('[name="id_document.issued_on"]', data["id_document"]["issued_on"])
    page.fill('[name="id_document.issued_by"]', data["id_document"]["issued_by"])
    page.fill('[name="phone"]', data["phone"])
    page.fill('[name="email"]', data["email"])
    page.select_option('[name="address.province_code"]', "01")
    page.wait_for_selector('[name="address.ward_code"] option[value="00070"]', state="attached")
    page.select_option('[name="address.ward_code"]', "00070")
    page.fill('[name="address.street"]', data["address"]["street"])
    assert page.input_value('[name="office_code"]') == "01"  # the province's office, chosen for the person
    for kind, path in photos.items():
        page.set_input_files(f'[name="{kind}"]', str(path))
    page.check('[name="consent"]')
    assert _no_horizontal_scroll(page)
    _screenshot(page, "register-360.png")

    page.click("[data-submit]")
    page.wait_for_url("**/dang-ky/da-nop/")

    shown = page.text_content("[data-dossier-no]").strip()
    number = dossier_number_normalize(shown)
    assert number is not None and dossier_number_is_valid(number)
    assert "Bảo hiểm xã hội thành phố Hà Nội" in page.text_content("main")
    assert _no_horizontal_scroll(page)
    _screenshot(page, "done-360.png")
    assert axe_violations(page, impacts=ALL) == []
    dossier = Dossier.objects.get()
    assert dossier.number == number
    assert Document.objects.filter(dossier=dossier).count() == 3

    # The status page, with its answer.
    page.goto(f"{live_server.url}/tra-cuu/")
    page.fill("#f-dossier-no", shown)
    page.fill("#f-verify", data["personal_id"])
    page.click("form.card button[type=submit]")
    page.locator(".status-result").wait_for()
    assert page.locator(".signed-at-office").is_visible()
    assert axe_violations(page, impacts=ALL) == []
    assert problems == []


def test_a_missing_chromium_skips_on_a_laptop_and_fails_under_ci(monkeypatch, tmp_path):
    monkeypatch.setattr(browser_plugin, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        browser_plugin.chromium_or_skip()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        browser_plugin.chromium_or_skip()
    monkeypatch.setattr(browser_plugin, "CHROMIUM", tmp_path)  # present: neither
    browser_plugin.chromium_or_skip()


@pytest.mark.browser
def test_photos_are_kept_when_the_form_comes_back_and_sent_with_the_corrected_form(
    live_server, reference, one_request_at_a_time, phone_page, tmp_path
):
    page = phone_page
    data = adult_data()
    photos = {}
    for kind, size in (("id_front", (1200, 800)), ("id_back", (1200, 800)), ("portrait", (800, 1000))):
        photos[kind] = tmp_path / f"{kind}.jpg"
        photos[kind].write_bytes(jpeg_bytes(*size))
    page.goto(f"{live_server.url}/dang-ky/")
    _fill(page, {**data, "phone": "0123"})  # not a mobile number: the form comes back
    for kind, path in photos.items():
        page.set_input_files(f'[name="{kind}"]', str(path))
    page.click("[data-submit]")
    page.locator("#error-summary").wait_for()

    for kind in photos:  # each photo shown as received, from this browser's own session
        page.locator(f'img.photo__thumb[src="/dang-ky/anh-da-nhan/{kind}/"]').wait_for()
    wait_until(
        page, "Array.from(document.querySelectorAll('img.photo__thumb')).every(i => i.complete && i.naturalWidth > 0)"
    )
    assert page.locator(".photo__again").first.is_visible()
    assert axe_violations(page, impacts=ALL) == []
    _screenshot(page, "register-kept-360.png")

    page.fill('[name="phone"]', data["phone"])
    page.check('[name="consent"]')
    page.click("[data-submit]")
    page.wait_for_url("**/dang-ky/da-nop/")
    dossier = Dossier.objects.get()
    assert sorted(Document.objects.filter(dossier=dossier).values_list("kind", flat=True)) == [
        "id_back",
        "id_front",
        "portrait",
    ]


@pytest.mark.browser
def test_photos_are_made_smaller_in_the_phone_before_they_are_sent(
    live_server, reference, one_request_at_a_time, phone_page, tmp_path
):
    page = phone_page
    original = _phone_photo(tmp_path / "portrait.jpg", 4000, 3000)
    sent: list[int] = []
    page.on(
        "request",
        lambda request: (
            sent.append(len(request.post_data_buffer or b""))
            if request.method == "POST" and request.url.endswith("/dang-ky/")
            else None
        ),
    )
    page.goto(f"{live_server.url}/dang-ky/")
    _fill(page, adult_data())
    page.set_input_files('[name="portrait"]', str(tmp_path / "portrait.jpg"))
    wait_until(page, "!document.querySelector('[name=portrait]').hasAttribute('data-shrinking')")
    smaller = page.evaluate("document.querySelector('[name=portrait]').files[0].size")
    page.click("[data-submit]")
    page.wait_for_url("**/dang-ky/da-nop/")

    print(f"a 4000x3000 phone photo of {original} bytes is sent as {smaller} bytes")
    assert smaller < original / 2
    assert sent and sent[0] < original  # the whole form weighs less than the photo alone did
    document = Document.objects.get(kind="portrait")
    assert max(document.width, document.height) == 2400 and min(document.width, document.height) == 1800


@pytest.mark.browser
def test_the_markers_follow_the_choices_and_a_plain_name_gets_a_gentle_word(live_server, reference, phone_page):
    page = phone_page
    page.goto(f"{live_server.url}/dang-ky/")
    marker = page.locator('label[for="f-personal-id"] [data-optional-marker]')
    assert marker.is_hidden()  # with a CCCD the personal ID is required
    page.select_option('[name="id_document.type"]', "passport")
    assert marker.is_visible()
    page.select_option('[name="id_document.type"]', "cccd")
    assert marker.is_hidden()
    page.check('input[name="category"][value="minor_without_id_card"]')
    assert marker.is_visible()
    page.check('input[name="category"][value="with_id_card"]')

    warning = page.locator("#f-full-name-warning")
    page.fill('[name="full_name"]', "Nguyen Van An")
    page.locator('[name="full_name"]').blur()
    assert warning.is_visible()
    page.fill('[name="full_name"]', "Nguyễn Văn An")
    assert warning.is_hidden()


@pytest.fixture
def compressed_server(settings, tmp_path, reference):
    """The app as `gddt serve` runs it after `gddt init`: the static files collected with hashed names and compressed
    copies, served by WhiteNoise (not by the test server's own static handler)."""
    from django.db import connections
    from django.test.testcases import LiveServerThread

    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    for connection in shared.values():
        connection.inc_thread_sharing()
    lock = threading.Lock()

    def app_only(media_handler):
        application = media_handler.application

        def serial(environ, start_response):
            with lock:  # one in-memory SQLite connection for every thread
                return application(environ, start_response)

        return serial

    thread = LiveServerThread("127.0.0.1", static_handler=app_only, connections_override=shared)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
    for connection in shared.values():
        connection.dec_thread_sharing()


@pytest.mark.browser
def test_the_first_pages_weigh_little_as_a_phone_receives_them(compressed_server, phone_page):
    page = phone_page
    for path in ("/", "/dang-ky/"):
        transferred: list[int] = []
        encodings: dict[str, str] = {}

        def finished(request, transferred=transferred, encodings=encodings):
            sizes = request.sizes()
            transferred.append(sizes["responseBodySize"] + sizes["responseHeadersSize"])
            response = request.response()
            if response is not None:
                encodings[request.url] = response.headers.get("content-encoding", "")

        page.on("requestfinished", finished)
        page.goto(f"{compressed_server}{path}")
        page.wait_for_load_state("networkidle")
        page.remove_listener("requestfinished", finished)
        print(f"page weight of {path}: {sum(transferred)} bytes transferred in {len(transferred)} requests")
        assert encodings[f"{compressed_server}{path}"] == "gzip"  # the page itself
        assert any(url.endswith(".css") and encoding == "gzip" for url, encoding in encodings.items())
    head = page.request.fetch(f"{compressed_server}/dang-ky/", method="HEAD")
    assert head.status == 200


@pytest.mark.django_db
def test_head_of_the_form_answers_without_a_body(client):
    response = client.head("/dang-ky/")
    assert response.status_code == 200 and response.content == b""
