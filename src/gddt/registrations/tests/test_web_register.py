import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gddt.notifications.models import SmsMessage
from gddt.registrations.forms import registration_data
from gddt.registrations.models import Category, Document, Dossier
from gddt.registrations.numbers import dossier_number_format
from gddt_testing.factories import adult_data, jpeg_bytes, minor_data
from gddt_testing.storage import stored_files

pytestmark = pytest.mark.django_db
FORM = "/dang-ky/"
DONE = "/dang-ky/da-nop/"


def form_fields(data: dict, *, token: str = "web-test-token") -> dict:
    """The POST body of the registration form for a contract `data` object: nested objects as dotted names."""
    fields: dict = {"form_token": token}
    for key, value in data.items():
        if isinstance(value, dict):
            for sub, sub_value in value.items():
                fields[f"{key}.{sub}"] = "" if sub_value is None else str(sub_value)
        elif key in ("consent", "child_consent"):  # checkboxes: sent only when ticked
            if value:
                fields[key] = "true"
        else:
            fields[key] = "" if value is None else str(value)
    return fields


def photo(name: str = "photo.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")


def form_token(html: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', html)
    assert match, "the form has no token"
    return match.group(1)


def _input(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page)
    assert match, f"no input {name}"
    return match.group(0)


def test_the_home_page_leads_to_the_form_in_vietnamese(client):
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in page
    assert f'href="{FORM}"' in page
    assert "Đăng ký" in page


def test_the_form_is_vietnamese_by_default_and_has_every_field_of_the_contract(client):
    response = client.get(FORM)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in page
    assert "Họ và tên" in page
    for name in (
        "category",
        "full_name",
        "date_of_birth",
        "sex",
        "personal_id",
        "bhxh_code",
        "id_document.type",
        "id_document.number",
        "id_document.issued_on",
        "id_document.issued_by",
        "birth_certificate.number",
        "birth_certificate.issued_on",
        "birth_certificate.issued_by",
        "guardian.full_name",
        "guardian.relationship",
        "guardian.personal_id",
        "guardian.phone",
        "phone",
        "email",
        "address.province_code",
        "address.ward_code",
        "address.street",
        "office_code",
        "consent",
        "nationality",
        "form_token",
    ):
        assert f'name="{name}"' in page, name
    assert '<optgroup label="Thành phố Hà Nội" data-province="01">' in page
    assert 'value="00"' not in page  # the central agency is not a counter


def test_the_photo_inputs_open_the_camera_on_a_phone(client):
    page = client.get(FORM).content.decode()
    assert 'enctype="multipart/form-data"' in page
    for name, capture in (
        ("portrait", "user"),
        ("id_front", "environment"),
        ("id_back", "environment"),
        ("birth_certificate", "environment"),
        ("guardian_id_front", "environment"),
        ("guardian_id_back", "environment"),
    ):
        tag = _input(page, name)
        assert 'type="file"' in tag and 'accept="image/*"' in tag and f'capture="{capture}"' in tag, tag


def test_the_form_speaks_english_with_accept_language_en(client):
    page = client.get(FORM, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in page
    assert "Register for electronic transactions" in page
    assert "Tiếng Việt" in page  # the switch back


def test_the_language_switch_turns_the_pages_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": FORM})
    assert response.status_code == 302
    page = client.get(FORM).content.decode()
    assert '<html lang="en">' in page
    assert "Full name" in page


def test_an_adult_registers_with_photos_and_lands_on_the_receipt(client):
    token = form_token(client.get(FORM).content.decode())
    body = form_fields(adult_data(), token=token)
    body.update(id_front=photo(), id_back=photo(), portrait=photo(width=800, height=1000))

    response = client.post(FORM, body)

    assert response.status_code == 302
    assert response["Location"] == DONE  # no number or ID in the URL
    dossier = Dossier.objects.get()
    assert Document.objects.filter(dossier=dossier).count() == 3
    assert SmsMessage.objects.filter(dossier_id=dossier.pk, template="submitted").count() == 1
    page = client.get(DONE).content.decode()
    number = dossier_number_format(dossier.number)
    assert f"data-dossier-no>{number}</p>" in page
    assert "Bảo hiểm xã hội thành phố Hà Nội" in page  # the office chosen
    # The signed declaration is made at the office: said so, not listed as missing.
    assert "<li>Tờ khai có chữ ký</li>" not in page
    assert "Tờ khai được in tại cơ quan BHXH và ông/bà ký tại đó" in page
    assert "BẤT KỲ" in page  # any office
    assert "Bản chính thẻ căn cước" in page  # what to bring


def test_the_receipt_shows_the_deadline_in_local_time(client):
    response = client.post(FORM, form_fields(adult_data()))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    deadline = timezone.localtime(dossier.expires_at).strftime("%d/%m/%Y")
    assert deadline in client.get(DONE).content.decode()


def test_the_same_form_sent_twice_gives_one_dossier(client):
    token = form_token(client.get(FORM).content.decode())
    data = adult_data()
    first = client.post(FORM, {**form_fields(data, token=token), "portrait": photo(width=800, height=1000)})
    second = client.post(FORM, {**form_fields(data, token=token), "portrait": photo(width=800, height=1000)})
    assert first.status_code == second.status_code == 302
    assert Dossier.objects.count() == 1
    assert SmsMessage.objects.count() == 1
    number = dossier_number_format(Dossier.objects.get().number)
    assert number in client.get(DONE).content.decode()


def test_each_form_gets_its_own_token(client):
    assert form_token(client.get(FORM).content.decode()) != form_token(client.get(FORM).content.decode())


def test_an_invalid_form_comes_back_with_messages_beside_the_fields_and_keeps_only_its_photos(client):
    data = adult_data(phone="12345", address={"province_code": "01", "ward_code": "00070", "street": "12 Tràng Tiền"})
    body = form_fields(data)
    body.update(id_front=photo(), id_back=photo(), portrait=photo(width=800, height=1000))

    response = client.post(FORM, body)

    assert response.status_code == 422
    page = response.content.decode()
    assert "Vui lòng sửa các mục dưới đây" in page
    # The message sits in the phone's field, just before its input, which points to it.
    assert re.search(r'<div class="field has-error">\s*<label for="f-phone">', page)
    assert 'id="f-phone-error"' in page
    error_at = page.index('id="f-phone-error"')
    assert error_at < page.index('name="phone"') < error_at + 600
    assert "Nhập số điện thoại di động Việt Nam" in page[error_at : error_at + 300]
    assert 'aria-invalid="true"' in _input(page, "phone")
    # Typed values kept, files are not (and the page says so).
    assert 'value="Nguyễn Văn An"' in _input(page, "full_name")
    assert 'value="12345"' in _input(page, "phone")
    assert f'value="{data["personal_id"]}"' in _input(page, "personal_id")
    assert re.search(r'<option value="00070" selected>Phường Hoàn Kiếm</option>', page)
    assert re.search(r'<option value="01" selected>', page)
    # The accepted photos are kept for the corrected form (test_web_kept_photos.py), shown as received.
    assert page.count("Đã nhận ảnh: ảnh được gửi cùng tờ khai.") == 3
    # Nothing of the registration saved: no dossier, no message, no document; only the kept photos, privately.
    assert Dossier.objects.count() == 0
    assert Document.objects.count() == 0
    assert SmsMessage.objects.count() == 0
    assert stored_files() and all(name.startswith("staging/") for name in stored_files())


def test_a_bad_photo_is_named_beside_its_input(client):
    body = form_fields(adult_data())
    body["id_front"] = photo(width=500, height=300)  # too small to read an ID card
    response = client.post(FORM, body)
    assert response.status_code == 422
    page = response.content.decode()
    error_at = page.index('id="f-id-front-error"')
    assert error_at < page.index('name="id_front"')
    assert Dossier.objects.count() == 0
    assert stored_files() == []


def test_errors_without_an_input_go_to_the_summary(client):
    body = form_fields(adult_data())
    body["category"] = "robot"
    response = client.post(FORM, body)
    assert response.status_code == 422
    page = response.content.decode()
    summary = page[page.index('class="error-summary"') : page.index('id="registration-form"')]
    assert 'href="#f-category"' in summary


def test_a_minor_is_registered_by_the_guardian_and_the_adult_block_is_ignored(client):
    data = minor_data()
    body = form_fields(data)
    # Without JavaScript the adult block shows too; what is typed there does not count for a minor.
    body.update({"id_document.number": "garbage", "phone": "12345", "id_front": photo()})
    body.update(portrait=photo(width=800, height=1000), birth_certificate=photo())

    response = client.post(FORM, body)

    assert response.status_code == 302, response.content.decode()[:3000]
    dossier = Dossier.objects.get()
    assert dossier.category == Category.MINOR_WITHOUT_ID_CARD
    assert dossier.guardian_full_name == "Lê Thị Cúc"
    assert dossier.phone == "0987654321"
    assert dossier.id_number == ""
    assert sorted(Document.objects.values_list("kind", flat=True)) == ["birth_certificate", "portrait"]
    page = client.get(DONE).content.decode()
    assert "Giấy khai sinh của trẻ" in page  # what to bring for a minor
    assert "Thẻ căn cước của cha, mẹ hoặc người giám hộ, mặt trước" in page  # still missing


def test_a_minors_guardian_phone_error_is_beside_the_guardian_phone(client):
    data = minor_data(phone=None)
    data["guardian"] = {**data["guardian"], "phone": ""}
    response = client.post(FORM, form_fields(data))
    assert response.status_code == 422
    page = response.content.decode()
    assert page.index('id="f-guardian-phone-error"') < page.index('name="guardian.phone"')


def test_markup_typed_in_the_street_is_shown_escaped(client):
    data = adult_data(phone="1", address={"province_code": "01", "ward_code": "00070", "street": "<b>x</b>"})
    page = client.post(FORM, form_fields(data)).content.decode()
    assert "<b>x</b>" not in page
    assert 'value="&lt;b&gt;x&lt;/b&gt;"' in _input(page, "address.street")


def test_a_second_registration_for_the_same_person_shows_the_conflict_at_the_top(client):
    data = adult_data()
    assert client.post(FORM, form_fields(data, token="first")).status_code == 302
    response = client.post(FORM, form_fields(data, token="second"))
    assert response.status_code == 409
    page = response.content.decode()
    summary = page[page.index('class="error-summary"') : page.index('id="registration-form"')]
    assert "đang mở" in summary
    assert Dossier.objects.count() == 1


def test_the_same_token_with_a_changed_form_is_explained_and_renewed(client):
    data = adult_data()
    assert client.post(FORM, form_fields(data, token="tok-1")).status_code == 302
    changed = form_fields({**data, "email": "other@example.vn"}, token="tok-1")
    response = client.post(FORM, changed)
    page = response.content.decode()
    assert response.status_code == 409
    assert "Tờ khai này đã được gửi" in page
    assert form_token(page) != "tok-1"
    assert Dossier.objects.count() == 1


def test_the_receipt_without_a_registration_goes_back_to_the_form(client):
    response = client.get(DONE)
    assert response.status_code == 302
    assert response["Location"] == FORM


def test_the_communes_of_the_chosen_province_are_rendered_without_javascript(client):
    body = form_fields(adult_data(address={"province_code": "79", "ward_code": "", "street": ""}))
    body["refresh_wards"] = "1"
    response = client.post(FORM, body)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<option value="26506"' in page
    assert '<option value="00070"' not in page
    # The offices of that province come first.
    assert page.index('data-province="79"') < page.index('data-province="01"')
    assert Dossier.objects.count() == 0


def test_the_commune_picker_endpoint_lists_the_communes_of_a_province(client):
    response = client.get("/api/v1/provinces/01/wards")
    assert response.status_code == 200
    assert {"code": "00070", "name": "Phường Hoàn Kiếm"} in response.json()
    assert all(w["code"] != "26506" for w in response.json())


def test_the_pages_run_no_inline_script_or_style(client):
    for url in ("/", FORM, "/tra-cuu/"):
        page = client.get(url).content.decode()
        assert "<script>" not in page and "style=" not in page and " onclick" not in page
        assert re.findall(r"<script[^>]*>", page) == [s for s in re.findall(r"<script[^>]*>", page) if "src=" in s]


def test_empty_inputs_become_absent_or_none_never_empty_strings():
    from django.http import QueryDict

    post = QueryDict(mutable=True)
    post.update(form_fields(adult_data(email="", bhxh_code=""), token="t"))
    post["id_document.issued_by"] = "  "
    data = registration_data(post)
    assert "email" not in data and "bhxh_code" not in data
    assert data["id_document"]["issued_by"] is None
    assert "birth_certificate" not in data and "guardian" not in data

    def strings(value):
        if isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, str):
            yield value

    assert "" not in list(strings(data))


def test_a_date_written_day_first_is_read_as_such():
    from django.http import QueryDict

    post = QueryDict(mutable=True)
    post.update({"category": "with_id_card", "date_of_birth": "17/05/1990"})
    assert registration_data(post)["date_of_birth"] == "1990-05-17"


def test_the_storage_helper_sees_stored_files(client):
    # Guards the "nothing saved" assertions of every app: after a success, stored_files lists the stored photo.
    body = form_fields(adult_data())
    body["portrait"] = photo(width=800, height=1000)
    assert client.post(FORM, body).status_code == 302
    assert stored_files() == [Document.objects.get().file.name]
    assert default_storage.exists(Document.objects.get().file.name)


def test_every_id_on_the_form_is_unique_also_when_it_comes_back(client):
    fresh = client.get(FORM).content.decode()
    body = form_fields(minor_data(full_name="1"))
    body.update(birth_certificate=photo(width=100, height=100))
    again = client.post(FORM, body).content.decode()
    assert 'id="f-birth-certificate-error"' in again  # the photo's message, beside the photo
    for page in (fresh, again):
        ids = re.findall(r'\sid="([^"]+)"', page)
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
