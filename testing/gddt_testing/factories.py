"""Factories shared by the whole test suite: valid registrations, personal IDs and real images made by Pillow."""

import io
import itertools
import random
from datetime import date

from PIL import Image

_serial = itertools.count(random.randint(1, 400_000))


# Digit 4 of a personal ID by century of birth and sex, copied from the rule (docs domain.md, Decree 137/2015 art. 13)
# rather than computed by the code under test.
CENTURY_SEX_DIGIT = {(1900, "male"): "0", (1900, "female"): "1", (2000, "male"): "2", (2000, "female"): "3"}


def personal_id_for(*, born: date, sex: str, province: str = "001", serial: int | None = None) -> str:
    """A well-formed personal ID of a person born 1900-2099: province, century/sex digit, year, six serial digits."""
    serial = next(_serial) if serial is None else serial
    century = 1900 + 100 * ((born.year - 1900) // 100)
    return f"{province}{CENTURY_SEX_DIGIT[century, sex]}{born.year % 100:02d}{serial % 1_000_000:06d}"


def bhxh_code_new() -> str:
    return f"79{next(_serial) % 100_000_000:08d}"


def jpeg_bytes(width: int = 1200, height: int = 800, *, color=(30, 120, 200), exif: bytes | None = None) -> bytes:
    image = Image.new("RGB", (width, height), color)
    for x in range(0, width, 50):  # some structure, so that the JPEG is not trivially small
        image.paste((x % 255, 80, 160), (x, 0, min(x + 25, width), height))
    out = io.BytesIO()
    if exif:
        image.save(out, format="JPEG", quality=90, exif=exif)
    else:
        image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def png_bytes(width: int = 1000, height: int = 700) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (200, 30, 30, 128)).save(out, format="PNG")
    return out.getvalue()


def adult_data(**overrides) -> dict:
    """A valid `with_id_card` registration of a person born in 1990, with a fresh personal ID."""
    born = date(1990, 5, 17)
    pid = personal_id_for(born=born, sex="male")
    data = {
        "category": "with_id_card",
        "full_name": "Nguyễn Văn An",
        "date_of_birth": born.isoformat(),
        "sex": "male",
        "nationality": "VN",
        "personal_id": pid,
        "id_document": {
            "type": "cccd",
            "number": pid,
            "issued_on": "2021-04-01",
            "issued_by": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
        },
        "phone": "0912345678",
        "email": "an.nguyen@example.vn",
        "address": {"province_code": "01", "ward_code": "00070", "street": "12 Tràng Tiền"},
        "office_code": "01",
        "consent": True,
    }
    data.update(overrides)
    return data


def minor_data(**overrides) -> dict:
    """A valid `minor_without_id_card` registration of a 9-year-old, through the mother, who consents; the child,
    aged 7 or more, agrees too (`child_consent`)."""
    today = date.today()
    born = date(today.year - 9, 3, 14)
    mother_born = date(1988, 8, 2)
    data = {
        "category": "minor_without_id_card",
        "full_name": "Trần Thị Bình",
        "date_of_birth": born.isoformat(),
        "sex": "female",
        "personal_id": personal_id_for(born=born, sex="female", province="079"),
        "birth_certificate": {
            "number": "123/2017",
            "issued_on": born.replace(month=4).isoformat(),
            "issued_by": "UBND phường Bến Nghé",
        },
        "guardian": {
            "full_name": "Lê Thị Cúc",
            "relationship": "mother",
            "personal_id": personal_id_for(born=mother_born, sex="female", province="079"),
            "phone": "0987654321",
        },
        "phone": "0987654321",
        "address": {"province_code": "79", "ward_code": "26506", "street": "5 Lê Lợi"},
        "office_code": "79",
        "consent": True,
        "child_consent": True,
    }
    data.update(overrides)
    return data


def run_queued_tasks() -> None:
    """Runs the queued background tasks (SMS delivery, jobs) now, as `gddt worker --batch` would. The worker's
    connection housekeeping is switched off: inside a test's transaction it would close the connection."""
    from unittest import mock

    from django.core.management import call_command

    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("worker", batch=True, interval=0)


def citizen_password_set(citizen, password: str) -> None:
    """The citizen of an approved dossier (personas' `citizen`) has chosen `password`: the forced change after the
    initial password is done."""
    from gddt.accounts.models import User

    user = User.objects.get(pk=citizen.user.pk)
    user.set_password(password)
    user.must_change_password = False
    user.initial_password_expires_at = None
    user.save()
