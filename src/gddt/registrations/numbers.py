"""Dossier numbers: two digits of the year, a sequence of at least seven digits, and a Damm check digit.

Damm's algorithm catches every single mistyped digit and every swap of two adjacent digits. The number is
shown as 26-0001234-5 and found with or without separators; a QR payload "GDDT:2600012345" works too."""

import re

_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
QR_PREFIX = "GDDT:"
_SEPARATORS = re.compile(r"[\s\-./]")


def damm_digit(digits: str) -> int:
    interim = 0
    for ch in digits:
        interim = _DAMM[interim][int(ch)]
    return interim


def dossier_number_make(*, year: int, sequence: int) -> str:
    body = f"{year % 100:02d}{sequence:07d}"
    return f"{body}{damm_digit(body)}"


def dossier_number_format(number: str) -> str:
    return f"{number[:2]}-{number[2:-1]}-{number[-1]}"


def dossier_number_normalize(text: str) -> str | None:
    """The canonical digits of a typed, pasted or scanned dossier number, or None when it is not one in shape
    (it may still be mistyped: see dossier_number_is_valid)."""
    text = text.strip()
    if text.upper().startswith(QR_PREFIX):
        text = text[len(QR_PREFIX) :]
    digits = _SEPARATORS.sub("", text)
    if not digits.isascii() or not digits.isdigit() or not 10 <= len(digits) <= 16:
        return None
    return digits


def dossier_number_is_valid(digits: str) -> bool:
    return damm_digit(digits) == 0


def dossier_qr_payload(number: str) -> str:
    return f"{QR_PREFIX}{number}"
