from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gddt.core"
    label = "core"
