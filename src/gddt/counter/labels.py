"""What the counter's pages call things: the inputs of the counter's own forms, the audited actions and the
transitions. The fields of a dossier are labelled once, in registrations.labels."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gddt.registrations.labels import FIELD_LABELS
from gddt.registrations.models import DocumentKind

# The counter's own inputs, which a service may name in an error.
INPUT_LABELS: dict[str, str | Promise] = {
    "q": _("Reference"),
    "file": _("Photo"),
    "kind": _("Component"),
    "reason": _("Reason for the correction"),
    "reason_code": _("Reason for rejection"),
    "note": _("Note"),
    "version": _("Version"),
    "changes": _("Corrections"),
    "status": _("Status"),
    "office": _("Office"),
}

AUDIT_ACTIONS: dict[str, str | Promise] = {
    "dossier.view": _("Viewed the dossier"),
    "dossier.search": _("Found the dossier by a reference"),
    "document.view": _("Viewed a photo"),
    "document.supplement": _("Supplemented a photo"),
    "dossier.correct": _("Corrected the data"),
    "dossier.verify": _("Verified"),
    "dossier.approve": _("Approved"),
    "dossier.reject": _("Rejected"),
    "dossier.reopen": _("Reopened"),
    "declaration.print": _("Printed the declaration"),
    "guide.print": _("Printed the VssID guide"),
    "history.view": _("Viewed the history"),
    "dossier.purge": _("Documents and personal data deleted (retention period ended)"),
    "archive.create": _("Archived record made"),
    "archive.purge": _("Archived record deleted (retention period ended)"),
    "archive.download": _("Downloaded the archived record"),
}

TRANSITION_ACTIONS: dict[str, str | Promise] = {
    "submit": _("Submitted"),
    "verify": _("Verified"),
    "void_verification": _("Verification voided"),
    "approve": _("Approved"),
    "reject": _("Rejected"),
    "expire": _("Expired"),
    "reopen": _("Reopened"),
}


def field_label(name: str) -> str | None:
    """The label of an input or a dossier field named in an error or an audit event; None when it has none."""
    label = INPUT_LABELS.get(name) or FIELD_LABELS.get(name)
    return str(label) if label is not None else None


def kind_label(kind: str) -> str:
    """The name of a document kind; an unknown kind as it is."""
    try:
        return str(DocumentKind(kind).label)
    except ValueError:
        return kind
