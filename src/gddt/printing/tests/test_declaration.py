import logging
import re
import unicodedata
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from gddt.offices.models import Office
from gddt.printing import qr
from gddt.printing.declaration import declaration_pdf
from gddt.printing.tests.qrdecode import qr_decode
from gddt.printing.tests.reading import (
    page_sizes,
    pdf_reader,
    pdf_rectangles,
    pdf_text,
    qr_matrix_from_rectangles,
)
from gddt.registrations.models import Dossier
from gddt.registrations.numbers import dossier_number_format, dossier_qr_payload
from gddt.registrations.services import registration_submit
from gddt_testing.factories import adult_data, minor_data

PRINTED_AT = datetime(2026, 3, 5, 2, 30, tzinfo=UTC)  # 09:30 in Hồ Chí Minh City
A4 = (595, 842)


def submitted(data: dict) -> Dossier:
    submission = registration_submit(data=data, files={})
    return Dossier.objects.get(pk=submission.dossier_id)


@pytest.fixture
def adult(db) -> Dossier:
    return submitted(adult_data())


@pytest.fixture
def minor(db) -> Dossier:
    return submitted(minor_data())


@pytest.fixture
def counter_office(db) -> Office:
    return Office.objects.get(code="79")


def squeezed(value: str) -> str:
    return re.sub(r"\s+", "", value)


def test_it_prints_every_field_of_an_adults_dossier_with_its_diacritics(adult, counter_office):
    text = pdf_text(declaration_pdf(dossier=adult, printed_by_office=counter_office, printed_at=PRINTED_AT))

    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "TỜ KHAI",
        "ĐĂNG KÝ GIAO DỊCH ĐIỆN TỬ VỚI CƠ QUAN BẢO HIỂM XÃ HỘI",
        "Họ và tên: Nguyễn Văn An",
        "Ngày sinh: 17/05/1990",
        "Giới tính: Nam",
        "Quốc tịch: Việt Nam",
        f"Số định danh cá nhân: {adult.personal_id}",
        "Mã số BHXH: —",
        "Căn cước công dân",
        f"Số: {adult.id_number}",
        "Ngày cấp: 01/04/2021",
        "Nơi cấp: Cục Cảnh sát quản lý hành chính về trật tự xã hội",
        "0912345678",
        "an.nguyen@example.vn",
        f"12 Tràng Tiền, {adult.ward.name}, {adult.province.name}",
        f"Cơ quan BHXH đã chọn khi đăng ký: {adult.office.name} (mã 01)",
        f"Cơ quan BHXH tiếp nhận, hoàn tất: {counter_office.name} (mã 79)",
        f"Kính gửi: {counter_office.name}",
        dossier_number_format(adult.number),
        f"Ngày nộp hồ sơ trực tuyến: {timezone.localtime(adult.submitted_at):%d/%m/%Y %H:%M}",
        "cam kết những thông tin kê khai trên là đúng sự thật",
        "Hồ Chí Minh, ngày 05 tháng 03 năm 2026",
        "In lúc 05/03/2026 09:30",
    ]:
        assert expected in text, expected
    assert adult.ward.name == "Phường Hoàn Kiếm" and "Hà Nội" in adult.province.name


def test_it_is_one_a4_page(adult, minor):
    assert page_sizes(declaration_pdf(dossier=adult)) == [A4]
    assert page_sizes(declaration_pdf(dossier=minor)) == [A4]


def test_the_adult_signs_as_the_registered_person_beside_the_receiving_officer(adult):
    text = pdf_text(declaration_pdf(dossier=adult, printed_at=PRINTED_AT))

    assert "Cán bộ tiếp nhận (ký, ghi rõ họ tên)" in text
    assert "Người đăng ký (ký, ghi rõ họ tên) Nguyễn Văn An" in text
    assert "Cha/mẹ/người giám hộ" not in text
    assert "giám hộ" not in text


def test_the_minors_declaration_has_the_guardians_data_and_signature_block(minor):
    text = pdf_text(declaration_pdf(dossier=minor, printed_at=PRINTED_AT))

    assert "Cha/mẹ/người giám hộ (ký, ghi rõ họ tên) Lê Thị Cúc" in text
    assert "Cán bộ tiếp nhận (ký, ghi rõ họ tên)" in text
    assert "Người đăng ký (ký" not in text
    for expected in [
        "Họ và tên: Trần Thị Bình",
        "Giới tính: Nữ",
        "THÔNG TIN CHA, MẸ HOẶC NGƯỜI GIÁM HỘ",
        "Họ và tên: Lê Thị Cúc",
        "Quan hệ: Mẹ",
        f"Số định danh cá nhân: {minor.guardian_personal_id}",
        "Số điện thoại: 0987654321",
        "Số giấy khai sinh: 123/2017",
        "Nơi cấp: UBND phường Bến Nghé",
        f"5 Lê Lợi, {minor.ward.name}, {minor.province.name}",
    ]:
        assert expected in text, expected


