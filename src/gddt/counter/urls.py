"""The officer's back office pages. References that are ID numbers never travel in a path or a query: the search
is a POST; only the dossier number (not personal data) appears in these paths."""

from django.urls import path

from gddt.counter.views import actions, dossier, search

app_name = "counter"

urlpatterns = [
    path("can-bo/", search.home, name="home"),
    path("can-bo/ho-so/<str:dossier_no>/", dossier.dossier, name="dossier"),
    path("can-bo/ho-so/<str:dossier_no>/anh/<slug:kind>/", dossier.document, name="document"),
    path("can-bo/ho-so/<str:dossier_no>/bo-sung/<slug:kind>/", actions.supplement, name="supplement"),
    path("can-bo/ho-so/<str:dossier_no>/dinh-chinh/", actions.correct, name="correct"),
    path("can-bo/ho-so/<str:dossier_no>/xac-minh/", actions.verify, name="verify"),
    path("can-bo/ho-so/<str:dossier_no>/phe-duyet/", actions.approve, name="approve"),
    path("can-bo/ho-so/<str:dossier_no>/tu-choi/", actions.reject, name="reject"),
    path("can-bo/ho-so/<str:dossier_no>/mo-lai/", actions.reopen, name="reopen"),
    path("can-bo/ho-so/<str:dossier_no>/to-khai.pdf", dossier.declaration, name="declaration"),
    path("can-bo/ho-so/<str:dossier_no>/huong-dan-vssid.pdf", dossier.guide, name="guide"),
]
