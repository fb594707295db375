"""What the printed documents share: A4 page, styles, safe text and a one-page build."""

import io
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepInFrame, PageTemplate, Paragraph

from gddt.printing.fonts import FONT, FONT_BOLD

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 16 * mm
MARGIN_TOP = 12 * mm
MARGIN_BOTTOM = 14 * mm  # room for the footer line
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
CONTENT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
GREY = colors.Color(0.35, 0.35, 0.35)
RULE = colors.Color(0.55, 0.55, 0.55)
SHADE = colors.Color(0.93, 0.93, 0.93)
BLANK = "…………………………"  # a line for the officer to fill in by hand


def _style(name: str, **kw: Any) -> ParagraphStyle:
    base = {"fontName": FONT, "fontSize": 9.5, "leading": 12.5, "textColor": colors.black, "alignment": TA_LEFT}
    return ParagraphStyle(name, **{**base, **kw})


STYLES = {
    "body": _style("body"),
    "justify": _style("justify", alignment=TA_JUSTIFY),
    "cell": _style("cell", fontSize=9.5, leading=12),
    "small": _style("small", fontSize=8, leading=10, textColor=GREY),
    "motto": _style("motto", fontName=FONT_BOLD, fontSize=10, leading=13, alignment=TA_CENTER),
    "motto_sub": _style("motto_sub", fontName=FONT_BOLD, fontSize=10.5, leading=13, alignment=TA_CENTER),
    "center": _style("center", alignment=TA_CENTER),
    "center_small": _style("center_small", fontSize=8, leading=10, alignment=TA_CENTER, textColor=GREY),
    "center_bold": _style("center_bold", fontName=FONT_BOLD, alignment=TA_CENTER),
    "title": _style("title", fontName=FONT_BOLD, fontSize=15, leading=19, alignment=TA_CENTER),
    "subtitle": _style("subtitle", fontName=FONT_BOLD, fontSize=11.5, leading=15, alignment=TA_CENTER),
    "section": _style("section", fontName=FONT_BOLD, fontSize=10, leading=13, spaceBefore=7, spaceAfter=3),
    "number": _style("number", fontName=FONT_BOLD, fontSize=13, leading=16, alignment=TA_CENTER),
    "big": _style("big", fontName=FONT_BOLD, fontSize=16, leading=20, alignment=TA_CENTER),
}


def text(value: object) -> str:
    """Data as Paragraph markup: composed Unicode (precomposed Vietnamese glyphs) and escaped, so that
    a "<" or "&" typed by a citizen prints as itself and can never become markup."""
    return escape(unicodedata.normalize("NFC", str(value)))


def para(markup: str, style: str = "body") -> Paragraph:
    return Paragraph(markup, STYLES[style])


def day_text(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def moment_text(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def pdf_build(story: list[Flowable], *, title: str, footer: Callable[[Canvas], None] | None = None) -> bytes:
    """One A4 page: content that would overflow is scaled down rather than spilling onto a second sheet.
    `invariant` removes the random document ID and the clock from the file, so equal input gives equal bytes.
    The metadata holds only the document's kind: never a name or a number."""
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out,
        pagesize=A4,
        invariant=True,
        title=title,
        author="Bảo hiểm xã hội Việt Nam",
        creator="GDĐT",
        subject="",
        keywords="",
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
    )
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        CONTENT_WIDTH,
        CONTENT_HEIGHT,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="page",
    )

    def on_page(canvas: Canvas, _doc: BaseDocTemplate) -> None:
        if footer is not None:
            canvas.saveState()
            footer(canvas)
            canvas.restoreState()

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    doc.build([KeepInFrame(CONTENT_WIDTH, CONTENT_HEIGHT, story, mode="shrink")])
    return out.getvalue()


def footer_line(canvas: Canvas, line: str) -> None:
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(GREY)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    y = MARGIN_BOTTOM - 5 * mm
    canvas.line(MARGIN_X, y + 3.2 * mm, PAGE_WIDTH - MARGIN_X, y + 3.2 * mm)
    canvas.drawString(MARGIN_X, y, unicodedata.normalize("NFC", line))
