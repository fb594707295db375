from datetime import date, timedelta

import pytest

from gddt.accounts.auth import api_token_create
from gddt.accounts.models import RoleAssignment
from gddt.accounts.selectors import officer_has_role, staff_list
from gddt.accounts.services import officer_create, officer_roles_set
from gddt.audit.models import AuditEvent
from gddt.core.errors import Problem
from gddt.offices.models import Office
from gddt.offices.services import offices_import_csv
from gddt_testing.personas import PERSONA_PASSWORD


def roles_of(user, code: str) -> list[str]:
    return sorted(RoleAssignment.objects.filter(user=user, office__code=code).values_list("role", flat=True))


def put(client, token: str, username: str, body: dict):
    return client.put(
        f"/api/v1/office/staff/{username}/roles",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


@pytest.fixture
def local_offices(db):
    offices_import_csv(text="code,name,parent_code\n00101,BHXH cơ sở Hoàn Kiếm,01\n07906,BHXH cơ sở Bình Thạnh,79\n")


@pytest.fixture
def hoan_kiem_officer(local_offices):
    return officer_create(
        username="hk.officer",
        office=Office.objects.get(code="00101"),
        roles=[],
        password=PERSONA_PASSWORD,
        full_name="Cán bộ Hoàn Kiếm",
    )


# --- the service ------------------------------------------------------------------------------------------------


def test_a_director_replaces_the_roles_of_an_officer_below_and_it_is_audited(hanoi_director, hoan_kiem_officer):
    officer_roles_set(director=hanoi_director, username="hk.officer", office_code="00101", roles=["verifier"])
    assert roles_of(hoan_kiem_officer, "00101") == ["verifier"]
    assert officer_has_role(hoan_kiem_officer, {"verifier"}, office=Office.objects.get(code="00101"))

    officer_roles_set(
        director=hanoi_director, username="hk.officer", office_code="00101", roles=["approver", "director"]
    )
    assert roles_of(hoan_kiem_officer, "00101") == ["approver", "director"]

    events = list(AuditEvent.objects.filter(action="roles.change", target="hk.officer").order_by("id"))
    assert [(e.detail["before"], e.detail["after"]) for e in events] == [
        ([], ["verifier"]),
        (["verifier"], ["approver", "director"]),
    ]
    assert all(e.actor == hanoi_director and e.detail["office"] == "00101" for e in events)
    assert RoleAssignment.objects.get(user=hoan_kiem_officer, role="approver").granted_by == hanoi_director


def test_withdrawing_every_role_removes_them(hanoi_director, hanoi_verifier):
    officer_roles_set(director=hanoi_director, username="hn.verifier", office_code="01", roles=[])
    assert roles_of(hanoi_verifier, "01") == []
    assert AuditEvent.objects.get(action="roles.change").detail["after"] == []


def test_a_director_may_give_a_role_at_an_office_below_to_an_officer_of_the_province(
    hanoi_director, hanoi_verifier, local_offices
):
    officer_roles_set(director=hanoi_director, username="hn.verifier", office_code="00101", roles=["approver"])
    assert roles_of(hanoi_verifier, "00101") == ["approver"]
    assert roles_of(hanoi_verifier, "01") == ["verifier"]  # other offices untouched


def test_dates_limit_the_role(hanoi_director, outsider):
    today = date.today()
    officer_roles_set(
        director=hanoi_director,
        username="hn.outsider",
        office_code="01",
        roles=["verifier"],
        starts_on=today + timedelta(days=3),
        ends_on=today + timedelta(days=10),
    )
    assert not officer_has_role(outsider, {"verifier"})
    assignment = RoleAssignment.objects.get(user=outsider)
    assert (assignment.starts_on, assignment.ends_on) == (today + timedelta(days=3), today + timedelta(days=10))


def test_a_director_of_hanoi_gets_404_for_an_officer_of_ho_chi_minh_city(hanoi_director, hcm_approver):
    with pytest.raises(Problem) as caught:
        officer_roles_set(director=hanoi_director, username="hcm.approver", office_code="79", roles=["verifier"])
    assert caught.value.status == 404
    assert roles_of(hcm_approver, "79") == ["approver"]
    assert not AuditEvent.objects.filter(action="roles.change").exists()


def test_a_director_of_hanoi_gets_404_for_an_office_of_ho_chi_minh_city(hanoi_director, hanoi_verifier):
    with pytest.raises(Problem) as caught:
        officer_roles_set(director=hanoi_director, username="hn.verifier", office_code="79", roles=["verifier"])
    assert caught.value.status == 404
    with pytest.raises(Problem) as caught:
        officer_roles_set(director=hanoi_director, username="hn.verifier", office_code="nope", roles=["verifier"])
    assert caught.value.status == 404
    assert not RoleAssignment.objects.filter(user=hanoi_verifier, office__code="79").exists()


@pytest.mark.parametrize("actor", ["outsider", "hanoi_verifier", "hcm_approver"])
def test_an_officer_who_is_not_a_director_gets_403(request, actor, hanoi_verifier, outsider):
    with pytest.raises(Problem) as caught:
        officer_roles_set(
            director=request.getfixturevalue(actor), username="hn.outsider", office_code="01", roles=["verifier"]
        )
    assert caught.value.status == 403
    assert roles_of(outsider, "01") == []


def test_a_director_cannot_grant_or_withdraw_the_administrator_role(hanoi_director, hanoi_verifier):
    with pytest.raises(Problem) as caught:
        officer_roles_set(
            director=hanoi_director, username="hn.verifier", office_code="01", roles=["verifier", "admin"]
        )
    assert caught.value.status == 403 and caught.value.code == "admin_not_grantable"
    RoleAssignment.objects.create(user=hanoi_verifier, office=Office.objects.get(code="01"), role="admin")
    with pytest.raises(Problem) as caught:
        officer_roles_set(director=hanoi_director, username="hn.verifier", office_code="01", roles=["verifier"])
    assert caught.value.status == 403
    assert roles_of(hanoi_verifier, "01") == ["admin", "verifier"]


def test_an_administrator_can_grant_the_administrator_role(admin_officer, hcm_approver):
    officer_roles_set(director=admin_officer, username="hcm.approver", office_code="79", roles=["approver", "admin"])
    assert roles_of(hcm_approver, "79") == ["admin", "approver"]


def test_a_director_cannot_change_their_own_roles(hanoi_director):
    with pytest.raises(Problem) as caught:
        officer_roles_set(director=hanoi_director, username="hn.director", office_code="01", roles=["admin"])
    assert caught.value.status == 403 and caught.value.code == "own_roles"


def test_unknown_roles_and_backwards_dates_are_refused_naming_the_field(hanoi_director, hanoi_verifier):
    with pytest.raises(Problem) as caught:
        officer_roles_set(
            director=hanoi_director,
            username="hn.verifier",
            office_code="01",
            roles=["boss"],
            starts_on=date(2026, 5, 1),
            ends_on=date(2026, 4, 1),
        )
    assert caught.value.status == 422
    assert sorted(e.field for e in caught.value.errors) == ["ends_on", "roles"]
    assert roles_of(hanoi_verifier, "01") == ["verifier"]


def test_the_staff_list_holds_the_officers_of_the_subtree_with_current_and_future_roles(
    hanoi_director, hanoi_verifier, outsider, hcm_approver, hoan_kiem_officer
):
    today = date.today()
    hanoi = Office.objects.get(code="01")
    RoleAssignment.objects.create(user=outsider, office=hanoi, role="approver", starts_on=today + timedelta(days=5))
    RoleAssignment.objects.create(
        user=outsider, office=Office.objects.get(code="00101"), role="verifier", ends_on=today - timedelta(days=1)
    )
    members = {m.user.username: m for m in staff_list(director=hanoi_director)}
    assert set(members) == {"hn.director", "hn.verifier", "hn.outsider", "hk.officer"}
    assert [(row.office.code, row.roles) for row in members["hn.outsider"].offices] == [("01", ["approver"])]
    assert [row.editable for row in members["hn.director"].offices] == [False]  # own roles
    assert [row.editable for row in members["hn.verifier"].offices] == [True]


# --- the API ----------------------------------------------------------------------------------------------------


def test_get_staff_lists_the_subtree_with_roles(client, hanoi_director, hanoi_verifier, hcm_approver):
    response = client.get("/api/v1/office/staff", HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=hanoi_director)}")
    assert response.status_code == 200
    by_name = {row["username"]: row for row in response.json()}
    assert "hcm.approver" not in by_name
    assert by_name["hn.verifier"]["office_code"] == "01"
    assert by_name["hn.verifier"]["roles"] == [
        {"office_code": "01", "role": "verifier", "starts_on": None, "ends_on": None}
    ]


