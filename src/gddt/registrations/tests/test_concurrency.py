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
