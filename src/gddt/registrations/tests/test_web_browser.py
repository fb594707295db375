"""The registration form on a 360-px phone, in a real browser (Debian's chromium driven by Playwright)."""

import os
from pathlib import Path

import pytest

from gddt.registrations.models import Document, Dossier
from gddt.registrations.numbers import dossier_number_is_valid, dossier_number_normalize
from gddt_testing import browser as browser_plugin
from gddt_testing.factories import adult_data, jpeg_bytes


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


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
    page.get_by_role("link", name="Đăng ký", exact=True).click()
    page.wait_for_url("**/dang-ky/")
    assert _no_horizontal_scroll(page)
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
    dossier = Dossier.objects.get()
    assert dossier.number == number
    assert Document.objects.filter(dossier=dossier).count() == 3
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
