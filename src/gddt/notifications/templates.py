"""Default SMS texts (no diacritics: one GSM-7 segment of 160 characters where possible). An administrator
edits them as SmsTemplate rows; `$name` placeholders are filled by services.sms_queue."""

DEFAULT_TEMPLATES: dict[str, str] = {
    "submitted": (
        "BHXH VN: Da nhan ho so DK GDDT so $dossier_no ($identity). Mang giay to toi bat ky co quan BHXH "
        "nao truoc $deadline de hoan tat."
    ),
    "reminder": (
        "BHXH VN: Ho so DK GDDT so $dossier_no het han ngay $deadline. Hay toi bat ky co quan BHXH nao de hoan tat."
    ),
    "expired": "BHXH VN: Ho so DK GDDT so $dossier_no da het han. Moi ban dang ky lai tren Cong DVC hoac VssID.",
    "not_you": (
        "BHXH VN: Co nguoi vua dang ky GDDT bang so giay to cua ban. Neu khong phai ban, goi tong dai 1900 9068."
    ),
    "approved": (
        "BHXH VN: Tai khoan VssID da kich hoat. Ten dang nhap: $username. Mat khau: $password. "
        "Hay doi mat khau o lan dang nhap dau tien."
    ),
    "rejected": "BHXH VN: Ho so DK GDDT so $dossier_no bi tu choi: $reason. Lien he co quan BHXH de biet them.",
    "reopened": "BHXH VN: Ho so DK GDDT so $dossier_no da duoc mo lai, han hoan tat $deadline.",
    "password_reset": "BHXH VN: Ma dat lai mat khau VssID: $code. Ma co hieu luc 10 phut. Khong chia se ma nay.",
    "reissued": (
        "BHXH VN: Mat khau moi cua tai khoan VssID $username: $password. Hay doi mat khau o lan dang nhap dau tien."
    ),
}

# Texts that carry a secret are redacted in the outbox once the provider has them.
SECRET_TEMPLATES = {"approved", "password_reset", "reissued"}

# The GSM 03.38 alphabet: what an SMS carries in 7 bits a character (the escape itself left out). The extension
# table's characters cost two. Anything else would switch the whole message to UCS-2 (70 characters a segment).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


def gsm7_outside(text: str) -> list[str]:
    """The characters of `text` that GSM-7 cannot carry, each once, in the order they first appear."""
    return list(dict.fromkeys(char for char in text if char not in GSM7_BASIC and char not in GSM7_EXTENSION))


def gsm7_segments(text: str) -> int:
    """Segments of a GSM-7 text: one of 160 septets, or parts of 153 (the rest is the concatenation header)."""
    septets = sum(2 if char in GSM7_EXTENSION else 1 for char in text)
    return 1 if septets <= 160 else -(-septets // 153)
