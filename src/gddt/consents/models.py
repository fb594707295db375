from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentChannel(models.TextChoices):
    WEB = "web", _("Web form")
    API = "api", _("API")
    COUNTER = "counter", _("At the counter")


class ConsentGiver(models.TextChoices):
    PERSON = "person", _("The person")
    GUARDIAN = "guardian", _("The parent or guardian")


class ConsentText(models.Model):
    """One version of what a person agrees to when registering (the personal data law: the person is told that ID
    images are sensitive personal data; a child's data needs the guardian's consent and, from age 7, the child's).
    A new wording is a new row with the next version; a published version is never changed, because dossiers point at
    it as the text their people agreed to (consents/services.py and the admin enforce it)."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    text_vi = models.TextField(_("consent (Vietnamese)"))
    text_en = models.TextField(_("consent (English)"))
    sensitive_notice_vi = models.TextField(_("notice that ID images are sensitive (Vietnamese)"))
    sensitive_notice_en = models.TextField(_("notice that ID images are sensitive (English)"))
    guardian_text_vi = models.TextField(_("a guardian's consent for a minor (Vietnamese)"))
    guardian_text_en = models.TextField(_("a guardian's consent for a minor (English)"))
    child_text_vi = models.TextField(_("the child's own agreement, from age 7 (Vietnamese)"))
    child_text_en = models.TextField(_("the child's own agreement, from age 7 (English)"))
    published_at = models.DateTimeField(_("published at"), help_text=_("From this moment registrations use it."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")

    def __str__(self) -> str:
        return f"v{self.version}"
