import pytest

from gddt_testing.factories import adult_data

from .helpers import post_json

pytestmark = pytest.mark.django_db


def test_guessing_personal_ids_behind_a_known_number_is_stopped(client, settings):
    settings.GDDT_STATUS_LOOKUPS_PER_WINDOW = 5
    data = adult_data()
    number = post_json(client, data).json()["dossier_no"]
    guesses = [client.get(f"/api/v1/registrations/{number}", {"verify": f"00109001{i:04d}"}) for i in range(5)]
    assert [g.status_code for g in guesses] == [404] * 5
    refused = client.get(f"/api/v1/registrations/{number}", {"verify": data["personal_id"]})
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    # The window is counted in buckets of a sixtieth of it (core/throttle.py): the wait is the window at most, plus
    # one bucket for the hits whose exact second is not kept.
    assert 0 < refused.json()["retry_after"] <= 600 + 10
    assert refused["Retry-After"] == str(refused.json()["retry_after"])


def test_another_client_is_not_held_back(client, settings):
    settings.GDDT_STATUS_LOOKUPS_PER_WINDOW = 1
    data = adult_data()
    number = post_json(client, data).json()["dossier_no"]
    assert client.get(f"/api/v1/registrations/{number}", {"verify": "0"}, REMOTE_ADDR="10.0.0.1").status_code == 404
    found = client.get(f"/api/v1/registrations/{number}", {"verify": data["personal_id"]}, REMOTE_ADDR="10.0.0.2")
    assert found.status_code == 200


def test_the_status_page_says_to_wait_when_the_limit_is_reached(client, settings):
    settings.GDDT_STATUS_LOOKUPS_PER_WINDOW = 1
    data = adult_data()
    number = post_json(client, data).json()["dossier_no"]
    first = client.post("/tra-cuu/", {"dossier_no": number, "verify": data["personal_id"]})
    second = client.post(
        "/tra-cuu/", {"dossier_no": number, "verify": data["personal_id"]}, headers={"Accept-Language": "en"}
    )
    assert first.status_code == 200
    assert second.status_code == 429
    assert "Too many attempts" in second.content.decode()
