"""An index on a big table is built without locking it (docs/operator.md, PostgreSQL): once the dossiers number in
the millions, a plain CREATE INDEX holds off every write to the table for minutes. So every migration after those
that existed when the rule was made adds and removes indexes of the dossier tables with AddIndexConcurrently /
RemoveIndexConcurrently from gddt.core.schema (plain on SQLite), in a migration marked `atomic = False`
(PostgreSQL refuses them inside a transaction)."""

import pytest
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import connection, migrations, models
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from gddt.core import schema

BIG_TABLES = {("registrations", "dossier"), ("registrations", "document"), ("registrations", "transition")}
# The migrations of each app written before the rule: they ran on small tables.
BEFORE_THE_RULE = {"registrations": 3}


def later_migrations() -> list[tuple[str, str, migrations.Migration]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    found = []
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        number = int(name.split("_", 1)[0]) if name[:4].isdigit() else 0
        if app in BEFORE_THE_RULE and number > BEFORE_THE_RULE[app]:
            found.append((app, name, migration))
    return found


def offending(migration: migrations.Migration, app: str) -> list[str]:
    problems = []
    for operation in migration.operations:
        model = getattr(operation, "model_name", "")
        if (app, model.lower()) not in BIG_TABLES:
            continue
        concurrent = isinstance(operation, AddIndexConcurrently | RemoveIndexConcurrently)
        if isinstance(operation, migrations.AddIndex | migrations.RemoveIndex) and not concurrent:
            problems.append(f"{type(operation).__name__} on {model}: use {type(operation).__name__}Concurrently")
        if concurrent and migration.atomic:
            problems.append(f"{type(operation).__name__} on {model} needs `atomic = False` on the migration")
    return problems


def test_indexes_of_the_dossier_tables_are_built_concurrently():
    problems = {f"{app}.{name}": offending(migration, app) for app, name, migration in later_migrations()}
    assert {name: found for name, found in problems.items() if found} == {}


def test_the_rule_recognises_a_plain_index_and_a_concurrent_one():
    index = models.Index(fields=["expires_at"], name="dossier_expires_at")

    class Plain(migrations.Migration):
        operations = [migrations.AddIndex(model_name="dossier", index=index)]

    class Concurrent(migrations.Migration):
        atomic = False
        operations = [AddIndexConcurrently(model_name="dossier", index=index)]

    class ConcurrentInATransaction(migrations.Migration):
        operations = [AddIndexConcurrently(model_name="dossier", index=index)]

    class OtherTable(migrations.Migration):
        operations = [migrations.AddIndex(model_name="requiredcomponent", index=index)]

    assert offending(Plain("0099_x", "registrations"), "registrations") == [
        "AddIndex on dossier: use AddIndexConcurrently"
    ]
    assert offending(Concurrent("0099_x", "registrations"), "registrations") == []
    assert offending(ConcurrentInATransaction("0099_x", "registrations"), "registrations") == [
        "AddIndexConcurrently on dossier needs `atomic = False` on the migration"
    ]
    assert offending(OtherTable("0099_x", "registrations"), "registrations") == []


@pytest.mark.django_db(transaction=True)
def test_the_operations_build_and_drop_an_index_on_this_database_outside_a_transaction():
    executor = MigrationExecutor(connection)
    state = executor.loader.project_state(executor.loader.graph.leaf_nodes())
    index = models.Index(fields=["expires_at"], name="dossier_test_concurrent")
    add = schema.AddIndexConcurrently(model_name="dossier", index=index)
    after = state.clone()
    add.state_forwards("registrations", after)

    def indexes() -> set[str]:
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, "registrations_dossier")
        return {name for name, info in constraints.items() if info["index"]}

    try:
        with connection.schema_editor(atomic=False) as editor:
            add.database_forwards("registrations", editor, state, after)
        assert "dossier_test_concurrent" in indexes()
    finally:
        with connection.schema_editor(atomic=False) as editor:
            schema.RemoveIndexConcurrently(model_name="dossier", name="dossier_test_concurrent").database_forwards(
                "registrations", editor, after, state
            )
    assert "dossier_test_concurrent" not in indexes()
