"""`make bench`: performance figures of GDĐT, each against a baseline measured in the same run.

    .venv/bin/python bench/run.py                      # everything: registrations, look-ups at 10k and 1M
    .venv/bin/python bench/run.py --quick              # a smoke run of a minute or two
    .venv/bin/python bench/run.py --sections lookup --sizes 10000,100000
    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/gddt_bench

Prints a table per section and writes every figure to bench/out/latest.json. Exits 1 when a check fails (a
non-201 answer, a count that does not match, a look-up that misses, an unclean shutdown). See bench/README.md."""

import argparse
import json
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(1, str(BENCH_DIR.parent / "testing"))  # gddt_testing: the factories, not shipped in the wheel

import lookup  # noqa: E402
import nodes  # noqa: E402
import photos  # noqa: E402
import registration  # noqa: E402
import reports  # noqa: E402
import sms  # noqa: E402

SECTIONS = ("registration", "lookup", "photos", "reports", "sms", "nodes")


def log(message: str) -> None:
    sys.stderr.write(f"  .. {message}\n")
    sys.stderr.flush()


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def _sizes(text: str) -> tuple[int, ...]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        factor = 1_000_000 if part.endswith("m") else 1_000 if part.endswith("k") else 1
        sizes.append(int(float(part.rstrip("mk")) * factor))
    if not sizes or min(sizes) < 100:
        raise argparse.ArgumentTypeError("sizes are at least 100 dossiers, e.g. 10k,1M")
    return tuple(sorted(set(sizes)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small counts and sizes: a smoke run")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated, of: {', '.join(SECTIONS)}")
    parser.add_argument(
        "--sizes", type=_sizes, help="look-up database sizes, e.g. 10k,1M (default 10k,1M; quick 1k,10k)"
    )
    parser.add_argument("--concurrency", type=int, help="clients in flight for the throughput figures (default 8)")
    parser.add_argument("--rounds", type=int, help="measured look-ups per kind and size (default 300; quick 60)")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database to DROP and recreate for each server "
        "(its name must contain 'bench'); default: the embedded SQLite",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also run the registration and look-up sections on this PostgreSQL database (dropped "
        "and recreated; its name must contain 'bench'), after the default database",
    )
    parser.add_argument("--workers", type=int, help="web processes of gddt serve (default: its own, 2 per core + 1)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directories")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "out" / "latest.json")
    args = parser.parse_args()
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")

    started = time.perf_counter()
    report: dict = {
        "meta": {
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "host": platform.node(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "database": "postgresql" if args.database_url else "sqlite (embedded)",
            "quick": args.quick,
            "sections": sections,
            "argv": sys.argv[1:],
        },
        "failures": [],
    }
    print(
        f"GDĐT bench: {report['meta']['started_at']}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"database {report['meta']['database']}{', QUICK' if args.quick else ''}"
    )
    common = {"database_url": args.database_url, "workers": args.workers, "keep": args.keep, "log": log}
    # The sections that depend on the database run on each one asked for; the first keeps the plain key.
    databases = [("", args.database_url)] + ([("_postgresql", args.postgres)] if args.postgres else [])

    for suffix, url in databases:
        db_common = {**common, "database_url": url}
        if "registration" in sections:
            plan = registration.QUICK if args.quick else registration.Plan()
            if args.concurrency:
                plan = registration.Plan(**{**plan.__dict__, "concurrency": args.concurrency})
            _section(
                report,
                f"registration{suffix}",
                lambda plan=plan, c=db_common: registration.run(plan, **c),
                _print_registration,
            )
        if "lookup" in sections:
            lplan = lookup.QUICK if args.quick else lookup.Plan()
            if args.sizes or args.rounds:
                lplan = lookup.Plan(
                    **{**lplan.__dict__, "sizes": args.sizes or lplan.sizes, "rounds": args.rounds or lplan.rounds}
                )
            _section(report, f"lookup{suffix}", lambda lplan=lplan, c=db_common: lookup.run(lplan, **c), _print_lookup)
    if "photos" in sections:
        _section(report, "photos", lambda: _photos_run(quick=args.quick), _print_photos)
    if "sms" in sections:
        splan = sms.QUICK if args.quick else sms.Plan()
        _section(report, "sms", lambda: sms.run(splan, **common), _print_sms)
    if "reports" in sections:
        rplan = reports.QUICK if args.quick else reports.Plan()
        if args.sizes or args.rounds:
            rplan = reports.Plan(
                **{**rplan.__dict__, "sizes": args.sizes or rplan.sizes, "rounds": args.rounds or rplan.rounds}
            )
        _section(report, "reports", lambda: reports.run(rplan, **common), _print_reports)

    if "nodes" in sections:
        nplan = nodes.QUICK if args.quick else nodes.Plan()
        # Two nodes share one PostgreSQL database: the --database-url one, or else the --postgres one.
        ncommon = {**common, "database_url": args.database_url or args.postgres}
        _section(report, "nodes", lambda: nodes.run(nplan, **ncommon), _print_nodes)

    report["goals"] = goals(report)
    if report["goals"]:
        print("\n== Goals of issue 14 (ratios of this run)")
        print(
            table(
                ["goal", "database", "ratio", "target", ""],
                [
                    [
                        g["goal"],
                        g["database"],
                        f"{g['ratio']:.2f}" if g["ratio"] is not None else "-",
                        g["target"],
                        "met" if g["met"] else "NOT MET",
                    ]
                    for g in report["goals"]
                ],
            )
        )
        print(f"machine load average at the end: {os.getloadavg()[0]:.1f} (1 min), {os.getloadavg()[1]:.1f} (5 min)")
    report["meta"]["seconds"] = round(time.perf_counter() - started, 1)
    report["findings"] = lookup.findings(report.get("lookup") or {}) + reports.findings(report.get("reports") or {})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwhole run: {report['meta']['seconds']:.0f} s; figures in {args.out}")
    for finding in report["findings"]:
        print(f"FINDING: {finding}")
    if report["failures"]:
        print(f"\nFAILED: {len(report['failures'])} problem(s)")
        for failure in report["failures"][:40]:
            print(f"  - {failure}")
        return 1
    print("all checks passed")
    return 0


def _print_nodes(out: dict) -> None:
    if "skipped" in out:
        print(f"\n== Web nodes: skipped ({out['skipped']})")
        return
    print("\n== Web nodes on one PostgreSQL: JSON registrations/s with one node, then two (no worker running)")
    print(table(["nodes", "health/s", "registrations/s", "reg p99 ms", "reg ÷ health"], nodes.table_rows(out)))
    print(f"two nodes ÷ one node (registrations/s): {out['two_over_one']}; on one machine the nodes share its cores")


def goals(report: dict) -> list[dict]:
    """Each goal of issue 14 that this run measured, with its ratio and whether it is met."""
    found: list[dict] = []

    def add(goal: str, database: str, ratio: float | None, target: float, at_least: bool = True) -> None:
        met = ratio is not None and (ratio >= target if at_least else ratio <= target)
        found.append(
            {
                "goal": goal,
                "database": database,
                "ratio": ratio,
                "target": f"{'>=' if at_least else '<='} {target}",
                "met": met,
            }
        )

    for key, database in (("", report["meta"]["database"]), ("_postgresql", "postgresql")):
        reg = report.get(f"registration{key}") or {}
        ratios = reg.get("ratios") or {}
        if ratios:
            add(
                "JSON registrations/s ÷ health requests/s",
                database,
                ratios.get("json_registrations_per_health_request"),
                registration.GOAL_JSON,
            )
            add(
                "registrations with 3 photos/s ÷ all-cores image_clean floor",
                database,
                ratios.get("photo_registrations_per_floor_all_cores"),
                registration.GOAL_PHOTOS,
            )
            add(
                "SMS delivered/s during the JSON load ÷ registrations/s",
                database,
                ratios.get("sms_during_json_load_per_registration"),
                registration.GOAL_SMS,
            )
        summary = (report.get(f"lookup{key}") or {}).get("summary") or {}
        sizes = summary.get("sizes") or []
        if len(sizes) > 1:
            for kind, row in summary["kinds"].items():
                if kind != "health":
                    add(
                        f"look-up by {kind}: p99 at {int(sizes[-1]):,} ÷ p99 at {int(sizes[0]):,}",
                        database,
                        row.get("growth_p99"),
                        lookup.GOAL_P99_GROWTH,
                        at_least=False,
                    )
    for label, entry in ((report.get("photos") or {}).get("compare") or {}).get("sizes", {}).items():
        add(f"photo pipeline: Pillow ms ÷ libvips ms, {label}", "-", entry["ratio"], entry["goal"])
    return found


def _section(report: dict, name: str, run, show) -> None:
    section_started = time.perf_counter()
    try:
        result = run()
    except Exception as error:  # the other sections still run, and the JSON is still written
        traceback.print_exc()
        report[name] = {"error": str(error)}
        report["failures"].append(f"{name}: {type(error).__name__}: {str(error)[:2000]}")
        print(f"\n== {name}: ERROR {type(error).__name__}: {str(error)[:2000]}")
        return
    result["seconds"] = round(time.perf_counter() - section_started, 1)
    report[name] = result
    report["failures"] += [f"{name}: {f}" for f in result.get("failures", [])]  # a skipped section has none
    show(result)


def _print_registration(out: dict) -> None:
    plan = out["plan"]
    print(
        f"\n== 1. Registration throughput through the real server ({out['server']}; {plan['concurrency']} "
        f"clients in flight; {out['seconds']:.0f} s)"
    )
    print(
        table(
            ["figure", "rate", "p50 ms", "p99 ms", "done", "baseline (same run)", "ratio"], registration.table_rows(out)
        )
    )
    print(
        "ratio b = JSON registrations/s ÷ mean health requests/s; ratio c = photo registrations/s ÷ mean "
        "image_clean submissions/s (3 images each, one process)"
    )
    for line in registration.check_lines(out):
        print(f"  {line}")


def _print_reports(out: dict) -> None:
    print(
        f"\n== Progress report latency: GET /api/v1/reports/progress, one client, interleaved ({out['seconds']:.0f} s)"
    )
    for size, entry in out["sizes"].items():
        gen, hist = entry.get("generation", {}), entry.get("history", {})
        if gen and hist:
            print(
                f"  [{int(size):,}] generated {gen['count']:,} dossiers in {gen['seconds']:.1f} s; wrote "
                f"{hist['transitions']:,} transitions in {hist['write_seconds']:.1f} s; `reports rebuild` took "
                f"{hist['rebuild_seconds']:.1f} s"
            )
    headers, rows = reports.table(out)
    if rows:
        print(table(headers, rows))
        print(
            f"goal: p99 at the largest size at most {reports.GOAL_P99_GROWTH}x p99 at the smallest; "
            "p99 ÷ health = p99 of the report ÷ p99 of GET /api/v1/health, same server, interleaved."
        )


def _print_lookup(out: dict) -> None:
    print(
        f"\n== 2. Look-up latency at the counter: GET /api/v1/office/dossiers?q=, one client, interleaved "
        f"({out['seconds']:.0f} s)"
    )
    for size, entry in out["sizes"].items():
        gen = entry.get("generation", {})
        if gen:
            print(
                f"  generated {gen['count']:,} dossiers in {gen['seconds']:.1f} s ({gen['rows_per_second']:,.0f} "
                f"rows/s, {gen['vendor']})"
            )
        if "skipped" in entry:
            print(f"  [{int(size):,}] skipped: {entry['skipped']}")
        elif "latency" in entry:
            shut = entry["shutdown"]
            bad = sum(r["unexpected"] for r in entry["latency"].values())
            capped = [
                f"{kind} ({r['done']} of {r['planned']} measured, its {out['plan']['probe_budget']:.0f} s "
                "budget used up)"
                for kind, r in entry["latency"].items()
                if r["capped"] or r["hit_deadline"]
            ]
            print(
                f"  [{int(size):,}] {out['plan']['rounds']} look-ups per kind: {bad} wrong answers; "
                f"shutdown exit {shut['exit_code']} in {shut['seconds']:.1f} s "
                f"({'clean' if shut['clean'] else 'NOT CLEAN'})"
                + (f"; sampled less: {', '.join(capped)}" if capped else "")
            )
    headers, rows = lookup.table(out)
    if rows:
        print(table(headers, rows))
        print(
            "growth = p50 (p99) at the largest size ÷ at the smallest; ÷ health growth = that p50 growth ÷ the p50 "
            "growth of GET /api/v1/health between the same two servers (cancels the machine's drift);\n"
            "p50 ÷ health = p50 of the kind ÷ p50 of GET /api/v1/health, same server, interleaved. "
            f"SLOW = a full table scan in the query plan, or ÷ health growth above {lookup.SLOW_RATIO:.0f}."
        )
    for line in lookup.plan_lines(out):
        print(f"  {line}")


def _photos_run(*, quick: bool) -> dict:
    log("photos: the Pillow and the libvips pipeline on the same 2 MP and 12 MP JPEGs, alternately")
    compare = photos.pipelines_compare(rounds=3 if quick else 12, max_seconds=20 if quick else 60)
    log(f"photos: the bare libvips pipeline on all {os.cpu_count()} cores, one process each")
    floor = photos.floor_all_cores(photos.submission_photos(), seconds=4 if quick else 15)
    return {"compare": compare, "floor_all_cores": floor, "load_average": os.getloadavg(), "failures": []}


def _print_photos(out: dict) -> None:
    floor = out["floor_all_cores"]
    print(
        f"\n== 3. Photos: decode, orient, strip, re-encode, own processes ({out['seconds']:.0f} s; load average "
        f"{out['load_average'][0]:.1f} at the end)"
    )
    rows = [
        [
            f"{label} JPEG ({e['mb_per_image']} MB), {e['images']} images",
            f"{e['pillow_ms']:.1f}",
            f"{e['libvips_ms']:.1f}",
            f"{e['ratio']:.2f}",
            f">= {e['goal']}",
            "met" if e["met"] else "NOT MET",
            f"{e['pillow_cpu_ms']:.1f}",
            f"{e['libvips_cpu_ms']:.1f}",
            f"{e['cpu_ratio']:.2f}",
        ]
        for label, e in out["compare"]["sizes"].items()
    ]
    print(
        table(
            [
                "same files, alternately",
                "Pillow ms",
                "libvips ms",
                "ratio",
                "goal",
                "",
                "Pillow CPU ms",
                "libvips CPU ms",
                "CPU ratio",
            ],
            rows,
        )
    )
    print(
        "ratio = mean wall ms per image of the former Pillow pipeline (bench/pillow_pipeline.py) ÷ that of today's "
        "image_clean (libvips; a 12 MP photo is also shrunk to GDDT_PHOTO_MAX_SIDE);\nCPU = CPU time of the "
        "process per image, all threads (libvips decodes and encodes on two threads, Pillow on one)"
    )
    print(
        f"  all-cores floor: {floor['processes']} processes x {floor['seconds']:.0f} s, image_clean of the three "
        f"2 MP photos of a submission: {floor['images_per_second']:.1f} images/s = "
        f"{floor['submissions_per_second']:.2f} submissions/s"
        + (f" ({floor['late_starts']} process(es) started late)" if floor["late_starts"] else "")
    )


def _print_sms(out: dict) -> None:
    print(f"\n== Messages to a local HTTP gateway: gddt worker vs a plain httpx client ({out['seconds']:.0f} s)")
    print(table(["workers", "delivered/s", "plain client/s", "ratio", "goal", ""], sms.table_rows(out)))
    print(
        "ratio = messages/s the workers delivered ÷ posts/s of one plain httpx client to the same gateway, in "
        "alternating rounds (bench/sms.py)"
    )


if __name__ == "__main__":
    sys.exit(main())
