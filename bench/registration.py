"""Section 1: registration throughput through the real server, each figure against a baseline of the same run.

  a. GET /api/v1/health with C clients: the trivial read, i.e. what the stack (gunicorn, Django, the client)
     costs per request on this machine at this moment;
  b. POST /api/v1/registrations as JSON (a distinct valid person per request) with the same C: ratio b ÷ a;
  c. the same with three 2-megapixel JPEGs per submission: ratio to the bare decode + re-encode (image_clean)
     of the same three files in one process.
The baselines are measured before AND after the loads, so that the spread between the two shows the noise.
Checked on the way: every answer 201, dossiers in the database = 201s (and documents = 3 per photo submission),
SMS delivered by the worker (sms.jsonl) against submitted, and a clean exit of `gddt serve` on SIGTERM."""

import json
import re
import time
from dataclasses import dataclass

import httpx
from load import concurrent_run
from photos import clean_baseline, floor_all_cores, submission_photos
from server import Server

from gddt_testing.factories import adult_data

HEALTH = "/api/v1/health"
REGISTRATIONS = "/api/v1/registrations"


@dataclass(frozen=True)
class Plan:
    concurrency: int = 8
    health: int = 2000
    json: int = 1000
    photos: int = 120
    clean_rounds: int = 20  # x 3 images, for the image_clean baseline
    max_seconds: float = 120.0  # per load phase
    sms_window: float = 5.0  # "within a few seconds" after the load
    sms_cap: float = 60.0  # how long to wait at most for the last SMS


QUICK = Plan(health=300, json=150, photos=16, clean_rounds=4, max_seconds=30.0, sms_cap=20.0)
GOAL_JSON = 0.4  # issue 14: JSON registrations/s >= 0.4 x health requests/s
GOAL_PHOTOS = 0.8  # registrations with three 2 MP photos/s >= 0.8 x the bare all-cores floor (submissions/s)
GOAL_SMS = 0.8  # SMS delivered/s during the JSON load >= 0.8 x registrations/s


def _payloads(count: int, first: int) -> list[dict]:
    """Distinct people with distinct phones: the receipts per phone (GDDT_SMS_PER_PHONE_PER_DAY) must not stop the
    SMS the bench counts."""
    return [adult_data(phone=f"0912{first + i:06d}") for i in range(count)]


async def _health(client: httpx.AsyncClient, index: int) -> httpx.Response:
    return await client.get(HEALTH)


def _json_sender(payloads: list[dict]):
    async def send(client: httpx.AsyncClient, index: int) -> httpx.Response:
        return await client.post(REGISTRATIONS, json=payloads[index])

    return send


def _photo_sender(payloads: list[dict], photos: dict[str, bytes]):
    files = {kind: (f"{kind}.jpg", content, "image/jpeg") for kind, content in photos.items()}

    async def send(client: httpx.AsyncClient, index: int) -> httpx.Response:
        return await client.post(
            REGISTRATIONS, data={"data": json.dumps(payloads[index], ensure_ascii=False)}, files=files
        )

    return send


def _sms_lines(server: Server) -> int:
    try:
        with open(server.sms_file, "rb") as handle:
            return sum(1 for line in handle if line.strip())
    except FileNotFoundError:
        return 0


def _sms_wait(
    server: Server,
    *,
    submitted: int,
    load_end: float,
    window: float,
    cap: float,
    at_start: int | None = None,
    load_seconds: float | None = None,
) -> dict:
    at_end = _sms_lines(server)
    within = None
    all_after = None
    while True:
        now = time.perf_counter()
        delivered = _sms_lines(server)
        if within is None and now - load_end >= window:
            within = delivered
        if delivered >= submitted and all_after is None:
            all_after = now - load_end
        if (all_after is not None and within is not None) or now - load_end > cap:
            break
        time.sleep(0.2)
    drained = (submitted - at_end) / all_after if all_after else None  # the worker's pace, the load over
    during = (at_end - at_start) / load_seconds if at_start is not None and load_seconds else None
    return {
        "submitted": submitted,
        "delivered_at_load_end": at_end,
        "window_seconds": window,
        "delivered_per_second_during_load": round(during, 1) if during is not None else None,
        "delivered_within_window": within if within is not None else delivered,
        "seconds_until_all": round(all_after, 2) if all_after is not None else None,
        "waited_at_most": cap,
        "drain_per_second": round(drained, 1) if drained else None,
    }


