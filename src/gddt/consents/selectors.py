"""Reads of consent: the wording of a version in the reader's language, and the consent record of a dossier as the
counter, the API and a citizen's own copy show it."""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import get_language

from gddt.consents.models import ConsentChannel, ConsentGiver, ConsentText
from gddt.consents.reference import consent_text_by_pk

if TYPE_CHECKING:
    from gddt.registrations.models import Dossier

# A child's own agreement is asked from this age (the personal data law; docs/domain.md).
CHILD_CONSENT_AGE = 7


@dataclass(frozen=True)
class ConsentWording:
    version: int
    text: str
    sensitive_notice: str
    guardian_text: str
    child_text: str
    published_at: datetime


def consent_wording(*, text: ConsentText, language: str | None = None) -> ConsentWording:
    """The text in Vietnamese, or in English when the request's language is English."""
    suffix = "en" if (language or get_language() or "vi").startswith("en") else "vi"
    return ConsentWording(
        version=text.version,
        text=getattr(text, f"text_{suffix}"),
        sensitive_notice=getattr(text, f"sensitive_notice_{suffix}"),
        guardian_text=getattr(text, f"guardian_text_{suffix}"),
        child_text=getattr(text, f"child_text_{suffix}"),
        published_at=text.published_at,
    )


def consent_text_answer(text: ConsentText) -> dict[str, Any]:
    """A version in both languages (GET /api/v1/consent, a citizen's own copy)."""
    return {
        "version": text.version,
        "published_at": text.published_at,
        "vi": {
            "text": text.text_vi,
            "sensitive_notice": text.sensitive_notice_vi,
            "guardian_text": text.guardian_text_vi,
            "child_text": text.child_text_vi,
        },
        "en": {
            "text": text.text_en,
            "sensitive_notice": text.sensitive_notice_en,
            "guardian_text": text.guardian_text_en,
            "child_text": text.child_text_en,
        },
    }


def consent_record(dossier: "Dossier") -> dict[str, Any]:
    """What the dossier's person agreed to, when, through which channel and who gave it. A dossier registered
    before consent texts were recorded has only its time (the other members are null)."""
    text = consent_text_by_pk(pk=dossier.consent_text_id)  # type: ignore[attr-defined]
    return {
        "version": text.version if text else None,
        "given_at": dossier.consent_at,
        "channel": dossier.consent_channel or None,
        "given_by": dossier.consent_by or None,
        "child_agreed_at": dossier.child_consent_at,
    }


def consent_record_labels(record: dict[str, Any]) -> dict[str, Any]:
    """The record with the channel and the giver in words, for pages."""
    channel, giver = record["channel"], record["given_by"]
    return {
        **record,
        "channel_label": ConsentChannel(channel).label if channel in ConsentChannel.values else "",
        "given_by_label": ConsentGiver(giver).label if giver in ConsentGiver.values else "",
    }
