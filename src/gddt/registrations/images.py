"""Photos are real images (product.md rule 9): fully decoded, limited in bytes and pixels, re-encoded as JPEG
with EXIF stripped and the orientation applied. Nothing here touches storage: a refused file leaves no trace."""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

from gddt.registrations.validators import Invalid

register_heif_opener()
Image.MAX_IMAGE_PIXELS = None  # checked below against our own, lower, limit before decoding

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "HEIF"}
JPEG_QUALITY = 85


@dataclass(frozen=True)
class CleanImage:
    content: bytes  # the re-encoded JPEG
    sha256: str
    width: int
    height: int


def image_clean(upload: UploadedFile | bytes, *, min_short_side: int) -> CleanImage:
    if isinstance(upload, bytes):
        raw = upload
    else:
        if upload.size is not None and upload.size > MAX_BYTES:
            raise Invalid("file_too_large", _("The file is larger than 10 MB."))
        upload.seek(0)
        raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise Invalid("file_too_large", _("The file is larger than 10 MB."))
    if not raw:
        raise Invalid("empty_file", _("The file is empty."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(raw))
            if opened.format not in ACCEPTED_FORMATS:
                raise Invalid("unsupported_format", _("Send a photo as JPEG, PNG or HEIC."))
            if opened.width * opened.height > MAX_PIXELS:
                raise Invalid("too_many_pixels", _("The photo has more than 40 megapixels."))
            opened.load()  # the whole image is decoded: a truncated or disguised file fails here
            image: Image.Image = ImageOps.exif_transpose(opened)
    except Invalid:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Invalid("not_an_image", _("This file is not a JPEG, PNG or HEIC photo.")) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise Invalid("corrupt_image", _("The photo is damaged or incomplete; take it again.")) from None
    if min(image.width, image.height) < min_short_side:
        raise Invalid("too_small", _("The photo must be at least %(px)d pixels on its short side.")
                      % {"px": min_short_side})
    if image.mode != "RGB":
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=False)  # no exif= : metadata is dropped
    content = out.getvalue()
    return CleanImage(content=content, sha256=hashlib.sha256(content).hexdigest(), width=image.width,
                      height=image.height)
