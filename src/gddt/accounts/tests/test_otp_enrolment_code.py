"""The second factor is not set up with the password alone: the officer first types a one-time enrolment code
that the creator of the account or a director handed over."""

import re
from datetime import timedelta
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from gddt.accounts.models import EnrolmentCode, Role, RoleAssignment
from gddt.accounts.services import otp_enrolment_code_issue
from gddt.accounts.tests.conftest import totp_code
from gddt.audit.models import AuditEvent
from gddt_testing.personas import PERSONA_PASSWORD

SIGN_IN = "/can-bo/dang-nhap/"
ENROL = "/can-bo/dang-nhap/cai-dat-xac-thuc/"
STAFF = "/can-bo/nhan-su/"
QR = 'src="data:image/svg+xml'


def password_step(client, username: str, password: str = PERSONA_PASSWORD):
    response = client.post(SIGN_IN, {"username": username, "password": password})
    assert response.status_code == 302
    return response


def field_errors(response) -> list[str]:
    """The messages shown beside the form's fields (accounts/_field.html)."""
    blocks = re.findall(r'<div class="error"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    return [message for block in blocks for message in re.findall(r"<p>(.*?)</p>", block)]


def enrol_with(client, officer, code: str) -> None:
    """The enrolment code, then the QR code's authenticator confirmed: the officer is signed in."""
    response = client.post(ENROL, {"enrolment_code": code})
    assert response.status_code == 302 and response["Location"] == ENROL
    assert QR in client.get(ENROL).content.decode()
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    response = client.post(ENROL, {"code": totp_code(device)})
    assert response.status_code == 302
    assert client.get(STAFF).status_code in (200, 403)  # past the second factor (403: not a director)


def test_the_password_alone_shows_no_qr_code_and_sets_up_nothing(client, hanoi_verifier):
    password_step(client, "hn.verifier")
    page = client.get(ENROL)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="enrolment_code"' in html and QR not in html and "secret mono" not in html
    assert not TOTPDevice.objects.filter(user=hanoi_verifier).exists()
    # Skipping the enrolment-code step and posting an authenticator code sets up nothing either.
    client.post(ENROL, {"code": "123456"})
    assert not TOTPDevice.objects.filter(user=hanoi_verifier, confirmed=True).exists()
    assert client.get(STAFF).status_code == 302


def test_the_handed_over_code_opens_the_set_up_of_the_authenticator_and_is_audited(client, hanoi_director):
    issued = otp_enrolment_code_issue(officer=hanoi_director)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", issued.code)
    password_step(client, "hn.director")
    # Typed as read out: lower case, without the dashes.
    enrol_with(client, hanoi_director, issued.code.replace("-", "").lower())
    assert client.get(STAFF).status_code == 200
    actions = list(AuditEvent.objects.filter(target="hn.director").values_list("action", flat=True))
    assert actions[:1] == ["otp.enrolment_code.issue"]
    assert "otp.enrolment_code.use" in actions and "otp.enrol" in actions


def test_a_code_is_valid_for_a_day_and_stored_only_as_a_keyed_hash(hanoi_verifier):
    issued = otp_enrolment_code_issue(officer=hanoi_verifier)
    row = EnrolmentCode.objects.get(user=hanoi_verifier)
    assert row.expires_at - row.created_at == timedelta(hours=24)
    assert issued.expires_at == row.expires_at
    plain = issued.code.replace("-", "")
    assert plain not in row.code_hash and issued.code not in row.code_hash and len(row.code_hash) == 64
    assert not AuditEvent.objects.filter(detail__icontains=plain).exists()


def test_a_code_works_once(client, hanoi_verifier):
    code = otp_enrolment_code_issue(officer=hanoi_verifier).code
    password_step(client, "hn.verifier")
    assert client.post(ENROL, {"enrolment_code": code}).status_code == 302

    client.logout()
    password_step(client, "hn.verifier")
    response = client.post(ENROL, {"enrolment_code": code})
    assert response.status_code == 200 and QR not in response.content.decode()
    assert field_errors(response) == [
        "Mã kích hoạt đã được sử dụng. Hãy đề nghị Giám đốc hoặc quản trị viên cấp mã mới."
    ]
    assert AuditEvent.objects.filter(action="otp.enrolment_code.fail", detail__reason="used").count() == 1


def test_an_expired_code_is_refused_with_a_message_naming_the_field(client, hanoi_verifier):
    code = otp_enrolment_code_issue(officer=hanoi_verifier).code
    EnrolmentCode.objects.filter(user=hanoi_verifier).update(expires_at=timezone.now() - timedelta(seconds=1))
    password_step(client, "hn.verifier")
    response = client.post(ENROL, {"enrolment_code": code})
    assert field_errors(response) == ["Mã kích hoạt đã hết hạn. Hãy đề nghị Giám đốc hoặc quản trị viên cấp mã mới."]
    assert QR not in response.content.decode()


def test_a_wrong_code_is_refused_in_vietnamese_and_english(client, hanoi_verifier):
    otp_enrolment_code_issue(officer=hanoi_verifier)
    password_step(client, "hn.verifier")
    response = client.post(ENROL, {"enrolment_code": "ABCD-EFGH-JKMN"})
    assert field_errors(response) == [
        "Mã kích hoạt không đúng. Hãy nhập mã mà Giám đốc hoặc quản trị viên đã cấp cho bạn."
    ]
    response = client.post(ENROL, {"enrolment_code": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert len(field_errors(response)) == 1
    response = client.post(ENROL, {"enrolment_code": "ABCD-EFGH-JKMN"}, HTTP_ACCEPT_LANGUAGE="en")
    assert field_errors(response)[0].startswith("This enrolment code is not right.")
    event = AuditEvent.objects.filter(action="otp.enrolment_code.fail").last()
    assert event.actor == hanoi_verifier and event.detail == {"reason": "wrong"}


def test_wrong_codes_count_towards_the_sign_in_lock_out(client, hanoi_verifier):
    otp_enrolment_code_issue(officer=hanoi_verifier)
    password_step(client, "hn.verifier")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(ENROL, {"enrolment_code": "WRONG-CODE"}).status_code == 200
    response = client.post(ENROL, {"enrolment_code": "WRONG-CODE"})
    assert response.status_code == 429
    assert "Đăng nhập tạm thời bị khoá" in response.content.decode()
    assert "_auth_user_id" not in client.session  # signed out
    # Locked: even the right password is refused now, and the code is still unused.
    assert client.post(SIGN_IN, {"username": "hn.verifier", "password": PERSONA_PASSWORD}).status_code == 429
    assert EnrolmentCode.objects.get(user=hanoi_verifier).used_at is None
    assert AuditEvent.objects.filter(action="sign_in.locked", target="hn.verifier").exists()


def test_a_new_code_ends_the_earlier_one(client, hanoi_verifier):
    first = otp_enrolment_code_issue(officer=hanoi_verifier).code
    second = otp_enrolment_code_issue(officer=hanoi_verifier).code
    password_step(client, "hn.verifier")
    response = client.post(ENROL, {"enrolment_code": first})
    assert "hết hạn" in field_errors(response)[0]
    enrol_with(client, hanoi_verifier, second)


# --- who hands codes over ---------------------------------------------------------------------------------------


def run_officer(*args: str) -> str:
    out = StringIO()
    call_command("officer", *args, stdout=out)
    return out.getvalue()


def printed_code(output: str) -> str:
    return re.search(r"enrolment code: ([A-Z0-9-]+)", output).group(1)


def test_gddt_officer_create_prints_a_code_that_opens_the_enrolment(client, db, django_user_model):
    output = run_officer("create", "hn.moi", "--office", "01", "--role", "verifier", "--password", PERSONA_PASSWORD)
    officer = django_user_model.objects.get(username="hn.moi")
    assert "works once, until" in output
    password_step(client, "hn.moi")
    enrol_with(client, officer, printed_code(output))


def test_otp_reset_reopens_the_enrolment_with_a_new_code(client, hanoi_verifier):
    TOTPDevice.objects.create(user=hanoi_verifier, name="lost phone", confirmed=True)
    output = run_officer("otp-reset", "hn.verifier")
    assert "removed 1" in output
    password_step(client, "hn.verifier")
    assert client.get(ENROL).status_code == 200
    enrol_with(client, hanoi_verifier, printed_code(output))


def test_a_director_issues_a_code_on_the_staff_page(client, hanoi_director, hanoi_verifier, verified_client):
    TOTPDevice.objects.create(user=hanoi_verifier, name="lost phone", confirmed=True)
    director = verified_client(hanoi_director)
    page = director.get(STAFF).content.decode()
    assert "/can-bo/nhan-su/hn.verifier/ma-kich-hoat/" in page
    assert "/can-bo/nhan-su/hn.director/ma-kich-hoat/" not in page  # not for themselves

    response = director.post("/can-bo/nhan-su/hn.verifier/ma-kich-hoat/", {"next": STAFF})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    code = re.search(r'class="secret mono">([A-Z0-9-]+)<', response.content.decode()).group(1)
    assert not TOTPDevice.objects.filter(user=hanoi_verifier).exists()  # the lost phone no longer works
    issued = AuditEvent.objects.get(action="otp.enrolment_code.issue", target="hn.verifier")
    assert issued.actor == hanoi_director

    officer = Client()
    password_step(officer, "hn.verifier")
    enrol_with(officer, hanoi_verifier, code)


def test_only_a_director_of_the_officers_office_issues_codes_and_not_for_themselves(
    hanoi_director, hcm_verifier, hanoi_verifier, outsider, admin_officer, verified_client
):
    director = verified_client(hanoi_director)
    assert director.post("/can-bo/nhan-su/hcm.verifier/ma-kich-hoat/").status_code == 404
    assert director.post("/can-bo/nhan-su/hn.director/ma-kich-hoat/").status_code == 403
    assert director.post("/can-bo/nhan-su/central.admin/ma-kich-hoat/").status_code == 404
    assert director.get("/can-bo/nhan-su/hn.verifier/ma-kich-hoat/").status_code == 405
    other = verified_client(outsider)
    assert other.post("/can-bo/nhan-su/hn.verifier/ma-kich-hoat/").status_code == 403
    assert not EnrolmentCode.objects.exists()


def test_only_an_administrator_resets_an_administrators_authenticator(hanoi_director, hanoi_verifier, verified_client):
    RoleAssignment.objects.create(user=hanoi_verifier, office=hanoi_verifier.office, role=Role.ADMIN)
    director = verified_client(hanoi_director)
    assert "/can-bo/nhan-su/hn.verifier/ma-kich-hoat/" not in director.get(STAFF).content.decode()
    assert director.post("/can-bo/nhan-su/hn.verifier/ma-kich-hoat/").status_code == 403
    assert not EnrolmentCode.objects.exists()
    # Once the administrator role has ended, the director hands codes over again.
    RoleAssignment.objects.filter(user=hanoi_verifier, role=Role.ADMIN).update(
        ends_on=timezone.localdate() - timedelta(days=1)
    )
    assert director.post("/can-bo/nhan-su/hn.verifier/ma-kich-hoat/").status_code == 200
