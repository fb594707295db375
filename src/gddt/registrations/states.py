"""The one table of the dossier's states and the actions that move it (product.md, "The dossier and its life")."""

from gddt.registrations.models import Status

TRANSITIONS: dict[tuple[str, Status], Status] = {
    ("submit", Status.SUBMITTED): Status.SUBMITTED,  # creation; from_status is recorded as ""
    ("verify", Status.SUBMITTED): Status.VERIFIED,
    ("approve", Status.VERIFIED): Status.APPROVED,
    ("reject", Status.SUBMITTED): Status.REJECTED,
    ("reject", Status.VERIFIED): Status.REJECTED,
    ("expire", Status.SUBMITTED): Status.EXPIRED,
    ("reopen", Status.EXPIRED): Status.SUBMITTED,
}

# States in which the dossier's data and documents may still change at the counter.
EDITABLE = {Status.SUBMITTED, Status.VERIFIED}


def next_status(action: str, current: str) -> Status | None:
    return TRANSITIONS.get((action, Status(current)))


def allowed_actions(current: str) -> list[str]:
    return [action for (action, state) in TRANSITIONS if state == current and action != "submit"]
