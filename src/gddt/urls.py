from django.contrib import admin
from django.urls import include, path

from gddt.api import api
from gddt.core.metrics import metrics_view

urlpatterns = [
    path("api/v1/", api.urls),
    path("metrics", metrics_view, name="metrics"),  # Prometheus, with GDDT_METRICS_TOKEN (core/metrics.py)
    path("quan-tri/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("gddt.registrations.urls")),
    path("", include("gddt.counter.urls")),
    path("", include("gddt.accounts.urls")),
    path("", include("gddt.accounts.oidc_urls")),
    path("", include("gddt.reports.urls")),
]
