"""Section 3: progress report latency (issue 10) at growing database sizes.

For each size: a fresh database, `gddt init`, the bulk generator (generate.py), then this file as a script
(`reports.py history`) writes the transitions that the generated dossiers went through (submitted; verified and
approved or rejected by officers of their office; expired) and runs `reports rebuild`, as an operator would after
loading old data. Then the real server, a director of province 79 and an administrator with API tokens, and one
client that sends, one request at a time and interleaved:

    province_90d   GET /api/v1/reports/progress?office=79&from=<today-89>&to=<today>&group_by=day
    country_365d   GET /api/v1/reports/progress?office=00&from=<today-364>&to=<today>&group_by=day
    health         GET /api/v1/health, the same-run baseline

Once per size, the director's (province) and the administrator's (country) answers must be 200 with totals equal to
the counts of the transitions in the database for that subtree and period; the timed requests then use the
administrator's token. The table gives p50/p99 per size, the growth from the smallest to the largest size, and the
ratio to health in the same server. Goal: p99 at the largest size at most 1.5 x p99 at the smallest."""

import json
import os
import sys
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
from load import Probe, sequential_run
from lookup import latency_cells, latency_headers, latency_summary, size_label
from server import Server

HEALTH = "/api/v1/health"
PROGRESS = "/api/v1/reports/progress"
KINDS = ("province_90d", "country_365d")
GOAL_P99_GROWTH = 1.5


@dataclass(frozen=True)
class Plan:
    sizes: tuple[int, ...] = (10_000, 1_000_000)
    rounds: int = 1000  # measured requests per kind and per size: a p99 of 200 is the second-slowest request
    warmup: int = 10
    max_seconds: float = 600.0  # per size, for the requests
    probe_budget: float = 240.0
    batch: int = 10_000


QUICK = Plan(sizes=(1_000, 10_000), rounds=40, warmup=5, max_seconds=120.0, probe_budget=40.0)


def _params(kind: str, today: date) -> dict[str, str]:
    if kind == "province_90d":
        return {
            "office": "79",
            "from": (today - timedelta(days=89)).isoformat(),
            "to": today.isoformat(),
            "group_by": "day",
        }
    return {
        "office": "00",
        "from": (today - timedelta(days=364)).isoformat(),
        "to": today.isoformat(),
        "group_by": "day",
    }


def run(plan: Plan, *, database_url: str | None, workers: int | None, keep: bool, log) -> dict:
    out: dict = {"plan": {**plan.__dict__, "sizes": list(plan.sizes)}, "sizes": {}, "failures": []}
    for size in plan.sizes:
        entry: dict = {}
        out["sizes"][str(size)] = entry
        with Server(label=f"reports-{size}", database_url=database_url, workers=workers, keep=keep) as server:
            log(f"[{size:,}] gddt init in {server.data_dir}")
            server.init()
            log(f"[{size:,}] generating {size:,} dossiers")
            entry["generation"] = server.django_script(
                "generate.py", "--count", str(size), "--batch", str(plan.batch), live=True, timeout=6 * 3600
            )
            log(f"[{size:,}] writing their transitions and rebuilding the report figures")
            entry["history"] = server.django_script("reports.py", "history", live=True, timeout=6 * 3600)
            director = server.django_script(
                "djtool.py", "officer", "--office", "79", "--role", "director", "--username", "bench.director"
            )["token"]
            admin = server.django_script(
                "djtool.py", "officer", "--office", "00", "--role", "admin", "--username", "bench.admin"
            )["token"]
            entry["healthy_after_seconds"] = round(server.start(), 2)
            today = date.fromisoformat(entry["history"]["today"])
            tokens = {"province_90d": director, "country_365d": admin}
            expected = entry["history"]["expected"]
            for kind in KINDS:  # the figures are right before they are timed
                answer = httpx.get(
                    f"{server.base_url}{PROGRESS}",
                    params=_params(kind, today),
                    timeout=120,
                    headers={"Authorization": f"Bearer {tokens[kind]}"},
                )
                entry.setdefault("checked", {})[kind] = answer.status_code
                if answer.status_code != 200:
                    out["failures"].append(f"[{size:,}] {kind}: {answer.status_code} {answer.text[:300]}")
                    continue
                totals = answer.json()["totals"]
                got = {name: totals[name] for name in expected[kind]}
                if got != expected[kind]:
                    out["failures"].append(
                        f"[{size:,}] {kind}: totals {got} differ from the transitions' {expected[kind]}"
                    )
            log(f"[{size:,}] {plan.rounds} reports per kind (+{plan.warmup} warm-up), one client, interleaved")
            probes = [Probe("health", path=lambda i: HEALTH, check=lambda i, r: r.status_code == 200)]
            probes += [_report_probe(kind, _params(kind, today)) for kind in KINDS]
            # One client, one token: the administrator's, who may see both (the director's answers were checked).
            probes = sequential_run(
                server.base_url,
                probes,
                rounds=plan.rounds,
                warmup=plan.warmup,
                max_seconds=plan.max_seconds,
                probe_budget=plan.probe_budget,
                headers={"Authorization": f"Bearer {admin}"},
            )
            entry["latency"] = {p.label: p.result.as_dict() for p in probes}
            entry["shutdown"] = server.stop()
            for p in probes:
                out["failures"] += [f"[{size:,}] {p.label}: {f}" for f in p.result.failures[:10]]
                if p.result.done == 0:
                    out["failures"].append(f"[{size:,}] {p.label}: no request answered")
            if not entry["shutdown"]["clean"]:
                out["failures"].append(f"[{size:,}] gddt serve did not stop cleanly: {entry['shutdown']}")
    out["summary"] = _summary(out)
    return out


