"""The dossier's states (product.md, "The dossier and its life"): the one table of transitions and every rule that
depends on the state. Services enforce them through `state_check`; views and templates only read them."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gddt.core.errors import conflict
from gddt.registrations.models import DocumentKind, Status

TRANSITIONS: dict[tuple[str, Status], Status] = {
    ("submit", Status.SUBMITTED): Status.SUBMITTED,  # creation; from_status is recorded as ""
    ("verify", Status.SUBMITTED): Status.VERIFIED,
    # "Verification voided" (rule 7): the data or a document other than the signed declaration changed after
    # verification, so what would be approved is no longer what was verified. Taken by the change, not chosen.
    ("void_verification", Status.VERIFIED): Status.SUBMITTED,
    ("approve", Status.VERIFIED): Status.APPROVED,
    ("reject", Status.SUBMITTED): Status.REJECTED,
    ("reject", Status.VERIFIED): Status.REJECTED,
    ("expire", Status.SUBMITTED): Status.EXPIRED,
    ("reopen", Status.EXPIRED): Status.SUBMITTED,
}

# Transitions that follow from something else (creation, a change after verification), never offered to an officer.
AUTOMATIC = frozenset({"submit", "void_verification"})

# What may be done to a dossier that is not a transition; state_check judges these too.
EDIT = "edit"  # correct its data, supplement or replace its documents
PRINT_DECLARATION = "print_declaration"
PRINT_GUIDE = "print_guide"  # the VssID guide names the activated account


@dataclass(frozen=True)
class StateRules:
    allows: frozenset[str]  # EDIT and the prints allowed in this state (transitions are in TRANSITIONS)
    citizen_deadline: bool = False  # the status page shows the date to complete it by
    citizen_missing: bool = False  # the status page lists the documents still missing
    citizen_bring: bool = False  # the status page lists the originals to bring to an office


RULES: dict[Status, StateRules] = {
    Status.SUBMITTED: StateRules(
        frozenset({EDIT, PRINT_DECLARATION}), citizen_deadline=True, citizen_missing=True, citizen_bring=True
    ),
    Status.VERIFIED: StateRules(frozenset({EDIT, PRINT_DECLARATION}), citizen_missing=True),
    Status.APPROVED: StateRules(frozenset({PRINT_DECLARATION, PRINT_GUIDE})),
    Status.REJECTED: StateRules(frozenset()),
    # The person may still turn up and have it reopened: they are told what to bring.
    Status.EXPIRED: StateRules(frozenset(), citizen_missing=True, citizen_bring=True),
}

# The refusal of each action that is not a transition: (code, title). A transition is refused as invalid_transition.
_REFUSALS: dict[str, tuple[str, str | Promise]] = {
    EDIT: ("not_editable", _("A dossier in the state “%(status)s” can no longer be changed.")),
    PRINT_DECLARATION: ("not_printable", _("The declaration is not printed for a dossier in the state “%(status)s”.")),
    PRINT_GUIDE: ("not_approved", _("The VssID guide is printed once the dossier is approved.")),
}
_INVALID_TRANSITION = _("This action is not possible for a dossier in the state “%(status)s”.")


def next_status(action: str, current: str) -> Status | None:
    """The state a transition leads to from `current`, or None when the table has no such transition."""
    return TRANSITIONS.get((action, Status(current)))


def allowed_actions(current: str) -> list[str]:
    """The transitions an officer may take from `current` (the AUTOMATIC ones are not)."""
    return [action for (action, state) in TRANSITIONS if state == current and action not in AUTOMATIC]


def edit_voids_verification(*, status: str, document_kind: str | None = None) -> bool:
    """Rule 7: does a change of the data (`document_kind` None) or of a document of `document_kind` void the
    verification of a dossier in `status`? Every change does, except that of the signed declaration, which is
    the person's signature on the verified data and changes none of it."""
    if next_status("void_verification", status) is None:
        return False
    return document_kind != DocumentKind.SIGNED_DECLARATION


def state_allows(*, action: str, status: str) -> bool:
    """May `action` (a transition, EDIT or a print) be done to a dossier in `status`?"""
    if action in _REFUSALS:
        return action in state_rules(status).allows
    return next_status(action, status) is not None


def state_check(*, action: str, status: str) -> None:
    """THE check of the state: a 409 naming the state when `action` is not allowed in `status`."""
    if state_allows(action=action, status=status):
        return
    code, title = _REFUSALS.get(action, ("invalid_transition", _INVALID_TRANSITION))
    raise conflict(code, title % {"status": Status(status).label})


def state_rules(status: str) -> StateRules:
    """The rules of a state, for the pages that show what it allows."""
    return RULES[Status(status)]
