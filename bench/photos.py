"""Photo-like JPEGs for the upload benchmark, its in-process baseline, and the photo section: today's libvips
pipeline against the former Pillow one on the same files, and the bare pipeline on all cores.

A phone photo of an ID card is about 2 megapixels after the phone's own resizing; flat colours would make tiny
files that decode unrealistically fast, so the images carry gradients, shapes, small text and sensor-like noise,
which gives JPEGs of about 0.6-0.7 MB at quality 90 (close to what phones send)."""

import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1732, 1155  # 2.0 megapixels, 3:2
KINDS = ("id_front", "id_back", "portrait")
COMPARED_SIZES = {"2 MP": (WIDTH, HEIGHT), "12 MP": (4240, 2832)}  # a phone's resized photo; its full 12 MP
SPEED_GOAL = 1.8  # issue "Intake at the speed of the machine": the new pipeline >= 1.8 x the Pillow one


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
        draw.text(
            (rnd.randrange(width), rnd.randrange(height)),
            f"CAN CUOC CONG DAN {rnd.randrange(10**12):012d}",
            fill=(20, 20, 20),
        )
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
        done = subprocess.run(
            [sys.executable, __file__, folder, str(rounds), str(max_seconds)],
            capture_output=True,
            text=True,
            timeout=max_seconds + 60,
            check=True,
        )
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
    return {
        "images": images,
        "seconds": round(seconds, 3),
        "images_per_second": round(per_second, 2),
        "submissions_per_second": round(per_second / len(photos), 2),
    }


def pipelines_compare(*, rounds: int, max_seconds: float) -> dict:
    """Today's pipeline (libvips) against the former one (Pillow, bench/pillow_pipeline.py) on the same photo-like
    JPEGs, three per size, in one fresh process: each round times each file through both, alternately, so that
    the machine's drift falls on both alike. Per size: the mean milliseconds per image of each, and the ratio
    Pillow ÷ libvips (how many times faster the new pipeline is)."""
    with tempfile.TemporaryDirectory(prefix="gddt-bench-photos-") as folder:
        for label, (width, height) in COMPARED_SIZES.items():
            for seed in range(3):
                Path(folder, f"{label.replace(' ', '')}-{seed}.jpg").write_bytes(
                    photo_jpeg(100 + seed, width=width, height=height)
                )
        done = subprocess.run(
            [sys.executable, __file__, "compare", folder, str(rounds), str(max_seconds)],
            capture_output=True,
            text=True,
            timeout=3 * max_seconds + 120,
            check=True,
            env=_child_env(folder),
        )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    for entry in result["sizes"].values():
        entry["goal"] = SPEED_GOAL
        entry["met"] = entry["ratio"] >= SPEED_GOAL
    return result


def floor_all_cores(photos: dict[str, bytes], *, seconds: float, processes: int | None = None) -> dict:
    """The bare new pipeline on every core: one process per core, each cleaning the submission's photos in a loop
    for the same `seconds` from the same start; the sum of their images/s, and as submissions/s (÷ 3). The
    ceiling that registrations with photos through the server can approach."""
    processes = processes or os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="gddt-bench-photos-") as folder:
        for kind, content in photos.items():
            Path(folder, f"{kind}.jpg").write_bytes(content)
        start_at = time.time() + 3.0 + 0.5 * processes  # every process imported and warmed up by then
        children = [
            subprocess.Popen(
                [sys.executable, __file__, "floor", folder, str(start_at), str(seconds)],
                stdout=subprocess.PIPE,
                text=True,
                env=_child_env(folder),
            )
            for _ in range(processes)
        ]
        outs = [json.loads(child.communicate(timeout=seconds + 120)[0].strip().splitlines()[-1]) for child in children]
    images = sum(o["images"] for o in outs)
    per_second = sum(o["images_per_second"] for o in outs)
    return {
        "processes": processes,
        "seconds": seconds,
        "images": images,
        "images_per_second": round(per_second, 2),
        "submissions_per_second": round(per_second / len(photos), 2),
        "late_starts": sum(o["late"] for o in outs),
    }