def run(plan: Plan, *, database_url: str | None, workers: int | None, keep: bool, log) -> dict:
    log("preparing payloads and photos (before any timing)")
    warmup_payloads = _payloads(2 * plan.concurrency, 1)
    json_payloads = _payloads(plan.json, 1 + len(warmup_payloads))
    photo_warmup_payloads = _payloads(plan.concurrency, 1 + len(warmup_payloads) + plan.json)
    photo_payloads = _payloads(plan.photos, 1 + len(warmup_payloads) + plan.json + plan.concurrency)
    photos = submission_photos()
    photo_sizes = {kind: len(content) for kind, content in photos.items()}
    out: dict = {"plan": plan.__dict__, "photo_bytes": photo_sizes, "failures": []}
    with Server(label="registration", database_url=database_url, workers=workers, keep=keep) as server:
        log(f"gddt init in {server.data_dir}")
        out["init_seconds"] = round(server.init(), 2)
        out["healthy_after_seconds"] = round(server.start(), 2)
        out["server"] = _server_line(server)
        log(f"serving at {server.base_url}: {out['server']}")
        c, base = plan.concurrency, server.base_url

        log("warm-up (not timed): every web process answers a few requests and registrations")
        warmup_health = concurrent_run(
            base, _health, label="warm-up health", count=10 * c, concurrency=c, max_seconds=plan.max_seconds
        )
        warmup_regs = concurrent_run(
            base,
            _json_sender(warmup_payloads),
            label="warm-up registrations",
            count=len(warmup_payloads),
            concurrency=c,
            max_seconds=plan.max_seconds,
            expect=201,
        )
        out["settle"] = {"health before": server.settle()}
        log(f"a. health x{plan.health}, {c} clients")
        health_before = concurrent_run(
            base, _health, label="health before", count=plan.health, concurrency=c, max_seconds=plan.max_seconds
        )
        out["settle"]["registrations JSON"] = server.settle()
        log(f"b. JSON registrations x{plan.json}, {c} clients")
        sms_at_start = _sms_lines(server)
        regs_json = concurrent_run(
            base,
            _json_sender(json_payloads),
            label="registrations JSON",
            count=plan.json,
            concurrency=c,
            max_seconds=plan.max_seconds,
            expect=201,
        )
        created_json = warmup_regs.statuses[201] + regs_json.statuses[201]
        log("waiting for the worker to deliver the SMS of the JSON registrations")
        out["sms_after_json"] = _sms_wait(
            server,
            submitted=created_json,
            load_end=time.perf_counter(),
            window=plan.sms_window,
            cap=plan.sms_cap,
            at_start=sms_at_start,
            load_seconds=regs_json.elapsed,
        )
        # The image baselines run with the SMS backlog delivered: the worker must not take CPU from them.
        log(f"c. image_clean baseline, {plan.clean_rounds} x 3 images")
        clean_before = clean_baseline(photos, rounds=plan.clean_rounds, max_seconds=plan.max_seconds)
        log("c. the bare image_clean on all cores, one process each (the floor of the goal)")
        floor = floor_all_cores(photos, seconds=4 if plan.photos < 50 else 10)
        log(f"c. warm-up: {c} registrations with 3 photos (not timed)")
        warmup_photos = concurrent_run(
            base,
            _photo_sender(photo_warmup_payloads, photos),
            label="warm-up 3 photos",
            count=len(photo_warmup_payloads),
            concurrency=c,
            max_seconds=plan.max_seconds,
            expect=201,
            timeout=180,
        )
        out["settle"]["registrations 3 photos"] = server.settle()
        log(f"c. registrations with 3 photos x{plan.photos}, {c} clients")
        regs_photos = concurrent_run(
            base,
            _photo_sender(photo_payloads, photos),
            label="registrations 3 photos",
            count=plan.photos,
            concurrency=c,
            max_seconds=plan.max_seconds,
            expect=201,
            timeout=180,
        )
        load_end = time.perf_counter()
        created = created_json + warmup_photos.statuses[201] + regs_photos.statuses[201]
        log("waiting for the worker to deliver the SMS of the photo registrations")
        out["sms"] = _sms_wait(server, submitted=created, load_end=load_end, window=plan.sms_window, cap=plan.sms_cap)
        log("baselines again, after the loads")
        clean_after = clean_baseline(photos, rounds=plan.clean_rounds, max_seconds=plan.max_seconds)
        health_after = concurrent_run(
            base, _health, label="health after", count=plan.health, concurrency=c, max_seconds=plan.max_seconds
        )
        counts = server.django_script("djtool.py", "count", timeout=120)
        log("statements of one JSON registration (the service's own, after one that fills the caches)")
        out["statements"] = server.django_script("djtool.py", "statements", timeout=120)
        log("SIGTERM to gddt serve")
        out["shutdown"] = server.stop()
        if not out["shutdown"]["clean"]:
            out["shutdown"]["log_tail"] = server.log_tail()

    health_rate = (health_before.rate + health_after.rate) / 2
    clean_rate = (clean_before["submissions_per_second"] + clean_after["submissions_per_second"]) / 2
    out["loads"] = {r.label: r.as_dict() for r in (health_before, regs_json, regs_photos, health_after)}
    out["image_clean"] = {"before": clean_before, "after": clean_after}
    out["ratios"] = {
        "json_registrations_per_health_request": round(regs_json.rate / health_rate, 4) if health_rate else None,
        "photo_registrations_per_image_clean_submission": round(regs_photos.rate / clean_rate, 3)
        if clean_rate
        else None,
        "photo_registrations_per_floor_all_cores": round(regs_photos.rate / floor["submissions_per_second"], 3)
        if floor["submissions_per_second"]
        else None,
        "sms_during_json_load_per_registration": round(
            out["sms_after_json"]["delivered_per_second_during_load"] / regs_json.rate, 3
        )
        if regs_json.rate and out["sms_after_json"]["delivered_per_second_during_load"] is not None
        else None,
    }
    out["floor_all_cores"] = floor
    out["db"] = counts
    expected_documents = 3 * (warmup_photos.statuses[201] + regs_photos.statuses[201])
    out["checks"] = {
        "non_201": warmup_regs.unexpected + regs_json.unexpected + regs_photos.unexpected,
        "dossiers_equal_201s": counts["dossiers"] == created,
        "documents_equal_3_per_photo_submission": counts["documents"] == expected_documents,
        "all_sms_delivered": out["sms"]["seconds_until_all"] is not None
        and out["sms_after_json"]["seconds_until_all"] is not None,
        "clean_shutdown": out["shutdown"]["clean"],
    }
    out["warmup"] = {r.label: r.as_dict() for r in (warmup_health, warmup_regs, warmup_photos)}
    for result in (warmup_health, warmup_regs, warmup_photos, health_before, regs_json, regs_photos, health_after):
        out["failures"] += [f"{result.label}: {f}" for f in result.failures[:20]]
        if result.hit_deadline:
            out["failures"].append(
                f"{result.label}: stopped at the {plan.max_seconds:.0f} s limit after "
                f"{result.done} of {result.planned} requests"
            )
    if counts["dossiers"] != created:
        out["failures"].append(f"dossiers in the database {counts['dossiers']} != 201 answers {created}")
    if counts["documents"] != expected_documents:
        out["failures"].append(f"documents in the database {counts['documents']} != {expected_documents}")
    if not out["shutdown"]["clean"]:
        out["failures"].append(f"gddt serve did not stop cleanly on SIGTERM: {out['shutdown']}")
    for key in ("sms_after_json", "sms"):
        sms = out[key]
        if sms["seconds_until_all"] is None:
            out["failures"].append(
                f"SMS: only {sms['delivered_within_window']} of {sms['submitted']} delivered "
                f"{plan.sms_cap:.0f} s after the load"
            )
    return out


