"""The photo pipeline (registrations/images.py) as a citizen and an attacker meet it: what is kept of a photo, which
damaged or costly files are refused (with the field named and nothing kept), and how much memory a request of
small files that unpack into huge images may take."""

import io
import json
import struct
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import pytest
from django.test import override_settings
from PIL import Image

from gddt.registrations import images
from gddt.registrations.models import Document
from gddt_testing.factories import adult_data, jpeg_bytes

from .helpers import kept, post_multipart, stored_files

pytestmark = pytest.mark.django_db

PHP = b"<?php system($_GET['c']); ?>"
ID_NUMBER = b"001203004567"


def errors_of(response) -> dict[str, str]:
    assert response["Content-Type"] == "application/problem+json"
    return {e["field"]: e["code"] for e in response.json()["errors"]}


def _chunk(kind: bytes, data: bytes, crc: int | None = None) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) if crc is None else crc)
    )


def png_with_damaged_data(width: int = 1200, height: int = 800) -> bytes:
    """A PNG whose pixel data was changed after it was written (a bad sector, a bad copy): the zlib stream is
    still valid, so the file parses and decodes, but the chunk's CRC no longer matches its data. Pillow never
    checks that CRC and shows the wrong pixels."""
    rows = b"".join(b"\x00" + bytes((30, 120, 200)) * width for _ in range(height))
    good = zlib.compress(rows, 0)  # stored blocks: the damage below stays inside one block's pixel bytes
    damaged = bytearray(good)
    start = 2 + 5 + 10 * (1 + 3 * width) + 100  # zlib header, first block header, into the 11th row
    damaged[start : start + 60] = bytes(255 - b for b in damaged[start : start + 60])
    inflated = zlib.decompressobj().decompress(bytes(damaged[:-4]))  # up to, not including, the old Adler-32
    damaged[-4:] = struct.pack(">I", zlib.adler32(inflated))  # zlib is satisfied ...
    assert zlib.decompress(bytes(damaged)) != rows
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", bytes(damaged), crc=zlib.crc32(b"IDAT" + good))  # ... the CRC is the one of before
        + _chunk(b"IEND", b"")
    )


def interlaced_png(width: int, height: int, *, bands: int = 4, depth: int = 16) -> bytes:
    """An interlaced (Adam7) PNG of zeros: a few hundred KB that a decoder must hold whole, width x height x bands
    x depth/8 bytes (6000 x 6000 16-bit RGBA: 288 MB)."""
    colour_type = {1: 0, 2: 4, 3: 2, 4: 6}[bands]
    pixel = bands * depth // 8
    packer = zlib.compressobj(9)
    parts = []
    for x0, y0, dx, dy in [
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ]:
        pass_width, pass_height = (width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy
        if pass_width and pass_height:
            row = bytes(1 + pass_width * pixel)
            parts += [packer.compress(row) for _ in range(pass_height)]
    parts.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 1)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")


