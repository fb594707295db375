import uuid

from django.db import models


def archive_upload_to(instance: "Archive", filename: str) -> str:
    # Generated names only, as for the documents: nothing about the person reaches the storage path.
    return f"archives/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}.zip"


class Archive(models.Model):
    """The sealed record of one approved dossier (archives/services.py builds it): a zip stored encrypted in the
    private document storage, with the SHA-256 and size of the zip as it was made, to tell a damaged one."""

    # One archive per dossier, enforced by the database: a job run twice, or by two workers at once, keeps one.
    dossier = models.OneToOneField("registrations.Dossier", on_delete=models.PROTECT, related_name="archive")
    file = models.FileField(upload_to=archive_upload_to, max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"archive of {self.dossier_id}"
