"""The per-process copies of the reference data a registration reads: an administrator's edit is seen at once in
the process that made it, and within a minute everywhere else (here: a change that sends no signal)."""

import time
from unittest import mock

import pytest

from gddt.core.reference import REFERENCE_SECONDS
from gddt.offices.models import Office
from gddt.registrations.models import RequiredComponent
from gddt_testing.factories import adult_data

from .helpers import post_json

pytestmark = pytest.mark.django_db


def test_an_office_closed_by_an_administrator_is_refused_at_once(client):
    assert post_json(client, adult_data()).status_code == 201
    office = Office.objects.get(code="01")
    office.is_active = False
    office.save()
    refused = post_json(client, adult_data())
    assert refused.status_code == 422
    assert {e["field"]: e["code"] for e in refused.json()["errors"]} == {"office_code": "unknown_office"}


def test_a_change_made_elsewhere_is_seen_within_the_cache_period(client):
    assert post_json(client, adult_data()).status_code == 201
    Office.objects.filter(code="01").update(is_active=False)  # another process: no signal reaches this one
    later = time.monotonic() + REFERENCE_SECONDS + 1
    with mock.patch("gddt.core.reference.time.monotonic", return_value=later):
        assert post_json(client, adult_data()).status_code == 422


def test_a_required_component_edited_in_the_admin_changes_what_is_missing(client):
    assert "portrait" in post_json(client, adult_data()).json()["missing_documents"]
    RequiredComponent.objects.get(category="with_id_card", kind="portrait").delete()
    assert "portrait" not in post_json(client, adult_data()).json()["missing_documents"]
