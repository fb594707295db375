"""The Pillow photo pipeline that `registrations.images.image_clean` used before libvips (commit cd0da15), kept
here only so that the bench can time it against the new one on the same files in the same run. Not used by the
service: it keeps JPEG comments, accepts a PNG whose data no longer matches its CRC, and holds whole decoded
images (a 4.9 KB PNG can cost 316 MB)."""

import hashlib
import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()
Image.MAX_IMAGE_PIXELS = None  # checked below against our own, lower, limit before decoding

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "HEIF"}
JPEG_QUALITY = 85


def pillow_clean(raw: bytes, *, min_short_side: int) -> tuple[bytes, str, int, int]:
    """Returns (JPEG, its SHA-256, width, height); raises ValueError(code) where image_clean refused."""
    if len(raw) > MAX_BYTES:
        raise ValueError("file_too_large")
    if not raw:
        raise ValueError("empty_file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(raw))
            if opened.format not in ACCEPTED_FORMATS:
                raise ValueError("unsupported_format")
            if opened.width * opened.height > MAX_PIXELS:
                raise ValueError("too_many_pixels")
            opened.load()
            image: Image.Image = ImageOps.exif_transpose(opened)
    except ValueError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError("not_an_image") from None
    except (OSError, SyntaxError, EOFError):
        raise ValueError("corrupt_image") from None
    if min(image.width, image.height) < min_short_side:
        raise ValueError("too_small")
    if image.mode != "RGB":
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=False)
    content = out.getvalue()
    return content, hashlib.sha256(content).hexdigest(), image.width, image.height
