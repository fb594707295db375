"""Bulk generator of realistic dossiers, for look-up benchmarks at province and national scale.

    GDDT_DATA_DIR=... [DATABASE_URL=...] python bench/generate.py --count 1000000 --refs-out refs.json

The database must be initialised (`gddt init`: offices, provinces, communes). Rows go in with executemany (COPY on
PostgreSQL) in batches of --batch (one transaction each), with explicit ids: the dossier number is made from the id
(registrations.numbers.dossier_number_make, as the online submission does), so it is unique and needs no
second pass. Afterwards the id sequence is moved past the new rows (PostgreSQL; SQLite's AUTOINCREMENT follows
explicit ids by itself), so that the live server numbers its next dossier after them.

Every row is valid by the intake rules: Vietnamese names, a 12-digit personal ID matching date of birth and sex
(old province code, century/sex digit, year, serial), a 10-digit insurance number (most rows), a mobile phone
with a real Vietnamese prefix, a ward of the address province, the provincial office of that province; mostly
`submitted`, some `verified`, `approved`, `expired`, `rejected`; about 5 % minors registered by a parent.
Not generated: documents, transitions, accounts (a look-up does not read them).

Progress goes to stderr; the last stdout line is JSON: the count, the seconds, the rate, and with --refs-out,
the file of random existing references per kind (dossier number with separators, personal ID, insurance number,
phone) for the look-up benchmark.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta

FAMILY = (
    ["Nguyễn"] * 38
    + ["Trần"] * 11
    + ["Lê"] * 9
    + ["Phạm"] * 7
    + ["Hoàng", "Huỳnh"] * 3
    + [
        "Phan",
        "Vũ",
        "Võ",
        "Đặng",
        "Bùi",
        "Đỗ",
        "Hồ",
        "Ngô",
        "Dương",
        "Lý",
        "Đinh",
        "Trương",
        "Lâm",
        "Mai",
        "Tạ",
        "Châu",
        "Cao",
        "Hà",
        "Lương",
        "Kiều",
        "Tô",
        "Quách",
    ]
    * 2
)
MIDDLE = {
    "male": ["Văn"] * 6
    + [
        "Hữu",
        "Đức",
        "Minh",
        "Quốc",
        "Thanh",
        "Công",
        "Gia",
        "Xuân",
        "Trọng",
        "Đình",
        "Quang",
        "Hoàng",
        "Tuấn",
        "Anh",
        "Bảo",
        "Nhật",
    ],
    "female": ["Thị"] * 6
    + [
        "Ngọc",
        "Thanh",
        "Thu",
        "Minh",
        "Kim",
        "Bảo",
        "Phương",
        "Mỹ",
        "Khánh",
        "Diệu",
        "Hồng",
        "Thùy",
        "Hoài",
        "Ánh",
        "Quỳnh",
        "Tuyết",
    ],
}
GIVEN = {
    "male": [
        "An",
        "Bình",
        "Cường",
        "Dũng",
        "Đạt",
        "Hải",
        "Hiếu",
        "Hoàng",
        "Hùng",
        "Huy",
        "Khang",
        "Khoa",
        "Kiên",
        "Long",
        "Minh",
        "Nam",
        "Nghĩa",
        "Phong",
        "Phúc",
        "Quân",
        "Sơn",
        "Tài",
        "Thắng",
        "Thành",
        "Thịnh",
        "Tiến",
        "Toàn",
        "Trung",
        "Tuấn",
        "Việt",
        "Vinh",
        "Vũ",
    ],
    "female": [
        "An",
        "Anh",
        "Chi",
        "Dung",
        "Giang",
        "Hà",
        "Hạnh",
        "Hằng",
        "Hoa",
        "Hương",
        "Huyền",
        "Lan",
        "Linh",
        "Loan",
        "Mai",
        "My",
        "Nga",
        "Ngân",
        "Nhung",
        "Oanh",
        "Phương",
        "Quyên",
        "Tâm",
        "Thảo",
        "Trang",
        "Trâm",
        "Tuyết",
        "Uyên",
        "Vân",
        "Vy",
        "Xuân",
        "Yến",
    ],
}
STREETS = [
    "Trần Hưng Đạo",
    "Lê Lợi",
    "Nguyễn Huệ",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Điện Biên Phủ",
    "Nguyễn Trãi",
    "Quang Trung",
    "Hùng Vương",
    "Lê Duẩn",
    "Phan Chu Trinh",
    "Nguyễn Thị Minh Khai",
    "Võ Thị Sáu",
    "Cách Mạng Tháng Tám",
    "Bà Triệu",
    "Tôn Đức Thắng",
    "Pasteur",
    "Trường Chinh",
]
ISSUER = "Cục Cảnh sát quản lý hành chính về trật tự xã hội"
# Mobile prefixes whose every number the `phonenumbers` data accepts as a Vietnamese mobile.
PHONE_PREFIXES = [
    "032",
    "033",
    "034",
    "035",
    "036",
    "037",
    "038",
    "039",
    "056",
    "058",
    "059",
    "070",
    "076",
    "077",
    "078",
    "079",
    "081",
    "082",
    "083",
    "084",
    "085",
    "086",
    "087",
    "088",
    "090",
    "091",
    "092",
    "093",
    "094",
    "096",
    "097",
    "098",
]
# (status, share): most dossiers wait for the person to come to an office.
STATUS_MIX = [("submitted", 0.80), ("verified", 0.07), ("approved", 0.08), ("expired", 0.03), ("rejected", 0.02)]
MINOR_SHARE = 0.05
WITH_BHXH_SHARE = 0.85
KINDS = ("dossier_no", "personal_id", "bhxh_code", "phone")


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gddt.settings")
    import django

    django.setup()


class Maker:
    """Makes dossier rows as {attname: value}; identifiers unique within the database."""

    def __init__(self, *, seed: int, now: datetime, taken_pids: set[str], taken_bhxh: set[str]):
        from gddt.adminunits.models import Ward
        from gddt.offices.models import Office, OfficeLevel
        from gddt.registrations.validators import OLD_PROVINCE_CODES

        self.rnd = random.Random(seed)
        self.now = now
        self.today = now.date()
        self.old_codes = sorted(OLD_PROVINCE_CODES)
        offices = dict(Office.objects.filter(level=OfficeLevel.PROVINCIAL).values_list("province_id", "id"))
        wards: dict[str, list[str]] = {}
        for code, province in Ward.objects.values_list("code", "province_id"):
            wards.setdefault(province, []).append(code)
        self.provinces = sorted(p for p in wards if p in offices)
        if not self.provinces:
            raise SystemExit("no provinces/offices: run `gddt init` first")
        self.offices, self.wards = offices, wards
        self.pids, self.bhxh = taken_pids, taken_bhxh

    def personal_id(self, born: date, sex: str) -> str:
        from gddt.registrations.validators import century_sex_digit

        digit = century_sex_digit(birth_year=born.year, sex=sex)
        head = f"{self.rnd.choice(self.old_codes)}{digit}{born.year % 100:02d}"
        while True:
            pid = f"{head}{self.rnd.randrange(1_000_000):06d}"
            if pid not in self.pids:
                self.pids.add(pid)
                return pid

    def bhxh_code(self, province: str) -> str:
        while True:
            code = f"{province}{self.rnd.randrange(100_000_000):08d}"
            if code not in self.bhxh:
                self.bhxh.add(code)
                return code

    def phone(self) -> str:
        return f"{self.rnd.choice(PHONE_PREFIXES)}{self.rnd.randrange(10_000_000):07d}"

    def name(self, sex: str) -> str:
        rnd = self.rnd
        middle = rnd.choice(MIDDLE[sex])
        if rnd.random() < 0.25:
            middle = f"{middle} {rnd.choice(MIDDLE[sex][6:])}"
        return f"{rnd.choice(FAMILY)} {middle} {rnd.choice(GIVEN[sex])}"

    def born(self, *, minor: bool) -> date:
        years = self.rnd.uniform(0.3, 17.5) if minor else self.rnd.uniform(18.2, 80)
        return self.today - timedelta(days=int(years * 365.25))

    def row(self) -> dict:
        rnd = self.rnd
        minor = rnd.random() < MINOR_SHARE
        sex = "male" if rnd.random() < 0.5 else "female"
        born = self.born(minor=minor)
        province = rnd.choice(self.provinces)
        pid = self.personal_id(born, sex)
        status = _pick(rnd.random())
        if status == "expired":
            submitted = self.now - timedelta(days=rnd.uniform(31, 120))
        elif status in ("approved", "rejected"):
            submitted = self.now - timedelta(days=rnd.uniform(1, 29))
        else:
            submitted = self.now - timedelta(seconds=rnd.uniform(60, 29 * 86400))
        office_id = self.offices[province]
        row = {
            "category": "minor_without_id_card" if minor else "with_id_card",
            "status": status,
            "version": 1,
            "full_name": self.name(sex),
            "date_of_birth": born,
            "sex": sex,
            "nationality": "VN",
            "personal_id": pid,
            "bhxh_code": self.bhxh_code(province) if rnd.random() < WITH_BHXH_SHARE else None,
            "phone": self.phone(),
            "province_id": province,
            "ward_id": rnd.choice(self.wards[province]),
            "street": f"{rnd.randrange(1, 400)} {rnd.choice(STREETS)}",
            "office_id": office_id,
            "consent_at": submitted,
            "submitted_at": submitted,
            "expires_at": submitted + timedelta(days=30),
            "updated_at": self.now,
        }
        if rnd.random() < 0.4:
            row["email"] = f"user{rnd.randrange(10**8)}@example.vn"
        if minor:
            guardian_born = born - timedelta(days=int(rnd.uniform(20, 40) * 365.25))
            guardian_sex = "female" if rnd.random() < 0.6 else "male"
            row.update(
                {
                    "birth_certificate_number": f"{rnd.randrange(1, 999)}/{born.year}",
                    "birth_certificate_issued_on": born + timedelta(days=rnd.randrange(3, 60)),
                    "birth_certificate_issued_by": f"UBND phường {rnd.choice(STREETS)}",
                    "guardian_full_name": self.name(guardian_sex),
                    "guardian_relationship": "mother" if guardian_sex == "female" else "father",
                    "guardian_personal_id": self.personal_id(guardian_born, guardian_sex),
                    "guardian_phone": row["phone"],
                }
            )
        else:
            row.update(
                {
                    "id_type": "cccd",
                    "id_number": pid,
                    "id_issued_by": ISSUER,
                    "id_issued_on": max(born + timedelta(days=14 * 366), date(2016, 1, 1))
                    + timedelta(days=rnd.randrange(0, 2000)),
                }
            )
            if row["id_issued_on"] > self.today:
                row["id_issued_on"] = self.today - timedelta(days=rnd.randrange(30, 300))
        if status in ("verified", "approved"):
            row["verified_at"] = submitted + timedelta(hours=rnd.uniform(1, 48))
            row["completed_office_id"] = office_id
            row["version"] = 2
        if status == "approved":
            row["approved_at"] = row["verified_at"] + timedelta(minutes=rnd.uniform(5, 600))
            row["version"] = 3
        if status == "rejected":
            row["rejected_at"] = submitted + timedelta(hours=rnd.uniform(1, 48))
            row["reject_reason"] = "data_mismatch"
            row["version"] = 2
        if status == "expired":
            row["version"] = 2
        return row


def _pick(x: float) -> str:
    for status, share in STATUS_MIX:
        if x < share:
            return status
        x -= share
    return STATUS_MIX[0][0]


def generate(*, count: int, batch: int, seed: int, refs_out: str | None, refs_per_kind: int) -> dict:
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from gddt.registrations.models import Dossier
    from gddt.registrations.numbers import dossier_number_make

    fields = list(Dossier._meta.concrete_fields)
    base = {f.attname: None if f.null else f.get_default() for f in fields}
    base.pop("id")
    attnames = ["id", *base]
    adapt = {}
    ops = connection.ops
    for f in fields:
        kind = f.get_internal_type()
        if kind == "DateTimeField":
            adapt[f.attname] = ops.adapt_datetimefield_value
        elif kind == "DateField":
            adapt[f.attname] = ops.adapt_datefield_value
    columns = ", ".join(ops.quote_name(Dossier._meta.get_field(a).column) for a in attnames)
    sql = (
        f"INSERT INTO {ops.quote_name(Dossier._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(attnames))})"
    )
    copy_sql = f"COPY {ops.quote_name(Dossier._meta.db_table)} ({columns}) FROM STDIN"

    now = datetime.now(UTC).replace(microsecond=0)
    taken_pids = set(Dossier.objects.exclude(personal_id=None).values_list("personal_id", flat=True))
    taken_pids |= set(Dossier.objects.exclude(guardian_personal_id="").values_list("guardian_personal_id", flat=True))
    taken_bhxh = set(Dossier.objects.exclude(bhxh_code=None).values_list("bhxh_code", flat=True))
    maker = Maker(seed=seed, now=now, taken_pids=taken_pids, taken_bhxh=taken_bhxh)
    first_id = (Dossier.objects.aggregate(m=Max("id"))["m"] or 0) + 1

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # a big page cache: a million random keys go into seven indexes
            cursor.execute("PRAGMA cache_size=-1000000")
    started = time.perf_counter()
    # Secondary indexes are dropped and rebuilt after the load (the same CREATE statements, read from the database):
    # building an index from a million keys at once is several times faster than a million random inserts into it,
    # and rebuilding the unique ones re-checks that the generated identifiers are unique.
    indexes = _indexes_drop(connection, Dossier._meta.db_table)
    try:
        next_id = first_id
        while next_id < first_id + count:
            size = min(batch, first_id + count - next_id)
            rows = []
            for pk in range(next_id, next_id + size):
                row = {**base, **maker.row()}
                row["number"] = dossier_number_make(year=timezone.localtime(row["submitted_at"]).year, sequence=pk)
                rows.append(tuple([pk] + [adapt[a](row[a]) if a in adapt else row[a] for a in attnames[1:]]))
            with transaction.atomic(), connection.cursor() as cursor:
                if connection.vendor == "postgresql":  # COPY: several times faster than executemany there
                    with cursor.cursor.copy(copy_sql) as copy:
                        for values in rows:
                            copy.write_row(values)
                else:
                    cursor.executemany(sql, rows)
            next_id += size
            done = next_id - first_id
            elapsed = time.perf_counter() - started
            sys.stderr.write(f"    generated {done:>9,} / {count:,} dossiers, {done / elapsed:,.0f} rows/s\n")
            sys.stderr.flush()
    finally:
        index_started = time.perf_counter()
        with connection.cursor() as cursor:
            for statement in indexes:
                cursor.execute(statement)
        sys.stderr.write(f"    rebuilt {len(indexes)} indexes in {time.perf_counter() - index_started:.1f} s\n")
    seconds = time.perf_counter() - started
    _sequence_reset(connection, Dossier)
    from gddt.registrations.sequence import dossier_number_sequence_sync

    dossier_number_sequence_sync(connection=connection)  # PostgreSQL's number sequence past the numbers made here
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum would soon do on its own after such a load
            cursor.execute(f"ANALYZE {ops.quote_name(Dossier._meta.db_table)}")
    result = {
        "count": count,
        "first_id": first_id,
        "seconds": round(seconds, 2),
        "rows_per_second": round(count / seconds, 1) if seconds else None,
        "total_dossiers": Dossier.objects.count(),
        "vendor": connection.vendor,
        "phones_checked": _phones_check(first_id, count),
    }
    if refs_out:
        result["refs_file"] = refs_out
        refs = _refs(first_id=first_id, count=count, per_kind=refs_per_kind, seed=seed + 1)
        with open(refs_out, "w", encoding="utf-8") as handle:
            json.dump({"refs": refs}, handle, ensure_ascii=False)
    return result


def _indexes_drop(connection, table: str) -> list[str]:
    """Drops the table's indexes that are not part of a constraint; returns the statements that recreate them."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # sql IS NULL: the automatic index of a UNIQUE column or the primary key, which cannot be dropped.
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relname = %s AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [table],
            )
        else:
            return []
        found = cursor.fetchall()
        for name, _sql in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [create for _name, create in found]


