"""The Vietnamese catalogues are complete and compiled, and the API speaks Vietnamese unless asked otherwise."""

import gettext
import re
from pathlib import Path

import pytest

from gddt_testing.factories import adult_data

APPS = ("core", "registrations", "offices", "notifications")
ROOT = Path(__file__).resolve().parents[2]


def _entries(po: Path) -> list[tuple[str, list[str], bool]]:
    """(msgid, msgstrs, fuzzy) of a .po file, with continuation lines joined; the header is left out."""
    entries, current, field, fuzzy = [], None, None, False
    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            current, field = {"msgid": _unquote(line[6:]), "msgstr": []}, "msgid"
        elif line.startswith("msgid_plural "):
            field = "plural"
        elif line.startswith("msgstr"):
            current["msgstr"].append(_unquote(line.split(" ", 1)[1]))
            field = "msgstr"
        elif line.startswith('"') and current is not None:
            if field == "msgid":
                current["msgid"] += _unquote(line)
            elif field == "msgstr":
                current["msgstr"][-1] += _unquote(line)
        elif not line.strip() and current is not None:
            if current["msgid"]:
                entries.append((current["msgid"], current["msgstr"], fuzzy))
            current, field, fuzzy = None, None, False
    return entries


def _unquote(text: str) -> str:
    return text.strip()[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


@pytest.mark.parametrize("app", APPS)
def test_every_message_of_the_app_is_translated_into_vietnamese_and_compiled(app):
    po = ROOT / app / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    entries = _entries(po)
    assert entries, f"{po} is empty"
    untranslated = [msgid for msgid, msgstrs, fuzzy in entries if fuzzy or not all(msgstrs)]
    assert untranslated == []
    with (po.parent / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [msgid for msgid, msgstrs, _ in entries if compiled.gettext(msgid) != msgstrs[0]]
    assert stale == [], "run compilemessages"
    assert "Plural-Forms: nplurals=1; plural=0;" in po.read_text(encoding="utf-8")


def test_vietnamese_translations_keep_their_placeholders():
    for app in APPS:
        for msgid, msgstrs, _ in _entries(ROOT / app / "locale" / "vi" / "LC_MESSAGES" / "django.po"):
            for msgstr in msgstrs:
                assert sorted(re.findall(r"%\(\w+\)\w", msgid)) == sorted(re.findall(r"%\(\w+\)\w", msgstr)), msgid


@pytest.mark.django_db
def test_a_refused_registration_is_explained_in_vietnamese_by_default(client):
    response = client.post("/api/v1/registrations", adult_data(phone="12345"), content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["title"] == "Một số thông tin chưa hợp lệ."
    assert {
        "field": "phone",
        "code": "not_vietnamese_mobile",
        "message": "Nhập số điện thoại di động Việt Nam, ví dụ 0912345678.",
    } in body["errors"]


@pytest.mark.django_db
def test_a_refused_registration_is_explained_in_english_when_asked(client):
    response = client.post(
        "/api/v1/registrations", adult_data(phone="12345"), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["title"] == "Some fields are not valid."
    assert {
        "field": "phone",
        "code": "not_vietnamese_mobile",
        "message": "Enter a Vietnamese mobile number, for example 0912345678.",
    } in body["errors"]


@pytest.mark.django_db
def test_an_api_level_error_is_vietnamese_too(client):
    response = client.post("/api/v1/registrations", "{", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Hồ sơ đăng ký không phải là JSON hợp lệ."
