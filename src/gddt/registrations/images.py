"""Photos are real images (product.md rule 9): fully decoded, limited in bytes and pixels, re-encoded as JPEG
with every metadata block dropped and the orientation applied. Nothing here touches storage: a refused file leaves
no trace.

The work is done by libvips (pyvips with the pyvips-binary wheel): it streams the image through decode, shrink,
rotate and encode instead of holding it whole, and refuses a file on any decoder warning (a damaged PNG, a JPEG
with corrupt data). Before anything is decoded, the header tells what decoding will allocate (width x height x
bands x bytes per band) and how many pixels it will cost: a photo that would allocate more than MAX_DECODE_BYTES is
refused, the pixels of all photos of a request are capped together (`PixelBudget`), and at most
GDDT_PHOTO_DECODES_AT_ONCE decodes run at once in a process; so a process's photo memory is bounded by
GDDT_PHOTO_DECODES_AT_ONCE x MAX_DECODE_BYTES, whatever the files claim. HEIC is decoded by pillow-heif: the libheif
inside pyvips-binary has no HEVC decoder (only AV1), while pillow-heif's carries libde265."""

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pillow_heif
import pyvips
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from gddt.registrations.validators import Invalid

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
# The most one decode may allocate: what the largest photo the contract admits needs, a 40-megapixel HEIC (its
# 8-bit RGB pixels and the YCbCr planes libheif decodes them from, about twice 3 bytes a pixel).
MAX_DECODE_BYTES = 2 * 3 * MAX_PIXELS
JPEG_QUALITY = 85
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BYTES_PER_BAND = {
    "uchar": 1,
    "char": 1,
    "ushort": 2,
    "short": 2,
    "uint": 4,
    "int": 4,
    "float": 4,
    "double": 8,
    "complex": 8,
    "dpcomplex": 16,
}
HEIF_BANDS = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4}

# libvips in a web process. Its operation cache keeps recent results (here: decoded pixels of someone's ID card)
# for reuse, which uploads never get: off. Its thread pool would give one decode every core, so that one large
# photo slows every other request of the machine: one thread per decode, and parallelism comes from the requests,
# at most GDDT_PHOTO_DECODES_AT_ONCE per process. Only the JPEG and PNG loaders may run on untrusted bytes: every
# other loader (SVG, PDF, TIFF, ImageMagick...) is blocked, so no header trick reaches them.
pyvips.cache_set_max(0)
pyvips.cache_set_max_mem(0)
pyvips.cache_set_max_files(0)
pyvips.concurrency_set(1)
pyvips.block_untrusted_set(True)
pyvips.operation_block_set("VipsForeignLoad", True)
pyvips.operation_block_set("VipsForeignLoadJpeg", False)
pyvips.operation_block_set("VipsForeignLoadPng", False)
pillow_heif.options.DECODE_THREADS = 1  # the same reason for HEIC: one core per decode

_decode_slots: dict[int, threading.BoundedSemaphore] = {}  # by GDDT_PHOTO_DECODES_AT_ONCE: one in production
_decode_slots_lock = threading.Lock()


@dataclass(frozen=True)
class CleanImage:
    content: bytes  # the re-encoded JPEG
    sha256: str
    width: int
    height: int


@dataclass(frozen=True)
class ImageHeader:
    kind: str  # "jpeg", "png" or "heif"
    width: int  # as stored, before the orientation is applied
    height: int
    bands: int
    bytes_per_band: int
    whole: bool  # decoded whole in two forms at once (HEIC; a progressive JPEG keeps all its coefficients)

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def decode_bytes(self) -> int:
        """The most that decoding will allocate: width x height x bands x bytes per band, twice for the decoders
        that hold the whole image in two forms. Streamed decodes (a baseline JPEG, a PNG that is not interlaced)
        hold far less; an interlaced PNG is held whole, once."""
        return self.pixels * self.bands * self.bytes_per_band * (2 if self.whole else 1)


