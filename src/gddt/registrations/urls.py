from django.urls import path

from gddt.registrations import views

urlpatterns = [
    path("", views.home, name="home"),
]
