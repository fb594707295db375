"""The history of a dossier: every recorded look and action, oldest first, and its transitions."""

from gddt.audit.models import AuditEvent
from gddt.counter.tests.apiclient import CLIENT_IP, OfficerApi, url


def test_the_history_lists_the_events_oldest_first_with_who_where_and_from_which_address(
    adult_dossier, hanoi_verifier, hcm_verifier
):
    OfficerApi(hanoi_verifier).get(url(adult_dossier))
    OfficerApi(hcm_verifier).post(url(adult_dossier, "/verify"))
    response = OfficerApi(hcm_verifier).get(url(adult_dossier, "/history"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    body = response.json()
    assert [(e["action"], e["actor"], e["office_code"]) for e in body["events"]] == [
        ("dossier.view", "hn.verifier", "01"),
        ("dossier.verify", "hcm.verifier", "79"),
        ("history.view", "hcm.verifier", "79"),
    ]
    assert all(e["client_ip"] == CLIENT_IP and e["at"] for e in body["events"])
    assert [
        (t["action"], t["from_status"], t["to_status"], t["actor"], t["office_code"]) for t in body["transitions"]
    ] == [("submit", None, "submitted", None, None), ("verify", "submitted", "verified", "hcm.verifier", "79")]


def test_looking_at_the_history_is_itself_recorded(adult_dossier, hanoi_verifier):
    OfficerApi(hanoi_verifier).get(url(adult_dossier, "/history"))
    assert AuditEvent.objects.filter(action="history.view", dossier=adult_dossier, actor=hanoi_verifier).exists()


def test_the_history_holds_only_this_dossiers_events(adult_dossier, minor_dossier, hanoi_verifier):
    OfficerApi(hanoi_verifier).get(url(minor_dossier))
    body = OfficerApi(hanoi_verifier).get(url(adult_dossier, "/history")).json()
    assert [e["action"] for e in body["events"]] == ["history.view"]
