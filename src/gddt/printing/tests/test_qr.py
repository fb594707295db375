import io

import pytest
import segno
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from gddt.printing.qr import qr_code, qr_for_url, qr_matrix, qr_runs
from gddt.printing.tests.qrdecode import qr_decode
from gddt.printing.tests.reading import pdf_rectangles, qr_matrix_from_rectangles
from gddt.registrations.numbers import dossier_number_make, dossier_qr_payload


def test_the_test_decoder_reads_every_mask_and_level_that_segno_writes():
    for payload in ["GDDT:2600012345", "GDDT:26000123456789012345", "0123456789", "xin chào"]:
        for error in "lmqh":
            for mask in range(8):
                code = segno.make_qr(payload, error=error, mask=mask, boost_error=False)
                if code.version <= 2:
                    assert qr_decode(code.matrix) == payload


def test_it_encodes_the_dossier_payload_in_a_regular_qr_code():
    payload = dossier_qr_payload(dossier_number_make(year=2026, sequence=1234))
    matrix = qr_matrix(payload)
    assert len(matrix) == 21  # version 1: a regular QR code, never a Micro QR (11 to 17 modules)
    assert qr_decode(matrix) == payload


def test_its_runs_cover_exactly_the_dark_modules():
    matrix = qr_matrix("GDDT:2600012345")
    rebuilt = [[False] * len(matrix) for _ in matrix]
    for row, col, length in qr_runs(matrix):
        assert length > 0
        for c in range(col, col + length):
            assert not rebuilt[row][c], "runs overlap"
            rebuilt[row][c] = True
    assert rebuilt == [list(row) for row in matrix]


@pytest.mark.parametrize("size", [20.0, 73.7, 200.0])
def test_the_flowable_draws_a_code_that_decodes_to_its_payload(size):
    payload = dossier_qr_payload(dossier_number_make(year=2026, sequence=7654321))
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=True)
    flowable = qr_code(payload, size=size)
    assert flowable.wrap(500, 500) == (size, size)
    flowable.drawOn(canvas, 100, 400)
    canvas.showPage()
    canvas.save()
    assert qr_decode(qr_matrix_from_rectangles(pdf_rectangles(out.getvalue()))) == payload


def test_a_url_with_vietnamese_letters_becomes_plain_ascii():
    payload = qr_for_url("https://apps.apple.com/vn/app/vssid-bảo-hiểm-xã-hội-số/id1521647600")
    assert payload.isascii()
    assert (
        payload
        == "https://apps.apple.com/vn/app/vssid-b%E1%BA%A3o-hi%E1%BB%83m-x%C3%A3-h%E1%BB%99i-s%E1%BB%91/id1521647600"
    )
    assert qr_for_url("https://play.google.com/store/apps/details?id=com.bhxhapp") == (
        "https://play.google.com/store/apps/details?id=com.bhxhapp"
    )
