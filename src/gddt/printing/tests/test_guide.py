import inspect
from urllib.parse import unquote

import pytest

from gddt.offices.models import Office
from gddt.printing import guide, qr
from gddt.printing.guide import vssid_guide_pdf
from gddt.printing.tests.reading import page_sizes, pdf_rectangles, pdf_text

USERNAME = "001090012345"


@pytest.fixture
def payloads(monkeypatch) -> list[str]:
    seen: list[str] = []

    def spy(payload, *, size):
        seen.append(payload)
        return qr.QrCode(payload, size=size)

    monkeypatch.setattr(qr, "qr_code", spy)
    return seen


def test_it_shows_the_username_and_the_steps_on_one_a4_page():
    pdf = vssid_guide_pdf(full_name="Nguyễn Văn An", username=USERNAME)
    text = pdf_text(pdf)

    assert page_sizes(pdf) == [(595, 842)]
    for expected in [
        "HƯỚNG DẪN CÀI ĐẶT VÀ SỬ DỤNG",
        "VssID – BHXH số",
        "Kính gửi ông/bà: Nguyễn Văn An",
        f"Tên đăng nhập (số định danh cá nhân hoặc mã số BHXH) {USERNAME}",
        "Bước 1. Cài đặt ứng dụng",
        "Bước 2. Đăng nhập",
        "Bước 3. Đổi mật khẩu ở lần đăng nhập đầu tiên",
        "Khi quên mật khẩu",
        "Quên mật khẩu",
        "tin nhắn SMS",
        "1900 9068",
    ]:
        assert expected in text, expected


def test_it_never_prints_a_password():
    assert set(inspect.signature(vssid_guide_pdf).parameters) == {"full_name", "username", "office"}
    text = pdf_text(vssid_guide_pdf(full_name="Nguyễn Văn An", username=USERNAME))
    assert "Mật khẩu ban đầu đã gửi bằng tin nhắn SMS đến số điện thoại đã đăng ký" in text
    assert "Mật khẩu không được in trên giấy này" in text


def test_it_links_both_app_stores_by_qr_code(payloads):
    pdf = vssid_guide_pdf(full_name="Nguyễn Văn An", username=USERNAME)

    assert [unquote(p) for p in payloads] == [guide.GOOGLE_PLAY_URL, guide.APP_STORE_URL]
    assert all(p.isascii() for p in payloads)
    modules = sum(len(qr.qr_runs(qr.qr_matrix(p))) for p in payloads)
    assert len(pdf_rectangles(pdf)) >= modules


def test_it_names_the_office_when_given(db):
    office = Office.objects.get(code="79")
    text = pdf_text(vssid_guide_pdf(full_name="Trần Thị Bình", username=USERNAME, office=office))
    assert office.name in text
    assert "Kính gửi ông/bà: Trần Thị Bình" in text


def test_the_same_input_gives_the_same_bytes():
    first = vssid_guide_pdf(full_name="Nguyễn Văn An", username=USERNAME)
    assert vssid_guide_pdf(full_name="Nguyễn Văn An", username=USERNAME) == first
    assert vssid_guide_pdf(full_name="Nguyễn Văn Anh", username=USERNAME) != first