def _server_line(server: Server) -> str:
    """What `gddt serve` said it runs, e.g. "5 web processes and a task worker" (its log line may be JSON)."""
    for line in server.log_tail(200).splitlines():
        if "serving on" in line:
            found = re.search(r"serving on \S+ \(([^()]*)\)", line)
            text = found.group(1) if found else "?"
            return text if "worker" in text else f"{text} + 1 task worker"
    return "?"


def table_rows(out: dict) -> list[list[str]]:
    loads = out["loads"]
    hb, ha = loads["health before"], loads["health after"]
    rj, rp = loads["registrations JSON"], loads["registrations 3 photos"]
    cb, ca = out["image_clean"]["before"], out["image_clean"]["after"]
    health_mean = (hb["per_second"] + ha["per_second"]) / 2
    clean_mean = (cb["submissions_per_second"] + ca["submissions_per_second"]) / 2

    def load_row(name: str, r: dict, baseline: str = "", ratio: str = "") -> list[str]:
        return [
            name,
            f"{r['per_second']:.1f}/s",
            f"{r['p50_ms']:.1f}",
            f"{r['p99_ms']:.1f}",
            f"{r['done']}/{r['planned']}",
            baseline,
            ratio,
        ]

    return [
        load_row("a. GET health (before)", hb),
        load_row("a. GET health (after)", ha),
        load_row(
            "b. POST registration, JSON",
            rj,
            f"health {health_mean:.1f}/s",
            f"{out['ratios']['json_registrations_per_health_request']:.3f}",
        ),
        [
            "c. image_clean x3, own process (before)",
            f"{cb['submissions_per_second']:.2f}/s",
            "",
            "",
            f"{cb['images']} img",
            f"{cb['images_per_second']:.1f} img/s",
            "",
        ],
        [
            "c. image_clean x3, own process (after)",
            f"{ca['submissions_per_second']:.2f}/s",
            "",
            "",
            f"{ca['images']} img",
            f"{ca['images_per_second']:.1f} img/s",
            "",
        ],
        [
            "c. image_clean x3, all cores (floor)",
            f"{out['floor_all_cores']['submissions_per_second']:.2f}/s",
            "",
            "",
            f"{out['floor_all_cores']['processes']} proc",
            f"{out['floor_all_cores']['images_per_second']:.1f} img/s",
            "",
        ],
        load_row(
            "c. POST registration, 3 JPEGs",
            rp,
            f"image_clean {clean_mean:.2f}/s",
            f"{out['ratios']['photo_registrations_per_image_clean_submission']:.2f}",
        ),
        load_row(
            "c. the same, against the all-cores floor",
            rp,
            f"floor {out['floor_all_cores']['submissions_per_second']:.2f}/s",
            f"{out['ratios']['photo_registrations_per_floor_all_cores']:.2f}",
        ),
    ]


