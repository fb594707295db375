"""The citizen's web pages: sign in with either number, the forced change, change password, forgot password,
"my registration", sign out and sign out everywhere; and the re-issue and unlock buttons of the dossier page."""

import re

import pytest
from django.test import Client

from gddt.accounts.models import User
from gddt.audit.models import AuditEvent
from gddt.notifications.models import SmsMessage
from gddt.registrations.numbers import dossier_number_format
from gddt_testing.factories import citizen_password_set

SIGN_IN = "/dang-nhap/"
HOME = "/tai-khoan/"
CHANGE = "/tai-khoan/doi-mat-khau/"
FORGOT = "/quen-mat-khau/"
RESET = "/quen-mat-khau/dat-lai/"
NEW_PASSWORD = "Mat-khau-moi-cua-toi-2026"


def sign_in(client, username: str, password: str, **extra):
    return client.post(SIGN_IN, {"username": username, "password": password, **extra})


def change(client, old: str, new: str = NEW_PASSWORD, again: str | None = None, **extra):
    return client.post(
        CHANGE,
        {"old_password": old, "new_password": new, "new_password_again": new if again is None else again, **extra},
    )


def test_the_home_page_links_to_the_citizen_sign_in(client):
    page = client.get("/").content.decode()
    assert f'href="{SIGN_IN}"' in page and f'href="{FORGOT}"' in page


def test_the_first_sign_in_leads_to_the_forced_change(client, citizen):
    response = sign_in(client, citizen.personal_id, citizen.password)
    assert response.status_code == 302 and response["Location"] == CHANGE
    assert client.get(HOME)["Location"].startswith(CHANGE)  # nothing else until it is changed
    page = client.get(CHANGE)
    assert page.status_code == 200 and "mật khẩu" in page.content.decode()
    response = change(client, citizen.password)
    assert response.status_code == 302 and response["Location"] == HOME
    assert client.get(HOME).status_code == 200  # this session goes on
    user = User.objects.get(pk=citizen.user.pk)
    assert user.check_password(NEW_PASSWORD) and not user.must_change_password


def test_the_insurance_number_signs_in_too(client, citizen):
    citizen_password_set(citizen, NEW_PASSWORD)
    response = sign_in(client, citizen.bhxh_code, NEW_PASSWORD)
    assert response.status_code == 302 and response["Location"] == HOME


def test_a_wrong_password_is_said_in_vietnamese_without_telling_which(client, citizen):
    response = sign_in(client, citizen.personal_id, "not-the-password")
    unknown = sign_in(client, "001099000000", citizen.password)
    assert response.status_code == unknown.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_locked_account_is_told_so(client, citizen, settings):
    settings.GDDT_ACCOUNT_FAILURE_LIMIT = 1
    sign_in(client, citizen.personal_id, "not-the-password")
    response = sign_in(client, citizen.personal_id, citizen.password)
    assert response.status_code == 429


def test_an_officer_cannot_sign_in_here_and_is_no_citizen(client, hanoi_verifier):
    from gddt_testing.personas import PERSONA_PASSWORD

    assert sign_in(client, "hn.verifier", PERSONA_PASSWORD).status_code == 401
    client.force_login(hanoi_verifier)
    assert client.get(HOME)["Location"].startswith(SIGN_IN)


def test_a_stranger_is_sent_to_sign_in_and_comes_back(client, citizen):
    citizen_password_set(citizen, NEW_PASSWORD)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == f"{SIGN_IN}?next=/tai-khoan/"
    answer = sign_in(client, citizen.personal_id, NEW_PASSWORD, next="/tai-khoan/")
    assert answer["Location"] == HOME
    evil = sign_in(Client(), citizen.personal_id, NEW_PASSWORD, next="https://evil.example/")
    assert evil["Location"] == HOME


@pytest.mark.parametrize(
    ("new", "again", "field"),
    [
        (NEW_PASSWORD, "Something-else-2026", "new_password_again"),
        ("short", "short", "new_password"),
    ],
)
def test_a_bad_new_password_is_refused_beside_its_field(client, citizen, new, again, field):
    sign_in(client, citizen.personal_id, citizen.password)
    response = change(client, citizen.password, new, again)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert User.objects.get(pk=citizen.user.pk).must_change_password


def test_the_birth_date_is_refused_as_a_new_password(client, citizen):
    sign_in(client, citizen.personal_id, citizen.password)
    birth = citizen.dossier.date_of_birth.strftime("%d%m%Y")
    response = change(client, citizen.password, birth)
    assert "ngày sinh" in " ".join(response.context["form"].errors["new_password"])


def test_a_wrong_current_password_is_refused_beside_it(client, citizen):
    sign_in(client, citizen.personal_id, citizen.password)
    response = change(client, "nope-nope-nope")
    assert response.context["form"].errors["old_password"]


