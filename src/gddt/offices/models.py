from django.db import models
from django.utils.translation import gettext_lazy as _


class OfficeLevel(models.TextChoices):
    CENTRAL = "central", _("Central agency")
    PROVINCIAL = "provincial", _("Provincial office")
    LOCAL = "local", _("Local office")


class Office(models.Model):
    """A VSS office. Offices form a tree loaded from data: the central agency (`00`), the 34 provincial
    offices (code = province code) and local offices imported from CSV."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    level = models.CharField(max_length=12, choices=OfficeLevel.choices)
    province = models.ForeignKey("adminunits.Province", null=True, blank=True, on_delete=models.PROTECT)
    # Materialised path of codes ("/00/79/07906/"): the subtree of an office is one indexed prefix query.
    path = models.CharField(max_length=255, db_index=True)
    is_active = models.BooleanField(default=True)
    # Rule 7: the officer who verified a dossier may not also approve it (on by default).
    separation_of_duties = models.BooleanField(default=True)

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def province_code(self) -> str | None:
        return self.province_id