def _sms_line(label: str, sms: dict) -> str:
    until = (
        f"all after {sms['seconds_until_all']:.1f} s"
        if sms["seconds_until_all"] is not None
        else f"NOT all within {sms['waited_at_most']:.0f} s"
    )
    if sms.get("drain_per_second"):
        until += f" (the backlog went at {sms['drain_per_second']:.0f} SMS/s)"
    return (
        f"SMS delivered (sms.jsonl), {label}: {sms['delivered_at_load_end']} of {sms['submitted']} submitted "
        f"at its end, {sms['delivered_within_window']} within {sms['window_seconds']:.0f} s after it; {until}"
    )


def check_lines(out: dict) -> list[str]:
    sms, db, shut = out["sms"], out["db"], out["shutdown"]
    rp = out["loads"]["registrations 3 photos"]
    created = sms["submitted"]
    return [
        f"non-201 answers: {out['checks']['non_201']}"
        + ("" if not out["checks"]["non_201"] else "  <-- FAILURE (see failures below)"),
        f"dossiers in the database: {db['dossiers']} vs 201 answers: {created} (incl. "
        f"{out['warmup']['warm-up registrations']['statuses'].get('201', 0)} of the warm-up) -> "
        + ("OK" if out["checks"]["dossiers_equal_201s"] else "MISMATCH"),
        f"documents in the database: {db['documents']} vs 3 x {rp['statuses'].get('201', 0)} "
        f"(+ 3 x {out['warmup']['warm-up 3 photos']['statuses'].get('201', 0)} of the warm-up) -> "
        + ("OK" if out["checks"]["documents_equal_3_per_photo_submission"] else "MISMATCH"),
        f"statements of one JSON registration: {out['statements']['statements']} (the service's own, caches warm; "
        "BEGIN/COMMIT not counted)",
        _sms_line("JSON load (b)", out["sms_after_json"])
        + (
            f"; during the load {out['sms_after_json']['delivered_per_second_during_load']:.1f} SMS/s = "
            f"{out['ratios']['sms_during_json_load_per_registration']:.2f} x registrations/s"
            if out["ratios"]["sms_during_json_load_per_registration"] is not None
            else ""
        ),
        _sms_line("photo load (c), cumulative", sms),
        f"shutdown: SIGTERM -> exit code {shut['exit_code']} in {shut['seconds']:.1f} s, "
        f"{'no process left' if not shut['leftovers'] else 'PROCESSES LEFT (killed)'} -> "
        + ("clean" if shut["clean"] else "NOT CLEAN"),
        f"photos sent: {', '.join(f'{k} {v / 1e6:.2f} MB' for k, v in out['photo_bytes'].items())} (1732x1155 JPEG)",
    ]
