"""The apps register their reference data and periodic jobs with core; `gddt init` and the reload after a flush run
them in an order that respects what each needs."""

from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from gddt.core import registry
from gddt.core.registry import ReferenceData, periodic_jobs, reference_data_loaders
from gddt.core.services import reference_data_load
from gddt.registrations.models import RequiredComponent


@pytest.mark.django_db
def test_init_says_what_it_loaded():
    out = StringIO()
    call_command("init", stdout=out)
    assert out.getvalue() == "ready: 34 provinces, 3321 communes, 35 offices\n"


@pytest.mark.django_db
def test_init_keeps_a_component_an_administrator_removed_but_a_reload_after_a_flush_restores_it():
    RequiredComponent.objects.filter(category="minor_without_id_card", kind="birth_certificate").delete()
    call_command("init", stdout=StringIO())
    assert not RequiredComponent.objects.filter(kind="birth_certificate").exists()
    reference_data_load()
    assert RequiredComponent.objects.get(kind="birth_certificate").position == 1


def test_offices_load_after_the_administrative_units_they_point_at():
    names = [loader.name for loader in reference_data_loaders()]
    assert names.index("adminunits") < names.index("offices")
    assert {"adminunits", "offices", "notifications", "registrations"} <= set(names)


def test_the_apps_register_their_periodic_jobs_in_the_order_of_their_names():
    names = list(periodic_jobs())
    assert {"dossiers_expiry", "idempotency_prune"} <= set(names) and names == sorted(names)


def _loader(name: str, *after: str) -> ReferenceData:
    return ReferenceData(name=name, load=dict, after=after)


def test_a_loader_waits_for_those_it_needs_and_otherwise_keeps_its_place(monkeypatch):
    monkeypatch.setattr(
        registry,
        "_reference_data",
        {name: _loader(name, *after) for name, after in [("c", ("b",)), ("a", ()), ("b", ("a",)), ("d", ())]},
    )
    assert [loader.name for loader in reference_data_loaders()] == ["a", "b", "c", "d"]


def test_a_loader_needing_an_unregistered_one_or_a_circle_is_a_configuration_error(monkeypatch):
    monkeypatch.setattr(registry, "_reference_data", {"a": _loader("a", "missing")})
    with pytest.raises(ImproperlyConfigured, match="missing"):
        reference_data_loaders()
    monkeypatch.setattr(registry, "_reference_data", {"a": _loader("a", "b"), "b": _loader("b", "a")})
    with pytest.raises(ImproperlyConfigured, match="wait on each other"):
        reference_data_loaders()
