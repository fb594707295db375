"""Loading and importing the office tree (reference data, CSV import)."""

import csv
import io
import re
from dataclasses import dataclass

from django.db import transaction

from gddt.adminunits.models import Province
from gddt.offices.models import Office, OfficeLevel

CENTRAL_CODE = "00"
CENTRAL_NAME = "Bảo hiểm xã hội Việt Nam"
_CODE_RE = re.compile(r"^[0-9A-Za-z]{2,10}$")


def _provincial_name(province: Province) -> str:
    if province.name.startswith("Thành phố"):
        return f"Bảo hiểm xã hội {province.name[0].lower()}{province.name[1:]}"
    return f"Bảo hiểm xã hội tỉnh {province.name}"


@transaction.atomic
def offices_load_reference() -> int:
    """The central office and one provincial office per province; safe to run again."""
    central, _ = Office.objects.update_or_create(
        code=CENTRAL_CODE,
        defaults={
            "name": CENTRAL_NAME,
            "parent": None,
            "level": OfficeLevel.CENTRAL,
            "province": None,
            "path": f"/{CENTRAL_CODE}/",
        },
    )
    count = 1
    for province in Province.objects.order_by("code"):
        Office.objects.update_or_create(
            code=province.code,
            defaults={
                "name": _provincial_name(province),
                "parent": central,
                "level": OfficeLevel.PROVINCIAL,
                "province": province,
                "path": f"{central.path}{province.code}/",
            },
        )
        count += 1
    return count


@dataclass(frozen=True)
class ImportError_:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class OfficeImportFailed(Exception):
    def __init__(self, errors: list[ImportError_]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@transaction.atomic
def offices_import_csv(*, text: str) -> tuple[int, int]:
    """Imports local offices from CSV with the columns code, name, parent_code. All rows or none:
    any error (unknown parent, bad code, a code that would move a reference office) refuses the file.
    Returns (created, updated)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    required = {"code", "name", "parent_code"}
    if reader.fieldnames is None or not required.issubset({f.strip() for f in reader.fieldnames}):
        raise OfficeImportFailed([ImportError_(1, "the header must name the columns code, name, parent_code")])
    rows = []
    errors: list[ImportError_] = []
    seen: set[str] = set()
    for number, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        code, name, parent_code = row["code"], row["name"], row["parent_code"]
        if not _CODE_RE.match(code):
            errors.append(ImportError_(number, f"code {code!r} must be 2 to 10 letters or digits"))
        elif code in seen:
            errors.append(ImportError_(number, f"code {code} appears twice"))
        elif code == CENTRAL_CODE or Office.objects.filter(code=code).exclude(level=OfficeLevel.LOCAL).exists():
            errors.append(ImportError_(number, f"code {code} belongs to a reference office"))
        if not name:
            errors.append(ImportError_(number, "name is empty"))
        seen.add(code)
        rows.append((number, code, name, parent_code))
    if errors:
        raise OfficeImportFailed(errors)

    created = updated = 0
    pending = list(rows)
    # Parents may come later in the file than their children: place rows whose parent exists, repeat.
    while pending:
        placed = []
        for number, code, name, parent_code in pending:
            parent = Office.objects.filter(code=parent_code).first()
            if parent is None:
                continue
            if f"/{code}/" in parent.path:
                raise OfficeImportFailed([ImportError_(number, f"office {code} would be its own ancestor")])
            _office, was_created = Office.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "parent": parent,
                    "level": OfficeLevel.LOCAL,
                    "province_id": parent.province_id,
                    "path": f"{parent.path}{code}/",
                },
            )
            created += was_created
            updated += not was_created
            placed.append((number, code, name, parent_code))
        if not placed:
            raise OfficeImportFailed(
                [ImportError_(n, f"parent office {p!r} does not exist") for n, _c, _n, p in pending]
            )
        pending = [row for row in pending if row not in placed]
    _paths_refresh()
    return created, updated


def _paths_refresh() -> None:
    """Recomputes every materialised path top-down (an office may have moved under another parent)."""
    offices = {o.id: o for o in Office.objects.all()}

    def path_of(office: Office) -> str:
        parent = offices.get(office.parent_id) if office.parent_id else None
        return f"{path_of(parent) if parent else '/'}{office.code}/"

    for office in offices.values():
        new_path = path_of(office)
        if office.path != new_path:
            Office.objects.filter(pk=office.pk).update(path=new_path)
