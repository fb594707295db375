from reportlab.pdfbase import pdfmetrics

from gddt.printing.fonts import FONT, FONT_BOLD, FONTS_DIR, fonts_register

VIETNAMESE = "ĂÂĐÊÔƠƯăâđêôơưÀẢÃÁẠẰẲẴẮẶẦẨẪẤẬÈẺẼÉẸỀỂỄẾỆÌỈĨÍỊÒỎÕÓỌỒỔỖỐỘỜỞỠỚỢÙỦŨÚỤỪỬỮỨỰỲỶỸÝỴ"


def test_registering_again_keeps_the_fonts_already_loaded():
    before = pdfmetrics.getFont(FONT), pdfmetrics.getFont(FONT_BOLD)
    fonts_register()
    fonts_register()
    assert (pdfmetrics.getFont(FONT), pdfmetrics.getFont(FONT_BOLD)) == before


def test_both_faces_have_every_vietnamese_letter():
    letters = VIETNAMESE + VIETNAMESE.lower()
    for name in (FONT, FONT_BOLD):
        font = pdfmetrics.getFont(name)
        missing = [ch for ch in letters if ord(ch) not in font.face.charToGlyph]
        assert missing == [], name


def test_the_fonts_ship_with_their_license():
    license_text = (FONTS_DIR / "LICENSE").read_text()
    assert "Bitstream Vera Fonts Copyright" in license_text
    assert "Arev Fonts Copyright" in license_text
