from django.urls import path

from gddt.reports import views

app_name = "reports"

urlpatterns = [
    path("can-bo/bao-cao/", views.dashboard, name="dashboard"),
]
