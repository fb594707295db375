"""The citizen's pages in a real browser (Debian's chromium, a 360-px phone): the first sign-in with the password
from the SMS, the forced change, sign out, forgot password with the code read from the SMS outbox, and sign in
again with the insurance number; no page breaks the Content-Security-Policy, overflows the phone's width, or has a
serious axe-core violation."""

import re

import pytest

from gddt.counter import services as counter
from gddt.counter.tests.apiclient import complete
from gddt.notifications.models import SmsMessage
from gddt.registrations.models import Dossier
from gddt.registrations.services import registration_submit
from gddt_testing.browser import axe_violations
from gddt_testing.factories import adult_data, bhxh_code_new

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST_PASSWORD = "Hoa-Mai-Ngay-Tet-26"
SECOND_PASSWORD = "Song-Huong-Nui-Ngu-27"


def _approved_citizen(verifier, approver) -> tuple[Dossier, str]:
    """A dossier completed and approved at the counter; its SMS carries the initial password."""
    bhxh_code = bhxh_code_new()
    dossier = Dossier.objects.get(pk=registration_submit(data=adult_data(bhxh_code=bhxh_code), files={}).dossier_id)
    complete(dossier, verifier)
    found = counter.dossier_for_officer(officer=approver, dossier_no=dossier.number, action="approve")
    counter.dossier_approve(officer=approver, dossier=found, client_ip=None)
    dossier.refresh_from_db()
    text = SmsMessage.objects.get(dossier_id=dossier.pk, template="approved").text
    return dossier, re.search(r"Mat khau: (\S+)\.", text).group(1)


def _check(page, problems: list[str], name: str) -> None:
    """No CSP or script error, no sideways scrolling on the phone, no serious axe-core violation."""
    assert problems == [], f"{name}: {problems}"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360, name
    assert axe_violations(page) == [], name


def test_a_citizen_signs_in_changes_the_password_signs_out_and_resets_it(
    live_server, one_request_at_a_time, phone_page, hanoi_verifier, hanoi_approver
):
    dossier, initial = _approved_citizen(hanoi_verifier, hanoi_approver)
    page, base = phone_page, live_server.url
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    page.goto(f"{base}/")
    page.click("a[href='/dang-nhap/'].btn")
    page.wait_for_url(f"{base}/dang-nhap/")
    _check(page, problems, "sign-in")
    page.fill("input[name=username]", dossier.personal_id)
    page.fill("input[name=password]", initial)
    page.click("button[type=submit].btn--primary")

    page.wait_for_url(re.compile(r"/tai-khoan/doi-mat-khau/"))  # the forced change
    _check(page, problems, "forced change")
    page.fill("input[name=old_password]", initial)
    page.fill("input[name=new_password]", FIRST_PASSWORD)
    page.fill("input[name=new_password_again]", FIRST_PASSWORD)
    page.click("button[type=submit].btn--primary")

    page.wait_for_url(f"{base}/tai-khoan/")
    assert page.locator(".status-badge").inner_text().strip()
    assert dossier.office.name in page.content()
    _check(page, problems, "my account")

    page.click(".citizen-bar button[type=submit]")  # sign out
    page.wait_for_url(f"{base}/dang-nhap/")
    page.goto(f"{base}/tai-khoan/")
    page.wait_for_url(re.compile(r"/dang-nhap/\?next="))

    page.click("a[href='/quen-mat-khau/']")
    page.wait_for_url(f"{base}/quen-mat-khau/")
    _check(page, problems, "forgot password")
    page.fill("input[name=username]", dossier.bhxh_code)
    page.fill("input[name=phone]", dossier.phone)
    page.click("button[type=submit].btn--primary")
    page.wait_for_url(f"{base}/quen-mat-khau/dat-lai/")
    _check(page, problems, "new password")
    sms = SmsMessage.objects.get(to=dossier.phone, template="password_reset")
    code = re.search(r"\b(\d{6})\b", sms.text).group(1)
    page.fill("input[name=code]", code)
    page.fill("input[name=new_password]", SECOND_PASSWORD)
    page.fill("input[name=new_password_again]", SECOND_PASSWORD)
    page.click("button[type=submit].btn--primary")

    page.wait_for_url(f"{base}/dang-nhap/")
    page.fill("input[name=username]", dossier.bhxh_code)  # the other username
    page.fill("input[name=password]", SECOND_PASSWORD)
    page.click("button[type=submit].btn--primary")
    page.wait_for_url(f"{base}/tai-khoan/")
    _check(page, problems, "signed in again")
