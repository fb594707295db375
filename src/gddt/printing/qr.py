"""QR codes drawn as vector shapes: sharp at any printer resolution, small, and the same bytes every time."""

import segno
from django.utils.encoding import iri_to_uri
from reportlab.platypus import Flowable

QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 asks


def qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The dark (True) and light modules of a regular QR code (never a Micro QR: phone cameras skip those)."""
    code = segno.make_qr(payload, error="m")
    return tuple(tuple(bool(module) for module in row) for row in code.matrix)


def qr_for_url(url: str) -> str:
    """A URL as a QR payload: percent-encoded, so that every scanner reads a non-ASCII path the same way."""
    return iri_to_uri(url)


def qr_runs(matrix: tuple[tuple[bool, ...], ...]) -> list[tuple[int, int, int]]:
    """The horizontal runs of dark modules as (row, first column, length): one rectangle each."""
    runs = []
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                runs.append((r, start, c - start))
            else:
                c += 1
    return runs


class QrCode(Flowable):
    """A square QR code of `size` points, quiet zone included."""

    def __init__(self, payload: str, *, size: float):
        super().__init__()
        self.payload = payload
        self.matrix = qr_matrix(payload)
        self.size = size
        self.width = self.height = size

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        count = len(self.matrix)
        module = self.size / (count + 2 * QUIET_ZONE)
        top = self.size - QUIET_ZONE * module
        path = self.canv.beginPath()
        for row, col, length in qr_runs(self.matrix):
            path.rect((QUIET_ZONE + col) * module, top - (row + 1) * module, length * module, module)
        self.canv.saveState()
        self.canv.setFillColorRGB(0, 0, 0)
        self.canv.drawPath(path, fill=1, stroke=0)
        self.canv.restoreState()


def qr_code(payload: str, *, size: float) -> QrCode:
    """The flowable for `payload`; the documents call this, so that tests can see what they encode."""
    return QrCode(payload, size=size)
