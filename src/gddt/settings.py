"""The one settings module. Every value comes from the environment (gddt.core.env); the embedded
default (SQLite, local files) and production (PostgreSQL, S3) differ in values only."""

import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from gddt.core.env import email_settings, env_bool, env_choice, env_days, env_float, env_int, env_list, env_str
from gddt.core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent
# Whatever this process creates (database, SMS file, keys, private files, backups) is its own alone: 0600 files in
# 0700 folders.
os.umask(0o077)
DATA_DIR = Path(env_str("GDDT_DATA_DIR", "./var") or "./var").resolve()
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
if DATA_DIR.stat().st_uid == os.geteuid():
    DATA_DIR.chmod(0o700)


def _secret_key() -> str:
    configured = env_str("GDDT_SECRET_KEY")
    if configured:
        return configured
    # The embedded install keeps a generated key beside its database, so a restart keeps sessions valid.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("GDDT_DEBUG", False)
ALLOWED_HOSTS = env_list("GDDT_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("GDDT_CSRF_TRUSTED_ORIGINS", [])
# The public base URL (the OpenID Connect issuer, printed links); GDDT_SITE_URL is its former name.
# Unset: where `gddt serve` listens, so that `make run` and `gddt demo` print the address really served.
SITE_URL = (
    env_str("GDDT_PUBLIC_URL")
    or env_str("GDDT_SITE_URL")
    or f"http://{env_str('GDDT_HOST', '127.0.0.1')}:{env_str('GDDT_PORT', '8000')}"
).rstrip("/")
_PUBLIC_HTTPS = SITE_URL.startswith("https://")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "oauth2_provider",
    "django_tasks",
    "django_tasks_db",
    "gddt.core",
    "gddt.adminunits",
    "gddt.offices",
    "gddt.notifications",
    "gddt.consents",
    "gddt.registrations",
    "gddt.accounts",
    "gddt.audit",
    "gddt.counter",
    "gddt.archives",
    "gddt.reports",
]

MIDDLEWARE = [
    "gddt.core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "gddt.core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gddt.core.compression.PageGZipMiddleware",  # HTML pages; WhiteNoise above serves static files pre-compressed
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gddt.core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gddt.urls"
WSGI_APPLICATION = "gddt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite in the data dir unless DATABASE_URL names another (PostgreSQL in production).
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A statement that runs longer is cancelled (0: no limit, e.g. for a long migration run by hand).
        _timeout_ms = env_int("GDDT_DB_STATEMENT_TIMEOUT", 30, minimum=0) * 1000
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c statement_timeout={_timeout_ms}"
        # psycopg's pool, per process, shared by its threads (Django 5.2); exclusive with persistent connections.
        _pool_size = env_int("GDDT_DB_POOL_SIZE", 0, minimum=0)
        if _pool_size:
            DATABASES["default"]["CONN_MAX_AGE"] = 0
            DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
            DATABASES["default"]["OPTIONS"]["pool"] = {"min_size": 1, "max_size": _pool_size, "timeout": 10}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "gddt.sqlite3"),
            # Persistent: closing the last connection would checkpoint (and fsync) in a request thread. The web
            # processes also turn the automatic checkpoint off (core/sqlite.py); the worker runs the checkpoints.
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of failing.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                # FULL, not NORMAL: in WAL mode NORMAL does not sync the log at commit, so a power cut could lose a
                # registration whose number the citizen already has by SMS. FULL costs one fsync of the log per
                # commit, no more (the checkpoints' fsyncs of the database file run in the worker).
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Files: private by default; nothing under MEDIA is ever served by URL.
GDDT_STORAGE = env_choice("GDDT_STORAGE", "local", {"local", "s3"})
# Objects are private (no public ACL, and any URL made for one is signed and short-lived; images reach people only
# through the audited views), encrypted by the store, never overwritten; uploads stream from memory, no local copy.
S3_STORAGE_OPTIONS = {
    "default_acl": "private",
    "querystring_auth": True,
    "querystring_expire": 60,
    "file_overwrite": False,
    "object_parameters": {"ServerSideEncryption": "AES256"},
}
if GDDT_STORAGE == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("GDDT_S3_BUCKET"),
            "endpoint_url": env_str("GDDT_S3_ENDPOINT_URL"),
            "region_name": env_str("GDDT_S3_REGION"),
            "access_key": env_str("GDDT_S3_ACCESS_KEY_ID"),
            "secret_key": env_str("GDDT_S3_SECRET_ACCESS_KEY"),
            **S3_STORAGE_OPTIONS,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(DATA_DIR / "private"),
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }


