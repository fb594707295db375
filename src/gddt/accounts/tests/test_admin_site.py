from django_otp.plugins.otp_totp.models import TOTPDevice

from gddt.accounts.tests.conftest import totp_code
from gddt_testing.personas import PERSONA_PASSWORD


def make_admin(user):
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_an_administrator_with_both_factors_reaches_the_django_admin(admin_officer, verified_client):
    client = verified_client(make_admin(admin_officer))
    assert client.get("/quan-tri/").status_code == 200
    assert client.get("/quan-tri/accounts/roleassignment/").status_code == 200


def test_the_django_admin_sends_a_password_only_session_to_the_officer_sign_in(client, admin_officer):
    make_admin(admin_officer)
    TOTPDevice.objects.create(user=admin_officer, name="phone", confirmed=True)
    client.post("/can-bo/dang-nhap/", {"username": "central.admin", "password": PERSONA_PASSWORD})
    response = client.get("/quan-tri/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/can-bo/dang-nhap/ma-xac-thuc/")
    device = TOTPDevice.objects.get(user=admin_officer)
    response = client.post("/can-bo/dang-nhap/ma-xac-thuc/", {"code": totp_code(device)})
    assert response["Location"] == "/quan-tri/"
    assert client.get("/quan-tri/").status_code == 200


def test_an_officer_who_is_not_an_administrator_gets_403_at_the_django_admin(hanoi_director, verified_client):
    client = verified_client(hanoi_director)
    response = client.get("/quan-tri/", follow=True)
    assert response.status_code == 403
