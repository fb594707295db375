"""The declaration (tờ khai) that the receiving officer prints prefilled and the person signs at the counter.

It is the official paper form, so its labels are Vietnamese only (no gettext): the same sheet whatever the
language of the officer's screen. Nothing here logs: every value on the sheet is personal data."""

import itertools
from datetime import datetime

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from gddt.offices.models import Office
from gddt.printing import qr
from gddt.printing.layout import (
    BLANK,
    CONTENT_WIDTH,
    RULE,
    day_text,
    footer_line,
    moment_text,
    para,
    pdf_build,
    text,
)
from gddt.registrations.models import Category, Dossier
from gddt.registrations.numbers import dossier_number_format, dossier_qr_payload

TITLE = "TỜ KHAI"
SUBTITLE = "ĐĂNG KÝ GIAO DỊCH ĐIỆN TỬ VỚI CƠ QUAN BẢO HIỂM XÃ HỘI"
SEX = {"male": "Nam", "female": "Nữ"}
RELATIONSHIP = {"father": "Cha", "mother": "Mẹ", "guardian": "Người giám hộ"}
ID_TYPE = {
    "cccd": "Căn cước công dân / Thẻ căn cước",
    "cmnd12": "Chứng minh nhân dân (12 số)",
    "cmnd9": "Chứng minh nhân dân (9 số)",
    "passport": "Hộ chiếu",
}
NATIONALITY = {"VN": "Việt Nam"}
NONE = "—"
COMMITMENT_ADULT = (
    "Tôi đề nghị được đăng ký giao dịch điện tử với cơ quan bảo hiểm xã hội và được cấp tài khoản để sử dụng "
    "trên Cổng Dịch vụ công và ứng dụng VssID – BHXH số. Tôi cam kết những thông tin kê khai trên là đúng sự thật "
    "và chịu trách nhiệm trước pháp luật về nội dung đã kê khai; tôi đồng ý để cơ quan bảo hiểm xã hội xử lý dữ "
    "liệu cá nhân nêu trên cho việc đăng ký và thực hiện giao dịch điện tử."
)
COMMITMENT_MINOR = (
    "Tôi là cha/mẹ/người giám hộ của người được đăng ký nêu trên, đề nghị đăng ký giao dịch điện tử với cơ quan "
    "bảo hiểm xã hội và cấp tài khoản cho người được đăng ký. Tôi cam kết những thông tin kê khai trên là đúng sự "
    "thật và chịu trách nhiệm trước pháp luật về nội dung đã kê khai; với tư cách cha/mẹ/người giám hộ, tôi đồng ý "
    "để cơ quan bảo hiểm xã hội xử lý dữ liệu cá nhân của người được đăng ký và của tôi cho việc đăng ký và thực "
    "hiện giao dịch điện tử."
)

# A row of the form: cells of (label, value, span); the spans of a row add up to GRID columns.
GRID = 6
Cell = tuple[str, str, int]


class Numbering:
    """Numbers the fields in reading order across sections, as paper forms do: n("Họ và tên") -> "1. Họ và tên"."""

    def __init__(self) -> None:
        self._numbers = itertools.count(1)

    def __call__(self, label: str) -> str:
        return f"{next(self._numbers)}. {label}"