def test_my_registration_shows_the_status_and_the_office(client, citizen):
    citizen_password_set(citizen, NEW_PASSWORD)
    sign_in(client, citizen.personal_id, NEW_PASSWORD)
    page = client.get(HOME)
    text = page.content.decode()
    assert page["Cache-Control"] == "private, no-store"
    assert dossier_number_format(citizen.dossier.number) in text
    assert citizen.dossier.office.name in text
    assert "Đã phê duyệt" in text or "approved" in page.context["registration"].status
    assert citizen.user.phone not in text  # masked


def test_sign_out_ends_this_session(client, citizen):
    citizen_password_set(citizen, NEW_PASSWORD)
    sign_in(client, citizen.personal_id, NEW_PASSWORD)
    assert client.post("/tai-khoan/dang-xuat/").status_code == 302
    assert client.get(HOME).status_code == 302


def test_sign_out_everywhere_ends_other_sessions_and_tokens(client, citizen):
    citizen_password_set(citizen, NEW_PASSWORD)
    other = Client()
    sign_in(other, citizen.personal_id, NEW_PASSWORD)
    token = (
        Client()
        .post(
            "/api/v1/auth/login",
            {"username": citizen.personal_id, "password": NEW_PASSWORD},
            content_type="application/json",
        )
        .json()["access_token"]
    )
    sign_in(client, citizen.personal_id, NEW_PASSWORD)
    response = client.post("/tai-khoan/dang-xuat-moi-noi/")
    assert response.status_code == 302 and response["Location"] == SIGN_IN
    assert other.get(HOME).status_code == 302
    assert client.get(HOME).status_code == 302
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_forgot_password_with_the_code_from_the_sms(client, citizen):
    response = client.post(FORGOT, {"username": citizen.bhxh_code, "phone": citizen.user.phone})
    assert response.status_code == 302 and response["Location"] == RESET
    code = re.search(r"\b(\d{6})\b", SmsMessage.objects.get(template="password_reset").text).group(1)
    wrong = client.post(
        RESET,
        {"code": f"{(int(code) + 1) % 10**6:06d}", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert wrong.status_code == 200 and wrong.context["form"].errors["code"]
    done = client.post(RESET, {"code": code, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == SIGN_IN
    assert sign_in(client, citizen.personal_id, NEW_PASSWORD)["Location"] == HOME


def test_forgot_password_says_the_same_for_a_wrong_phone(client, citizen):
    response = client.post(FORGOT, {"username": citizen.personal_id, "phone": "0987654321"})
    assert response.status_code == 302 and response["Location"] == RESET
    assert not SmsMessage.objects.filter(template="password_reset").exists()


def test_forgot_password_names_a_malformed_phone(client, citizen):
    response = client.post(FORGOT, {"username": citizen.personal_id, "phone": "12"})
    assert response.status_code == 200 and response.context["form"].errors["phone"]


def test_the_reset_page_needs_the_first_step(client):
    assert client.get(RESET)["Location"] == FORGOT


# --- the dossier page ---------------------------------------------------------------------------------------------


def officer_client(verified_client, officer):
    return verified_client(officer)


def test_the_dossier_page_offers_reissue_and_unlock_to_a_counter_officer(verified_client, citizen, hcm_verifier):
    client = verified_client(hcm_verifier)
    number = dossier_number_format(citizen.dossier.number)
    page = client.get(f"/can-bo/ho-so/{number}/").content.decode()
    assert "/tai-khoan/cap-lai/" in page and "/tai-khoan/mo-khoa/" in page
    response = client.post(f"/can-bo/ho-so/{number}/tai-khoan/cap-lai/")
    assert response.status_code == 302 and response["Location"].startswith(f"/can-bo/ho-so/{number}/")
    assert SmsMessage.objects.filter(template="reissued", to=citizen.user.phone).count() == 1
    response = client.post(f"/can-bo/ho-so/{number}/tai-khoan/mo-khoa/")
    assert response.status_code == 302
    assert {"account.reissue", "account.unlock"} <= set(AuditEvent.objects.values_list("action", flat=True))


def test_a_director_sees_no_buttons_and_cannot_post(verified_client, citizen, hanoi_director):
    client = verified_client(hanoi_director)
    number = dossier_number_format(citizen.dossier.number)
    assert client.post(f"/can-bo/ho-so/{number}/tai-khoan/cap-lai/").status_code in {403, 404}
    assert not SmsMessage.objects.filter(template="reissued").exists()


def test_a_citizen_session_cannot_post_the_officer_buttons(client, citizen):
    citizen_password_set(citizen, NEW_PASSWORD)
    sign_in(client, citizen.personal_id, NEW_PASSWORD)
    number = dossier_number_format(citizen.dossier.number)
    assert client.post(f"/can-bo/ho-so/{number}/tai-khoan/cap-lai/").status_code == 302  # to the officers' sign-in
    assert not SmsMessage.objects.filter(template="reissued").exists()
