from django.contrib import admin
from django.urls import include, path

from gddt.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("quan-tri/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("gddt.registrations.urls")),
    path("", include("gddt.counter.urls")),
    path("", include("gddt.accounts.urls")),
    path("", include("gddt.reports.urls")),
]