def _data_keys() -> tuple[bytes, list[bytes]]:
    """The master key that seals the documents and the previous ones that still open them (core/encryption.py)."""
    from gddt.core.encryption import generated_key_load, key_decode

    try:
        current = env_str("GDDT_DATA_KEY") or generated_key_load(DATA_DIR)
        previous = env_str("GDDT_DATA_KEY_PREVIOUS") or ""
    except OSError as error:
        raise ImproperlyConfigured(
            f"GDDT_DATA_KEY_FILE or GDDT_DATA_KEY_PREVIOUS_FILE cannot be read: {error.strerror} ({error.filename})"
        ) from None
    return (
        key_decode(current, variable="GDDT_DATA_KEY"),
        [key_decode(key, variable="GDDT_DATA_KEY_PREVIOUS") for key in previous.replace(",", " ").split()],
    )


# Every document is encrypted at rest by the wrapper around the storage above: AES-256-GCM under a data key of its
# own, wrapped by GDDT_DATA_KEY (32 bytes in base64; unset, the embedded default generates one into the data dir,
# which must be backed up with the data). GDDT_DATA_KEY_PREVIOUS (comma-separated) still opens what older keys
# sealed until `gddt keys rotate` has rewrapped every document.
GDDT_DATA_KEY, GDDT_DATA_KEY_PREVIOUS = _data_keys()
STORAGES = {
    "default": {"BACKEND": "gddt.core.storage.EncryptedStorage", "OPTIONS": {"inner": _default_storage}},
    # Names with a hash of the content (cached for a year by browsers) and gzip/brotli copies beside each file, made
    # by collectstatic, which `gddt init` and `gddt serve` run; the tests serve the files as they are (gddt_testing).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Collected files first; the installed package's own files too, for a process that collected nothing (tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

# Uploads: photos are read into memory up to this size, larger ones spill to a private temp dir.
FILE_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "tmp")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_PERMISSIONS = 0o600
DATA_UPLOAD_MAX_NUMBER_FILES = 12
GDDT_MAX_REQUEST_BYTES = env_int("GDDT_MAX_REQUEST_BYTES", 80 * 1024 * 1024, minimum=1024)
# Photos (registrations/images.py): the long side kept (enough to read an ID card), the decoded pixels one request
# may cost (all its photos together, a pixel of more than 3 bytes counting more: 100 MP covers a minor's four photos
# at the 24 MP a recent phone saves by default), and the decodes one web process runs at once (default: its cores).
GDDT_PHOTO_MAX_SIDE = env_int("GDDT_PHOTO_MAX_SIDE", 2400, minimum=600)
GDDT_PHOTO_MAX_REQUEST_PIXELS = env_int("GDDT_PHOTO_MAX_REQUEST_PIXELS", 100_000_000, minimum=1_000_000)
GDDT_PHOTO_DECODES_AT_ONCE = env_int("GDDT_PHOTO_DECODES_AT_ONCE", os.cpu_count() or 1, minimum=1)

