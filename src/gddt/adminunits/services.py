"""Loading the administrative units from the vietnam-provinces package (reference data)."""

from django.db import transaction
from vietnam_provinces import Province as SourceProvince
from vietnam_provinces import Ward as SourceWard

from gddt.adminunits.models import Province, Ward


def province_code(code: int) -> str:
    return f"{int(code):02d}"


def ward_code(code: int) -> str:
    return f"{int(code):05d}"


@transaction.atomic
def admin_units_load() -> tuple[int, int]:
    """Loads or refreshes the provinces and communes; safe to run again."""
    provinces = [
        Province(code=province_code(p.code), name=" ".join(p.name.split()), division_type=p.division_type.value)
        for p in SourceProvince.iter_all()
    ]
    Province.objects.bulk_create(
        provinces, update_conflicts=True, unique_fields=["code"], update_fields=["name", "division_type"]
    )
    wards = [
        Ward(
            code=ward_code(w.code),
            name=" ".join(w.name.split()),
            division_type=w.division_type.value,
            province_id=province_code(w.province_code),
        )
        for w in SourceWard.iter_all()
    ]
    Ward.objects.bulk_create(
        wards,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "division_type", "province"],
        batch_size=500,
    )
    return len(provinces), len(wards)
