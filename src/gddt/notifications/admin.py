from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gddt.core.text import strip_diacritics
from gddt.notifications.models import SmsMessage, SmsStatus, SmsTemplate
from gddt.notifications.selectors import address_mask
from gddt.notifications.services import sms_render, sms_retry
from gddt.notifications.templates import SECRET_TEMPLATES, gsm7_outside, gsm7_segments

# What the preview fills the placeholders with: values as long as real ones, so that the count is honest.
PREVIEW_CONTEXT = {
    "dossier_no": "26-0001234-5",
    "identity": "ma so BHXH 0123456789",
    "deadline": "25/12/2026",
    "username": "001090012345",
    "password": "Xy7kPq2mRt",
    "reason": "Thong tin khong khop",
    "code": "123456",
}


class SmsTemplateForm(forms.ModelForm):
    class Meta:
        model = SmsTemplate
        fields = ["text"]

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        outside = gsm7_outside(strip_diacritics(text))
        if outside:
            shown = ", ".join(f"“{char}” (U+{ord(char):04X})" for char in outside)
            raise forms.ValidationError(
                _(
                    "An SMS cannot carry %(characters)s: the text goes without diacritics in the GSM-7 alphabet. "
                    "Replace or remove it."
                ),
                params={"characters": shown},
                code="not_gsm7",
            )
        return text


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    """Texts are sent without diacritics whatever is typed here; `$name` placeholders are filled in. The preview
    shows the text as sent with sample values, and its length in GSM-7 segments."""

    form = SmsTemplateForm
    list_display = ["key", "text", "segments", "updated_at"]
    readonly_fields = ["key", "preview", "updated_at"]
    fields = ["key", "text", "preview", "updated_at"]

    @admin.display(description=_("Preview (as sent, with sample values)"))
    def preview(self, obj: SmsTemplate) -> str:
        text = sms_render(template=obj.key, context=PREVIEW_CONTEXT, text=obj.text)
        count = gsm7_segments(text)
        return format_html(
            "<pre style='white-space: pre-wrap'>{}</pre>{}",
            text,
            ngettext(
                "%(length)d characters: %(count)d SMS segment", "%(length)d characters: %(count)d SMS segments", count
            )
            % {"length": len(text), "count": count},
        )

    @admin.display(description=_("Segments"))
    def segments(self, obj: SmsTemplate) -> int:
        return gsm7_segments(sms_render(template=obj.key, context=PREVIEW_CONTEXT, text=obj.text))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SmsTemplate | None = None) -> bool:
        return False


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    """The outbox, read-only: a masked address and never the text (a pending or dead message may carry a password).
    Dead letters go back in the queue with the action."""

    list_display = [
        "id",
        "reference",
        "channel",
        "template",
        "masked_to",
        "status",
        "provider",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "channel", "provider", "template"]
    search_fields = ["=reference"]
    fields = (
        "reference",
        "channel",
        "template",
        "masked_to",
        "shown_text",
        "status",
        "provider",
        "provider_message_id",
        "attempts",
        "claims",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
        "receipt_at",
        "dead_at",
    )
    readonly_fields = fields
    actions = ["requeue"]
    ordering = ["-pk"]
    show_full_result_count = False

    @admin.display(description=_("To"))
    def masked_to(self, obj: SmsMessage) -> str:
        return address_mask(obj.to)

    @admin.display(description=_("Text"))
    def shown_text(self, obj: SmsMessage) -> str:
        if obj.template in SECRET_TEMPLATES:
            return str(_("(not shown: it carries a secret)"))
        return obj.text

    @admin.action(description=_("Put the selected dead letters back in the queue"))
    def requeue(self, request: HttpRequest, queryset: QuerySet[SmsMessage]) -> None:
        ids = list(queryset.filter(status=SmsStatus.DEAD).values_list("pk", flat=True))
        count = sms_retry(message_ids=ids)
        self.message_user(
            request,
            ngettext("%(count)d message is back in the queue.", "%(count)d messages are back in the queue.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SmsMessage | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SmsMessage | None = None) -> bool:
        return False
