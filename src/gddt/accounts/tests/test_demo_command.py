import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from gddt.accounts.demo import DEMO_OFFICERS, DEMO_PASSWORD
from gddt.accounts.models import RoleAssignment, User
from gddt.offices.models import Office


def demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def state() -> list[tuple]:
    users = [(u.username, u.office.code, u.password, u.is_staff) for u in User.objects.order_by("username")]
    roles = list(RoleAssignment.objects.order_by("id").values_list("id", "user__username", "office__code", "role"))
    offices = list(Office.objects.order_by("code").values_list("code", "name", "path"))
    return [users, roles, offices]


def test_the_demo_creates_offices_in_two_provinces_and_officers_and_prints_them(db):
    output = demo()
    assert Office.objects.get(code="07906").path == "/00/79/07906/"
    assert Office.objects.get(code="00101").path == "/00/01/00101/"
    for username in [
        "demo.hn.verifier",
        "demo.hn.approver",
        "demo.hcm.verifier",
        "demo.hcm.approver",
        "demo.director.01",
        "demo.director.79",
        "demo.admin",
    ]:
        assert username in output
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
    assert DEMO_PASSWORD in output
    assert "http://127.0.0.1:8000/can-bo/dang-nhap/" in output
    assert "gddt officer token" in output
    assert RoleAssignment.objects.get(user__username="demo.director.79").office.code == "79"
    assert RoleAssignment.objects.get(user__username="demo.hcm.approver").role == "approver"


ENROLMENT_CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b")


def printed_codes(output: str) -> dict[str, str]:
    """username -> the enrolment code printed on its row."""
    return {line.split()[0]: code.group(0) for line in output.splitlines() if (code := ENROLMENT_CODE.search(line))}


def test_running_the_demo_twice_changes_nothing_and_prints_the_same_but_new_enrolment_codes(db):
    first_output = demo()
    first_state = state()
    second_output = demo()
    # Codes are kept only as hashes: a second run cannot print the first run's codes, it prints new ones.
    assert ENROLMENT_CODE.sub("CODE", second_output) == ENROLMENT_CODE.sub("CODE", first_output)
    assert state() == first_state


def test_the_demo_prints_an_enrolment_code_per_officer_that_opens_the_set_up(client, db):
    codes = printed_codes(demo())
    assert sorted(codes) == sorted(spec.username for spec in DEMO_OFFICERS)
    assert len(set(codes.values())) == len(codes)
    client.post("/can-bo/dang-nhap/", {"username": "demo.hcm.verifier", "password": DEMO_PASSWORD})
    response = client.post("/can-bo/dang-nhap/cai-dat-xac-thuc/", {"enrolment_code": codes["demo.hcm.verifier"]})
    assert response.status_code == 302
    assert 'src="data:image/svg+xml' in client.get(response["Location"]).content.decode()


def test_the_demo_prints_no_code_for_an_officer_who_set_up_the_authenticator(db):
    demo()
    TOTPDevice.objects.create(user=User.objects.get(username="demo.admin"), name="phone", confirmed=True)
    output = demo()
    assert "demo.admin" not in printed_codes(output) and "demo.hn.verifier" in printed_codes(output)
    assert "(authenticator set up)" in output


def test_the_demo_puts_back_a_changed_demo_password(db):
    demo()
    officer = User.objects.get(username="demo.hn.verifier")
    officer.set_password("Something-else-2026")
    officer.save()
    demo()
    officer.refresh_from_db()
    assert officer.check_password(DEMO_PASSWORD)


def test_the_demo_needs_the_reference_offices(db):
    RoleAssignment.objects.all().delete()
    Office.objects.filter(level="local").delete()
    User.objects.update(office=None)
    Office.objects.exclude(code="00").update(parent=None)
    Office.objects.exclude(code="00").delete()
    with pytest.raises(CommandError, match="gddt init"):
        demo()
