from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gddt.accounts.demo import DEMO_PASSWORD
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
    for username in ["demo.hn.verifier", "demo.hn.approver", "demo.hcm.verifier", "demo.hcm.approver",
                     "demo.director.01", "demo.director.79", "demo.admin"]:
        assert username in output
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
    assert DEMO_PASSWORD in output
    assert "http://127.0.0.1:8000/can-bo/dang-nhap/" in output
    assert "gddt officer token" in output
    assert RoleAssignment.objects.get(user__username="demo.director.79").office.code == "79"
    assert RoleAssignment.objects.get(user__username="demo.hcm.approver").role == "approver"


def test_running_the_demo_twice_changes_nothing_and_prints_the_same(db):
    first_output = demo()
    first_state = state()
    assert demo() == first_output
    assert state() == first_state


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