def _sequence_reset(connection, model) -> None:
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), [model])
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _phones_check(first_id: int, count: int) -> int:
    """Self-check: a sample of generated phones passes the intake's own phone rule."""
    from gddt.registrations.models import Dossier
    from gddt.registrations.validators import clean_phone

    sample = Dossier.objects.filter(id__gte=first_id, id__lt=first_id + count).values_list("phone", flat=True)[:500]
    for phone in sample:
        if clean_phone(phone) != phone:
            raise SystemExit(f"generated phone {phone} is not a valid Vietnamese mobile")
    return len(sample)


def _refs(*, first_id: int, count: int, per_kind: int, seed: int) -> dict[str, list[dict]]:
    """Random existing references: per kind, `per_kind` distinct dossiers chosen uniformly over the generated ids."""
    from gddt.registrations.models import Dossier
    from gddt.registrations.numbers import dossier_number_format

    rnd = random.Random(seed)
    wanted = min(count, per_kind * len(KINDS) * 2)  # spare ones: some have no insurance number
    ids = rnd.sample(range(first_id, first_id + count), wanted)
    rows = list(Dossier.objects.filter(id__in=ids).values("id", "number", "personal_id", "bhxh_code", "phone"))
    rnd.shuffle(rows)
    refs: dict[str, list[dict]] = {kind: [] for kind in KINDS}
    for row in rows:
        for kind in KINDS:
            if len(refs[kind]) >= per_kind:
                continue
            value = dossier_number_format(row["number"]) if kind == "dossier_no" else row[kind]
            if value:
                refs[kind].append({"ref": value, "number": row["number"]})
                break
    return refs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20250)
    parser.add_argument("--refs-out")
    parser.add_argument("--refs-per-kind", type=int, default=340)
    args = parser.parse_args()
    _django()
    result = generate(
        count=args.count, batch=args.batch, seed=args.seed, refs_out=args.refs_out, refs_per_kind=args.refs_per_kind
    )
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
