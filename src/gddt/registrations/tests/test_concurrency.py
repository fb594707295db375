"""Real threads with their own database connections, on PostgreSQL (row locks and concurrent transactions)."""

import threading

import pytest
from django.db import connection

from gddt.core.errors import Problem
from gddt.registrations.models import Dossier
from gddt.registrations.services import registration_submit
from gddt_testing.factories import adult_data

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def run_together(count, target):
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index):
        try:
            barrier.wait()
            results[index] = target(index)
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_retries_with_one_idempotency_key_create_one_dossier(reference):
    data = adult_data()
    results = run_together(6, lambda i: registration_submit(data=data, files={}, idempotency_key="same-key"))
    assert all(not isinstance(r, Exception) for r in results), results
    assert len({r.dossier_id for r in results}) == 1
    assert len({r.receipt["dossier_no"] for r in results}) == 1
    assert Dossier.objects.count() == 1


def test_concurrent_submissions_for_one_person_open_one_dossier(reference):
    data = adult_data()
    results = run_together(4, lambda i: registration_submit(data=dict(data, phone=f"091234567{i}"), files={}))
    created = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Problem)]
    assert len(created) == 1 and len(refused) == 3, results
    assert all(r.status == 409 for r in refused)
    assert Dossier.objects.count() == 1


def test_fifty_concurrent_duplicates_tell_the_owner_once(reference):
    """The "not you?" message is limited by a row per phone and period under a unique constraint: of fifty tries at
    the same moment, one writes it and sends the message (a check-then-send let seven through)."""
    from gddt.notifications.models import SmsMessage

    data = adult_data()
    registration_submit(data=data, files={})
    results = run_together(50, lambda i: registration_submit(data=dict(data, phone=f"09870{i:05d}"), files={}))
    assert all(isinstance(r, Problem) and r.status == 409 for r in results), results
    assert SmsMessage.objects.filter(template="not_you").count() == 1
    assert Dossier.objects.count() == 1


def test_concurrent_registrations_from_one_address_stop_at_its_limit(reference, settings):
    settings.GDDT_REGISTRATIONS_PER_ADDRESS_PER_HOUR = 5
    results = run_together(12, lambda i: registration_submit(data=adult_data(), files={}, client_ip="203.0.113.9"))
    created = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Problem) and r.status == 429]
    assert len(created) == 5 and len(refused) == 7, results
