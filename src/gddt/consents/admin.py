from typing import Any

from django.contrib import admin, messages
from django.forms import ModelForm
from django.http import HttpRequest

from gddt.consents.models import ConsentText
from gddt.consents.services import (
    EDITABLE_FIELDS,
    consent_text_create,
    consent_text_is_locked,
    consent_text_update,
)
from gddt.core.errors import Problem


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """Consent texts are versioned data: "add" makes the next version; a published or used version is shown
    read-only, and no version is ever deleted (services.py holds the rule, this page follows it)."""

    list_display = ["version", "published_at", "created_at"]
    fields = ["version", *EDITABLE_FIELDS, "created_at"]
    ordering = ["-version"]

    def get_readonly_fields(self, request: HttpRequest, obj: ConsentText | None = None) -> list[str]:
        if obj is not None and consent_text_is_locked(text=obj):
            return ["version", *EDITABLE_FIELDS, "created_at"]
        return ["version", "created_at"]

    def has_delete_permission(self, request: HttpRequest, obj: ConsentText | None = None) -> bool:
        return False  # a version is a record of what people agreed to; a wrong future one is corrected instead

    def save_model(self, request: HttpRequest, obj: ConsentText, form: ModelForm, change: bool) -> None:
        values: dict[str, Any] = {n: form.cleaned_data[n] for n in EDITABLE_FIELDS if n in form.cleaned_data}
        try:
            saved = consent_text_update(text=obj, values=values) if change else consent_text_create(values=values)
        except Problem as problem:
            messages.error(request, str(problem.title))
            return
        obj.pk, obj.version = saved.pk, saved.version
