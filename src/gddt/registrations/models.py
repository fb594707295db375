import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gddt.consents.models import ConsentChannel, ConsentGiver


class Category(models.TextChoices):
    WITH_ID_CARD = "with_id_card", _("Person with an ID card")
    MINOR_WITHOUT_ID_CARD = "minor_without_id_card", _("Minor without an ID card")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    VERIFIED = "verified", _("Verified")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")


# A person may hold one dossier in these states at a time (an approved one is an active account).
OPEN_OR_ACTIVE = [Status.SUBMITTED, Status.VERIFIED, Status.APPROVED]


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class IdDocumentType(models.TextChoices):
    CCCD = "cccd", _("Citizen identity card (CCCD)")
    CMND12 = "cmnd12", _("Identity card, 12 digits (CMND)")
    CMND9 = "cmnd9", _("Identity card, 9 digits (CMND)")
    PASSPORT = "passport", _("Passport")


class Relationship(models.TextChoices):
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    GUARDIAN = "guardian", _("Guardian")


class DocumentKind(models.TextChoices):
    ID_FRONT = "id_front", _("ID card, front")
    ID_BACK = "id_back", _("ID card, back")
    PORTRAIT = "portrait", _("Portrait")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    GUARDIAN_ID_FRONT = "guardian_id_front", _("Guardian's ID card, front")
    GUARDIAN_ID_BACK = "guardian_id_back", _("Guardian's ID card, back")
    SIGNED_DECLARATION = "signed_declaration", _("Signed declaration")


class DocumentSource(models.TextChoices):
    ONLINE = "online", _("Citizen, online")
    COUNTER = "counter", _("Officer, at the counter")


class DossierNumberField(models.CharField):
    """A CharField that every INSERT reads back (RETURNING), because the database makes the number in the INSERT
    itself (sequence.py). The migrations see a plain CharField: nothing changes in the table."""

    db_returning = True  # type: ignore[assignment]

    def deconstruct(self) -> tuple[str, str, Any, Any]:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


class Dossier(models.Model):
    number = DossierNumberField(max_length=16, unique=True, null=True)  # digits only; see numbers.py
    category = models.CharField(max_length=24, choices=Category.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    version = models.PositiveIntegerField(default=1)  # bumped by every change; the ETag of the dossier

    full_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=6, choices=Sex.choices)
    nationality = models.CharField(max_length=2, default="VN")
    personal_id = models.CharField(max_length=12, null=True, blank=True)
    bhxh_code = models.CharField(max_length=10, null=True, blank=True)

    id_type = models.CharField(max_length=10, choices=IdDocumentType.choices, blank=True)
    id_number = models.CharField(max_length=20, blank=True)
    id_issued_on = models.DateField(null=True, blank=True)
    id_issued_by = models.CharField(max_length=200, blank=True)

    birth_certificate_number = models.CharField(max_length=40, blank=True)
    birth_certificate_issued_on = models.DateField(null=True, blank=True)
    birth_certificate_issued_by = models.CharField(max_length=200, blank=True)

    guardian_full_name = models.CharField(max_length=100, blank=True)
    guardian_relationship = models.CharField(max_length=10, choices=Relationship.choices, blank=True)
    guardian_personal_id = models.CharField(max_length=12, blank=True)
    guardian_phone = models.CharField(max_length=10, blank=True)

    phone = models.CharField(max_length=10)  # national form, 10 digits: the person's, or the guardian's
    email = models.EmailField(blank=True)
    province = models.ForeignKey("adminunits.Province", on_delete=models.PROTECT)
    ward = models.ForeignKey("adminunits.Ward", on_delete=models.PROTECT)
    street = models.CharField(max_length=200, blank=True)

    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, related_name="chosen_dossiers")
    completed_office = models.ForeignKey(
        "offices.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="completed_dossiers"
    )
    consent_at = models.DateTimeField()
    # The consent record (product.md rule 16): the version agreed to, the channel, who gave it (the guardian for a
    # minor without an ID card) and, for a child aged 7 or more, when the child's own agreement was given. Null or
    # blank on dossiers registered before consent texts were versioned. No index: nothing looks dossiers up by their
    # text, and a handful of values would only weigh on every registration.
    consent_text = models.ForeignKey(
        "consents.ConsentText", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    consent_channel = models.CharField(max_length=8, choices=ConsentChannel.choices, blank=True)
    consent_by = models.CharField(max_length=8, choices=ConsentGiver.choices, blank=True)
    child_consent_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(max_length=40, blank=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="dossiers"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # When the retention job removed the documents and the personal data (the number, status and dates stay).
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Rule 10, enforced by the database so that two concurrent submissions cannot both pass.
            models.UniqueConstraint(
                fields=["personal_id"], condition=Q(status__in=OPEN_OR_ACTIVE), name="one_open_dossier_per_personal_id"
            ),
            models.UniqueConstraint(
                fields=["bhxh_code"], condition=Q(status__in=OPEN_OR_ACTIVE), name="one_open_dossier_per_bhxh_code"
            ),
        ]
        indexes = [
            models.Index(fields=["personal_id"], name="dossier_personal_id"),
            models.Index(fields=["bhxh_code"], name="dossier_bhxh_code"),
            models.Index(fields=["phone"], name="dossier_phone"),
            # The counter finds a minor's dossier by the guardian's phone too: every look-up column is indexed,
            # so the OR of them is a union of index look-ups, never a scan of the table.
            models.Index(fields=["guardian_phone"], name="dossier_guardian_phone"),
            models.Index(fields=["status", "office"], name="dossier_status_office"),
            models.Index(fields=["status", "expires_at"], name="dossier_status_expiry"),
            models.Index(fields=["submitted_at"], name="dossier_submitted_at"),
        ]

    def __str__(self) -> str:
        return self.number or f"dossier {self.pk}"


def document_upload_to(instance: "Document", filename: str) -> str:
    # Generated names only: nothing the citizen typed reaches the storage path.
    return f"documents/{instance.dossier.submitted_at:%Y/%m}/{uuid.uuid4().hex}.jpg"


class Document(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    file = models.FileField(upload_to=document_upload_to, max_length=200)
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=40, default="image/jpeg")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    source = models.CharField(max_length=10, choices=DocumentSource.choices)
    supplied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supplied_at_office = models.ForeignKey(
        "offices.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supplied_at = models.DateTimeField()
    replaced_at = models.DateTimeField(null=True, blank=True)  # a replaced document stays, for the record

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "kind"], condition=Q(replaced_at__isnull=True), name="one_current_document_per_kind"
            ),
        ]


class RequiredComponent(models.Model):
    """The components a dossier must hold before approval, per category: data, changeable by an administrator."""

    category = models.CharField(max_length=24, choices=Category.choices)
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    # Smallest short side accepted for a photo of this kind, so that an ID card stays readable.
    min_short_side = models.PositiveIntegerField(default=600)
    # An ID document type for which this component is not asked (a passport has no back side).
    except_id_type = models.CharField(max_length=10, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["category", "position"]
        constraints = [models.UniqueConstraint(fields=["category", "kind"], name="one_component_per_kind")]

    def __str__(self) -> str:
        return f"{self.category}: {self.kind}"


class Transition(models.Model):
    """Every change of a dossier's state: who, where (office), when and why."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey("offices.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