def declaration_pdf(
    *, dossier: Dossier, printed_by_office: Office | None = None, printed_at: datetime | None = None
) -> bytes:
    """The prefilled declaration of `dossier` on one A4 page. The same dossier, office and moment give the
    same bytes."""
    printed_at = printed_at or timezone.now()
    number = dossier.number or ""
    minor = dossier.category == Category.MINOR_WITHOUT_ID_CARD
    story: list[Flowable] = [
        _header(number),
        Spacer(0, 4 * mm),
        para(TITLE, "title"),
        para(SUBTITLE, "subtitle"),
        para(
            "(Dành cho người dưới 18 tuổi chưa có thẻ căn cước, do cha/mẹ/người giám hộ kê khai)"
            if minor
            else "(Dành cho cá nhân)",
            "center",
        ),
        Spacer(0, 2.5 * mm),
        para(f"Kính gửi: <b>{text((printed_by_office or dossier.office).name)}</b>", "center"),
        Spacer(0, 1 * mm),
    ]
    n = Numbering()
    if minor:
        story += _section("I. THÔNG TIN NGƯỜI ĐƯỢC ĐĂNG KÝ (NGƯỜI DƯỚI 18 TUỔI)", _person_rows(dossier, n))
        story += _section("II. THÔNG TIN CHA, MẸ HOẶC NGƯỜI GIÁM HỘ", _guardian_rows(dossier, n))
        sections = ("III", "IV")
    else:
        story += _section("I. THÔNG TIN NGƯỜI ĐĂNG KÝ", _person_rows(dossier, n))
        sections = ("II", "III")
    story += _section(f"{sections[0]}. THÔNG TIN LIÊN HỆ", _contact_rows(dossier, n))
    story += _section(f"{sections[1]}. NƠI HOÀN TẤT THỦ TỤC", _office_rows(dossier, printed_by_office, number, n))
    story += [
        Spacer(0, 3 * mm),
        para(COMMITMENT_MINOR if minor else COMMITMENT_ADULT, "justify"),
        Spacer(0, 4 * mm),
        _signatures(dossier, printed_by_office, printed_at, minor=minor),
    ]
    office_code = printed_by_office.code if printed_by_office else ""
    footer = (
        f"Số hồ sơ {dossier_number_format(number) if number else NONE} · In lúc {moment_text(printed_at)}"
        + (f" tại cơ quan mã {office_code}" if office_code else "")
        + " · Hệ thống đăng ký giao dịch điện tử"
    )

    def draw_footer(canvas: Canvas) -> None:
        footer_line(canvas, footer)

    return pdf_build(story, title="Tờ khai đăng ký giao dịch điện tử với cơ quan BHXH", footer=draw_footer)


