"""The OpenID Connect provider against the running test server, with a real client library (Authlib's requests
client): discovery, the authorization code flow with PKCE S256 through the citizen sign-in page (and the forced
change), an RS256 id_token verified with the JWKS (joserfc), its stable sub, nonce and claims, userinfo, refresh
tokens with rotation; and the misuse that must fail: an unregistered redirect URI (an error page, never a redirect),
no PKCE for a public client, a wrong code_verifier, a code used twice, a token after sign-out everywhere."""

import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.core.management import call_command
from joserfc import jwt
from joserfc.jwk import KeySet

from gddt.accounts.models import User
from gddt.accounts.oidc import oidc_client_add
from gddt.accounts.services import citizen_logout_everywhere
from gddt_testing.factories import citizen_password_set

pytestmark = pytest.mark.django_db(transaction=True)

APP_CALLBACK = "vn.gov.vss.vssid:/oauth/callback"
PORTAL_CALLBACK = "https://dichvucong.example/oidc/callback"
NEW_PASSWORD = "Cay-Tre-Dau-Dinh-2026"


@pytest.fixture
def issuer(live_server, settings) -> str:
    """The provider's issuer is the test server's address, as GDDT_PUBLIC_URL is in production."""
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": live_server.url}
    return live_server.url


@pytest.fixture
def citizen_account(reference):
    from gddt.accounts.tests.conftest import citizen as make  # the suite's citizen, in a transactional test

    return make.__wrapped__(None)


@dataclass
class Discovery:
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    document: dict


def discover(issuer: str) -> Discovery:
    document = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    return Discovery(
        document["authorization_endpoint"],
        document["token_endpoint"],
        document["userinfo_endpoint"],
        document["jwks_uri"],
        document,
    )


