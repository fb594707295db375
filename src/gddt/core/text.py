"""Text helpers shared by every domain."""

import unicodedata

_SPECIAL = str.maketrans({"đ": "d", "Đ": "D"})


def strip_diacritics(text: str) -> str:
    """Vietnamese without diacritics, so an SMS fits the GSM-7 alphabet ("Hồ sơ" -> "Ho so")."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs"} for ch in text)


def squeeze_spaces(text: str) -> str:
    return " ".join(text.split())


def mask(value: str, *, keep: int = 3) -> str:
    """Shows only the last `keep` characters of an identifier: 001090012345 -> *********345."""
    if len(value) <= keep:
        return "*" * len(value)
    return "*" * (len(value) - keep) + value[-keep:]
