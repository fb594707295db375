"""Consent that can be shown later (product.md rule 16): each dossier records the version of the consent text, the
channel, who consented and, for a child aged 7 or more, the child's own agreement; the texts are versioned data."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gddt.consents.models import ConsentText
from gddt.consents.services import consent_text_create, consent_text_update
from gddt.consents.texts import FIRST_VERSION
from gddt.core.errors import Problem
from gddt.counter.tests.apiclient import OfficerApi, url
from gddt.counter.tests.test_web_support import officer_client, page_url
from gddt.registrations.models import Dossier
from gddt.registrations.tests.helpers import kept, post_json
from gddt.registrations.tests.test_web_register import DONE, FORM, form_fields
from gddt_testing.factories import adult_data, minor_data, personal_id_for

pytestmark = pytest.mark.django_db


def errors_of(response) -> dict[str, str]:
    return {error["field"]: error["code"] for error in response.json()["errors"]}


def _child(years: int, **overrides) -> dict:
    today = date.today()
    born = date(today.year - years, 1, 1) if (today.month, today.day) != (1, 1) else date(today.year - years - 1, 1, 2)
    return minor_data(
        date_of_birth=born.isoformat(),
        personal_id=personal_id_for(born=born, sex="female", province="079"),
        birth_certificate={"number": "45/2020", "issued_on": born.isoformat(), "issued_by": "UBND phường Bến Nghé"},
        **overrides,
    )


def _new_version(**changes) -> ConsentText:
    values = {key: value for key, value in FIRST_VERSION.items() if key != "version"}
    return consent_text_create(values={**values, "published_at": timezone.now() - timedelta(seconds=1), **changes})


def _last() -> Dossier:
    return Dossier.objects.order_by("-pk").first()


def test_an_api_registration_records_version_1_the_api_channel_and_the_person(client):
    response = post_json(client, adult_data())
    assert response.status_code == 201, response.content
    dossier = _last()
    assert dossier.consent_text.version == 1
    assert dossier.consent_channel == "api"
    assert dossier.consent_by == "person"
    assert dossier.child_consent_at is None
    assert dossier.consent_at == dossier.submitted_at


def test_version_1_is_the_wording_the_form_showed_before_texts_were_versioned():
    text = ConsentText.objects.get(version=1)
    assert text.text_en.startswith("I agree that Vietnam Social Security processes the data in this form")
    assert text.text_vi.startswith("Tôi đồng ý để Bảo hiểm xã hội Việt Nam xử lý")
    assert "nhạy cảm" in text.sensitive_notice_vi and "sensitive personal data" in text.sensitive_notice_en
    assert text.published_at <= timezone.now()


def test_a_guardian_registers_a_child_of_9_with_the_childs_own_agreement(client):
    response = post_json(client, minor_data())
    assert response.status_code == 201, response.content
    dossier = _last()
    assert dossier.consent_by == "guardian"
    assert dossier.child_consent_at == dossier.consent_at


def test_a_child_of_7_or_more_without_its_own_agreement_is_refused_and_nothing_is_kept(client):
    before = kept()
    without = _child(7)
    without.pop("child_consent")
    for data in (without, _child(7, child_consent=False)):
        response = post_json(client, data)
        assert response.status_code == 422
        assert errors_of(response) == {"child_consent": "child_consent_required"}
        assert "7" in response.json()["errors"][0]["message"]
    assert kept() == before


def test_a_child_under_7_needs_no_agreement_of_its_own(client):
    data = _child(5)
    data.pop("child_consent")
    response = post_json(client, data)
    assert response.status_code == 201, response.content
    dossier = _last()
    assert dossier.consent_by == "guardian" and dossier.child_consent_at is None


def test_a_childs_agreement_is_refused_on_an_adults_registration(client):
    response = post_json(client, adult_data(child_consent=True))
    assert response.status_code == 422
    assert errors_of(response) == {"child_consent": "not_for_category"}


def test_child_consent_must_be_a_boolean(client):
    response = post_json(client, minor_data(child_consent="yes"))
    assert response.status_code == 422
    assert errors_of(response) == {"child_consent": "invalid_type"}


def test_a_registration_that_saw_an_older_text_is_asked_to_agree_again(client):
    _new_version(text_en="Version two.", text_vi="Phiên bản hai.")
    before = kept()
    stale = post_json(client, adult_data(consent_version=1))
    assert stale.status_code == 422
    assert errors_of(stale) == {"consent_version": "consent_text_changed"}
    assert kept() == before
    current = post_json(client, adult_data(consent_version=2))
    assert current.status_code == 201, current.content
    assert _last().consent_text.version == 2


def test_a_new_version_is_used_at_once_and_old_dossiers_keep_theirs(client):
    post_json(client, adult_data())
    first = _last()
    _new_version(text_en="Version two.")
    post_json(client, adult_data(phone="0912000002"))
    second = _last()
    first.refresh_from_db()
    assert (first.consent_text.version, second.consent_text.version) == (1, 2)
    assert first.consent_text.text_en == FIRST_VERSION["text_en"]


def test_a_text_published_later_is_not_used_before_its_time(client):
    _new_version(published_at=timezone.now() + timedelta(days=3))
    post_json(client, adult_data())
    assert _last().consent_text.version == 1


def test_a_published_text_is_never_changed_but_a_future_one_may_be():
    published = ConsentText.objects.get(version=1)
    with pytest.raises(Problem) as refused:
        consent_text_update(text=published, values={"text_en": "Something else."})
    assert refused.value.status == 409 and refused.value.code == "consent_text_locked"
    assert ConsentText.objects.get(version=1).text_en == FIRST_VERSION["text_en"]
    future = _new_version(published_at=timezone.now() + timedelta(days=3))
    assert consent_text_update(text=future, values={"text_en": "Corrected."}).text_en == "Corrected."


def test_a_new_text_needs_every_wording():
    with pytest.raises(Problem) as refused:
        _new_version(child_text_vi="  ")
    assert refused.value.status == 422
    assert [error.field for error in refused.value.errors] == ["child_text_vi"]


def test_without_a_published_text_no_registration_is_taken_and_the_api_says_why(client):
    ConsentText.objects.all().delete()
    before = kept()
    response = post_json(client, adult_data())
    assert response.status_code == 503 and response.json()["code"] == "no_consent_text"
    assert kept() == before
    assert client.get("/api/v1/consent").status_code == 503


def test_the_api_gives_the_current_text_in_both_languages(client):
    body = client.get("/api/v1/consent").json()
    assert body["version"] == 1
    assert body["child_consent_age"] == 7
    assert body["vi"]["text"] == FIRST_VERSION["text_vi"]
    assert body["en"]["sensitive_notice"] == FIRST_VERSION["sensitive_notice_en"]


def test_the_form_shows_the_sensitive_data_notice_the_text_with_its_version_and_the_childs_checkbox(client):
    page = client.get(FORM).content.decode()
    assert FIRST_VERSION["sensitive_notice_vi"] in page
    assert FIRST_VERSION["text_vi"] in page
    assert FIRST_VERSION["child_text_vi"] in page
    assert 'name="consent_version" value="1"' in page
    assert 'name="child_consent"' in page
    english = client.get(FORM, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert FIRST_VERSION["sensitive_notice_en"] in english and "version 1" in english


def test_the_web_form_records_the_web_channel_and_asks_a_childs_agreement(client):
    refused = client.post(FORM, form_fields({**minor_data(), "child_consent": False, "consent_version": 1}))
    assert refused.status_code == 422
    assert "Trẻ từ đủ 7 tuổi trở lên cũng phải đồng ý" in refused.content.decode()
    response = client.post(FORM, form_fields({**minor_data(), "consent_version": 1}, token="second"))
    assert response.status_code == 302 and response["Location"] == DONE
    dossier = _last()
    assert dossier.consent_channel == "web" and dossier.consent_by == "guardian"
    assert dossier.child_consent_at is not None and dossier.consent_text.version == 1


def test_the_officer_api_answer_shows_the_consent_record(hcm_verifier, minor_dossier):
    body = OfficerApi(hcm_verifier).get(url(minor_dossier)).json()
    assert body["consent"] == {
        "version": 1,
        "given_at": body["consent"]["given_at"],
        "channel": "api",
        "given_by": "guardian",
        "child_agreed_at": body["consent"]["given_at"],
    }


def test_the_officers_page_shows_the_consent_record(hanoi_verifier, minor_dossier):
    page = officer_client(hanoi_verifier).get(page_url(minor_dossier)).content.decode()
    assert "Consent text version 1" in page
    assert "The parent or guardian" in page and "API" in page
    assert 'id="child-consent"' in page


def test_a_dossier_from_before_versioned_consent_is_shown_with_its_time_only(hanoi_verifier, adult_dossier):
    Dossier.objects.filter(pk=adult_dossier.pk).update(consent_text=None, consent_channel="", consent_by="")
    body = OfficerApi(hanoi_verifier).get(url(adult_dossier)).json()
    assert body["consent"]["version"] is None and body["consent"]["channel"] is None
    page = officer_client(hanoi_verifier).get(page_url(adult_dossier)).content.decode()
    assert "registered before consent texts were versioned" in page


def _admin_client(admin_officer):
    admin_officer.is_staff = admin_officer.is_superuser = True
    admin_officer.save()
    return officer_client(admin_officer)


def test_an_administrator_adds_the_next_version_in_the_admin(admin_officer):
    client = _admin_client(admin_officer)
    values = {key: value for key, value in FIRST_VERSION.items() if key != "version"}
    now = timezone.localtime()
    response = client.post(
        "/quan-tri/consents/consenttext/add/",
        {**values, "text_en": "Version two.", "published_at_0": now.date().isoformat(), "published_at_1": "00:00:00"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ConsentText.objects.get(version=2).text_en == "Version two."


def test_the_admin_shows_a_published_version_read_only_and_deletes_none(admin_officer):
    client = _admin_client(admin_officer)
    first = ConsentText.objects.get(version=1)
    page = client.get(f"/quan-tri/consents/consenttext/{first.pk}/change/").content.decode()
    assert 'name="text_vi"' not in page and FIRST_VERSION["text_vi"] in page
    client.post(f"/quan-tri/consents/consenttext/{first.pk}/change/", {"text_vi": "Đổi."})
    assert ConsentText.objects.get(version=1).text_vi == FIRST_VERSION["text_vi"]
    assert client.post(f"/quan-tri/consents/consenttext/{first.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ConsentText.objects.filter(version=1).exists()
