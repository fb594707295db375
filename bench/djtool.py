"""Django-side helpers of the bench, run as a separate process against one server's database (GDDT_DATA_DIR /
DATABASE_URL in the environment). Each command prints one JSON object on its last stdout line.

    djtool.py count                               dossiers, documents and SMS in the database
    djtool.py officer --office 79 --role verifier an officer with a fresh API token
    djtool.py explain --refs FILE --username U    the query plan of the counter look-up for every reference
    djtool.py statements                          the SQL statements of one JSON registration (the service's own)
    djtool.py settle                              a checkpoint of the database (SQLite TRUNCATE, PostgreSQL CHECKPOINT)
"""

import argparse
import json
import os
import re
import secrets
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "testing"))


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gddt.settings")
    import django

    django.setup()


def count() -> dict:
    from gddt.notifications.models import SmsMessage
    from gddt.registrations.models import Document, Dossier

    return {
        "dossiers": Dossier.objects.count(),
        "documents": Document.objects.count(),
        "sms": {row["status"]: row["n"] for row in _grouped(SmsMessage.objects.all(), "status")},
    }


def _grouped(queryset, field: str):
    from django.db.models import Count

    return queryset.values(field).annotate(n=Count("id")).order_by(field)


def officer(*, office_code: str, roles: list[str], username: str) -> dict:
    from gddt.accounts.auth import api_token_create
    from gddt.accounts.services import officer_create
    from gddt.offices.models import Office

    office = Office.objects.get(code=office_code)
    password = secrets.token_urlsafe(18) + "Aa1!"
    user = officer_create(
        username=username, office=office, roles=roles, password=password, full_name="Cán bộ Đo Hiệu Năng"
    )
    return {
        "username": user.username,
        "office": office.code,
        "roles": roles,
        "token": api_token_create(user=user, days=1),
    }


class _Captured(Exception):
    """Raised in place of running a dossier query whose plan scans the whole table, once the plan has been read."""


def explain(*, refs_path: str, username: str) -> dict:
    """The query plans of the counter look-up for EVERY reference of the refs file. counter.selectors.dossier_search
    runs as in the API; before each of its statements on the dossier table the database is asked for the plan
    (EXPLAIN QUERY PLAN / EXPLAIN, same SQL, same parameters). A statement whose plan reads the whole table is not
    run: the call stops there, so a million-row scan costs nothing here. The planner chooses per statement and per
    value, which is why every reference is explained, not one per kind."""
    from django.db import connection

    from gddt.accounts.models import User

    try:
        from gddt.counter.selectors import dossier_search
    except ImportError as error:
        return {"error": f"counter look-up not available: {error}"}
    with open(refs_path, encoding="utf-8") as handle:
        refs = json.load(handle)["refs"]
    officer_user = User.objects.get(username=username)
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    table = "registrations_dossier"
    state: dict = {"inside": False, "statements": []}

    def wrapper(execute, sql, params, many, context):
        if state["inside"] or table not in sql or not sql.lstrip().upper().startswith("SELECT"):
            return execute(sql, params, many, context)
        state["inside"] = True
        try:
            cursor = context["cursor"]
            cursor.execute(prefix + sql, params)
            rows = cursor.fetchall()
        finally:
            state["inside"] = False
        plan = [row[-1] if connection.vendor == "sqlite" else row[0] for row in rows]
        full_scan = _is_full_scan(plan, table)
        state["statements"].append(
            {"sql": _readable(sql, params), "plan": plan, "full_scan": full_scan, "access": _access_line(plan, table)}
        )
        if full_scan:
            raise _Captured
        return execute(sql, params, many, context)

    out: dict = {}
    with connection.execute_wrapper(wrapper):
        for kind, items in refs.items():
            shapes: dict[str, dict] = {}
            errors = 0
            for item in items:
                state["statements"] = []
                try:
                    dossier_search(officer=officer_user, q=item["ref"])
                except _Captured:
                    pass
                except Exception:  # the look-up refused the reference: counted, the bench goes on
                    errors += 1
                    continue
                statements = state["statements"]
                if not statements:
                    continue
                access = " ; ".join(st["access"] for st in statements)
                shape = shapes.setdefault(
                    access,
                    {"refs": 0, "full_scan": any(st["full_scan"] for st in statements), "statements": statements},
                )
                shape["refs"] += 1
            out[kind] = {
                "refs": len(items),
                "errors": errors,
                "full_scan_refs": sum(s["refs"] for s in shapes.values() if s["full_scan"]),
                "shapes": [
                    {"access": access, **info} for access, info in sorted(shapes.items(), key=lambda kv: -kv[1]["refs"])
                ],
            }
    return {"vendor": connection.vendor, "kinds": out}


