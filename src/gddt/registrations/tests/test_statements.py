"""What one registration costs the database, counted (not timed): the statements of a JSON registration."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gddt.registrations.models import Dossier
from gddt.registrations.numbers import dossier_number_is_valid
from gddt_testing.factories import adult_data, minor_data

from .helpers import post_json

# Transactions as in production (no test transaction around the request, so no savepoints); BEGIN and COMMIT are
# not statements that read or write, and SQLite's BEGIN IMMEDIATE is the only one the capture sees.
pytestmark = pytest.mark.django_db(transaction=True)
CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)


def _statements(client, data) -> tuple[int, list[str], dict]:
    with CaptureQueriesContext(connection) as captured:
        response = post_json(client, data)
    assert response.status_code == 201, response.content
    statements = [q["sql"] for q in captured.captured_queries if not CONTROL.match(q["sql"])]
    assert len(statements) >= len(captured) - 2, "only BEGIN and COMMIT are left out"
    return len(statements), statements, response.json()


def test_a_json_registration_runs_at_most_five_statements(client, reference):
    post_json(client, adult_data())  # the first one of the process reads the reference data
    count, statements, body = _statements(client, adult_data(phone="0912000001"))
    assert count <= 5, "\n".join(statements)
    assert body["sms_sent"] is True
    assert not any(sql.lstrip().upper().startswith("UPDATE") for sql in statements), statements


def test_a_minors_registration_runs_at_most_five_statements_too(client, reference):
    post_json(client, minor_data())
    count, statements, _body = _statements(
        client, minor_data(phone="0987000001", guardian={**minor_data()["guardian"], "phone": "0987000001"})
    )
    assert count <= 5, "\n".join(statements)


def test_the_number_comes_from_the_insert_and_stays_a_valid_findable_number(client):
    first = post_json(client, adult_data()).json()
    second = post_json(client, adult_data()).json()
    digits = [receipt["dossier_no"].replace("-", "") for receipt in (first, second)]
    assert all(dossier_number_is_valid(number) for number in digits)
    assert digits[0] != digits[1]
    stored = list(Dossier.objects.order_by("pk").values_list("number", flat=True))
    assert stored == digits
    assert first["missing_documents"] == ["id_front", "id_back", "portrait", "signed_declaration"]


def test_the_number_is_made_from_the_databases_sequence(client):
    """SQLite: the row's own id, as every number given before; PostgreSQL: the sequence of the numbers."""
    from gddt.registrations.numbers import dossier_number_make
    from gddt.registrations.sequence import SEQUENCE

    receipt = post_json(client, adult_data()).json()
    dossier = Dossier.objects.get()
    if connection.vendor == "sqlite":
        sequence = dossier.pk
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT last_value FROM {SEQUENCE}")
            sequence = cursor.fetchone()[0]
    assert dossier.number == dossier_number_make(year=dossier.submitted_at.year % 100, sequence=sequence)
    assert receipt["dossier_no"].replace("-", "") == dossier.number
