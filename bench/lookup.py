"""Section 2: look-up latency at the counter (issue 3), at growing database sizes.

For each size: a fresh database, `gddt init`, the bulk generator (generate.py), an officer with the verifier role
and an API token, then the real server. One client sends, one request at a time and interleaved, GET
/api/v1/office/dossiers?q=<ref> for each kind of reference (dossier number with separators, personal ID,
insurance number, phone; random existing dossiers) and GET /api/v1/health as the same-run baseline. Every answer
must be 200 and contain the dossier looked for. Afterwards the SQL of the look-up (counter.selectors.dossier_search)
is captured and its query plan printed: a plan that scans the dossier table is what makes a kind slow at scale."""

import json
from dataclasses import dataclass
from urllib.parse import quote

import httpx
from load import Probe, percentile, sequential_run
from server import Server

from gddt.registrations.numbers import dossier_number_format

HEALTH = "/api/v1/health"
DOSSIERS = "/api/v1/office/dossiers"
KINDS = ("dossier_no", "personal_id", "bhxh_code", "phone")
# Growth of a kind's p50 from the smallest to the largest size, divided by the growth of health's p50 over the same
# sizes (which cancels the machine getting busier between the two servers): above this a kind does not scale.
SLOW_RATIO = 2.0
GOAL_P99_GROWTH = 1.3  # issue 14: p99 at the largest size <= 1.3 x p99 at the smallest, every kind, both databases
FIRST_ROUNDS = 0.1  # the share of the measured rounds left out of the "steady" p99 (the first ones after the start)


@dataclass(frozen=True)
class Plan:
    sizes: tuple[int, ...] = (10_000, 1_000_000)
    rounds: int = 300  # measured requests per kind and per size
    warmup: int = 20  # rounds, not measured (every kind indexed: a round costs milliseconds at 1M too)
    max_seconds: float = 900.0  # per size, for the requests
    probe_budget: float = 150.0  # per kind and size: a kind this slow is sampled less (and reported so)
    batch: int = 10_000


QUICK = Plan(sizes=(1_000, 10_000), rounds=60, warmup=10, max_seconds=120.0, probe_budget=30.0)


def _found(number: str, response: httpx.Response) -> bool:
    text = response.text
    return response.status_code == 200 and (number in text or dossier_number_format(number) in text)


def _probes(refs: dict[str, list[dict]]) -> list[Probe]:
    probes = [Probe("health", path=lambda i: HEALTH, check=lambda i, r: r.status_code == 200)]
    for kind in KINDS:
        items = refs[kind]
        probes.append(
            Probe(
                kind,
                path=lambda i, items=items: f"{DOSSIERS}?q={quote(items[i % len(items)]['ref'])}",
                check=lambda i, r, items=items: _found(items[i % len(items)]["number"], r),
            )
        )
    return probes


def run(plan: Plan, *, database_url: str | None, workers: int | None, keep: bool, log) -> dict:
    out: dict = {"plan": {**plan.__dict__, "sizes": list(plan.sizes)}, "sizes": {}, "failures": []}
    for size in plan.sizes:
        entry: dict = {}
        out["sizes"][str(size)] = entry
        with Server(label=f"lookup-{size}", database_url=database_url, workers=workers, keep=keep) as server:
            log(f"[{size:,}] gddt init in {server.data_dir}")
            server.init()
            refs_path = server.data_dir / "refs.json"
            log(f"[{size:,}] generating {size:,} dossiers")
            entry["generation"] = server.django_script(
                "generate.py",
                "--count",
                str(size),
                "--batch",
                str(plan.batch),
                "--refs-out",
                str(refs_path),
                "--refs-per-kind",
                str(plan.rounds + plan.warmup),
                live=True,
                timeout=6 * 3600,
            )
            token = server.django_script("djtool.py", "officer", "--office", "79", "--role", "verifier")["token"]
            with open(refs_path, encoding="utf-8") as handle:
                refs = json.load(handle)["refs"]
            entry["healthy_after_seconds"] = round(server.start(), 2)
            headers = {"Authorization": f"Bearer {token}"}
            first = refs["dossier_no"][0]
            probe = httpx.get(f"{server.base_url}{DOSSIERS}", params={"q": first["ref"]}, headers=headers, timeout=30)
            if probe.status_code in (404, 405) and not _found(first["number"], probe):
                entry["skipped"] = f"the counter API is not there yet: GET {DOSSIERS}?q= answered {probe.status_code}"
                entry["shutdown"] = server.stop()
                out["failures"].append(f"[{size:,}] {entry['skipped']}")
                log(entry["skipped"])
                continue
            log(f"[{size:,}] settling: checkpoint, sync, idle (the generator wrote the whole table just before)")
            entry["settle"] = server.settle()
            log(f"[{size:,}] {plan.rounds} look-ups per kind (+{plan.warmup} warm-up), one client, interleaved")
            probes = sequential_run(
                server.base_url,
                _probes(refs),
                rounds=plan.rounds,
                warmup=plan.warmup,
                max_seconds=plan.max_seconds,
                probe_budget=plan.probe_budget,
                headers=headers,
            )
            entry["latency"] = {
                p.label: {**p.result.as_dict(), "latencies_ms": [round(x * 1000, 2) for x in p.result.latencies]}
                for p in probes
            }
            entry["shutdown"] = server.stop()
            log(f"[{size:,}] query plans of the look-up")
            entry["plans"] = server.django_script("djtool.py", "explain", "--refs", str(refs_path), timeout=600)
            for p in probes:
                out["failures"] += [f"[{size:,}] {p.label}: {f}" for f in p.result.failures[:10]]
                if p.result.done == 0:
                    out["failures"].append(f"[{size:,}] {p.label}: no look-up answered")
            if not entry["shutdown"]["clean"]:
                out["failures"].append(f"[{size:,}] gddt serve did not stop cleanly: {entry['shutdown']}")
    out["summary"] = _summary(out)
    return out


