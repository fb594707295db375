"""The one-page VssID guide handed over when the account is activated (product.md rule 6).

Vietnamese only, like the declaration: it is a handout for the citizen. It shows the username and never the
password, which reaches the person only by SMS."""

from django.conf import settings
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from gddt.offices.models import Office
from gddt.printing import qr
from gddt.printing.layout import CONTENT_WIDTH, RULE, SHADE, footer_line, para, pdf_build, text

# The store pages of the app: change them here when the stores move.
GOOGLE_PLAY_URL = "https://play.google.com/store/apps/details?id=com.bhxhapp"
APP_STORE_URL = "https://apps.apple.com/vn/app/vssid-bảo-hiểm-xã-hội-số/id1521647600"
HOTLINE = "1900 9068"
APP_NAME = "VssID – BHXH số"
TITLE = f"Hướng dẫn cài đặt và sử dụng {APP_NAME}"

STEPS = [
    (
        "Bước 1. Cài đặt ứng dụng",
        "Quét mã QR dưới đây bằng camera của điện thoại, hoặc tìm “<b>VssID</b>” trong cửa hàng ứng dụng "
        "(CH Play trên điện thoại Android, App Store trên iPhone), rồi cài đặt ứng dụng "
        f"<b>{APP_NAME}</b> do Bảo hiểm xã hội Việt Nam phát hành.",
    ),
    (
        "Bước 2. Đăng nhập",
        "Mở ứng dụng, chọn “Đăng nhập”, nhập <b>tên đăng nhập</b> ghi ở trên và <b>mật khẩu ban đầu</b> "
        "nhận được trong <b>tin nhắn SMS</b> gửi đến số điện thoại đã đăng ký. Mật khẩu không được in trên giấy này. "
        "Tên đăng nhập là số định danh cá nhân; mã số BHXH cũng dùng được. Mật khẩu ban đầu chỉ dùng được trong "
        f"<b>{settings.GDDT_INITIAL_PASSWORD_HOURS} giờ</b>.",
    ),
    (
        "Bước 3. Đổi mật khẩu ở lần đăng nhập đầu tiên",
        "Ở lần đăng nhập đầu tiên, ứng dụng yêu cầu đổi mật khẩu. Hãy đặt mật khẩu mới mà chỉ mình ông/bà biết, "
        "khó đoán (có chữ hoa, chữ thường, chữ số và ký tự đặc biệt), rồi xóa tin nhắn chứa mật khẩu ban đầu.",
    ),
    (
        "Khi quên mật khẩu",
        "Trên màn hình đăng nhập, chọn “<b>Quên mật khẩu</b>”, nhập tên đăng nhập và số điện thoại đã đăng ký: "
        "một <b>mã xác nhận gồm 6 chữ số</b> được gửi bằng <b>tin nhắn SMS</b> đến số điện thoại đó, có hiệu lực "
        "10 phút; nhập mã và đặt mật khẩu mới. Cũng có thể làm trên trang web "
        f"<b>{settings.SITE_URL}/quen-mat-khau/</b>. Mật khẩu ban đầu đã hết hạn, hoặc tài khoản bị khóa do nhập sai "
        "nhiều lần: hãy đến bất kỳ cơ quan bảo hiểm xã hội nào, mang theo giấy tờ tùy thân, để được gửi mật khẩu mới "
        "hoặc mở khóa. Nếu không còn dùng số điện thoại đã đăng ký, cũng hãy đến cơ quan bảo hiểm xã hội.",
    ),
]
WARNING = (
    "<b>Lưu ý an toàn:</b> không cung cấp mật khẩu hoặc mã xác nhận cho bất kỳ ai, kể cả người tự xưng là "
    "cán bộ bảo hiểm xã hội. Cơ quan bảo hiểm xã hội không bao giờ hỏi mật khẩu của ông/bà."
)


def vssid_guide_pdf(*, full_name: str, username: str, office: Office | None = None) -> bytes:
    """The guide for the holder of `username`, on one A4 page; the same input gives the same bytes."""
    story: list[Flowable] = [
        para("BẢO HIỂM XÃ HỘI VIỆT NAM", "center_bold"),
    ]
    if office is not None:
        story.append(para(text(office.name), "center"))
    story += [
        Spacer(0, 6 * mm),
        para("HƯỚNG DẪN CÀI ĐẶT VÀ SỬ DỤNG", "title"),
        para(APP_NAME, "title"),
        Spacer(0, 5 * mm),
        para(f"Kính gửi ông/bà: <b>{text(full_name)}</b>", "body"),
        para(
            "Tài khoản giao dịch điện tử của ông/bà với cơ quan bảo hiểm xã hội đã được kích hoạt. "
            "Ông/bà dùng tài khoản này để đăng nhập ứng dụng VssID và Cổng Dịch vụ công.",
            "justify",
        ),
        Spacer(0, 4 * mm),
        _account_box(username),
        Spacer(0, 2 * mm),
    ]
    for n, (heading, body) in enumerate(STEPS):
        story += [para(heading, "section"), para(body, "justify")]
        if n == 0:
            story += [Spacer(0, 2 * mm), _store_codes()]
    story += [
        Spacer(0, 5 * mm),
        _boxed(para(WARNING, "justify")),
        Spacer(0, 5 * mm),
        para("Tổng đài hỗ trợ của Bảo hiểm xã hội Việt Nam", "center"),
        para(HOTLINE, "big"),
    ]

    def draw_footer(canvas: Canvas) -> None:
        footer_line(canvas, f"{TITLE} · Tổng đài {HOTLINE}")

    return pdf_build(story, title=TITLE, footer=draw_footer)


def _account_box(username: str) -> Table:
    rows = [
        [
            [para("Tên đăng nhập", "body"), para("(số định danh cá nhân hoặc mã số BHXH)", "small")],
            para(text(username), "number"),
        ],
        [para("Mật khẩu ban đầu", "body"), para("đã gửi bằng tin nhắn SMS đến số điện thoại đã đăng ký", "body")],
    ]
    table = Table(rows, colWidths=[45 * mm, CONTENT_WIDTH - 45 * mm])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, RULE),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
                ("BACKGROUND", (0, 0), (0, -1), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _store_codes() -> Table:
    size = 34 * mm
    cells = [
        [qr.qr_code(qr.qr_for_url(GOOGLE_PLAY_URL), size=size), para("Android – Google Play (CH Play)", "center")],
        [qr.qr_code(qr.qr_for_url(APP_STORE_URL), size=size), para("iPhone – App Store", "center")],
    ]
    table = Table([cells], colWidths=[CONTENT_WIDTH / 2] * 2)
    table.setStyle(
        TableStyle(
            [
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _boxed(content: Flowable) -> Table:
    table = Table([[content]], colWidths=[CONTENT_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, RULE),
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LEFTPADDING", (0, 0), (-1, -1), 7),
                ("RIGHTPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return table
