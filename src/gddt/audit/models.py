from typing import Any

from django.conf import settings
from django.db import models


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """Every officer's action and every look at personal data (product.md rule 12). Append-only: the
    application cannot change or delete a row (and on PostgreSQL a trigger refuses it too)."""

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    office = models.ForeignKey("offices.Office", null=True, on_delete=models.PROTECT, related_name="+")
    client_ip = models.GenericIPAddressField(null=True)
    action = models.CharField(max_length=40)  # e.g. dossier.view, document.view, dossier.approve, roles.change
    dossier = models.ForeignKey("registrations.Dossier", null=True, on_delete=models.PROTECT, related_name="+")
    target = models.CharField(max_length=150, blank=True)  # e.g. the username whose roles changed
    detail = models.JSONField(default=dict, blank=True)  # what changed; never an ID number or an image

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["dossier", "at"], name="audit_dossier_at")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")