def latency_summary(out: dict, kinds: tuple[str, ...]) -> tuple[list[str], dict[str, dict]]:
    """The sizes measured, and per kind (health first): p50/p99 per size with their ratio to health's in the same
    run, and their growth from the smallest to the largest size (also used by reports.py)."""
    measured = {size: e for size, e in out["sizes"].items() if "latency" in e}
    sizes = sorted(measured, key=int)
    rows: dict[str, dict] = {}
    for kind in ("health", *kinds) if sizes else ():
        row: dict = {}
        for size in sizes:
            lat = measured[size]["latency"][kind]
            health = measured[size]["latency"]["health"]
            row[size] = {
                "p50_ms": lat["p50_ms"],
                "p99_ms": lat["p99_ms"],
                "n": lat["done"],
                "p50_per_health_p50": round(lat["p50_ms"] / health["p50_ms"], 2) if health["p50_ms"] else None,
                "p99_per_health_p99": round(lat["p99_ms"] / health["p99_ms"], 2) if health["p99_ms"] else None,
            }
        if len(sizes) > 1:
            row["growth_p50"] = round(row[sizes[-1]]["p50_ms"] / row[sizes[0]]["p50_ms"], 2)
            row["growth_p99"] = round(row[sizes[-1]]["p99_ms"] / row[sizes[0]]["p99_ms"], 2)
        rows[kind] = row
    return sizes, rows


def _summary(out: dict) -> dict:
    """Per kind: p50/p99 per size, the ratio largest/smallest size, and the ratio to health in the same run."""
    sizes, rows = latency_summary(out, KINDS)
    if not sizes:
        return {}
    measured = out["sizes"]
    small, large = sizes[0], sizes[-1]
    summary: dict = {"sizes": sizes, "kinds": {}}
    for kind, row in rows.items():
        for size in sizes:
            latencies = measured[size]["latency"][kind]["latencies_ms"]
            steady = latencies[int(len(latencies) * FIRST_ROUNDS) :]
            row[size]["p99_ms_steady"] = round(percentile(steady, 99), 2) if steady else None
        if small != large:
            row["growth_p99_steady"] = (
                round(row[large]["p99_ms_steady"] / row[small]["p99_ms_steady"], 2)
                if row[large]["p99_ms_steady"] and row[small]["p99_ms_steady"]
                else None
            )
            row["goal_met"] = kind == "health" or row["growth_p99"] <= GOAL_P99_GROWTH
            row["growth_p50_per_health_growth"] = round(
                row[large]["p50_per_health_p50"] / row[small]["p50_per_health_p50"], 2
            )
        plans = measured[large].get("plans", {}).get("kinds", {}).get(kind, {})
        row["full_scan_refs"] = plans.get("full_scan_refs")  # references (of plans["refs"]) whose plan scans
        row["slow"] = kind != "health" and (
            bool(row["full_scan_refs"]) or row.get("growth_p50_per_health_growth", 0) > SLOW_RATIO
        )
        summary["kinds"][kind] = row
    return summary


def size_label(size: str) -> str:
    """1000000 -> 1M, 10000 -> 10k (the sizes in the bench tables' headers; also used by reports.py)."""
    n = int(size)
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def latency_headers(labels: list[str]) -> list[str]:
    """p50 and p99 of each size, in the order of the sizes (also used by reports.py)."""
    return [f"{stat} {label} ms" for label in labels for stat in ("p50", "p99")]


