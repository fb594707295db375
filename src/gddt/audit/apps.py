from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gddt.audit"
    label = "audit"