def test_put_roles_replaces_them_and_answers_the_officer(client, hanoi_director, hanoi_verifier):
    token = api_token_create(user=hanoi_director)
    response = put(
        client,
        token,
        "hn.verifier",
        {"office_code": "01", "roles": ["verifier", "approver"], "starts_on": "2026-01-01"},
    )
    assert response.status_code == 200
    assert sorted(r["role"] for r in response.json()["roles"]) == ["approver", "verifier"]
    assert roles_of(hanoi_verifier, "01") == ["approver", "verifier"]
    assert AuditEvent.objects.filter(action="roles.change", target="hn.verifier").count() == 1


def test_put_roles_outside_the_subtree_is_404_and_bad_input_is_422(
    client, hanoi_director, hanoi_verifier, hcm_approver
):
    token = api_token_create(user=hanoi_director)
    response = put(client, token, "hcm.approver", {"office_code": "79", "roles": ["verifier"]})
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    response = put(client, token, "hn.verifier", {"office_code": "01", "roles": ["boss"]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "roles"
    response = put(
        client,
        token,
        "hn.verifier",
        {"office_code": "01", "roles": ["verifier"], "starts_on": "2026-05-01", "ends_on": "2026-04-01"},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "ends_on"
    response = put(client, token, "hn.verifier", {"office_code": "01", "roles": ["admin"]})
    assert response.status_code == 403


def test_the_outsider_gets_403_on_the_staff_endpoints(client, outsider, hanoi_verifier):
    token = api_token_create(user=outsider)
    response = client.get("/api/v1/office/staff", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    response = put(client, token, "hn.verifier", {"office_code": "01", "roles": []})
    assert response.status_code == 403
    assert roles_of(hanoi_verifier, "01") == ["verifier"]


def test_the_staff_endpoints_need_a_token(client, hanoi_director):
    assert client.get("/api/v1/office/staff").status_code == 401
    response = client.put(
        "/api/v1/office/staff/hn.director/roles", {"office_code": "01", "roles": []}, content_type="application/json"
    )
    assert response.status_code == 401


# --- the web page ------------------------------------------------------------------------------------------------


def test_the_director_sees_the_staff_of_the_subtree_on_the_page(
    verified_client, hanoi_director, hanoi_verifier, hcm_approver
):
    response = verified_client(hanoi_director).get("/can-bo/nhan-su/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "hn.verifier" in html and "hcm.approver" not in html
    assert 'value="admin"' not in html  # a director is not offered the administrator role
    assert "private" in response["Cache-Control"]


def test_the_director_sets_roles_with_the_form(verified_client, hanoi_director, hanoi_verifier):
    client = verified_client(hanoi_director)
    response = client.post(
        "/can-bo/nhan-su/hn.verifier/vai-tro/",
        {
            "office_code": "01",
            "roles": ["verifier", "approver"],
            "starts_on": "",
            "ends_on": "2030-12-31",
            "next": "/can-bo/nhan-su/?q=hn",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/can-bo/nhan-su/?q=hn"
    assert roles_of(hanoi_verifier, "01") == ["approver", "verifier"]
    assert RoleAssignment.objects.filter(user=hanoi_verifier, ends_on=date(2030, 12, 31)).count() == 2
    assert "flash-success" in response.content.decode()
    assert AuditEvent.objects.filter(action="roles.change", target="hn.verifier").exists()


def test_the_page_shows_why_a_change_was_refused(verified_client, hanoi_director, hanoi_verifier):
    client = verified_client(hanoi_director)
    response = client.post(
        "/can-bo/nhan-su/hn.verifier/vai-tro/",
        {"office_code": "01", "roles": ["verifier"], "starts_on": "2026-05-01", "ends_on": "2026-04-01"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "The end date is before the start date." in response.content.decode()
    assert roles_of(hanoi_verifier, "01") == ["verifier"]
    assert not AuditEvent.objects.filter(action="roles.change").exists()


def test_the_outsider_gets_403_on_the_staff_page(verified_client, outsider):
    client = verified_client(outsider)
    assert client.get("/can-bo/nhan-su/").status_code == 403
