"""The OpenID Connect provider's routes. The namespace is django-oauth-toolkit's, whose discovery document names
its endpoints by it; discovery lives at the site's root, below the issuer (GDDT_PUBLIC_URL)."""

from django.urls import path, re_path
from oauth2_provider import views

from gddt.accounts.oidc import CitizenAuthorizationView

app_name = "oauth2_provider"

urlpatterns = [
    re_path(
        r"^\.well-known/openid-configuration$",
        views.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path("oidc/authorize/", CitizenAuthorizationView.as_view(), name="authorize"),
    path("oidc/token/", views.TokenView.as_view(), name="token"),
    path("oidc/revoke/", views.RevokeTokenView.as_view(), name="revoke-token"),
    path("oidc/userinfo/", views.UserInfoView.as_view(), name="user-info"),
    path("oidc/jwks/", views.JwksInfoView.as_view(), name="jwks-info"),
]
