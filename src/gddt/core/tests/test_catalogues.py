"""Every app's Vietnamese catalogue is compiled (the committed .mo says what msgfmt makes of the .po) and complete (no
empty or fuzzy Vietnamese entry): a string added without its translation, or not compiled, fails here."""

import gettext
import os
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(PACKAGE.glob("*/locale/vi/LC_MESSAGES/django.po"))
IDS = [po.relative_to(PACKAGE).parts[0] for po in CATALOGUES]


def _gettext_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: apt-get install gettext (Django's compilemessages needs it too)")
    return found


def _catalog(mo: Path) -> dict:
    with mo.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]


def test_every_app_with_translatable_text_has_a_catalogue():
    assert {"core", "registrations", "counter", "accounts"} <= set(IDS)


@pytest.mark.parametrize("po", CATALOGUES, ids=IDS)
def test_the_committed_mo_is_the_compiled_po(po, tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run([_gettext_tool("msgfmt"), "--check-format", "-o", str(compiled), str(po)], check=True)
    committed = po.with_suffix(".mo")
    assert committed.exists(), f"{committed} is missing: run compilemessages and commit it"
    # Compared as catalogues, not bytes: another gettext version may lay the same messages out differently.
    assert _catalog(committed) == _catalog(compiled), f"{committed} is stale: run compilemessages and commit it"


@pytest.mark.parametrize("po", CATALOGUES, ids=IDS)
def test_no_vietnamese_entry_is_empty_or_fuzzy(po):
    english = {**os.environ, "LC_ALL": "C"}
    statistics = subprocess.run(
        [_gettext_tool("msgfmt"), "--statistics", "-o", os.devnull, str(po)],
        check=True,
        capture_output=True,
        text=True,
        env=english,
    ).stderr.strip()
    # e.g. "212 translated messages." or "210 translated messages, 1 fuzzy translation, 1 untranslated message."
    if "," in statistics or "translated" not in statistics:
        left = "".join(
            subprocess.run(
                [_gettext_tool("msgattrib"), option, "--no-location", str(po)], capture_output=True, text=True
            ).stdout
            for option in ("--untranslated", "--only-fuzzy")
        )
        pytest.fail(f"{po.relative_to(PACKAGE)}: {statistics}\n{left}")
