"""The photos of a form that comes back with an error are kept for an hour against the form's token, shown as
received, and sent with the corrected form; nothing is dropped silently, nothing is public, nothing outlives the
hour. Also what the form says about the personal ID, a name without diacritics and the two ID checks at once."""

import hashlib
import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gddt.core.registry import periodic_jobs
from gddt.registrations import staging
from gddt.registrations.models import Document, Dossier
from gddt.registrations.tests.test_web_register import FORM, form_fields, form_token, photo
from gddt.registrations.validators import Invalid
from gddt_testing.factories import adult_data, jpeg_bytes, personal_id_for
from gddt_testing.storage import stored_files

pytestmark = pytest.mark.django_db


def _with_error(data: dict) -> dict:
    return {**data, "phone": "12345"}  # not a Vietnamese mobile: the form comes back


def _first_form(client: Client) -> str:
    return form_token(client.get(FORM).content.decode())


def test_accepted_photos_are_kept_and_sent_with_the_corrected_form(client):
    data = adult_data()
    token = _first_form(client)
    body = form_fields(_with_error(data), token=token)
    body.update(id_front=photo(), id_back=photo(), portrait=photo(width=800, height=1000))

    page = client.post(FORM, body).content.decode()

    for kind in ("id_front", "id_back", "portrait"):
        assert f'src="/dang-ky/anh-da-nhan/{kind}/"' in page  # received thumbnails
    assert "Chọn ảnh khác" in page and "Đã nhận ảnh" in page
    assert token not in "".join(re.findall(r'src="([^"]+)"', page))  # the token is never in a URL
    assert len(stored_files()) == 6  # three photos and their previews, privately
    assert Dossier.objects.count() == 0

    # Corrected, sent without choosing the photos again: the dossier has them all.
    response = client.post(FORM, form_fields(data, token=token))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert sorted(Document.objects.filter(dossier=dossier).values_list("kind", flat=True)) == [
        "id_back",
        "id_front",
        "portrait",
    ]
    # Used, so deleted: only the dossier's own documents remain.
    assert not [name for name in stored_files() if name.startswith("staging/")]
    assert client.get("/dang-ky/anh-da-nhan/portrait/").status_code == 404


def test_a_refused_photo_is_named_and_the_others_are_kept(client):
    token = _first_form(client)
    body = form_fields(adult_data(), token=token)
    body.update(id_front=photo(width=500, height=300), portrait=photo(width=800, height=1000))  # too small

    page = client.post(FORM, body).content.decode()

    assert 'id="f-id-front-error"' in page
    assert 'src="/dang-ky/anh-da-nhan/id_front/"' not in page
    assert 'src="/dang-ky/anh-da-nhan/portrait/"' in page
    assert staging.staged_photos(client.session, token=token).keys() == {"portrait"}


def test_a_new_photo_replaces_a_kept_one(client):
    data = adult_data()
    token = _first_form(client)
    body = form_fields(_with_error(data), token=token)
    body.update(portrait=photo(width=800, height=1000, color=(200, 10, 10)))
    client.post(FORM, body)

    replacement = jpeg_bytes(900, 1200, color=(10, 200, 10))
    body = form_fields(data, token=token)
    body["portrait"] = photo(width=900, height=1200, color=(10, 200, 10))
    assert client.post(FORM, body).status_code == 302
    document = Document.objects.get(kind="portrait")
    assert (document.width, document.height) == (900, 1200)
    assert hashlib.sha256(replacement).hexdigest() != document.sha256  # re-encoded, as every photo
    assert not [name for name in stored_files() if name.startswith("staging/")]


def test_the_kept_photos_belong_to_this_browser_and_this_form_only(client):
    token = _first_form(client)
    body = form_fields(_with_error(adult_data()), token=token)
    body["portrait"] = photo(width=800, height=1000)
    client.post(FORM, body)

    preview = client.get("/dang-ky/anh-da-nhan/portrait/")
    assert preview.status_code == 200 and preview["Content-Type"] == "image/jpeg"
    assert "no-store" in preview["Cache-Control"]
    assert preview.content[:3] == b"\xff\xd8\xff"
    assert Client().get("/dang-ky/anh-da-nhan/portrait/").status_code == 404  # another browser

    # Another form of this browser (a new token) does not send them.
    other = form_fields(adult_data(), token="another-form-token")
    assert client.post(FORM, other).status_code == 302
    assert not Document.objects.exists()


