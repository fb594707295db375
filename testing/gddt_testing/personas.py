"""Personas shared by the whole suite, as pytest fixtures (src/gddt/conftest.py loads them as a plugin)."""

import pytest

# Personas shared by the whole suite (style.md): a verifier and an approver at two offices in different
# provinces, a director of a province, an administrator, and an outsider with no role.
PERSONA_PASSWORD = "Mật-khẩu-thử-nghiệm-2026"


def _officer(username: str, office_code: str, roles: list[str]):
    from gddt.accounts.services import officer_create
    from gddt.offices.models import Office

    return officer_create(
        username=username,
        office=Office.objects.get(code=office_code),
        roles=roles,
        password=PERSONA_PASSWORD,
        full_name=f"Cán bộ {username}",
    )


@pytest.fixture
def hanoi_verifier(db):
    return _officer("hn.verifier", "01", ["verifier"])


@pytest.fixture
def hanoi_approver(db):
    return _officer("hn.approver", "01", ["approver"])


@pytest.fixture
def hcm_verifier(db):
    return _officer("hcm.verifier", "79", ["verifier"])


@pytest.fixture
def hcm_approver(db):
    return _officer("hcm.approver", "79", ["approver"])


@pytest.fixture
def hanoi_director(db):
    return _officer("hn.director", "01", ["director"])


@pytest.fixture
def admin_officer(db):
    return _officer("central.admin", "00", ["admin"])


@pytest.fixture
def outsider(db):
    """An officer of Hà Nội with no role at all."""
    return _officer("hn.outsider", "01", [])


@pytest.fixture
def adult_dossier(db):
    """A with_id_card dossier submitted online without photos, choosing the Hà Nội office."""
    from gddt.registrations.models import Dossier
    from gddt.registrations.services import registration_submit
    from gddt_testing.factories import adult_data

    return Dossier.objects.get(pk=registration_submit(data=adult_data(), files={}).dossier_id)


@pytest.fixture
def minor_dossier(db):
    """A minor_without_id_card dossier submitted online without photos, choosing the Hồ Chí Minh office."""
    from gddt.registrations.models import Dossier
    from gddt.registrations.services import registration_submit
    from gddt_testing.factories import minor_data

    return Dossier.objects.get(pk=registration_submit(data=minor_data(), files={}).dossier_id)
