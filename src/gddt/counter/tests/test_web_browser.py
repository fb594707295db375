"""The whole counter flow in a real browser (Debian's chromium through Playwright): a Hà Nội dossier submitted
online is completed at a Hồ Chí Minh office: the verifier signs in with the second factor, finds it by number,
supplements the photos and the signed declaration, verifies; an approver approves and reads the username."""

import json
import re
from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gddt.registrations.models import Dossier, Status
from gddt.registrations.numbers import dossier_number_format
from gddt_testing.browser import wait_until
from gddt_testing.factories import adult_data, jpeg_bytes, minor_data
from gddt_testing.personas import PERSONA_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 740}
SHOTS = Path("/tmp")


def _device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _sign_in(page, base: str, user, device: TOTPDevice) -> None:
    """Through the real pages: username and password, then the 6-digit code of the authenticator app."""
    page.goto(f"{base}/can-bo/")
    page.wait_for_url(re.compile(r"/can-bo/dang-nhap/"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PERSONA_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(re.compile(r"/can-bo/dang-nhap/ma-xac-thuc/"))
    page.fill("input[name=code]", _code(device))
    page.press("input[name=code]", "Enter")
    page.wait_for_url(f"{base}/can-bo/")


def _csp_watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def _shoot(page, name: str) -> None:
    """A full-page screenshot once every photo has arrived (the server streams them one by one)."""
    wait_until(page, "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _upload(page, kind: str, path: Path) -> None:
    """Choosing the file is the whole action: the page uploads it at once."""
    form = page.locator(f"#component-{kind} form.upload")
    with page.expect_navigation():
        form.locator("input[type=file]").set_input_files(str(path))
    page.locator(".flash-success").wait_for()


def test_a_dossier_submitted_online_in_ha_noi_is_completed_and_approved_in_ho_chi_minh_city(
        reference, live_server, one_request_at_a_time, browser, hcm_verifier, hcm_approver, tmp_path):
    from playwright.sync_api import expect

    base = live_server.url
    verifier_device, approver_device = _device(hcm_verifier), _device(hcm_approver)
    photos = {}
    for kind in ("id_front", "id_back", "portrait", "signed_declaration"):
        photos[kind] = tmp_path / f"{kind}.jpg"
        photos[kind].write_bytes(jpeg_bytes(1400, 1000, color=(40 + len(kind) * 9, 110, 190)))

    verifier_context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = verifier_context.new_page()
    page.set_default_timeout(20_000)
    problems = _csp_watch(page)

    # The citizen registered online, choosing the Hà Nội office and sending no photo.
    answer = page.request.post(f"{base}/api/v1/registrations", data=json.dumps(adult_data()),
                               headers={"Content-Type": "application/json"})
    assert answer.status == 201, answer.text()
    dossier_no = answer.json()["dossier_no"]
    # A child registered for Hồ Chí Minh City: it waits in the HCM officers' queue.
    queued = page.request.post(f"{base}/api/v1/registrations", data=json.dumps(minor_data()),
                               headers={"Content-Type": "application/json"})
    assert queued.status == 201, queued.text()
    dossier = Dossier.objects.get(number=dossier_no.replace("-", ""))
    assert dossier.office.code == "01"

    # The receiving officer in Hồ Chí Minh City signs in with the second factor and types the number.
    _sign_in(page, base, hcm_verifier, verifier_device)
    expect(page.locator("#q")).to_be_focused()
    # The camera scan is offered exactly where the browser can read QR codes.
    if page.evaluate("'BarcodeDetector' in window"):
        expect(page.locator("#scan-button")).to_be_visible()
    else:
        expect(page.locator("#scan-button")).to_be_hidden()
    expect(page.locator(".queue .dossier-link")).to_have_text([queued.json()["dossier_no"]])
    _shoot(page, "counter-search-1366")
    page.set_viewport_size(PHONE)
    _shoot(page, "counter-search-360")
    page.set_viewport_size(DESKTOP)

    page.fill("#q", dossier_no.replace("-", " "))
    with page.expect_navigation():
        page.press("#q", "Enter")
    assert page.url == f"{base}/can-bo/ho-so/{dossier_no}/"
    expect(page.locator(".missing")).to_be_visible()
    assert page.locator(".missing-list li").count() == 4
    _shoot(page, "counter-dossier-missing-1366")

    for kind in ("id_front", "id_back", "portrait", "signed_declaration"):
        _upload(page, kind, photos[kind])
    expect(page.locator(".missing")).to_have_count(0)
    for kind in ("id_front", "id_back", "portrait", "signed_declaration"):
        image = page.locator(f"#component-{kind} img")
        expect(image).to_have_attribute("src", f"/can-bo/ho-so/{dossier_no}/anh/{kind}/")
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")

    with page.expect_navigation():
        page.click("#verify-button")
    page.locator(".flash-success").wait_for()
    expect(page.locator(".dossier-state .badge")).to_have_class(re.compile("status-verified"))
    _shoot(page, "counter-dossier-1366")
    page.set_viewport_size(PHONE)
    _shoot(page, "counter-dossier-360")

    # No personal reference ever reached a URL.
    assert dossier.personal_id not in page.url

    # The approving officer, in a browser of their own, approves.
    approver_context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    approver = approver_context.new_page()
    approver.set_default_timeout(20_000)
    problems += _csp_watch(approver)
    _sign_in(approver, base, hcm_approver, approver_device)
    approver.fill("#q", f"GDDT:{dossier.number}")  # as a handheld QR scanner types it
    with approver.expect_navigation():
        approver.press("#q", "Enter")
    with approver.expect_navigation():
        approver.click("#approve-button")
    expect(approver.locator(".account .username")).to_have_text(dossier.personal_id)
    expect(approver.locator(f"a[href='/can-bo/ho-so/{dossier_no}/huong-dan-vssid.pdf']")).to_be_visible()
    _shoot(approver, "counter-approved-1366")

    dossier.refresh_from_db()
    assert dossier.status == Status.APPROVED
    assert dossier.verified_by == hcm_verifier and dossier.approved_by == hcm_approver
    assert dossier.completed_office.code == "79"
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems

    verifier_context.close()
    approver_context.close()


@pytest.fixture
def camera_browser(monkeypatch):
    """Chromium with its fake camera (a moving test pattern), and no prompt for the permission."""
    from gddt_testing.browser import CHROMIUM, CHROMIUM_ARGS, chromium_or_skip

    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args, headless=True)
        try:
            yield instance
        finally:
            instance.close()


def test_the_verifier_takes_the_portrait_with_the_browser_camera(
        reference, live_server, one_request_at_a_time, camera_browser, hcm_verifier):
    from playwright.sync_api import expect

    from gddt.registrations.models import Document, DocumentSource
    from gddt.registrations.services import registration_submit

    dossier = Dossier.objects.get(pk=registration_submit(data=adult_data(), files={}).dossier_id)
    dossier_no = dossier_number_format(dossier.number)
    device = _device(hcm_verifier)
    context = camera_browser.new_context(viewport=DESKTOP, locale="vi-VN")
    context.grant_permissions(["camera"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems = _csp_watch(page)
    _sign_in(page, live_server.url, hcm_verifier, device)
    page.goto(f"{live_server.url}/can-bo/ho-so/{dossier_no}/")

    camera = page.locator("#component-portrait .camera-button")
    expect(camera).to_be_visible()
    camera.click()
    expect(page.locator("#camera-dialog")).to_be_visible()
    wait_until(page, "document.getElementById('camera-video').videoWidth > 0")
    page.click("#camera-take")
    expect(page.locator("#camera-canvas")).to_be_visible()
    with page.expect_navigation():
        page.click("#camera-use")
    page.locator(".flash-success").wait_for()

    document = Document.objects.get(dossier=dossier, kind="portrait", replaced_at__isnull=True)
    assert document.source == DocumentSource.COUNTER and document.supplied_by == hcm_verifier
    assert min(document.width, document.height) >= 400
    expect(page.locator("#component-portrait img")).to_be_visible()
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    context.close()
