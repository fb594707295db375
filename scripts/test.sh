#!/usr/bin/env bash
# The whole check: lint, types, migrations, the OpenAPI document, then the test suite on SQLite and again on
# PostgreSQL. Without CI=true, PostgreSQL and the browser tests are skipped when absent; with CI=true, never.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export GDDT_DATA_DIR="${GDDT_DATA_DIR:-$(mktemp -d)}"

echo "== ruff"
$BIN/ruff check .
echo "== ruff format"
$BIN/ruff format --check .
echo "== mypy"
$BIN/mypy src/gddt
echo "== migrations"
GDDT_DATA_DIR=$(mktemp -d) $BIN/gddt makemigrations --check --dry-run
echo "== OpenAPI document"
tmp=$(mktemp)
GDDT_DATA_DIR=$(mktemp -d) $BIN/gddt export_openapi_schema --api gddt.api.api --indent 2 --sorted > "$tmp"
if ! diff -q docs/openapi.json "$tmp" >/dev/null; then
  echo "docs/openapi.json differs from the code: run 'make openapi' and commit it"; diff docs/openapi.json "$tmp" | head -40
  exit 1
fi

PG_URL="${GDDT_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/gddt}"
# The test databases of this run are named test_gddt_<run>_gwN (testing/gddt_testing/plugin.py), so that two runs on
# one server never collide and this script can check that the run dropped its own.
export GDDT_TEST_RUN_ID="${GDDT_TEST_RUN_ID:-$(date +%s)$$}"
# A run that collects no test exits 1 (the plugin turns pytest's 5 into a failure).
echo "== tests on SQLite"
env -u DATABASE_URL $BIN/pytest -q -n 2 --dist loadfile "$@"
if [ "${CI:-}" = "true" ]; then  # message delivery under faults: three passes in a row (the suite's, and two more)
  for pass in 2 3; do
    echo "== SMS fault tests on SQLite, pass $pass of 3"
    env -u DATABASE_URL $BIN/pytest -q -n 2 --dist load -m sms_faults src/gddt/notifications
  done
fi

if $BIN/python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
except Exception:
    sys.exit(1)
PY
then
  echo "== tests on PostgreSQL"
  DATABASE_URL="$PG_URL" $BIN/pytest -q -n 2 --dist loadfile "$@"
  if [ "${CI:-}" = "true" ]; then
    for pass in 2 3; do
      echo "== SMS fault tests on PostgreSQL, pass $pass of 3"
      DATABASE_URL="$PG_URL" $BIN/pytest -q -n 2 --dist load -m sms_faults src/gddt/notifications
    done
  fi
  echo "== the run dropped its test databases"
  $BIN/python - "$PG_URL" "$GDDT_TEST_RUN_ID" <<'PY'
import sys, psycopg
with psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=3) as conn:
    left = [row[0] for row in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                           [f"test_%_{sys.argv[2]}%"])]
if left:
    sys.exit(f"the run left its test databases behind: {', '.join(left)}")
PY
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL at $PG_URL does not answer, and CI=true requires it"; exit 1
else
  echo "== PostgreSQL does not answer at $PG_URL: skipped on this machine (never under CI=true)"
fi
