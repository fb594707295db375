"""The dossier page's action panel: the steps of the counter (photos, print, signed scan, verify, approve) as this
officer sees them now, and the one to do next. It only reads what the view already knows (the state table's rules,
the allowed actions, what is missing, whether the declaration was printed); the services still decide."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gddt.registrations.models import Status

PHOTOS, PRINT, SIGNED, VERIFY, APPROVE, GUIDE, REOPEN = (
    "photos",
    "print",
    "signed",
    "verify",
    "approve",
    "guide",
    "reopen",
)


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    done: bool
    open: bool  # this officer may do it now


@dataclass(frozen=True)
class Panel:
    steps: list[Step]
    next: str  # the key of the step to do next, "" when this officer has nothing to do
    headline: str  # what to do now, or why there is nothing to do here


def panel_build(
    *,
    status: str,
    can: dict[str, bool],
    missing_photos: int,
    signed_missing: bool,
    printed: bool,
    approval_blocked_by_duties: bool,
) -> Panel:
    """The steps in the order of the counter's work; the next one is the first this officer may do that is not
    done. Approving is not offered as the next step while a component is missing (it would be refused)."""
    if status == Status.APPROVED:
        steps = [Step(GUIDE, _("Print the VssID guide for the person"), done=False, open=can["guide"])]
        return Panel(
            steps=steps,
            next=GUIDE if can["guide"] else "",
            headline=_("The account is active: give the person the VssID guide."),
        )
    if status == Status.REJECTED:
        return Panel(steps=[], next="", headline=_("The dossier is rejected: there is nothing more to do."))
    if status == Status.EXPIRED:
        if can["reopen"]:
            return Panel(
                steps=[Step(REOPEN, _("Reopen the dossier"), done=False, open=True)],
                next=REOPEN,
                headline=_("The dossier expired. If the person came back, reopen it."),
            )
        return Panel(steps=[], next="", headline=_("The dossier expired. A receiving officer may reopen it."))

    verified = status == Status.VERIFIED
    complete = missing_photos == 0 and not signed_missing
    photos_title = (
        (
            ngettext("Supplement the missing photo", "Supplement the %(n)d missing photos", missing_photos)
            % {"n": missing_photos}
        )
        if missing_photos
        else _("Photos")
    )
    steps = [
        Step(PHOTOS, photos_title, done=missing_photos == 0, open=can["edit"]),
        # The receiving officer prints the declaration and records it signed; an approver only reads.
        Step(
            PRINT,
            _("Print the declaration for the person to sign"),
            done=printed or not signed_missing,
            open=can["print"] and can["edit"],
        ),
        Step(SIGNED, _("Record the scan of the signed declaration"), done=not signed_missing, open=can["edit"]),
        Step(VERIFY, _("Compare the person and the originals, then verify"), done=verified, open=can["verify"]),
        Step(APPROVE, _("Approve and activate the account"), done=False, open=can["approve"] and complete),
    ]
    upcoming = next((step for step in steps if not step.done and step.open), None)
    if upcoming is not None:
        return Panel(steps=steps, next=upcoming.key, headline=upcoming.title)
    if approval_blocked_by_duties:
        headline = _("You verified this dossier: another approving officer approves it.")
    elif verified and not complete:
        headline = _("A component is missing: a receiving officer supplements it before approval.")
    elif verified:
        headline = _("Verified: waiting for an approving officer.")
    else:
        headline = _("Waiting for a receiving officer to verify it.")
    return Panel(steps=steps, next="", headline=headline)