def _child_env(folder: str) -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "gddt.settings", "GDDT_DATA_DIR": str(Path(folder, "var"))}


def _compare_loop(folder: Path, *, rounds: int, max_seconds: float) -> dict:
    from pillow_pipeline import pillow_clean

    from gddt.registrations.images import image_clean

    files: dict[str, list[bytes]] = {}
    for path in sorted(folder.glob("*.jpg")):
        files.setdefault(path.name.split("-")[0], []).append(path.read_bytes())
    pipelines = {
        "pillow": lambda raw: pillow_clean(raw, min_short_side=600),
        "libvips": lambda raw: image_clean(raw, min_short_side=600),
    }
    out: dict = {"rounds_planned": rounds, "sizes": {}}
    for label in COMPARED_SIZES:
        photos = files[label.replace(" ", "")]
        times: dict[str, list[float]] = {name: [] for name in pipelines}
        cpu: dict[str, float] = dict.fromkeys(pipelines, 0.0)  # CPU seconds of the process, all its threads
        for content in photos:  # warm-up: code paths and allocator
            for clean in pipelines.values():
                clean(content)
        started = time.perf_counter()
        done = 0
        for _ in range(rounds):
            for content in photos:
                for name, clean in pipelines.items():
                    t0, c0 = time.perf_counter(), time.process_time()
                    clean(content)
                    times[name].append(time.perf_counter() - t0)
                    cpu[name] += time.process_time() - c0
            done += 1
            if time.perf_counter() - started > max_seconds:
                break
        means = {name: statistics.fmean(values) * 1000 for name, values in times.items()}
        cpu_ms = {name: seconds * 1000 / len(times[name]) for name, seconds in cpu.items()}
        out["sizes"][label] = {
            "images": len(times["libvips"]),
            "rounds": done,
            "mb_per_image": round(statistics.fmean(len(c) for c in photos) / 1e6, 2),
            "pillow_ms": round(means["pillow"], 1),
            "libvips_ms": round(means["libvips"], 1),
            "pillow_cpu_ms": round(cpu_ms["pillow"], 1),
            "libvips_cpu_ms": round(cpu_ms["libvips"], 1),
            "cpu_ratio": round(cpu_ms["pillow"] / cpu_ms["libvips"], 2),
            "pillow_p50_ms": round(statistics.median(times["pillow"]) * 1000, 1),
            "libvips_p50_ms": round(statistics.median(times["libvips"]) * 1000, 1),
            "ratio": round(means["pillow"] / means["libvips"], 2),
        }
    return out


def _floor_loop(folder: Path, *, start_at: float, seconds: float) -> dict:
    from gddt.registrations.images import image_clean

    photos = [path.read_bytes() for path in sorted(folder.glob("*.jpg"))]
    for content in photos:  # warm-up
        image_clean(content, min_short_side=600)
    late = time.time() > start_at
    time.sleep(max(0.0, start_at - time.time()))
    images = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        image_clean(photos[images % len(photos)], min_short_side=600)
        images += 1
    elapsed = time.perf_counter() - started
    return {
        "images": images,
        "seconds": round(elapsed, 3),
        "images_per_second": round(images / elapsed, 2),
        "late": int(late),
    }


if __name__ == "__main__":
    # image_clean reads its limits from the Django settings (GDDT_PHOTO_*): configure them, in a data directory of
    # the bench's own.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gddt.settings")
    os.environ.setdefault("GDDT_DATA_DIR", tempfile.mkdtemp(prefix="gddt-bench-photos-"))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import django

    django.setup()
    if sys.argv[1] == "compare":
        result = _compare_loop(Path(sys.argv[2]), rounds=int(sys.argv[3]), max_seconds=float(sys.argv[4]))
    elif sys.argv[1] == "floor":
        result = _floor_loop(Path(sys.argv[2]), start_at=float(sys.argv[3]), seconds=float(sys.argv[4]))
    else:
        result = _clean_loop(Path(sys.argv[1]), rounds=int(sys.argv[2]), max_seconds=float(sys.argv[3]))
    sys.stdout.write(json.dumps(result) + "\n")