def _access_line(plan: list[str], table: str) -> str:
    """The line of a plan that says how the dossier table is reached, without PostgreSQL's costs."""
    for line in plan:
        upper = line.upper()
        if (
            "MULTI-INDEX OR" in upper
            or "BITMAPOR" in upper
            or (table.upper() in upper and ("SCAN" in upper or "SEARCH" in upper) and ":" not in line)
        ):
            return re.sub(r"\s*\(cost=.*?\)", "", line).replace("->", "").strip()
    return plan[0].strip() if plan else ""


def _readable(sql: str, params) -> str:
    try:
        return sql % tuple(f"'{p}'" for p in (params or ()))
    except (TypeError, ValueError):
        return f"{sql} -- {params!r}"


def _is_full_scan(plan: list[str], table: str) -> bool:
    """Whether the plan reads the whole dossier table (or all of one of its indexes) instead of looking keys up."""
    name = table.upper()
    for number, line in enumerate(plan):
        text = line.upper().strip().removeprefix("->").strip()
        # SQLite: SEARCH is an index look-up; SCAN reads every row, also "SCAN t USING INDEX i" (the whole table
        # in the order of i, e.g. to avoid sorting for ORDER BY).
        if text.startswith("SCAN " + name):
            return True
        # PostgreSQL: a sequential scan, or an index scan with no Index Cond (only a Filter): every row again.
        if f"SEQ SCAN ON {name}" in text:
            return True
        if "INDEX SCAN" in text and f" ON {name}" in text and "BITMAP" not in text:
            details = []
            for following in plan[number + 1 :]:
                if "->" in following:
                    break
                details.append(following)
            if not any("Index Cond" in d for d in details):
                return True
    return False


def statements() -> dict:
    """Counts the statements of a JSON registration as the API runs it (registration_submit with a client address),
    after one registration that fills the per-process copies of the reference data; BEGIN and COMMIT left out. The
    registration is real: count it among the dossiers."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gddt.registrations.services import registration_submit
    from gddt_testing.factories import adult_data

    registration_submit(data=adult_data(phone="0912000000"), files={}, client_ip="198.51.100.250")
    with CaptureQueriesContext(connection) as captured:
        registration_submit(data=adult_data(phone="0912000000"), files={}, client_ip="198.51.100.250")
    control = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)
    sql = [q["sql"] for q in captured.captured_queries if not control.match(q["sql"])]
    return {"statements": len(sql), "registrations": 2, "sql": [line[:160] for line in sql]}


def settle() -> dict:
    """Writes what the log holds into the database file (and empties the log on SQLite), so that a timed phase does
    not pay for the writes of the phase before it."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, frames, copied = cursor.fetchone()
            return {"vendor": "sqlite", "busy": busy, "frames": frames, "copied": copied}
        cursor.execute("CHECKPOINT")
    return {"vendor": connection.vendor}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("count")
    sub.add_parser("statements")
    sub.add_parser("settle")
    p_officer = sub.add_parser("officer")
    p_officer.add_argument("--office", default="79")
    p_officer.add_argument("--role", action="append", default=None)
    p_officer.add_argument("--username", default="bench.verifier")
    p_explain = sub.add_parser("explain")
    p_explain.add_argument("--refs", required=True)
    p_explain.add_argument("--username", default="bench.verifier")
    args = parser.parse_args()
    _django()
    if args.command == "count":
        result = count()
    elif args.command == "statements":
        result = statements()
    elif args.command == "settle":
        result = settle()
    elif args.command == "officer":
        result = officer(office_code=args.office, roles=args.role or ["verifier"], username=args.username)
    else:
        result = explain(refs_path=args.refs, username=args.username)
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