def one_bit_png(side: int = 6300) -> bytes:
    """4.9 KB that decode into 39.7 million pixels: under the 40-megapixel limit of one photo."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def jpeg_with_comment() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (90, 90, 90)).save(
        out, format="JPEG", quality=90, comment=PHP + b" CCCD " + ID_NUMBER
    )
    content = out.getvalue()
    assert b"\xff\xfe" in content and PHP in content and ID_NUMBER in content
    return content


def jpeg_segments(content: bytes) -> list[int]:
    """The markers of a JPEG up to the start of its image data."""
    assert content[:2] == b"\xff\xd8"
    markers, at = [], 2
    while True:
        marker = content[at + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            return markers
        (length,) = struct.unpack(">H", content[at + 2 : at + 4])
        at += 2 + length


def test_a_jpeg_comment_with_a_script_and_an_id_number_is_not_kept(client):
    response = post_multipart(client, adult_data(), {"id_front": jpeg_with_comment()})
    assert response.status_code == 201, response.content
    stored = Document.objects.get().file.read()
    assert PHP not in stored and ID_NUMBER not in stored
    markers = jpeg_segments(stored)
    assert 0xFE not in markers  # no COM segment
    assert not [m for m in markers if 0xE1 <= m <= 0xEF]  # no APP1-APP15: EXIF, XMP, ICC, IPTC, Adobe


@pytest.mark.parametrize(
    "make, code",
    [
        (png_with_damaged_data, "corrupt_image"),
        (lambda: interlaced_png(6000, 6000), "too_many_pixels"),  # 280 KB that would take 288 MB to decode
    ],
    ids=["PNG with damaged image data", "interlaced 16-bit PNG of 36 MP"],
)
def test_a_damaged_or_costly_png_is_refused_and_nothing_is_kept(client, make, code):
    before = kept()
    response = post_multipart(client, adult_data(), {"portrait": jpeg_bytes(600, 800), "id_front": make()})
    assert response.status_code == 422, response.content
    assert errors_of(response) == {"id_front": code}
    assert kept() == before
    assert stored_files() == []


def test_the_pixels_of_all_photos_of_a_request_are_capped_together(client):
    photos = {"portrait": jpeg_bytes(600, 800), "id_front": jpeg_bytes(1200, 800), "id_back": jpeg_bytes(1000, 700)}
    with override_settings(GDDT_PHOTO_MAX_REQUEST_PIXELS=1_500_000):  # 0.48 + 0.96 fit, + 0.7 does not
        before = kept()
        response = post_multipart(client, adult_data(), photos)
        assert response.status_code == 422, response.content
        assert errors_of(response) == {"id_back": "too_many_pixels"}
        assert "1 megapixel" in response.json()["errors"][0]["message"]  # the cap, in Vietnamese by default
        assert kept() == before
        assert stored_files() == []
    with override_settings(GDDT_PHOTO_MAX_REQUEST_PIXELS=2_200_000):
        assert post_multipart(client, adult_data(), photos).status_code == 201


def test_the_cap_of_a_request_is_named_in_english_on_request(client):
    with override_settings(GDDT_PHOTO_MAX_REQUEST_PIXELS=1_000_000):
        response = post_multipart(
            client,
            adult_data(),
            {"id_front": jpeg_bytes(1200, 800), "id_back": jpeg_bytes(1000, 700)},
            **{"Accept-Language": "en"},
        )
    assert errors_of(response) == {"id_back": "too_many_pixels"}
    assert response.json()["errors"][0]["message"].startswith("The photos of this request have more than 1 ")


@pytest.mark.parametrize("orientation, stored", [(1, (2400, 1600)), (6, (1600, 2400))])
def test_a_large_photo_is_kept_at_the_stored_maximum_with_its_orientation_applied(client, orientation, stored):
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    Image.new("RGB", (4500, 3000), (10, 20, 30)).save(out, format="JPEG", exif=exif.tobytes())
    response = post_multipart(client, adult_data(), {"id_front": out.getvalue()})
    assert response.status_code == 201, response.content
    document = Document.objects.get()
    assert (document.width, document.height) == stored
    assert Image.open(document.file).size == stored


def test_the_stored_maximum_is_a_setting(client):
    with override_settings(GDDT_PHOTO_MAX_SIDE=1000):
        response = post_multipart(client, adult_data(), {"id_front": jpeg_bytes(1200, 800)})
    assert response.status_code == 201, response.content
    assert (Document.objects.get().width, Document.objects.get().height) == (1000, 667)


def test_no_more_decodes_run_at_once_than_the_setting_allows(monkeypatch):
    running, most = 0, 0
    changed = threading.Condition()
    decode = images._vips_decode

    def counted(raw):
        nonlocal running, most
        with changed:
            running += 1
            most = max(most, running)
            changed.notify_all()
            changed.wait_for(lambda: running >= 2, timeout=1)  # two are in: the slots are full
        try:
            time.sleep(0.05)  # a third decode, if it could start, has every chance to
            return decode(raw)
        finally:
            with changed:
                running -= 1

    monkeypatch.setattr(images, "_vips_decode", counted)
    photo = jpeg_bytes(1200, 800)
    with override_settings(GDDT_PHOTO_DECODES_AT_ONCE=2):
        threads = [
            threading.Thread(target=images.image_clean, args=(photo,), kwargs={"min_short_side": 600}) for _ in range(6)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert most == 2


MEASURE = """
import json, os, resource, sys
from pathlib import Path
os.environ["DJANGO_SETTINGS_MODULE"] = "gddt.settings"
import django
django.setup()
from gddt.registrations.images import PixelBudget, image_clean
from gddt.registrations.validators import Invalid

folder = Path(sys.argv[1])
image_clean((folder / "warm-up.jpg").read_bytes(), min_short_side=600)  # libvips and its codecs loaded
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
budget, codes = PixelBudget(), {}
for name in json.loads((folder / "parts.json").read_text()):  # one request: its parts in order, one budget
    try:
        photo = image_clean((folder / name).read_bytes(), min_short_side=600, budget=budget)
        codes[name] = [photo.width, photo.height]
    except Invalid as error:
        codes[name] = error.code
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"codes": codes, "peak_growth_kb": after - before}))
"""


def test_a_request_of_small_files_that_unpack_into_huge_images_stays_small_in_memory(tmp_path):
    """Three 4.9 KB PNGs of 6300 x 6300 (each 316 MB in the Pillow pipeline) and a 280 KB interlaced PNG that
    would need 288 MB, as the parts of one request, in a fresh process: libvips streams the first two, the
    third goes over the request's pixels and the fourth over what one decode may allocate, neither decoded. The
    peak resident memory of the process grows by less than one such image would take decoded at one byte a
    pixel (39.7 MB)."""
    bomb = one_bit_png()
    assert len(bomb) < 6000
    parts = {"id_front": bomb, "id_back": bomb, "portrait": bomb, "guardian_id_front": interlaced_png(6000, 6000)}
    for name, content in parts.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "parts.json").write_text(json.dumps(list(parts)))
    (tmp_path / "warm-up.jpg").write_bytes(jpeg_bytes(1200, 800))
    src = Path(images.__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=src.parent,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(src), "GDDT_DATA_DIR": str(tmp_path / "var")},
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["codes"] == {
        "id_front": [2400, 2400],
        "id_back": [2400, 2400],
        "portrait": "too_many_pixels",
        "guardian_id_front": "too_many_pixels",
    }
    assert result["peak_growth_kb"] < 6300 * 6300 // 1024
