"""Writes of consent texts. A text is data an administrator edits (the admin calls these functions), but a version
that registrations may already have used is never changed again: a new wording is a new version."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gddt.consents.models import ConsentText
from gddt.core.errors import FieldError, conflict, invalid
from gddt.core.reference import REFERENCE_SECONDS

WORDING_FIELDS = (
    "text_vi",
    "text_en",
    "sensitive_notice_vi",
    "sensitive_notice_en",
    "guardian_text_vi",
    "guardian_text_en",
    "child_text_vi",
    "child_text_en",
)
EDITABLE_FIELDS = (*WORDING_FIELDS, "published_at")


# Every process reads the texts again at most this long after they change (core/reference.py): a text due to be
# published within it may already sit in a copy that a registration is about to use.
LOCK_MARGIN = timedelta(seconds=2 * REFERENCE_SECONDS)


def consent_text_is_locked(*, text: ConsentText, now: datetime | None = None) -> bool:
    """A dossier can point at a text only once it is published, so a text is fixed from its publication (less the
    margin of the per-process copies): before that no one can have agreed to it, after it anyone may have."""
    if text.pk is None:
        return False
    return text.published_at <= (now or timezone.now()) + LOCK_MARGIN


def _wording_check(values: dict[str, Any]) -> None:
    errors = [
        FieldError(name, "required", _("This field is required."))
        for name in WORDING_FIELDS
        if not str(values.get(name) or "").strip()
    ]
    if values.get("published_at") is None:
        errors.append(FieldError("published_at", "required", _("This field is required.")))
    if errors:
        raise invalid(errors)


def consent_text_create(*, values: dict[str, Any]) -> ConsentText:
    """A new version (the next number) with this wording, published at `values["published_at"]`."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise invalid([FieldError(name, "unknown_field", _("This field is unknown.")) for name in sorted(unknown)])
    _wording_check(values)
    with transaction.atomic():
        # The table is tiny and written a few times a year: a lock-free max + 1 is guarded by the unique version.
        last = ConsentText.objects.aggregate(last=Max("version"))["last"] or 0
        return ConsentText.objects.create(version=last + 1, **values)


def consent_text_update(*, text: ConsentText, values: dict[str, Any]) -> ConsentText:
    """Changes a version that no one can have agreed to yet (to be published later); 409 otherwise."""
    with transaction.atomic():
        current = ConsentText.objects.select_for_update().get(pk=text.pk)
        if consent_text_is_locked(text=current):
            raise conflict(
                "consent_text_locked",
                _(
                    "This consent text is published or has been agreed to, so it can no longer be changed. "
                    "Add a new version instead."
                ),
            )
        unknown = set(values) - set(EDITABLE_FIELDS)
        if unknown:
            raise invalid([FieldError(name, "unknown_field", _("This field is unknown.")) for name in sorted(unknown)])
        merged = {name: getattr(current, name) for name in EDITABLE_FIELDS} | values
        _wording_check(merged)
        for name, value in values.items():
            setattr(current, name, value)
        current.save(update_fields=list(values) or None)
        return current