def _report_probe(kind: str, params: dict[str, str]) -> Probe:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return Probe(
        kind, path=lambda i: f"{PROGRESS}?{query}", check=lambda i, r: r.status_code == 200 and '"totals"' in r.text
    )


def _summary(out: dict) -> dict:
    sizes, rows = latency_summary(out, KINDS)
    if not sizes:
        return {}
    for kind, row in rows.items():
        if len(sizes) > 1:
            row["goal_met"] = kind == "health" or row["growth_p99"] <= GOAL_P99_GROWTH
    return {"sizes": sizes, "kinds": rows}


def table(out: dict) -> tuple[list[str], list[list[str]]]:
    summary = out.get("summary") or {}
    if not summary:
        return [], []
    sizes = summary["sizes"]
    labels = [size_label(s) for s in sizes]
    headers = ["report", *latency_headers(labels)]
    if len(sizes) > 1:
        headers += [f"p50 {labels[-1]}/{labels[0]}", f"p99 {labels[-1]}/{labels[0]}"]
    headers += [f"p99 ÷ health {label}" for label in labels]
    headers.append("")
    rows = []
    for kind, row in summary["kinds"].items():
        cells = [kind, *latency_cells(row, sizes)]
        if len(sizes) > 1:
            cells += [f"{row['growth_p50']:.2f}", f"{row['growth_p99']:.2f}"]
        cells += [f"{row[size]['p99_per_health_p99']:.2f}" for size in sizes]
        cells.append(
            ""
            if kind == "health" or len(sizes) == 1
            else "goal met"
            if row["goal_met"]
            else f"ABOVE {GOAL_P99_GROWTH}x"
        )
        rows.append(cells)
    return headers, rows


def findings(out: dict) -> list[str]:
    summary = out.get("summary") or {}
    found = []
    for kind, row in summary.get("kinds", {}).items():
        if kind != "health" and row.get("goal_met") is False:
            found.append(
                f"report {kind}: p99 grew x{row['growth_p99']:.2f} from {summary['sizes'][0]} to "
                f"{summary['sizes'][-1]} dossiers (goal: at most x{GOAL_P99_GROWTH})"
            )
    return found


# --- run as a script against one server's database ------------------------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gddt.settings")
    import django

    django.setup()