class PixelBudget:
    """The pixels one request may decode, all its photos together (GDDT_PHOTO_MAX_REQUEST_PIXELS): the work one
    request can make a web process do. Each photo is charged from its header before it is decoded; a photo that
    would go over is refused and not decoded."""

    def __init__(self, pixels: int | None = None) -> None:
        self.total = settings.GDDT_PHOTO_MAX_REQUEST_PIXELS if pixels is None else pixels
        self.left = self.total

    def charge(self, pixels: int) -> None:
        if pixels > self.left:
            raise Invalid(
                "too_many_pixels",
                _("The photos of this request have more than %(mp)d megapixels together; send smaller photos.")
                % {"mp": self.total // 1_000_000},
            )
        self.left -= pixels


def image_clean(upload: UploadedFile | bytes, *, min_short_side: int, budget: PixelBudget | None = None) -> CleanImage:
    """Check and re-encode one photo. `budget` is the request's (one per request, shared by its photos); without
    it the photo is a request of its own."""
    raw = _raw_read(upload)
    header = image_header_read(raw)
    if header.pixels > MAX_PIXELS:
        raise Invalid("too_many_pixels", _("The photo has more than 40 megapixels."))
    if header.decode_bytes > MAX_DECODE_BYTES:  # deep colour, transparency, interlacing: a few KB may ask for GBs
        raise Invalid("too_many_pixels", _("The photo needs too much memory to open; send it as an ordinary JPEG."))
    if min(header.width, header.height) < min_short_side:
        raise Invalid(
            "too_small", _("The photo must be at least %(px)d pixels on its short side.") % {"px": min_short_side}
        )
    (budget if budget is not None else PixelBudget()).charge(header.pixels)
    with _decode_slot():
        try:
            image = _heif_decode(raw) if header.kind == "heif" else _vips_decode(raw)
            image = _srgb(image)
            # keep="none": no EXIF, XMP, IPTC, ICC or comment goes out; the pixels are all that is kept. The
            # sequential load is evaluated here: a decoder warning anywhere in the file raises now.
            content = image.jpegsave_buffer(Q=JPEG_QUALITY, keep="none", optimize_coding=False, interlace=False)
        except (pyvips.Error, ValueError, RuntimeError, OSError):
            raise Invalid("corrupt_image", _("The photo is damaged or incomplete; take it again.")) from None
    return CleanImage(
        content=content, sha256=hashlib.sha256(content).hexdigest(), width=image.width, height=image.height
    )


def image_header_read(raw: bytes) -> ImageHeader:
    """The kind, size and sample layout of a photo, from its header alone (nothing is decoded)."""
    if raw.startswith(b"\xff\xd8\xff"):
        kind, loader = "jpeg", pyvips.Image.jpegload_buffer
    elif raw.startswith(PNG_SIGNATURE):
        kind, loader = "png", pyvips.Image.pngload_buffer
    elif raw[4:8] == b"ftyp" and pillow_heif.is_supported(raw):
        return _heif_header(raw)
    else:
        raise Invalid("not_an_image", _("This file is not a JPEG, PNG or HEIC photo."))
    try:
        image = loader(raw, access="sequential", fail_on="warning")
        progressive = kind == "jpeg" and image.get_typeof("jpeg-multiscan") != 0 and image.get("jpeg-multiscan")
        return ImageHeader(
            kind=kind,
            width=image.width,
            height=image.height,
            bands=image.bands,
            bytes_per_band=BYTES_PER_BAND[image.format],
            whole=bool(progressive),
        )
    except (pyvips.Error, KeyError):
        raise Invalid("corrupt_image", _("The photo is damaged or incomplete; take it again.")) from None


def _raw_read(upload: UploadedFile | bytes) -> bytes:
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
    return raw


def _heif_header(raw: bytes) -> ImageHeader:
    try:
        heif = pillow_heif.open_heif(raw, convert_hdr_to_8bit=True)
        bands = HEIF_BANDS[heif.mode]
        width, height = heif.size
    except (ValueError, RuntimeError, OSError, KeyError):
        raise Invalid("corrupt_image", _("The photo is damaged or incomplete; take it again.")) from None
    return ImageHeader(kind="heif", width=width, height=height, bands=bands, bytes_per_band=1, whole=True)


def _vips_decode(raw: bytes) -> pyvips.Image:
    """JPEG and PNG: shrink-on-load to GDDT_PHOTO_MAX_SIDE (a JPEG is decoded at 1/2, 1/4 or 1/8 scale when that is
    still larger, every byte of it still read and checked), then the EXIF orientation applied."""
    side = settings.GDDT_PHOTO_MAX_SIDE
    return pyvips.Image.thumbnail_buffer(raw, side, height=side, size="down", option_string="fail_on=warning")


def _heif_decode(raw: bytes) -> pyvips.Image:
    """HEIC: libheif applies the container's rotation and mirroring itself (and pillow-heif resets the EXIF
    orientation to match), then libvips shrinks."""
    heif = pillow_heif.open_heif(raw, convert_hdr_to_8bit=True)
    width, height = heif.size
    bands = HEIF_BANDS[heif.mode]
    # Rows may be padded for alignment: read them as one band of `stride` bytes, cut the padding off and fold
    # each pixel's bytes back into bands, without copying.
    rows = pyvips.Image.new_from_memory(heif.data, heif.stride, height, 1, "uchar")
    image = (
        rows.crop(0, 0, width * bands, height).bandfold(factor=bands) if bands > 1 else rows.crop(0, 0, width, height)
    )
    image = image.copy(interpretation="b-w" if bands <= 2 else "srgb")
    side = settings.GDDT_PHOTO_MAX_SIDE
    return image.thumbnail_image(side, height=side, size="down")


def _srgb(image: pyvips.Image) -> pyvips.Image:
    """Three 8-bit sRGB bands, whatever came in (grey, palette, 16-bit, CMYK, with or without alpha): transparency
    is laid on white."""
    if image.interpretation != "srgb" or image.format != "uchar":
        image = image.colourspace("srgb")  # 8-bit sRGB, alpha kept
    if image.hasalpha():
        image = image.flatten(background=[255.0, 255.0, 255.0])
    if image.format != "uchar":
        image = image.cast("uchar")
    return image


@contextmanager
def _decode_slot() -> Iterator[None]:
    """At most GDDT_PHOTO_DECODES_AT_ONCE decodes run at once in this process; the others wait their turn."""
    at_once = settings.GDDT_PHOTO_DECODES_AT_ONCE
    with _decode_slots_lock:
        slots = _decode_slots.setdefault(at_once, threading.BoundedSemaphore(at_once))
    with slots:
        yield
