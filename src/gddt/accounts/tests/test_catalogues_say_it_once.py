"""No Vietnamese translation of the project says the same sentence twice (a merge once doubled many of them:
"Bạn không thể tự thay đổi vai trò của mình…" was shown twice in a row)."""

import ast
import re
from pathlib import Path

import pytest

import gddt

CATALOGUES = sorted(Path(gddt.__file__).parent.glob("*/locale/vi/LC_MESSAGES/django.po"))
_KEYWORD = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+(\".*\")\s*$")


def translations(path: Path) -> list[tuple[str, str]]:
    """(msgid, translation) of every entry of a .po file (each plural form apart); obsolete entries left out."""
    entries: list[dict[str, str]] = []
    entry: dict[str, str] = {}
    key = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if match := _KEYWORD.match(line):
            key = match.group(1)
            if key in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in entry):
                entries.append(entry)
                entry = {}
            entry[key] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and key:
            entry[key] += ast.literal_eval(line)
        elif not line.startswith("#") or line.startswith("#~"):
            key = ""
    entries.append(entry)
    return [(e["msgid"], value) for e in entries if e.get("msgid") for k, value in e.items() if k.startswith("msgstr")]


def repeated(text: str) -> str | None:
    """The sentence said twice in `text` (or the whole text said twice over), else None."""
    text = " ".join(text.split())
    if (whole := re.fullmatch(r"(.+?)\s*\1", text)) and len(whole.group(1).split()) >= 2:
        return whole.group(1)
    # Sentences end with . ! or ? (a doubled string often has no space at the join: "…GDĐT.Đang…").
    sentences = [s.strip() for s in re.findall(r"[^.!?]+[.!?]*", text) if len(s.split()) >= 3]
    return next((s for s in sentences if sentences.count(s) > 1), None)


def test_the_checker_finds_a_doubled_sentence_and_leaves_sound_text_alone():
    assert repeated("Mã không đúng. Hãy nhập mã.Mã không đúng. Hãy nhập mã.") == "Mã không đúng. Hãy nhập mã."
    assert repeated("Nhân sự và phân quyềnNhân sự và phân quyền") == "Nhân sự và phân quyền"
    assert repeated("Quét mã này: mở ứng dụng. Nhập mã mới nhất: mở ứng dụng.") is None
    assert repeated("Trang %(number)s / %(total)s") is None
    assert repeated("Khoá cài đặt (loại theo thời gian):Khoá cài đặt (loại theo thời gian):") is not None


def test_every_app_with_a_catalogue_is_checked():
    assert {path.parts[-5] for path in CATALOGUES} >= {"accounts", "counter", "registrations"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parts[-5])
def test_no_vietnamese_translation_says_the_same_sentence_twice(path):
    doubled = {msgid: sentence for msgid, translation in translations(path) if (sentence := repeated(translation))}
    assert doubled == {}


def test_the_officer_pages_say_each_hint_once(client, hanoi_director, verified_client):
    sign_in = client.get("/can-bo/dang-nhap/").content.decode()
    assert sign_in.count("Chỉ dành cho cán bộ Bảo hiểm xã hội Việt Nam.") == 1
    staff = verified_client(hanoi_director).get("/can-bo/nhan-su/").content.decode()
    assert staff.count("Vai trò tại một cơ quan có hiệu lực tại cơ quan đó") == 1
