"""The suite's test settings and database hooks, as a pytest plugin (src/gddt/conftest.py loads it)."""

import os
import uuid

import pytest
from django.db import connection
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from gddt.core.services import reference_data_load

# Hypothesis never times an example: a busy CI machine is not a failing test. Under CI=true the examples are also
# fixed (derandomize) and bounded, so that a run's result depends on the code only.
hypothesis_settings.register_profile("gddt", deadline=None)
hypothesis_settings.register_profile(
    "ci", deadline=None, max_examples=100, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") == "true" else "gddt")


def run_id(config: pytest.Config) -> str:
    """One id per run, shared by the xdist workers: GDDT_TEST_RUN_ID if set (scripts/test.sh sets it, to check
    afterwards that the run dropped its databases), else xdist's run id, else a fresh one."""
    given = os.environ.get("GDDT_TEST_RUN_ID")
    if given:
        return given
    worker = getattr(config, "workerinput", None)
    return worker["testrunuid"][:12] if worker else uuid.uuid4().hex[:12]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request):
    """On a database server every run creates test databases of its own name, test_<name>_<run>[_gwN], so two runs
    on one server never collide (pytest-django's default, test_<name>_gwN, is the same for every run). SQLite's
    test databases live in memory and are left alone."""
    from django.conf import settings

    run = run_id(request.config)
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    for db in settings.DATABASES.values():
        if db["ENGINE"] == "django.db.backends.sqlite3":
            continue
        db.setdefault("TEST", {})["NAME"] = "_".join(filter(None, ("test", db["NAME"], run, worker)))


def pytest_sessionfinish(session, exitstatus):
    """A run that collected no test (a wrong path or -k) tested nothing: a failure, not pytest's exit code 5."""
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED and not hasattr(session.config, "workerinput"):
        session.config.get_terminal_writer().line("no test was collected: a run that tests nothing fails", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


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
        marker is not None and marker.kwargs.get("transaction")
    )
    if flushed and nextitem is not None:  # after the last test the test database may be gone already
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            reference_data_load()


@pytest.fixture
def reference(transactional_db):
    """Reference data for a transactional test (those flush every table when they end)."""
    reference_data_load()


@pytest.fixture(autouse=True)
def _reference_copies_forgotten():
    """Each test starts without the per-process copies of reference data (core/reference.py): the rows a former
    test's transaction held are gone, and a copy made from them must go too."""
    from gddt.core.reference import reference_caches_forget

    reference_caches_forget()
    yield
    reference_caches_forget()


@pytest.fixture(autouse=True)
def _private_data_dir(settings, tmp_path):
    """Every test writes its files and SMS into its own folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "gddt.core.storage.EncryptedStorage",  # encrypted, as settings.py configures it
            "OPTIONS": {
                "inner": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
                }
            },
        },
        # The static files as the package holds them: the hashed, compressed copies are collectstatic's (gddt init),
        # which registrations/tests/test_web_compression.py runs into a folder of its own.
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.GDDT_SMS_FILE = tmp_path / "sms.jsonl"
    yield


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


@pytest.fixture(params=["local", "s3"])
def document_storage(request, settings):
    """Each test that takes it runs twice: on local files and on S3 (moto's real HTTP server), encrypted both.
    Name it before the fixtures that store documents, so that they store them there."""
    from gddt_testing.s3 import s3_server

    if request.param == "local":
        yield "local"
        return
    with s3_server() as server:
        settings.STORAGES = {**settings.STORAGES, "default": server.storage_setting()}
        yield "s3"
