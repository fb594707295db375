"""A refusal (a Problem from a service) as the officer reads it on a counter page."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from gddt.core.errors import Problem
from gddt.counter.labels import field_label, kind_label


@dataclass(frozen=True)
class ShownProblem:
    title: str
    lines: list[str]
    missing: list[str]
    fields: dict[str, str]
    stale: bool


def problem_show(problem: Problem) -> ShownProblem:
    """A Problem as the officer reads it: each error with the field it names, and the missing components."""
    lines: list[str] = []
    fields: dict[str, str] = {}
    missing_kinds = problem.extra.get("missing_documents", [])
    for error in problem.errors:
        if missing_kinds and error.field in missing_kinds:
            continue  # listed below as the missing components
        label = field_label(error.field)
        lines.append(f"{label}: {error.message}" if label else str(error.message))
        fields.setdefault(error.field, str(error.message))
    codes = {problem.code, *(error.code for error in problem.errors)}
    stale = problem.status == 412 or "stale_version" in codes
    title = str(problem.title)
    if stale:
        title = _(
            "Someone changed this dossier while you were looking at it. The page now shows the latest "
            "data: check it and do it again."
        )
    elif "mistyped_dossier_no" in codes:
        title = _(
            "This dossier number is mistyped: its check digit does not match. Read it again from the SMS "
            "or the printed declaration."
        )
        lines = []
    elif missing_kinds:
        title = _("Not approved: a required component is missing. Supplement it first, then approve.")
    missing = [kind_label(kind) for kind in missing_kinds]
    return ShownProblem(title=title, lines=lines, missing=missing, fields=fields, stale=stale)
