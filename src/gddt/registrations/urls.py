from django.urls import path

from gddt.registrations import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-ky/", views.registration_form, name="registration_form"),
    path("dang-ky/da-nop/", views.registration_done, name="registration_done"),
    path("dang-ky/anh-da-nhan/<slug:kind>/", views.staged_photo, name="registration_staged_photo"),
    path("tra-cuu/", views.status_lookup, name="registration_status"),
]
