"""Photo-like JPEGs for the upload benchmark, and its in-process baseline.

A phone photo of an ID card is about 2 megapixels after the phone's own resizing; flat colours would make tiny
files that decode unrealistically fast, so the images carry gradients, shapes, small text and sensor-like noise,
which gives JPEGs of about 0.6-0.7 MB at quality 90 (close to what phones send)."""

import io
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1732, 1155  # 2.0 megapixels, 3:2
KINDS = ("id_front", "id_back", "portrait")


def photo_jpeg(seed: int, *, width: int = WIDTH, height: int = HEIGHT, noise: float = 10.0, quality: int = 90) -> bytes:
    rnd = random.Random(seed)
    size = (width, height)
    gradient = Image.linear_gradient("L").resize(size).rotate(rnd.uniform(0, 360), resample=Image.Resampling.BILINEAR)
    radial = Image.radial_gradient("L").resize(size)
    image = Image.merge("RGB", (gradient, radial, ImageChops.invert(gradient)))
    draw = ImageDraw.Draw(image)
    for _ in range(40):  # objects in the scene
        x, y = rnd.randrange(width), rnd.randrange(height)
        box = (x, y, x + rnd.randrange(40, 500), y + rnd.randrange(40, 400))
        colour = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
        (draw.ellipse if rnd.random() < 0.5 else draw.rectangle)(box, fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(3))  # a lens, not a vector drawing
    draw = ImageDraw.Draw(image)
    for _ in range(30):  # the printed lines of a card
        draw.text((rnd.randrange(width), rnd.randrange(height)),
                  f"CAN CUOC CONG DAN {rnd.randrange(10**12):012d}", fill=(20, 20, 20))
    sensor = Image.merge("RGB", [Image.effect_noise(size, noise) for _ in range(3)])
    image = ImageChops.add(image, sensor, scale=1.0, offset=-128)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def submission_photos(seed: int = 7) -> dict[str, bytes]:
    """The three photos of one `with_id_card` submission, made once before any timing."""
    return {kind: photo_jpeg(seed + i) for i, kind in enumerate(KINDS)}


def clean_baseline(photos: dict[str, bytes], *, rounds: int, max_seconds: float) -> dict:
    """The bare work of the server on a submission's photos: decode + re-encode (image_clean) of the same files,
    sequentially in one fresh process of its own (so that nothing the bench process did before, such as its heap
    after a thousand HTTP requests, changes the figure). Returns images/s and its submissions/s equivalent
    (images/s ÷ 3)."""
    with tempfile.TemporaryDirectory(prefix="gddt-bench-photos-") as folder:
        for kind, content in photos.items():
            Path(folder, f"{kind}.jpg").write_bytes(content)
        done = subprocess.run([sys.executable, __file__, folder, str(rounds), str(max_seconds)], capture_output=True,
                              text=True, timeout=max_seconds + 60, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _clean_loop(folder: Path, *, rounds: int, max_seconds: float) -> dict:
    from gddt.registrations.images import image_clean

    photos = [path.read_bytes() for path in sorted(folder.glob("*.jpg"))]
    for content in photos:  # warm-up: code paths and allocator
        image_clean(content, min_short_side=600)
    images = 0
    started = time.perf_counter()
    for _ in range(rounds):
        for content in photos:
            image_clean(content, min_short_side=600)
            images += 1
        if time.perf_counter() - started > max_seconds:
            break
    seconds = time.perf_counter() - started
    per_second = images / seconds
    return {"images": images, "seconds": round(seconds, 3), "images_per_second": round(per_second, 2),
            "submissions_per_second": round(per_second / len(photos), 2)}


if __name__ == "__main__":
    result = _clean_loop(Path(sys.argv[1]), rounds=int(sys.argv[2]), max_seconds=float(sys.argv[3]))
    sys.stdout.write(json.dumps(result) + "\n")
