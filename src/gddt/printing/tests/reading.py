"""Reading the PDFs back in tests, with pypdf only (no renderer, no native library)."""

import io
import re

from pypdf import PdfReader


def pdf_reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def pdf_text(pdf: bytes) -> str:
    """The text of every page, with runs of whitespace (line breaks of wrapped text) as one space."""
    return " ".join(" ".join(page.extract_text().split()) for page in pdf_reader(pdf).pages)


def page_sizes(pdf: bytes) -> list[tuple[int, int]]:
    return [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pdf_reader(pdf).pages]


_RECT = re.compile(rb"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re\b")


def pdf_rectangles(pdf: bytes) -> list[tuple[float, float, float, float]]:
    """Every rectangle drawn on the first page, as (x, y, width, height) in its local coordinates."""
    content = pdf_reader(pdf).pages[0].get_contents()
    assert content is not None
    return [tuple(float(v) for v in m.groups()) for m in _RECT.finditer(content.get_data())]  # type: ignore[misc]


def qr_matrix_from_rectangles(rects: list[tuple[float, float, float, float]]) -> list[list[bool]]:
    """Rebuilds a QR matrix from the runs of dark modules drawn as rectangles one module high (what
    gddt.printing.qr draws): the top-left finder pattern fixes the origin."""
    module = min(h for _, _, _, h in rects)
    runs = [r for r in rects if abs(r[3] - module) < 1e-3]
    left = min(x for x, _, _, _ in runs)
    top = max(y + h for _, y, _, h in runs)
    cells = [(round((top - (y + h)) / module), round((x - left) / module), round(w / module)) for x, y, w, h in runs]
    size = max(col + length for _, col, length in cells)
    assert size == max(row for row, _, _ in cells) + 1, "not a square code"
    matrix = [[False] * size for _ in range(size)]
    for row, col, length in cells:
        for c in range(col, col + length):
            matrix[row][c] = True
    return matrix
