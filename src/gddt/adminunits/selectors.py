"""Reads of the administrative units (provinces and communes)."""

from gddt.adminunits.models import Province, Ward


def province_list() -> list[Province]:
    return list(Province.objects.order_by("name"))


def ward_list(*, province_code: str) -> list[Ward]:
    return list(Ward.objects.filter(province_id=province_code).order_by("name"))
