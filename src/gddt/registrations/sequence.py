"""The dossier number, made by the database inside the INSERT of the dossier (no second write to fill it in), in the
format of numbers.py: two digits of the year, a sequence of at least seven digits, a Damm check digit.

- PostgreSQL: the sequence is `registrations_dossier_number_seq` (migration 0004 started it past every number and id
  already given) and `gddt_dossier_number(year, n)` is a SQL function of that migration.
- SQLite: the sequence is the new row's own id, read from `sqlite_sequence` (AUTOINCREMENT) in the same statement;
  SQLite has one writer at a time, so no other insert can come between. `gddt_dossier_number` is the Python function
  below, given to every SQLite connection (apps.py)."""

from typing import Any

from django.db import NotSupportedError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Expression
from django.db.models.sql.compiler import SQLCompiler

from gddt.registrations.numbers import dossier_number_make

SEQUENCE = "registrations_dossier_number_seq"
TABLE = "registrations_dossier"


class NextDossierNumber(Expression):
    """The value of Dossier.number in an INSERT: the next number of `year`."""

    output_field = CharField()

    def __init__(self, *, year: int) -> None:
        super().__init__()
        self.year = year % 100

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> tuple[str, list]:
        raise NotSupportedError(f"dossier numbers are made by PostgreSQL or SQLite, not {connection.vendor}")

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> tuple[str, list]:
        return f"gddt_dossier_number(%s, nextval('{SEQUENCE}'))", [self.year]

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> tuple[str, list]:
        return (
            "gddt_dossier_number(%s, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0) + 1)",
            [self.year, TABLE],
        )


def _sqlite_dossier_number(year: int, sequence: int) -> str:
    return dossier_number_make(year=year, sequence=sequence)


def sqlite_functions_add(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Gives a new SQLite connection the function of the INSERT (connected to `connection_created`)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("gddt_dossier_number", 2, _sqlite_dossier_number, deterministic=True)


def dossier_number_sequence_sync(*, connection: BaseDatabaseWrapper) -> None:
    """Moves the PostgreSQL number sequence past every number and id in the table (after a bulk load that made its
    numbers itself, as bench/generate.py does); nothing to do on SQLite, whose sequence is the id."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(SYNC_SQL)


SYNC_SQL = f"""
SELECT setval('{SEQUENCE}', GREATEST(1, used), used > 0) FROM (
    SELECT GREATEST(
        COALESCE((SELECT MAX(id) FROM {TABLE}), 0),
        COALESCE((SELECT MAX(substring(number FROM 3 FOR char_length(number) - 3)::bigint) FROM {TABLE}
                  WHERE number IS NOT NULL), 0),
        (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {SEQUENCE})) AS used) AS taken
"""  # noqa: S608 - fixed names
