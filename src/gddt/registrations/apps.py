from collections.abc import Mapping

from django.apps import AppConfig


def _reference_data_load() -> Mapping[str, int]:
    from gddt.registrations.components import required_components_load

    return {"required_components_added": required_components_load()}


class RegistrationsConfig(AppConfig):
    name = "gddt.registrations"
    label = "registrations"

    def ready(self) -> None:
        from gddt.core.registry import periodic_job_register, reference_data_register
        from gddt.registrations.tasks import dossiers_expiry_job, dossiers_retention_job

        # Migration 0002 seeds the required components once; an administrator may change them afterwards, so
        # `gddt init` does not put them back, only a reload after a flush does.
        reference_data_register(name=self.label, load=_reference_data_load, on_init=False)
        periodic_job_register(name="dossiers_expiry", job=dossiers_expiry_job)
        periodic_job_register(name="dossiers_retention", job=dossiers_retention_job)
        from gddt.registrations.staging import staging_expiry_job

        periodic_job_register(name="registration_staging_expiry", job=staging_expiry_job)
        from django.db.backends.signals import connection_created

        from gddt.registrations.reference import reference_forget_on_change
        from gddt.registrations.sequence import sqlite_functions_add

        reference_forget_on_change()  # the per-process copies of offices, units and components
        connection_created.connect(sqlite_functions_add, dispatch_uid="gddt_registrations_sqlite_functions")
        from gddt.registrations.metrics import metrics_register

        metrics_register()  # its figures in GET /metrics