def form_post(session: requests.Session, url: str, data: dict) -> requests.Response:
    """Posts a page's form as a browser would: the CSRF token from the page, the cookies of the session."""
    page = session.get(url, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(url, data={"csrfmiddlewaretoken": token, **data}, allow_redirects=False, timeout=10)


def authorize(
    session: requests.Session, url: str, base: str, *, username: str, password: str, new_password: str | None = None
) -> str:
    """Follows the authorization request through the citizen sign-in (and the forced change) to the client's
    redirect URI, which is not followed; returns that Location."""
    answer = session.get(url, allow_redirects=False, timeout=10)
    while True:
        assert answer.status_code == 302, re.findall(r'<p class="hint">(.*?)</p>', answer.text)
        location = answer.headers["Location"]
        if not location.startswith("/"):
            return location  # back to the client
        target = base + location
        if location.startswith("/dang-nhap/"):
            answer = form_post(
                session,
                target,
                {"username": username, "password": password, "next": parse_qs(urlsplit(location).query)["next"][0]},
            )
        elif location.startswith("/tai-khoan/doi-mat-khau/"):
            answer = form_post(
                session,
                target,
                {
                    "old_password": password,
                    "new_password": new_password,
                    "new_password_again": new_password,
                    "next": parse_qs(urlsplit(location).query)["next"][0],
                },
            )
            password = new_password
        else:
            answer = session.get(target, allow_redirects=False, timeout=10)


def verified_claims(id_token: str, discovery: Discovery) -> dict:
    keys = KeySet.import_key_set(requests.get(discovery.jwks_uri, timeout=10).json())
    token = jwt.decode(id_token, keys, algorithms=["RS256"])
    assert token.header["alg"] == "RS256"
    return token.claims


def test_discovery_names_the_issuer_and_the_endpoints(issuer):
    discovery = discover(issuer)
    document = discovery.document
    assert document["issuer"] == issuer
    assert document["authorization_endpoint"] == f"{issuer}/oidc/authorize/"
    assert document["jwks_uri"] == f"{issuer}/oidc/jwks/"
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["id_token_signing_alg_values_supported"][0] == "RS256"
    assert {"openid", "profile", "phone"} <= set(document["scopes_supported"])
    assert document["response_types_supported"] == ["code"]


def test_a_phone_app_signs_a_citizen_in_with_pkce_and_verifies_the_id_token(issuer, citizen_account):
    citizen = citizen_account
    client = oidc_client_add(name="VssID", redirect_uris=[APP_CALLBACK], public=True)
    discovery = discover(issuer)
    session = OAuth2Session(
        client.client_id,
        scope="openid profile phone",
        redirect_uri=APP_CALLBACK,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, state = session.create_authorization_url(discovery.authorization_endpoint, code_verifier=verifier, nonce=nonce)
    browser = requests.Session()  # the citizen's browser, apart from the app
    callback = authorize(
        browser, url, issuer, username=citizen.bhxh_code, password=citizen.password, new_password=NEW_PASSWORD
    )
    assert callback.startswith(APP_CALLBACK + "?")
    assert parse_qs(urlsplit(callback).query)["state"] == [state]

    token = session.fetch_token(discovery.token_endpoint, authorization_response=callback, code_verifier=verifier)
    claims = verified_claims(token["id_token"], discovery)
    user = User.objects.get(pk=citizen.user.pk)
    assert claims["iss"] == issuer and claims["aud"] == client.client_id and claims["nonce"] == nonce
    assert claims["sub"] == str(user.public_id)
    assert citizen.personal_id not in str(claims) and citizen.bhxh_code not in str(claims)
    assert claims["name"] == "Nguyễn Văn An" and claims["phone_number"] == "+84" + user.phone[1:]
    assert not user.must_change_password  # the forced change came first

    info = session.get(discovery.userinfo_endpoint, timeout=10).json()
    assert info["sub"] == claims["sub"]

    first_refresh = token["refresh_token"]
    renewed = session.refresh_token(discovery.token_endpoint, refresh_token=first_refresh)
    assert renewed["refresh_token"] != first_refresh and renewed["access_token"] != token["access_token"]
    assert verified_claims(renewed["id_token"], discovery)["sub"] == claims["sub"]
    reused = requests.post(
        discovery.token_endpoint,
        timeout=10,
        data={"grant_type": "refresh_token", "refresh_token": first_refresh, "client_id": client.client_id},
    )
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"

    # The same sub at the next sign-in.
    again = OAuth2Session(
        client.client_id,
        scope="openid",
        redirect_uri=APP_CALLBACK,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    again_verifier = secrets.token_urlsafe(48)
    url, _state = again.create_authorization_url(
        discovery.authorization_endpoint, code_verifier=again_verifier, nonce="n2"
    )
    callback = authorize(requests.Session(), url, issuer, username=citizen.personal_id, password=NEW_PASSWORD)
    second = again.fetch_token(discovery.token_endpoint, authorization_response=callback, code_verifier=again_verifier)
    assert verified_claims(second["id_token"], discovery)["sub"] == claims["sub"]


def _code(issuer: str, citizen, client_id: str, redirect_uri: str, **extra) -> tuple[requests.Session, str]:
    """An authorization code for the signed-in citizen (PKCE as `extra` says)."""
    session = requests.Session()
    citizen_password_set(citizen, NEW_PASSWORD)
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid",
        "state": "s1",
        **extra,
    }
    url = requests.Request("GET", f"{issuer}/oidc/authorize/", params=params).prepare().url
    callback = authorize(session, url, issuer, username=citizen.personal_id, password=NEW_PASSWORD)
    return session, callback


def _pkce_code(issuer: str, citizen, client_id: str, verifier: str) -> tuple[requests.Session, str]:
    """An authorization code for the app's callback, with the S256 challenge of `verifier`."""
    challenge = create_s256_code_challenge(verifier)
    return _code(issuer, citizen, client_id, APP_CALLBACK, code_challenge=challenge, code_challenge_method="S256")


def test_an_unregistered_redirect_uri_gets_an_error_page_never_a_redirect(issuer, citizen_account):
    client = oidc_client_add(name="VssID", redirect_uris=[APP_CALLBACK], public=True)
    verifier = secrets.token_urlsafe(48)
    params = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": "https://evil.example/cb",
        "scope": "openid",
        "state": "s",
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    answer = requests.get(f"{issuer}/oidc/authorize/", params=params, allow_redirects=False, timeout=10)
    assert answer.status_code == 400 and "Location" not in answer.headers
    assert 'href="https://evil.example' not in answer.text and "http-equiv" not in answer.text
    assert "không thể được chấp nhận" in answer.text
    unknown = requests.get(
        f"{issuer}/oidc/authorize/",
        params={**params, "client_id": "no-such-client", "redirect_uri": APP_CALLBACK},
        allow_redirects=False,
        timeout=10,
    )
    assert unknown.status_code in {400, 401} and "Location" not in unknown.headers


def test_a_public_client_without_pkce_is_refused(issuer, citizen_account):
    client = oidc_client_add(name="VssID", redirect_uris=[APP_CALLBACK], public=True)
    code_request = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": APP_CALLBACK,
        "scope": "openid",
    }
    answer = requests.get(f"{issuer}/oidc/authorize/", allow_redirects=False, timeout=10, params=code_request)
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["error"] == ["invalid_request"] and "code" not in query
    plain = requests.get(
        f"{issuer}/oidc/authorize/",
        allow_redirects=False,
        timeout=10,
        params={**code_request, "code_challenge": "a" * 43, "code_challenge_method": "plain"},
    )
    assert "code=" not in plain.headers.get("Location", "")


def test_a_confidential_client_may_go_without_pkce_with_its_secret(issuer, citizen_account):
    client = oidc_client_add(name="Portal", redirect_uris=[PORTAL_CALLBACK], public=False)
    _session, callback = _code(issuer, citizen_account, client.client_id, PORTAL_CALLBACK)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    answer = requests.post(
        f"{issuer}/oidc/token/",
        timeout=10,
        auth=(client.client_id, client.client_secret),
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": PORTAL_CALLBACK},
    )
    assert answer.status_code == 200 and "id_token" in answer.json()


def test_a_wrong_code_verifier_and_a_reused_code_are_refused(issuer, citizen_account):
    client = oidc_client_add(name="VssID", redirect_uris=[APP_CALLBACK], public=True)
    verifier = secrets.token_urlsafe(48)
    _session, callback = _pkce_code(issuer, citizen_account, client.client_id, verifier)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": APP_CALLBACK,
        "client_id": client.client_id,
    }
    wrong = requests.post(
        f"{issuer}/oidc/token/", data={**exchange, "code_verifier": secrets.token_urlsafe(48)}, timeout=10
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"

    _session, callback = _pkce_code(issuer, citizen_account, client.client_id, verifier)
    exchange["code"] = parse_qs(urlsplit(callback).query)["code"][0]
    first = requests.post(f"{issuer}/oidc/token/", data={**exchange, "code_verifier": verifier}, timeout=10)
    assert first.status_code == 200
    again = requests.post(f"{issuer}/oidc/token/", data={**exchange, "code_verifier": verifier}, timeout=10)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_sign_out_everywhere_ends_the_clients_tokens_at_once(issuer, citizen_account):
    client = oidc_client_add(name="VssID", redirect_uris=[APP_CALLBACK], public=True)
    verifier = secrets.token_urlsafe(48)
    _session, callback = _pkce_code(issuer, citizen_account, client.client_id, verifier)
    tokens = requests.post(
        f"{issuer}/oidc/token/",
        timeout=10,
        data={
            "grant_type": "authorization_code",
            "code": parse_qs(urlsplit(callback).query)["code"][0],
            "redirect_uri": APP_CALLBACK,
            "client_id": client.client_id,
            "code_verifier": verifier,
        },
    ).json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert requests.get(f"{issuer}/oidc/userinfo/", headers=bearer, timeout=10).status_code == 200
    citizen_logout_everywhere(user=User.objects.get(pk=citizen_account.user.pk))
    assert requests.get(f"{issuer}/oidc/userinfo/", headers=bearer, timeout=10).status_code in {401, 403}
    refreshed = requests.post(
        f"{issuer}/oidc/token/",
        timeout=10,
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": client.client_id},
    )
    assert refreshed.status_code == 400


def test_an_officer_session_does_not_sign_a_citizen_in(issuer, reference, hanoi_verifier):
    client = oidc_client_add(name="VssID", redirect_uris=[APP_CALLBACK], public=True)
    from gddt_testing.personas import PERSONA_PASSWORD

    session = requests.Session()
    form_post(session, f"{issuer}/can-bo/dang-nhap/", {"username": "hn.verifier", "password": PERSONA_PASSWORD})
    answer = session.get(
        f"{issuer}/oidc/authorize/",
        allow_redirects=False,
        timeout=10,
        params={
            "response_type": "code",
            "client_id": client.client_id,
            "redirect_uri": APP_CALLBACK,
            "scope": "openid",
            "code_challenge": create_s256_code_challenge("v" * 43),
            "code_challenge_method": "S256",
        },
    )
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/dang-nhap/?next=")


def test_the_command_prints_the_client_id_and_the_secret_once(db, capsys):
    call_command("oidc", "client", "add", "Portal", "--redirect-uri", PORTAL_CALLBACK)
    out = capsys.readouterr().out
    assert re.search(r"client_id: \S+", out) and re.search(r"client_secret: \S{40,}", out)
    call_command("oidc", "client", "add", "VssID", "--redirect-uri", APP_CALLBACK, "--public")
    out = capsys.readouterr().out
    assert "client_id:" in out and "client_secret" not in out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="redirect_uri"):
        call_command("oidc", "client", "add", "Bad", "--redirect-uri", "ftp://example/cb")
