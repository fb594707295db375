"""The consent text on the API: what a client shows the person before it sends `consent: true`."""

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from gddt.consents.reference import consent_text_current
from gddt.consents.selectors import CHILD_CONSENT_AGE, consent_text_answer
from gddt.core.errors import Problem

router = Router(tags=["registrations"])


class ConsentWordingOut(Schema):
    text: str
    sensitive_notice: str
    guardian_text: str
    child_text: str


class ConsentTextOut(Schema):
    version: int
    published_at: datetime
    child_consent_age: int
    vi: ConsentWordingOut
    en: ConsentWordingOut


@router.get(
    "/consent",
    auth=None,
    response={200: ConsentTextOut},
    summary="The current consent text, in Vietnamese and English",
    description="Show `sensitive_notice` and `text` (for a minor: `guardian_text`, and `child_text` for the "
    "child's own agreement from `child_consent_age`) before sending `consent: true` (and `child_consent`); "
    "send `version` as `consent_version` to be sure the person agreed to this very text. 503 when no text is "
    "published.",
    openapi_extra={"responses": {503: {}}},
)
def consent_get(request: HttpRequest, response: HttpResponse) -> dict:
    text = consent_text_current()
    if text is None:
        raise Problem(503, _("No consent text is published."), "no_consent_text")
    response["Cache-Control"] = "public, max-age=60"
    return {**consent_text_answer(text), "child_consent_age": CHILD_CONSENT_AGE}
