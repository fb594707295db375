import re

import pytest
from django.utils import timezone

from gddt.registrations.models import Dossier, Status
from gddt.registrations.numbers import dossier_number_format
from gddt.registrations.services import registration_submit
from gddt_testing.factories import adult_data, bhxh_code_new, minor_data

pytestmark = pytest.mark.django_db
STATUS = "/tra-cuu/"


def _registered(data: dict) -> Dossier:
    return Dossier.objects.get(pk=registration_submit(data=data, files={}).dossier_id)


def _result(page: str) -> str:
    match = re.search(r'<section class="card status-result".*?</section>', page, re.S)
    return match.group(0) if match else ""


def test_the_status_form_is_posted_so_that_no_identifier_lands_in_a_url(client):
    page = client.get(STATUS).content.decode()
    assert '<html lang="vi">' in page
    assert re.search(r'<form class="form card" method="post" action="/tra-cuu/"', page)
    assert 'name="dossier_no"' in page and 'name="verify"' in page


def test_a_dossier_is_found_by_its_number_and_personal_id(client):
    dossier = _registered(adult_data())
    number = dossier_number_format(dossier.number)

    response = client.post(STATUS, {"dossier_no": number, "verify": dossier.personal_id})

    result = _result(response.content.decode())
    assert response.status_code == 200
    assert number in result
    assert "Đã nộp" in result
    assert "Thẻ căn cước, mặt trước" in result  # missing, in Vietnamese
    # The signed declaration is made at the office: said so, not listed as missing.
    assert "<li>Tờ khai có chữ ký</li>" not in result and "ông/bà ký tại đó" in result
    assert "Hoàn tất trước ngày" in result
    assert timezone.localtime(dossier.expires_at).strftime("%d/%m/%Y") in result
    assert "Bảo hiểm xã hội thành phố Hà Nội" in result


def test_a_dossier_is_found_by_its_number_without_separators_and_the_insurance_number(client):
    code = bhxh_code_new()
    dossier = _registered(minor_data(bhxh_code=code))
    result = _result(client.post(STATUS, {"dossier_no": dossier.number, "verify": code}).content.decode())
    assert dossier_number_format(dossier.number) in result
    assert "Giấy khai sinh của trẻ (bản chính)" in result


def test_a_wrong_pair_gets_one_neutral_message(client):
    dossier = _registered(adult_data())
    other = _registered(adult_data())
    number = dossier_number_format(dossier.number)
    tries = [
        {"dossier_no": number, "verify": other.personal_id},  # another person's ID
        {"dossier_no": number[:-1] + str((int(number[-1]) + 1) % 10), "verify": dossier.personal_id},  # typo
        {"dossier_no": "26-9999999-0", "verify": dossier.personal_id},
        {"dossier_no": "nonsense", "verify": "nonsense"},
    ]
    pages = [client.post(STATUS, body).content.decode() for body in tries]
    for page in pages:
        assert "Không tìm thấy hồ sơ nào khớp" in page
        assert _result(page) == ""
        assert "Đã nộp" not in page


def test_an_empty_status_form_names_its_fields(client):
    page = client.post(STATUS, {"dossier_no": "", "verify": ""}).content.decode()
    assert 'id="f-dossier-no-error"' in page and 'id="f-verify-error"' in page
    assert "Không tìm thấy" not in page


def test_a_get_with_a_query_string_looks_nothing_up(client):
    dossier = _registered(adult_data())
    page = client.get(STATUS, {"dossier_no": dossier.number, "verify": dossier.personal_id}).content.decode()
    assert _result(page) == ""


def test_the_status_speaks_english_with_accept_language_en(client):
    dossier = _registered(adult_data())
    dossier.status = Status.EXPIRED
    dossier.save()
    page = client.post(
        STATUS, {"dossier_no": dossier.number, "verify": dossier.personal_id}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert '<html lang="en">' in page
    assert "Expired" in _result(page)
    assert "an officer can reopen it" in _result(page)