def _header(number: str) -> Table:
    """The dossier number on the left, the national motto in the middle, its QR code on the right."""
    side = 42 * mm
    number_box = Table(
        [[para("Số hồ sơ", "center_small")], [para(text(dossier_number_format(number)) if number else NONE, "number")]],
        colWidths=[side - 2 * mm],
    )
    number_box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    motto = [
        para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "motto"),
        para("<u>Độc lập - Tự do - Hạnh phúc</u>", "motto_sub"),
    ]
    code: list[Flowable] = (
        [qr.qr_code(dossier_qr_payload(number), size=26 * mm), para("Quét để tìm hồ sơ", "center_small")]
        if number
        else []
    )
    table = Table([[number_box, motto, code]], colWidths=[side, CONTENT_WIDTH - 2 * side, side])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("VALIGN", (0, 0), (0, 0), "MIDDLE"),
                ("ALIGN", (0, 0), (0, 0), "LEFT"),
                ("ALIGN", (2, 0), (2, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _value(value: object) -> str:
    return text(value) if value not in (None, "") else NONE


def _person_rows(d: Dossier, n: Numbering) -> list[list[Cell]]:
    rows: list[list[Cell]] = [
        [(n("Họ và tên"), _value(d.full_name), 6)],
        [
            (n("Ngày sinh"), _value(day_text(d.date_of_birth)), 2),
            (n("Giới tính"), _value(SEX.get(d.sex, d.sex)), 2),
            (n("Quốc tịch"), _value(NATIONALITY.get(d.nationality, d.nationality)), 2),
        ],
        [(n("Số định danh cá nhân"), _value(d.personal_id), 3), (n("Mã số BHXH"), _value(d.bhxh_code), 3)],
    ]
    if d.category == Category.MINOR_WITHOUT_ID_CARD:
        rows += [
            [
                (n("Số giấy khai sinh"), _value(d.birth_certificate_number), 3),
                ("Ngày cấp", _value(day_text(d.birth_certificate_issued_on)), 3),
            ],
            [("Nơi cấp", _value(d.birth_certificate_issued_by), 6)],
        ]
    else:
        rows += [
            [(n("Giấy tờ tùy thân"), _value(ID_TYPE.get(d.id_type, d.id_type)), 3), ("Số", _value(d.id_number), 3)],
            [("Ngày cấp", _value(day_text(d.id_issued_on)), 2), ("Nơi cấp", _value(d.id_issued_by), 4)],
        ]
    return rows


def _guardian_rows(d: Dossier, n: Numbering) -> list[list[Cell]]:
    return [
        [
            (n("Họ và tên"), _value(d.guardian_full_name), 4),
            (n("Quan hệ"), _value(RELATIONSHIP.get(d.guardian_relationship, d.guardian_relationship)), 2),
        ],
        [
            (n("Số định danh cá nhân"), _value(d.guardian_personal_id), 3),
            (n("Số điện thoại"), _value(d.guardian_phone), 3),
        ],
    ]


def _contact_rows(d: Dossier, n: Numbering) -> list[list[Cell]]:
    address = ", ".join(part for part in (d.street, d.ward.name, d.province.name) if part)
    return [
        [(n("Số điện thoại di động (nhận tin nhắn)"), _value(d.phone), 3), (n("Email"), _value(d.email), 3)],
        [(n("Địa chỉ liên hệ"), _value(address), 6)],
    ]


def _office_rows(d: Dossier, printed_by: Office | None, number: str, n: Numbering) -> list[list[Cell]]:
    return [
        [
            (n("Ngày nộp hồ sơ trực tuyến"), _value(moment_text(d.submitted_at)), 3),
            (n("Số hồ sơ"), _value(dossier_number_format(number) if number else ""), 3),
        ],
        [(n("Cơ quan BHXH đã chọn khi đăng ký"), _office(d.office), 6)],
        [(n("Cơ quan BHXH tiếp nhận, hoàn tất"), _office(printed_by) if printed_by else BLANK, 6)],
    ]


def _office(office: Office) -> str:
    return f"{text(office.name)} (mã {text(office.code)})"


def _section(heading: str, rows: list[list[Cell]]) -> list[Flowable]:
    """A boxed grid: each cell reads "label: value", the value in bold; long values wrap inside their cell."""
    col = CONTENT_WIDTH / GRID
    data: list[list[object]] = []
    spans = []
    for r, row in enumerate(rows):
        line: list[object] = [""] * GRID
        c = 0
        for label, value, span in row:
            line[c] = para(f"{label}: <b>{value}</b>", "cell")
            if span > 1:
                spans.append(("SPAN", (c, r), (c + span - 1, r)))
            c += span
        assert c == GRID, heading
        data.append(line)
    table = Table(data, colWidths=[col] * GRID)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 3.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4.5),
                *spans,
            ]
        )
    )
    return [para(heading, "section"), table]


def _place(office: Office | None) -> str:
    """The place of the date line ("Hà Nội, ngày …"): the province of the printing office."""
    province = office.province if office is not None else None
    if province is None:
        return BLANK
    name = province.name
    for prefix in ("Thành phố ", "Tỉnh "):
        name = name.removeprefix(prefix)
    return text(name)


def _signatures(d: Dossier, printed_by: Office | None, printed_at: datetime, *, minor: bool) -> Table:
    local = timezone.localtime(printed_at)
    date_line = f"{_place(printed_by)}, ngày {local:%d} tháng {local:%m} năm {local:%Y}"
    if minor:
        signer, signer_name = "Cha/mẹ/người giám hộ", d.guardian_full_name
    else:
        signer, signer_name = "Người đăng ký", d.full_name
    gap = Spacer(0, 22 * mm)
    officer = [
        para("&nbsp;", "center"),
        para("Cán bộ tiếp nhận", "center_bold"),
        para("(ký, ghi rõ họ tên)", "center"),
        gap,
    ]
    person = [
        para(date_line, "center"),
        para(signer, "center_bold"),
        para("(ký, ghi rõ họ tên)", "center"),
        gap,
        para(text(signer_name), "center_bold"),
    ]
    half = CONTENT_WIDTH / 2
    table = Table([[officer, person]], colWidths=[half, half])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table
