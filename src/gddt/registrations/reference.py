"""The reference data a registration reads, as per-process copies (core/reference.py): offices, provinces, wards and
the required components. They are forgotten when an administrator edits them (apps.py connects the signals) and read
again at most a minute later in every other process."""

from django.db.models import Model

from gddt.adminunits.models import Province, Ward
from gddt.core.reference import ReferenceCache
from gddt.offices.models import Office
from gddt.registrations.models import RequiredComponent

_offices = ReferenceCache(name="offices", load=lambda: {o.code: o for o in Office.objects.filter(is_active=True)})
_provinces = ReferenceCache(name="provinces", load=lambda: {p.code: p for p in Province.objects.all()})
_wards = ReferenceCache(name="wards", load=lambda: {w.code: w for w in Ward.objects.all()})


def _components_load() -> dict[str, list[RequiredComponent]]:
    table: dict[str, list[RequiredComponent]] = {}
    for component in RequiredComponent.objects.order_by("category", "position"):
        table.setdefault(component.category, []).append(component)
    return table


_components = ReferenceCache(name="required_components", load=_components_load)


def active_office(*, code: str) -> Office | None:
    """The active office with this code, or None."""
    return _offices.get().get(code)


def province_by_code(*, code: str) -> Province | None:
    return _provinces.get().get(code)


def ward_by_code(*, code: str) -> Ward | None:
    return _wards.get().get(code)


def required_components(*, category: str) -> list[RequiredComponent]:
    """The components a dossier of this category must hold, in their order."""
    return _components.get().get(category, [])


def reference_forget_on_change() -> None:
    """Connects each copy to the saves and deletes of its model (from AppConfig.ready())."""
    caches: list[tuple[ReferenceCache, type[Model]]] = [
        (_offices, Office),
        (_provinces, Province),
        (_wards, Ward),
        (_components, RequiredComponent),
    ]
    for cache, model in caches:
        cache.forget_on_change(model)
