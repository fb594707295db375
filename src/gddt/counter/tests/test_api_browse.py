"""Browsing the queue stays within the officer's own subtree (rule 5); pages are `limit`/`offset`."""

from datetime import timedelta

from django.utils import timezone

from gddt.audit.models import AuditEvent
from gddt.counter.tests.apiclient import BASE, OfficerApi, complete, number_of
from gddt.registrations.models import Dossier
from gddt.registrations.services import registration_submit
from gddt_testing.factories import adult_data


def _listed(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["dossier_no"] for row in response.json()["results"]]


def test_an_officer_sees_only_the_dossiers_of_the_own_subtree(
    adult_dossier, minor_dossier, hcm_verifier, hanoi_verifier
):
    assert _listed(OfficerApi(hcm_verifier).get(BASE)) == [number_of(minor_dossier)]
    assert _listed(OfficerApi(hanoi_verifier).get(BASE)) == [number_of(adult_dossier)]


def test_browsing_another_provinces_office_is_a_404(adult_dossier, hcm_verifier):
    response = OfficerApi(hcm_verifier).get(BASE, {"office": "01"})
    assert response.status_code == 404
    assert OfficerApi(hcm_verifier).get(BASE, {"office": "nope"}).status_code == 404


def test_a_dossier_completed_at_my_office_is_in_my_queue_too(adult_dossier, hcm_verifier):
    complete(adult_dossier, hcm_verifier)  # chosen in Hà Nội, verified in Hồ Chí Minh
    assert number_of(adult_dossier) in _listed(OfficerApi(hcm_verifier).get(BASE, {"status": "verified"}))


def test_the_queue_filters_by_status_and_office(adult_dossier, hanoi_verifier, admin_officer):
    api = OfficerApi(hanoi_verifier)
    assert _listed(api.get(BASE, {"status": "submitted", "office": "01"})) == [number_of(adult_dossier)]
    assert _listed(api.get(BASE, {"status": "approved"})) == []
    response = api.get(BASE, {"status": "lost"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"
    assert number_of(adult_dossier) in _listed(OfficerApi(admin_officer).get(BASE, {"office": "01"}))


def test_the_queue_is_newest_first_and_paginated_with_limit_and_offset(hanoi_approver):
    numbers = []
    for days in (3, 2, 1):
        dossier = Dossier.objects.get(pk=registration_submit(data=adult_data(), files={}).dossier_id)
        Dossier.objects.filter(pk=dossier.pk).update(submitted_at=timezone.now() - timedelta(days=days))
        numbers.append(number_of(dossier))
    api = OfficerApi(hanoi_approver)
    first = api.get(BASE, {"limit": 2})
    assert first.json()["count"] == 3 and first.json()["limit"] == 2 and first.json()["offset"] == 0
    assert _listed(first) == [numbers[2], numbers[1]]
    assert _listed(api.get(BASE, {"limit": 2, "offset": 2})) == [numbers[0]]
    assert first.json()["results"][1]["age_days"] == 2
    assert api.get(BASE, {"limit": 0}).status_code == 422
    assert api.get(BASE, {"offset": -1}).status_code == 422


def test_browsing_is_audited(adult_dossier, hanoi_verifier):
    OfficerApi(hanoi_verifier).get(BASE, {"status": "submitted"})
    event = AuditEvent.objects.filter(action="dossier.browse").latest("id")
    assert event.actor == hanoi_verifier and event.detail == {"status": "submitted", "office": ""}


def test_an_officer_without_a_role_may_not_browse(outsider):
    assert OfficerApi(outsider).get(BASE).status_code == 403