def latency_cells(row: dict, sizes: list[str]) -> list[str]:
    return [f"{row[size][stat]:.2f}" for size in sizes for stat in ("p50_ms", "p99_ms")]


def table(out: dict) -> tuple[list[str], list[list[str]]]:
    summary = out.get("summary") or {}
    if not summary:
        return [], []
    sizes = summary["sizes"]
    labels = [size_label(s) for s in sizes]
    headers = ["kind", *latency_headers(labels)]
    if len(sizes) > 1:
        headers += [
            f"p50 {labels[-1]}/{labels[0]}",
            f"p99 {labels[-1]}/{labels[0]}",
            f"p99 {labels[-1]}/{labels[0]} w/o first {FIRST_ROUNDS:.0%}",
            "÷ health growth",
        ]
    headers += [f"p50 ÷ health {label}" for label in labels]
    headers.append("")
    rows = []
    for kind, row in summary["kinds"].items():
        cells = [kind, *latency_cells(row, sizes)]
        if len(sizes) > 1:
            steady = row.get("growth_p99_steady")
            cells += [
                f"{row['growth_p50']:.2f}",
                f"{row['growth_p99']:.2f}",
                f"{steady:.2f}" if steady is not None else "-",
                f"{row['growth_p50_per_health_growth']:.2f}",
            ]
        cells += [f"{row[size]['p50_per_health_p50']:.2f}" for size in sizes]
        cells.append("SLOW" if row["slow"] else "")
        rows.append(cells)
    return headers, rows


def plan_lines(out: dict) -> list[str]:
    """The query plans at the largest size, per kind: how many references got which plan; every plan that scans
    the dossier table in full, with its SQL."""
    summary = out.get("summary") or {}
    if not summary:
        return []
    large = summary["sizes"][-1]
    plans = out["sizes"][large].get("plans", {})
    if "error" in plans:
        return [f"query plans: {plans['error']}"]
    lines = [
        f"query plans of the look-up at {int(large):,} dossiers, for every reference used ({plans.get('vendor')}):"
    ]
    for kind, info in plans.get("kinds", {}).items():
        row = summary["kinds"].get(kind, {})
        verdict = (
            f"{info['full_scan_refs']} of {info['refs']} references SCAN THE WHOLE TABLE"
            if info["full_scan_refs"]
            else f"all {info['refs']} references use an index"
        )
        growth = (
            f"; p50 grew x{row['growth_p50']:.2f} (x{row['growth_p50_per_health_growth']:.2f} relative to "
            f"health), p99 x{row['growth_p99']:.2f}"
            if "growth_p50" in row
            else ""
        )
        lines.append(f"{kind}: {verdict}{growth}" + (f"; {info['errors']} refused" if info["errors"] else ""))
        for shape in info["shapes"]:
            mark = "  <-- full scan" if shape["full_scan"] else ""
            lines.append(f"    {shape['refs']:>4} refs: {shape['access'].strip()}{mark}")
        for shape in info["shapes"]:
            for statement in shape["statements"]:
                if not statement["full_scan"]:
                    continue
                sql = statement["sql"]
                where = sql[sql.find(" WHERE ") :][:600]
                joins = sql.count(" JOIN ")
                lines.append(
                    f"    e.g. SELECT ... FROM registrations_dossier{f' + {joins} JOINs' if joins else ''}{where}"
                )
                lines += [f"         plan {line}" for line in _plan_excerpt(statement["plan"])]
    return lines


def _plan_excerpt(plan: list[str]) -> list[str]:
    """A short plan (SQLite's) in full; of a long one (PostgreSQL's), the nodes on the dossier table with their
    conditions, and the top of the plan."""
    if len(plan) <= 12:
        return plan
    keep = plan[:2]
    for number, line in enumerate(plan[2:], start=2):
        if "registrations_dossier" in line and "->" in line:
            keep.append(line)
            keep += [d for d in plan[number + 1 : number + 3] if "->" not in d and ("Cond" in d or "Filter" in d)]
    return [line.strip() for line in keep]


def findings(out: dict) -> list[str]:
    """The kinds that do not scale: not failures of the bench (every answer was right), but what to fix."""
    summary = out.get("summary") or {}
    found = []
    for kind, row in summary.get("kinds", {}).items():
        if not row.get("slow"):
            continue
        large = summary["sizes"][-1]
        found.append(
            f"look-up by {kind} does not scale: p50 {row[large]['p50_ms']:.0f} ms, p99 "
            f"{row[large]['p99_ms']:.0f} ms at {int(large):,} dossiers"
            + (
                f", {row['full_scan_refs']} references planned as a full table scan"
                if row.get("full_scan_refs")
                else ""
            )
        )
    return found
