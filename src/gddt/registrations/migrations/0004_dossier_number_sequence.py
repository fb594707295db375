"""The dossier number made by the database in the INSERT (registrations/sequence.py). On PostgreSQL: a sequence of its
own, started past every number and id already given (so every existing number stays and none is given twice), and
the function that formats a number with its Damm check digit (a frozen copy of numbers.py). SQLite needs nothing
stored: its sequence is the row's id, and its function is given to each connection."""

from django.db import migrations

CREATE = """
CREATE SEQUENCE IF NOT EXISTS registrations_dossier_number_seq OWNED BY registrations_dossier.number;
SELECT setval('registrations_dossier_number_seq', GREATEST(1, used), used > 0) FROM (
    SELECT GREATEST(
        COALESCE((SELECT MAX(id) FROM registrations_dossier), 0),
        COALESCE((SELECT MAX(substring(number FROM 3 FOR char_length(number) - 3)::bigint)
                  FROM registrations_dossier WHERE number IS NOT NULL), 0)) AS used) AS taken;
CREATE OR REPLACE FUNCTION gddt_dossier_number(year integer, seq bigint) RETURNS varchar
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    damm CONSTANT smallint[] := ARRAY[
        [0, 3, 1, 7, 5, 9, 8, 6, 4, 2], [7, 0, 9, 2, 1, 5, 4, 8, 6, 3], [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
        [1, 7, 5, 0, 9, 8, 3, 4, 2, 6], [6, 1, 2, 3, 0, 4, 5, 9, 7, 8], [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
        [5, 8, 6, 9, 7, 2, 0, 1, 3, 4], [8, 9, 4, 5, 3, 6, 2, 0, 1, 7], [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
        [2, 5, 8, 1, 4, 3, 6, 7, 9, 0]];
    digits text := seq::text;
    body text;
    interim smallint := 0;
BEGIN
    IF char_length(digits) < 7 THEN
        digits := lpad(digits, 7, '0');
    END IF;
    body := lpad((year % 100)::text, 2, '0') || digits;
    FOR i IN 1..char_length(body) LOOP
        interim := damm[interim + 1][substr(body, i, 1)::integer + 1];
    END LOOP;
    RETURN body || interim::text;
END
$$;
"""
DROP = """
DROP FUNCTION IF EXISTS gddt_dossier_number(integer, bigint);
DROP SEQUENCE IF EXISTS registrations_dossier_number_seq;
"""


def _create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # no parameters: its % is SQL's


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('registrations', '0003_dossier_guardian_phone_index'),
    ]

    operations = [
        migrations.RunPython(_create, _drop, elidable=False),
    ]
