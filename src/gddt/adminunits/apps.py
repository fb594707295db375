from django.apps import AppConfig


class AdminunitsConfig(AppConfig):
    name = "gddt.adminunits"
    label = "adminunits"
