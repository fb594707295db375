"""The consent texts as a per-process copy (core/reference.py): every registration reads the current one, and an
officer's page or a citizen's copy reads the version a dossier points at, without a query. Forgotten when an
administrator saves one (apps.py connects the signals), read again at most a minute later in other processes."""

from datetime import datetime

from django.utils import timezone

from gddt.consents.models import ConsentText
from gddt.core.reference import ReferenceCache

_texts = ReferenceCache(name="consent_texts", load=lambda: {t.pk: t for t in ConsentText.objects.all()})


def consent_text_current(*, at: datetime | None = None) -> ConsentText | None:
    """The text registrations use now: the highest version published by `at` (now), or None when none is."""
    moment = at or timezone.now()
    published = [t for t in _texts.get().values() if t.published_at <= moment]
    return max(published, key=lambda t: t.version, default=None)


def consent_text_by_pk(*, pk: int | None) -> ConsentText | None:
    """The version a dossier points at (from the copy; read from the database when the copy is older than it)."""
    if pk is None:
        return None
    text = _texts.get().get(pk)
    if text is None:
        text = ConsentText.objects.filter(pk=pk).first()
    return text


def consent_forget_on_change() -> None:
    _texts.forget_on_change(ConsentText)
