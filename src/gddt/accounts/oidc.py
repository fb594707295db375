"""The OpenID Connect provider for the VssID app and other VSS services, on django-oauth-toolkit (settings in
OAUTH2_PROVIDER, routes in accounts/oidc_urls.py). What is ours: the claims (a stable random `sub` that is never the
personal ID or the insurance number, `name`, `phone_number`), PKCE required of public clients, the citizen sign-in
page as the login step, and `gddt oidc client add`."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import Application
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.views import AuthorizationView
from oauthlib.common import Request

from gddt.accounts.decorators import is_citizen
from gddt.audit.services import audit_record
from gddt.core.errors import FieldError, invalid


def _phone_e164(phone: str) -> str:
    return "+84" + phone[1:] if phone.startswith("0") else phone


class CitizenValidator(OAuth2Validator):
    """django-oauth-toolkit's validator with the citizen's claims and PKCE required of every public client."""

    def get_claim_dict(self, request: Request) -> dict[str, Any]:
        user = request.user
        claims: dict[str, Any] = {"sub": str(user.public_id), "name": user.get_full_name()}
        if user.phone:
            claims.update(phone_number=_phone_e164(user.phone), phone_number_verified=True)
        return claims

    def get_discovery_claims(self, request: HttpRequest) -> list[str]:
        return ["sub", "name", "phone_number", "phone_number_verified"]

    def is_pkce_required(self, client_id: str, request: Request) -> bool:
        """A public client (an app on a phone, which can keep no secret) must use PKCE; an unknown client too."""
        client_type = Application.objects.filter(client_id=client_id).values_list("client_type", flat=True).first()
        return client_type != Application.CLIENT_CONFIDENTIAL


class CitizenAuthorizationView(AuthorizationView):
    """The authorization endpoint. An unknown client or a redirect URI that the client did not register is
    answered here with an error page, before any sign-in, and never by a redirect; then the citizen signs in on
    the citizen sign-in page (an officer's session does not count) and changes an initial password first. Clients
    registered with `gddt oidc client add` are VSS's own services, so no consent screen is shown."""

    login_url = reverse_lazy("accounts:citizen_sign_in")
    template_name = "accounts/oidc_authorize.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.oauth2_data: dict[str, Any] = {}
        if request.method == "GET":
            try:
                self.validate_authorization_request(request)
            except OAuthToolkitError as error:
                return self.error_response(error, application=None)
        if not is_citizen(request.user):
            return redirect_to_login(request.get_full_path(), str(self.login_url))
        if getattr(request.user, "must_change_password", False):
            change = reverse("accounts:citizen_password")
            return HttpResponseRedirect(f"{change}?{urlencode({'next': request.get_full_path()})}")
        return super().dispatch(request, *args, **kwargs)


@dataclass(frozen=True)
class OidcClient:
    name: str
    client_id: str
    client_secret: str | None  # in clear, this one time; None for a public client


def oidc_client_add(*, name: str, redirect_uris: list[str], public: bool) -> OidcClient:
    """`gddt oidc client add`: a client of the authorization code flow whose id_tokens are signed with RS256.
    A public client (a phone app) has no secret and must use PKCE; a confidential one gets a secret, of which only
    a hash is kept. The redirect URIs are matched exactly. Audited as "oidc.client.add"."""
    secret = None if public else generate_client_secret()
    client = Application(
        name=name.strip(),
        redirect_uris=" ".join(redirect_uris),
        post_logout_redirect_uris="",
        client_type=Application.CLIENT_PUBLIC if public else Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
        client_secret=secret or "",
        hash_client_secret=True,
    )
    errors = []
    if not client.name:
        errors.append(FieldError("name", "required", _("Give the client a name.")))
    if not redirect_uris:
        errors.append(FieldError("redirect_uri", "required", _("Give at least one redirect URI.")))
    try:
        client.full_clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.extend(
                FieldError("redirect_uri" if field == "redirect_uris" else field, "invalid", message)
                for message in messages
            )
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        client.save()
        audit_record(
            action="oidc.client.add",
            target=client.client_id,
            detail={"name": client.name, "public": public, "redirect_uris": redirect_uris},
        )
    return OidcClient(name=client.name, client_id=client.client_id, client_secret=secret)
