from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "gddt.registrations"
    label = "registrations"