def test_without_a_printing_office_it_leaves_the_completing_office_to_be_written_by_hand(minor):
    text = pdf_text(declaration_pdf(dossier=minor, printed_at=PRINTED_AT))

    assert "Cơ quan BHXH tiếp nhận, hoàn tất: …" in text
    assert f"Kính gửi: {minor.office.name}" in text
    assert "…, ngày 05 tháng 03 năm 2026" in text


def test_its_qr_code_reads_as_the_dossier_payload(adult, monkeypatch):
    payloads = []

    def spy(payload, *, size):
        payloads.append(payload)
        return qr.QrCode(payload, size=size)

    monkeypatch.setattr(qr, "qr_code", spy)
    pdf = declaration_pdf(dossier=adult, printed_at=PRINTED_AT)

    assert payloads == [dossier_qr_payload(adult.number)]
    assert qr_decode(qr_matrix_from_rectangles(pdf_rectangles(pdf))) == dossier_qr_payload(adult.number)


def test_a_100_character_name_and_a_200_character_street_wrap_on_one_page(adult, counter_office):
    adult.full_name = (
        "Tôn Nữ Hoàng Thị Phương Thảo Nguyễn Ngọc Khánh Linh Trịnh Bảo Anh Đặng Hoàng Minh Châu Lê Thị Mỹ Dun"
    )
    adult.street = (
        "Số 123 ngõ 45 ngách 67 hẻm 89 đường Nguyễn Thị Minh Khai, khu dân cư số 2, tổ dân phố 15, "
        "khu phố Đông Hòa, gần chợ Bến Thành, đối diện trường tiểu học Lê Ngọc Hân, "
        "tòa nhà A tầng 12, căn hộ 1203B-015"
    )
    adult.id_issued_by = "Cục Cảnh sát quản lý hành chính về trật tự xã hội, Bộ Công an " * 3
    adult.email = "nguyen.thi.phuong.thao.khanh.linh.bao.anh.hoang.minh.chau@mot-ten-mien-rat-dai.example.vn"
    assert len(adult.full_name) == 100 and len(adult.street) == 200

    pdf = declaration_pdf(dossier=adult, printed_by_office=counter_office, printed_at=PRINTED_AT)

    assert page_sizes(pdf) == [A4]
    text = squeezed(pdf_text(pdf))
    for value in [adult.full_name, adult.street, adult.id_issued_by, adult.email]:
        assert squeezed(value) in text
    assert text.count(squeezed(adult.full_name)) == 2  # in the form and under the signature


def test_data_that_looks_like_markup_prints_as_typed(adult):
    adult.street = "Ngõ <b>5</b> & 7 <font size=40>"
    text = pdf_text(declaration_pdf(dossier=adult, printed_at=PRINTED_AT))
    assert "Ngõ <b>5</b> & 7 <font size=40>" in text


def test_decomposed_unicode_prints_as_the_precomposed_vietnamese_letters(adult):
    adult.full_name = unicodedata.normalize("NFD", "Nguyễn Văn An")
    assert adult.full_name != "Nguyễn Văn An"
    assert "Họ và tên: Nguyễn Văn An" in pdf_text(declaration_pdf(dossier=adult, printed_at=PRINTED_AT))


def test_the_same_dossier_office_and_moment_give_the_same_bytes(adult, counter_office):
    first = declaration_pdf(dossier=adult, printed_by_office=counter_office, printed_at=PRINTED_AT)
    again = declaration_pdf(
        dossier=Dossier.objects.get(pk=adult.pk), printed_by_office=counter_office, printed_at=PRINTED_AT
    )
    later = declaration_pdf(dossier=adult, printed_by_office=counter_office, printed_at=PRINTED_AT.replace(minute=31))
    assert first == again
    assert later != first


def test_its_metadata_holds_nothing_personal(adult):
    pdf = declaration_pdf(dossier=adult, printed_at=PRINTED_AT)
    metadata = " ".join(str(v) for v in (pdf_reader(pdf).metadata or {}).values())
    assert "Tờ khai" in metadata
    for personal in [adult.full_name, adult.personal_id, adult.phone, adult.number]:
        assert personal not in metadata


def test_printing_logs_nothing(adult, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    declaration_pdf(dossier=adult, printed_at=PRINTED_AT)
    assert [r for r in caplog.records if r.name.startswith("gddt")] == []