# Internationalisation: Vietnamese first, English available.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
# Each app keeps its own catalogue in <app>/locale; files outside an app (api.py) fall into core's.
LOCALE_PATHS = [BASE_DIR / "core" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

# Accounts and sign-in.
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Django's validators with the project's messages (Vietnamese first), and the citizen's own data refused.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "gddt.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8, "officer_min_length": 10}},
    {"NAME": "gddt.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "gddt.accounts.passwords.NumericPasswordValidator"},
    {"NAME": "gddt.accounts.passwords.PersonalDataValidator"},
]
LOGIN_URL = "/can-bo/dang-nhap/"  # officers; citizens sign in at /dang-nhap/ (the OpenID Connect login step too)
SESSION_COOKIE_AGE = env_int("GDDT_SESSION_SECONDS", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout: the age counts from the last request
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Behind HTTPS (GDDT_PUBLIC_URL https://...): Secure cookies, HSTS, and the proxy's X-Forwarded-Proto trusted.
SESSION_COOKIE_SECURE = env_bool("GDDT_SECURE_COOKIES", _PUBLIC_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("GDDT_HSTS_SECONDS", 365 * 24 * 3600 if _PUBLIC_HTTPS else 0, minimum=0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _PUBLIC_HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
AXES_FAILURE_LIMIT = env_int("GDDT_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "GDĐT BHXH"
# Citizens' accounts: the initial SMS password's life, tokens' lives, and the per-account limit of failed sign-ins
# from any address in a sliding window (django-axes above counts per username and address).
GDDT_INITIAL_PASSWORD_HOURS = env_int("GDDT_INITIAL_PASSWORD_HOURS", 72, minimum=1)
GDDT_ACCESS_TOKEN_SECONDS = env_int("GDDT_ACCESS_TOKEN_SECONDS", 3600, minimum=60)
GDDT_REFRESH_TOKEN_DAYS = env_int("GDDT_REFRESH_TOKEN_DAYS", 30, minimum=1)
GDDT_ACCOUNT_FAILURE_LIMIT = env_int("GDDT_ACCOUNT_FAILURE_LIMIT", 20, minimum=1)
GDDT_ACCOUNT_FAILURE_WINDOW_MINUTES = env_int("GDDT_ACCOUNT_FAILURE_WINDOW_MINUTES", 60, minimum=1)
GDDT_PASSWORD_RESETS_PER_ADDRESS_PER_HOUR = env_int("GDDT_PASSWORD_RESETS_PER_ADDRESS_PER_HOUR", 10, minimum=1)


def _oidc_private_key() -> str:
    """The RSA key that signs id_tokens: GDDT_OIDC_PRIVATE_KEY (or _FILE), else one generated once into the data
    dir (0600), as the secret key is; linked into place, so that two processes starting at once share one."""
    configured = env_str("GDDT_OIDC_PRIVATE_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "oidc_private_key.pem"
    if not key_file.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        draft = DATA_DIR / f"oidc_private_key.{os.getpid()}.tmp"
        draft.write_bytes(pem)
        draft.chmod(0o600)
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_file.read_text(encoding="utf-8")


# The OpenID Connect provider (django-oauth-toolkit) for VssID and other VSS services; routes in accounts/oidc_urls.py.
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _oidc_private_key(),
    "OIDC_ISS_ENDPOINT": SITE_URL,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_VALIDATOR_CLASS": "gddt.accounts.oidc.CitizenValidator",  # sub, claims, PKCE for public clients
    "SCOPES": {"openid": "OpenID Connect", "profile": "Name", "phone": "Phone number"},
    "DEFAULT_SCOPES": ["openid"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": GDDT_ACCESS_TOKEN_SECONDS,
    "ID_TOKEN_EXPIRE_SECONDS": GDDT_ACCESS_TOKEN_SECONDS,
    "REFRESH_TOKEN_EXPIRE_SECONDS": GDDT_REFRESH_TOKEN_DAYS * 86400,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,  # a used refresh token shown again revokes its whole family
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http", "vn.gov.vss.vssid"],
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,  # S256 only
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,  # tokens kept as their SHA-256 only
}

# Background work: a database-backed queue, so enqueuing commits with the change that causes it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Business settings.
GDDT_DOSSIER_TTL_DAYS = env_int("GDDT_DOSSIER_TTL_DAYS", 30, minimum=1)
GDDT_REMINDER_DAYS = env_int("GDDT_REMINDER_DAYS", 3, minimum=0)
# Retention (registrations/retention.py): days after the decision until a dossier's documents and personal data are
# purged. Rejected: after rejected_at; expired: after its deadline; approved: after approval, and only when set (no
# period is published for completed dossiers, so by default they are kept).
GDDT_RETENTION_REJECTED_DAYS = env_days("GDDT_RETENTION_REJECTED_DAYS", 90)
GDDT_RETENTION_EXPIRED_DAYS = env_days("GDDT_RETENTION_EXPIRED_DAYS", 90)
GDDT_RETENTION_COMPLETED_DAYS = env_days("GDDT_RETENTION_COMPLETED_DAYS", None)
# Messages (notifications/): the outbox is the queue that the workers' delivery loops claim from.
_SMS_PROVIDERS = {"file", "console", "http"}
GDDT_SMS_BACKEND = env_choice("GDDT_SMS_BACKEND", "file", _SMS_PROVIDERS)
GDDT_SMS_FALLBACK = env_list("GDDT_SMS_FALLBACK", [])  # providers that take over a message the first gives up
if not set(GDDT_SMS_FALLBACK) <= _SMS_PROVIDERS - {GDDT_SMS_BACKEND}:
    raise ImproperlyConfigured(
        f"GDDT_SMS_FALLBACK lists providers of {sorted(_SMS_PROVIDERS)} other than GDDT_SMS_BACKEND"
    )
GDDT_SMS_FILE = DATA_DIR / "sms.jsonl"
GDDT_SMS_HTTP_URL = env_str("GDDT_SMS_HTTP_URL")
GDDT_SMS_HTTP_AUTH = env_str("GDDT_SMS_HTTP_AUTH")  # the whole Authorization header value
GDDT_SMS_HTTP_BODY = env_str("GDDT_SMS_HTTP_BODY", '{"to": "$to", "text": "$text", "reference": "$reference"}')
GDDT_SMS_HTTP_ID_PATH = env_str("GDDT_SMS_HTTP_ID_PATH", "id")
GDDT_SMS_HTTP_CONNECT_TIMEOUT = env_float("GDDT_SMS_HTTP_CONNECT_TIMEOUT", 5.0, minimum=0.01)
GDDT_SMS_HTTP_READ_TIMEOUT = env_float("GDDT_SMS_HTTP_READ_TIMEOUT", 10.0, minimum=0.01)
if GDDT_SMS_HTTP_URL is None and "http" in {GDDT_SMS_BACKEND, *GDDT_SMS_FALLBACK}:
    raise ImproperlyConfigured("GDDT_SMS_HTTP_URL is required with the http SMS provider")
GDDT_SMS_RETRY_SECONDS = env_float("GDDT_SMS_RETRY_SECONDS", 10.0, minimum=0.01)
GDDT_SMS_MAX_ATTEMPTS = env_int("GDDT_SMS_MAX_ATTEMPTS", 8, minimum=1)
# Messages per second by provider, shared by every worker, e.g. "http=30,email=5"; a provider not named is not held.
GDDT_SMS_RATE_LIMITS = env_list("GDDT_SMS_RATE_LIMITS", [])
GDDT_SMS_LEASE_SECONDS = env_int("GDDT_SMS_LEASE_SECONDS", 30, minimum=2)
GDDT_SMS_BATCH = env_int("GDDT_SMS_BATCH", 50, minimum=1)
GDDT_SMS_CONCURRENCY = env_int("GDDT_SMS_CONCURRENCY", 4, minimum=1)  # connections a worker sends over at once
GDDT_SMS_POLL_SECONDS = env_float("GDDT_SMS_POLL_SECONDS", 0.5, minimum=0.01)
GDDT_SMS_ALERT_MINUTES = env_int("GDDT_SMS_ALERT_MINUTES", 15, minimum=1)
GDDT_SMS_RECEIPT_SECRET = env_str("GDDT_SMS_RECEIPT_SECRET")  # no receipt is accepted without it
GDDT_EMAIL_URL = env_str("GDDT_EMAIL_URL")  # set: citizens who gave an address also get non-secret messages
globals().update(email_settings("GDDT_EMAIL_URL"))
DEFAULT_FROM_EMAIL = env_str("GDDT_EMAIL_FROM", "BHXH Viet Nam <no-reply@localhost>")
GDDT_NOT_YOU_SMS_HOURS = env_int("GDDT_NOT_YOU_SMS_HOURS", 24, minimum=0)
GDDT_IDEMPOTENCY_HOURS = env_int("GDDT_IDEMPOTENCY_HOURS", 24, minimum=1)
GDDT_STATUS_LOOKUPS_PER_WINDOW = env_int("GDDT_STATUS_LOOKUPS_PER_WINDOW", 30, minimum=1)  # per 10 minutes
# Abuse limits (sliding windows, core/throttle.py): registrations per client address (a mobile carrier puts many people
# behind one), and receipts per phone (past it the registration is kept, the SMS is not sent, and the answer says so).
GDDT_REGISTRATIONS_PER_ADDRESS_PER_HOUR = env_int("GDDT_REGISTRATIONS_PER_ADDRESS_PER_HOUR", 120, minimum=1)
GDDT_SMS_PER_PHONE_PER_DAY = env_int("GDDT_SMS_PER_PHONE_PER_DAY", 5, minimum=1)
# The reverse proxies (CIDRs) whose X-Forwarded-For names the client (core/clients.py); none: the peer is the client.
GDDT_TRUSTED_PROXIES = env_list("GDDT_TRUSTED_PROXIES", [])
for _cidr in GDDT_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_cidr, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"GDDT_TRUSTED_PROXIES: {_cidr!r} is not an address or a network") from None
GDDT_SCHEDULER_SECONDS = env_int("GDDT_SCHEDULER_SECONDS", 300, minimum=1)
# The report figures fold in only what was recorded this long ago, so that no transaction still open is skipped.
GDDT_REPORTS_GRACE_SECONDS = env_int("GDDT_REPORTS_GRACE_SECONDS", 60, minimum=0)
# Extra leading three-digit codes accepted in personal IDs (births abroad); not published, so configurable.
GDDT_EXTRA_PERSONAL_ID_PREFIXES = env_list("GDDT_EXTRA_PERSONAL_ID_PREFIXES", [])
GDDT_API_TOKEN_DAYS = env_int("GDDT_API_TOKEN_DAYS", 90, minimum=1)

# Operations: one JSON object a line on standard output (core/logs.py); GET /metrics only with this bearer token.
LOGGING = logging_config(level=(env_str("GDDT_LOG_LEVEL", "INFO") or "INFO").upper())
GDDT_METRICS_TOKEN = env_str("GDDT_METRICS_TOKEN")
