"""The suite's test settings and database hooks, as a pytest plugin (src/gddt/conftest.py loads it)."""

import os

import pytest
from django.db import connection

from gddt.core.services import reference_data_load


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests skip on SQLite on a laptop; under CI=true the PostgreSQL run executes them."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL; `make test` runs them in its PostgreSQL pass")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Threads of live servers and concurrency tests close their connections at the end of each request, so that
    # nothing holds the test database open when it is dropped.
    from django.db import connections

    connections.settings["default"]["CONN_MAX_AGE"] = 0
    with django_db_blocker.unblock():
        reference_data_load()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (threads, live_server) ends by flushing every table, reference data included; once
    its fixtures are torn down, put the reference data back for the next test of this process."""
    yield
    marker = item.get_closest_marker("django_db")
    flushed = {"transactional_db", "live_server", "reference"} & set(getattr(item, "fixturenames", ())) or (
        marker is not None and marker.kwargs.get("transaction"))
    if flushed:
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            reference_data_load()


@pytest.fixture
def reference(transactional_db):
    """Reference data for a transactional test (those flush every table when they end)."""
    reference_data_load()


@pytest.fixture(autouse=True)
def _private_data_dir(settings, tmp_path):
    """Every test writes its files and SMS into its own folder."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None}}}
    settings.GDDT_SMS_FILE = tmp_path / "sms.jsonl"
    yield


def in_ci() -> bool:
    return os.environ.get("CI") == "true"