def test_kept_photos_last_an_hour_and_a_periodic_job_deletes_them(client):
    assert "registration_staging_expiry" in periodic_jobs()
    token = _first_form(client)
    body = form_fields(_with_error(adult_data()), token=token)
    body["portrait"] = photo(width=800, height=1000)
    client.post(FORM, body)
    assert len(stored_files()) == 2

    assert staging.staging_expire() == 0  # still within the hour
    assert staging.staging_expire(now=timezone.now() + timedelta(minutes=61)) == 2
    assert stored_files() == []

    # The session's record has run out too: nothing is shown or sent any more.
    session = client.session
    record = session[staging.SESSION_KEY]
    record["at"] = (timezone.now() - timedelta(minutes=61)).isoformat()
    session[staging.SESSION_KEY] = record
    session.save()
    assert client.get("/dang-ky/anh-da-nhan/portrait/").status_code == 404


def test_photos_that_cannot_be_kept_are_asked_for_again(client, monkeypatch):
    token = _first_form(client)
    body = form_fields({**adult_data(), "office_code": "99999"}, token=token)  # the form comes back
    body["portrait"] = photo(width=800, height=1000)

    def unavailable(*args, **kwargs):
        raise Invalid("corrupt_image", "unreadable")  # e.g. the photo cannot be opened a second time

    monkeypatch.setattr("gddt.registrations.views.image_clean", unavailable)
    page = client.post(FORM, body).content.decode()
    assert "Không giữ được ảnh này: vui lòng chọn lại ảnh." in page
    assert stored_files() == []


# --- what the form says --------------------------------------------------------------------------------------


def _marker(page: str) -> str:
    label = re.search(r'<label for="f-personal-id">.*?</label>', page, re.S)
    assert label
    return label.group(0)


def test_the_personal_id_is_marked_optional_exactly_when_the_insurance_number_may_replace_it(client):
    adult = client.get(FORM).content.decode()
    assert "data-optional-marker hidden>" in _marker(adult)  # with a CCCD it is required
    assert "(không bắt buộc nếu có số định danh cá nhân)" in adult  # the insurance number's marker
    minor = client.get(FORM + "?category=minor_without_id_card").content.decode()
    assert "data-optional-marker>(không bắt buộc nếu có mã số BHXH)" in _marker(minor)
    passport = client.post(
        FORM,
        {**form_fields({**adult_data(), "nationality": "FR"}), "id_document.type": "passport", "refresh_wards": "1"},
    ).content.decode()
    assert "data-optional-marker>" in _marker(passport)


def test_a_name_without_diacritics_gets_a_gentle_word_and_is_not_refused(client):
    data = adult_data(full_name="Nguyen Van An")
    page = client.post(FORM, form_fields(_with_error(data))).content.decode()
    warning = re.search(r'<p class="hint hint--warn" id="f-full-name-warning"[^>]*>', page)
    assert warning and "hidden" not in warning.group(0)
    assert 'id="f-full-name-error"' not in page
    assert client.post(FORM, form_fields(data, token="plain-name")).status_code == 302  # registered as typed

    page = client.post(FORM, form_fields(_with_error(adult_data()))).content.decode()
    warning = re.search(r'<p class="hint hint--warn" id="f-full-name-warning"[^>]*>', page)
    assert warning and "hidden" in warning.group(0)


def test_a_personal_id_whose_birth_year_and_sex_digit_both_disagree_gets_both_errors(client):
    from datetime import date

    data = adult_data()  # born 1990, male
    wrong = personal_id_for(born=date(1985, 5, 17), sex="female")  # digit 4 and digits 5-6 both disagree
    data = {**data, "personal_id": wrong, "id_document": {**data["id_document"], "number": wrong}}
    response = client.post("/api/v1/registrations", data=json.dumps(data), content_type="application/json")
    assert response.status_code == 422
    codes = sorted(e["code"] for e in response.json()["errors"] if e["field"] == "personal_id")
    assert codes == ["birth_year_mismatch", "sex_century_mismatch"]

    page = client.post(FORM, form_fields(data)).content.decode()
    error = page[page.index('id="f-personal-id-error"') : page.index('name="personal_id"')]
    assert "Chữ số thứ 5 và 6" in error and "Chữ số thứ 4" in error
