from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory
from django.views import View
from django_otp.plugins.otp_totp.models import TOTPDevice

from gddt.accounts.decorators import OfficerRequiredMixin, officer_required
from gddt.core.errors import forbidden


@officer_required
def page(request):
    return HttpResponse("secret")


@officer_required
def refusing_page(request):
    raise forbidden("no", "Not for you.")


class ClassPage(OfficerRequiredMixin, View):
    def get(self, request):
        return HttpResponse("secret")


def request_as(user, *, verified: bool):
    request = RequestFactory().get("/can-bo/thu/")
    request.session = SessionStore()
    request.user = user
    device = TOTPDevice(user=user, confirmed=True) if verified and user.is_authenticated else None
    user.otp_device = device
    user.is_verified = lambda: device is not None
    return request


def test_a_verified_officer_passes_and_the_page_is_not_cached(hanoi_verifier):
    for view in (page, ClassPage.as_view()):
        response = view(request_as(hanoi_verifier, verified=True))
        assert response.status_code == 200 and response.content == b"secret"
        assert response["Cache-Control"] == "private, no-store"


def test_an_officer_without_the_second_factor_is_sent_to_the_code_step(hanoi_verifier):
    for view in (page, ClassPage.as_view()):
        response = view(request_as(hanoi_verifier, verified=False))
        assert response.status_code == 302
        assert response["Location"] == "/can-bo/dang-nhap/ma-xac-thuc/?next=%2Fcan-bo%2Fthu%2F"


def test_a_citizen_and_an_anonymous_visitor_are_sent_to_the_sign_in_page(citizen):
    for user in (citizen.user, AnonymousUser()):
        response = page(request_as(user, verified=True))
        assert response.status_code == 302 and response["Location"].startswith("/can-bo/dang-nhap/?next=")


def test_a_disabled_officer_is_sent_to_the_sign_in_page(hanoi_verifier):
    hanoi_verifier.is_active = False
    response = page(request_as(hanoi_verifier, verified=True))
    assert response["Location"].startswith("/can-bo/dang-nhap/?next=")


def test_a_problem_raised_by_the_view_becomes_a_page_with_its_status(hanoi_verifier):
    response = refusing_page(request_as(hanoi_verifier, verified=True))
    assert response.status_code == 403
    assert "Not for you." in response.content.decode()
