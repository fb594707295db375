"""Settings that follow the deployment: HTTPS from GDDT_PUBLIC_URL, the address really served, PostgreSQL's pool
and statement timeout. Settings are read once per process, so each case starts a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

NAMES = [
    "SITE_URL",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
    "DATABASES",
]


def settings_with(tmp_path: Path, **env: str) -> dict:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GDDT_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    clean.update(GDDT_DATA_DIR=str(tmp_path / "data"), **env)
    code = (
        "import json; from gddt import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {NAMES!r}}}, default=str))"
    )
    done = subprocess.run([sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_embedded_default_over_http_keeps_plain_cookies_and_no_hsts(tmp_path):
    found = settings_with(tmp_path)
    assert found["SITE_URL"] == "http://127.0.0.1:8000"
    assert not found["SESSION_COOKIE_SECURE"] and not found["CSRF_COOKIE_SECURE"]
    assert found["SECURE_HSTS_SECONDS"] == 0 and found["SECURE_PROXY_SSL_HEADER"] is None


def test_an_https_public_url_turns_on_secure_cookies_hsts_and_the_proxys_scheme(tmp_path):
    found = settings_with(tmp_path, GDDT_PUBLIC_URL="https://dangky.baohiemxahoi.gov.vn/")
    assert found["SITE_URL"] == "https://dangky.baohiemxahoi.gov.vn"
    assert found["SESSION_COOKIE_SECURE"] and found["CSRF_COOKIE_SECURE"]
    assert found["SECURE_HSTS_SECONDS"] >= 180 * 24 * 3600
    assert found["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_the_former_name_gddt_site_url_still_works(tmp_path):
    found = settings_with(tmp_path, GDDT_SITE_URL="https://old.example.vn")
    assert found["SITE_URL"] == "https://old.example.vn" and found["SESSION_COOKIE_SECURE"]


def test_without_a_public_url_the_address_printed_is_the_one_served(tmp_path):
    found = settings_with(tmp_path, GDDT_HOST="192.0.2.10", GDDT_PORT="8123")
    assert found["SITE_URL"] == "http://192.0.2.10:8123"


def test_postgresql_gets_a_statement_timeout_and_optionally_a_pool_instead_of_persistent_connections(tmp_path):
    url = "postgres://gddt@db.internal:5432/gddt"
    plain = settings_with(tmp_path, DATABASE_URL=url)["DATABASES"]["default"]
    assert plain["OPTIONS"]["options"] == "-c statement_timeout=30000"
    assert plain["CONN_MAX_AGE"] == 60 and "pool" not in plain["OPTIONS"]
    pooled = settings_with(tmp_path, DATABASE_URL=url, GDDT_DB_POOL_SIZE="8", GDDT_DB_STATEMENT_TIMEOUT="5")[
        "DATABASES"
    ]["default"]
    assert pooled["OPTIONS"]["pool"]["max_size"] == 8
    assert pooled["CONN_MAX_AGE"] == 0  # Django refuses a pool with persistent connections
    assert pooled["OPTIONS"]["options"] == "-c statement_timeout=5000"
