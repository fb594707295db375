"""The officer's back office pages. References that are ID numbers never travel in a path or a query: the search
is a POST; only the dossier number (not personal data) appears in these paths."""

from django.urls import path

from gddt.counter import views

app_name = "counter"

urlpatterns = [
    path("can-bo/", views.home, name="home"),
    path("can-bo/ho-so/<str:dossier_no>/", views.dossier, name="dossier"),
    path("can-bo/ho-so/<str:dossier_no>/anh/<slug:kind>/", views.document, name="document"),
    path("can-bo/ho-so/<str:dossier_no>/bo-sung/<slug:kind>/", views.supplement, name="supplement"),
    path("can-bo/ho-so/<str:dossier_no>/dinh-chinh/", views.correct, name="correct"),
    path("can-bo/ho-so/<str:dossier_no>/xac-minh/", views.verify, name="verify"),
    path("can-bo/ho-so/<str:dossier_no>/phe-duyet/", views.approve, name="approve"),
    path("can-bo/ho-so/<str:dossier_no>/tu-choi/", views.reject, name="reject"),
    path("can-bo/ho-so/<str:dossier_no>/mo-lai/", views.reopen, name="reopen"),
    path("can-bo/ho-so/<str:dossier_no>/to-khai.pdf", views.declaration, name="declaration"),
    path("can-bo/ho-so/<str:dossier_no>/huong-dan-vssid.pdf", views.guide, name="guide"),
]
