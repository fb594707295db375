from django.apps import AppConfig


class OfficesConfig(AppConfig):
    name = "gddt.offices"
    label = "offices"