def history() -> dict:
    """Writes the transitions of every generated dossier as its status and dates say, by officers of its office,
    then rebuilds the report figures; answers the counts a report must show (straight from the transitions)."""
    import time

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.db.models import Count, Q
    from django.utils import timezone

    from gddt.accounts.models import User, UserKind
    from gddt.offices.models import Office
    from gddt.registrations.models import Dossier, Transition
    from gddt.reports.services import report_figures_rebuild

    started = time.perf_counter()
    offices = dict(Office.objects.values_list("id", "code"))
    unusable = make_password(None)
    officers = {}
    for office_id, code in offices.items():
        for role in ("v", "a"):
            user, _created = User.objects.get_or_create(
                username=f"bench.{role}{code}",
                defaults={"kind": UserKind.OFFICER, "office_id": office_id, "password": unusable},
            )
            officers[(role, office_id)] = user.pk
    fields = (
        "id",
        "status",
        "office_id",
        "completed_office_id",
        "submitted_at",
        "verified_at",
        "approved_at",
        "rejected_at",
        "reject_reason",
        "expires_at",
    )
    written = 0
    chunk: list[Transition] = []
    # The generator dates some verifications and approvals up to two days after a recent submission, that is in
    # the future; a transition is recorded when it happens, so none is later than now.
    latest = timezone.now() - timedelta(minutes=2)

    def flush() -> None:
        nonlocal written, chunk
        with transaction.atomic():
            Transition.objects.bulk_create(chunk, batch_size=2000)
        written += len(chunk)
        chunk = []
        sys.stderr.write(f"    wrote {written:>9,} transitions\n")
        sys.stderr.flush()

    # (action, from, to, the dossier's date field, the officer who acts: verifier, approver or nobody)
    steps = (
        ("submit", "", "submitted", "submitted_at", None),
        ("verify", "submitted", "verified", "verified_at", "v"),
        ("approve", "verified", "approved", "approved_at", "a"),
        ("reject", "submitted", "rejected", "rejected_at", "v"),
        ("expire", "submitted", "expired", "expires_at", None),
    )
    for d in (
        Dossier.objects.filter(transitions__isnull=True).order_by("id").values(*fields).iterator(chunk_size=20_000)
    ):
        where = d["completed_office_id"] or d["office_id"]
        for action, before, after, moment, role in steps:
            # Every dossier was submitted; verified and approved when it has those dates; rejected or expired
            # as its status says.
            if (action in ("reject", "expire") and d["status"] != after) or not d[moment]:
                continue
            chunk.append(
                Transition(
                    dossier_id=d["id"],
                    action=action,
                    from_status=before,
                    to_status=after,
                    office_id=where if role else None,
                    actor_id=officers[(role, where)] if role else None,
                    reason=(d["reject_reason"] or "other") if action == "reject" else "",
                    at=min(d[moment], latest),
                )
            )
        if len(chunk) >= 50_000:
            flush()
    if chunk:
        flush()
    written_seconds = time.perf_counter() - started
    # The generator leaves every submitted dossier that expires within GDDT_REMINDER_DAYS unreminded: thousands at
    # once, which a live service would have reminded a few per scheduler slot as they came due. Left so, the
    # worker's first runs send them 5,000 at a time in back-to-back transactions, and on SQLite the report's audit
    # record waits behind them for seconds (a registrations matter, not the report's cost): mark them reminded.
    reminded = Dossier.objects.filter(
        status="submitted",
        reminder_sent_at__isnull=True,
        expires_at__lte=timezone.now() + timedelta(days=settings.GDDT_REMINDER_DAYS),
    ).update(reminder_sent_at=timezone.now())
    rebuild_started = time.perf_counter()
    with _grace(0):
        rebuilt = report_figures_rebuild()
    rebuild_seconds = time.perf_counter() - rebuild_started

    today = timezone.localdate()
    expected = {}
    for kind in KINDS:
        params = _params(kind, today)
        start = timezone.make_aware(_midnight(date.fromisoformat(params["from"])))
        end = timezone.make_aware(_midnight(date.fromisoformat(params["to"]) + timedelta(days=1)))
        path = Office.objects.get(code=params["office"]).path
        where = (
            Q(action="submit", dossier__office__path__startswith=path)
            | Q(action="expire", dossier__office__path__startswith=path)
            | (~Q(action__in=["submit", "expire"]) & Q(office__path__startswith=path))
        )
        counts = dict(
            Transition.objects.filter(where, at__gte=start, at__lt=end)
            .values_list("action")
            .annotate(n=Count("id"))
            .order_by()
        )
        expected[kind] = {
            "submitted": counts.get("submit", 0),
            "verified": counts.get("verify", 0),
            "approved": counts.get("approve", 0),
            "rejected": counts.get("reject", 0),
            "expired": counts.get("expire", 0),
        }
    return {
        "transitions": written,
        "marked_reminded": reminded,
        "write_seconds": round(written_seconds, 1),
        "rebuild_seconds": round(rebuild_seconds, 1),
        "rebuilt_transitions": rebuilt.transitions,
        "today": today.isoformat(),
        "expected": expected,
    }


def _midnight(day: date):
    from datetime import datetime, time

    return datetime.combine(day, time.min)


class _grace:
    """The rebuild's catch-up may take the rows written a moment ago: nothing else writes this database now."""

    def __init__(self, seconds: int):
        self.seconds = seconds

    def __enter__(self):
        from django.conf import settings

        self.saved = settings.GDDT_REPORTS_GRACE_SECONDS
        settings.GDDT_REPORTS_GRACE_SECONDS = self.seconds

    def __exit__(self, *exc):
        from django.conf import settings

        settings.GDDT_REPORTS_GRACE_SECONDS = self.saved


def main() -> None:
    if sys.argv[1:] != ["history"]:
        raise SystemExit("usage: reports.py history  (against GDDT_DATA_DIR / DATABASE_URL)")
    _django()
    sys.stdout.write(json.dumps(history()) + "\n")


if __name__ == "__main__":
    main()
