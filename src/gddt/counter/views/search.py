"""The counter's home: the search box, the approver's queue of verified dossiers, and the queue of the officer's
own offices."""

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gddt.accounts.selectors import offices_with_role
from gddt.core.clients import client_address
from gddt.core.errors import Problem
from gddt.counter import selectors
from gddt.counter.queues import approval_queue
from gddt.counter.views.common import OfficerRequest, counter_view, dossier_url
from gddt.counter.views.problems import problem_show
from gddt.offices.models import Office
from gddt.offices.selectors import office_subtree
from gddt.registrations.models import Category, Dossier, Status
from gddt.registrations.numbers import dossier_number_format

PAGE_SIZE = 25


@dataclass(frozen=True)
class Row:
    dossier: Dossier
    number: str
    status: str
    category: str
    age_days: int


def _rows(dossiers: Any) -> list[Row]:
    now = timezone.now()
    return [
        Row(
            dossier=d,
            number=dossier_number_format(d.number or ""),
            status=str(Status(d.status).label),
            category=str(Category(d.category).label),
            age_days=selectors.dossier_age_days(d, now=now),
        )
        for d in dossiers
    ]


def _browse_offices(request: OfficerRequest) -> list[Office]:
    offices: dict[str, Office] = {}
    for top in offices_with_role(request.user, selectors.BROWSE_ROLES):
        for office in office_subtree(top).filter(is_active=True):
            offices.setdefault(office.path, office)
    return [offices[path] for path in sorted(offices)]


@counter_view
@never_cache
@require_http_methods(["GET", "POST"])
def home(request: OfficerRequest) -> HttpResponse:
    """The search box (POST: a reference is an ID number and never goes into a URL) above the browse queue."""
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        q = request.POST.get("q", "")
        context["q"] = q
        try:
            hits = selectors.dossier_search(officer=request.user, q=q, client_ip=client_address(request))
        except Problem as problem:
            context["search_problem"] = problem_show(problem)
            status = problem.status
        else:
            if len(hits) == 1:
                return redirect(dossier_url(hits[0]))
            context["hits"] = _rows(hits)
            context["searched"] = True

    filter_status = request.GET.get("status", "")
    filter_office = request.GET.get("office", "")
    try:
        queue = selectors.dossier_browse(
            officer=request.user,
            status=filter_status or None,
            office_code=filter_office or None,
            client_ip=client_address(request),
        )
    except Problem as problem:
        if problem.status == 403:
            raise  # no role at all: the whole page is refused
        context["browse_problem"] = problem_show(problem)
        queue = None
    if queue is not None:
        page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
        context["page"] = page
        context["queue"] = _rows(page.object_list)
    awaiting = approval_queue(officer=request.user, client_ip=client_address(request))
    context.update(
        awaiting=_rows(awaiting) if awaiting is not None else None,
        statuses=Status.choices,
        offices=_browse_offices(request),
        filter_status=filter_status,
        filter_office=filter_office,
        # A director browses the queue but opens no dossier: the rows link only for those who may.
        can_open=bool(selectors.officer_roles(request.user) & selectors.ACTION_ROLES["view"]),
    )
    return render(request, "counter/home.html", context, status=status)
