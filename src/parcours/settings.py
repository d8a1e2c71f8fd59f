"""The one settings module of Parcours, driven by environment variables.

Development defaults (SQLite under ./var, generated secret key) are safe only on a
developer's machine (DEBUG) or in the demo (PARCOURS_DEMO); production sets DATABASE_URL,
SECRET_KEY and the encryption keys (refused to start without them), ALLOWED_HOSTS, the e-mail settings and, for
ProConnect, the PROCONNECT_* variables. docs/deployment.md lists them all.
"""

import base64
import datetime
import ipaddress
import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("PARCOURS_VAR_DIR", Path.cwd() / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _development_secret_key() -> str:
    """A per-checkout key kept in var/, so sessions survive restarts of the demo."""
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

PARCOURS_DEPARTEMENT = os.environ.get("PARCOURS_DEPARTEMENT", "59")
# Demo accounts may log in without a second factor; never set this in production.
PARCOURS_DEMO = env_bool("PARCOURS_DEMO", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or PARCOURS_DEMO):
        raise ImproperlyConfigured(
            "La variable d'environnement SECRET_KEY est obligatoire en production (DEBUG et "
            "PARCOURS_DEMO désactivés) : donnez-lui une valeur aléatoire d'au moins 50 caractères, "
            "par exemple celle de « python -c 'import secrets; print(secrets.token_urlsafe(50))' »."
        )
    SECRET_KEY = _development_secret_key()

# Encryption of secret-like identifiers (the NIR): parcours.core.encryption, docs/deployment.md.
# PARCOURS_ENCRYPTION_KEYS: comma-separated keys, the first encrypts, all decrypt (rotation);
# PARCOURS_LOOKUP_HASH_KEY: the key of the lookup digests. Each is 32 random bytes in base64url.
PARCOURS_ENCRYPTION_KEYS = env_list("PARCOURS_ENCRYPTION_KEYS")
PARCOURS_LOOKUP_HASH_KEY = os.environ.get("PARCOURS_LOOKUP_HASH_KEY", "").strip()


def _development_encryption_key(name: str) -> str:
    """A per-checkout key kept in var/ (the demo's NIRs stay readable across restarts)."""
    key_file = VAR_DIR / name
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


if not (PARCOURS_ENCRYPTION_KEYS and PARCOURS_LOOKUP_HASH_KEY):
    if not (DEBUG or PARCOURS_DEMO):
        raise ImproperlyConfigured(
            "Les variables d'environnement PARCOURS_ENCRYPTION_KEYS et PARCOURS_LOOKUP_HASH_KEY sont "
            "obligatoires en production (les NIR sont chiffrés) / PARCOURS_ENCRYPTION_KEYS and "
            "PARCOURS_LOOKUP_HASH_KEY are required in production. Chacune : 32 octets aléatoires en "
            "base64url, par exemple « python -c 'import base64, secrets; "
            "print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())' » ; deux clés "
            "différentes, à conserver en lieu sûr (sans elles, les NIR enregistrés sont perdus)."
        )
    PARCOURS_ENCRYPTION_KEYS = PARCOURS_ENCRYPTION_KEYS or [_development_encryption_key("encryption_key")]
    PARCOURS_LOOKUP_HASH_KEY = PARCOURS_LOOKUP_HASH_KEY or _development_encryption_key("lookup_hash_key")
for _name, _keys in (
    ("PARCOURS_ENCRYPTION_KEYS", PARCOURS_ENCRYPTION_KEYS),
    ("PARCOURS_LOOKUP_HASH_KEY", [PARCOURS_LOOKUP_HASH_KEY]),
):
    for _key in _keys:
        try:
            _raw = base64.urlsafe_b64decode(_key + "=" * (-len(_key) % 4))
        except ValueError:
            _raw = b""
        if len(_raw) != 32:
            raise ImproperlyConfigured(
                f"{_name} : une clé n'a pas la bonne forme / a key is malformed (attendu : 32 octets "
                "aléatoires en base64url, 44 caractères)."
            )

PARCOURS_BASE_URL = os.environ.get("PARCOURS_BASE_URL", "http://127.0.0.1:8000")
# The secret shared with the telephony system, which signs its incoming-call events (HMAC-SHA256,
# docs/telephony.md); empty: the telephony endpoint refuses every event.
PARCOURS_TELEPHONY_SECRET = os.environ.get("PARCOURS_TELEPHONY_SECRET", "")

# Limits on imported files (hostile files are refused, nothing changes): the size of an upload
# (CNAF flux / beneficiary spreadsheet, in Mo), a workbook's size once unzipped and its
# compression ratio (checked before it is opened), the rows of a beneficiary file.
PARCOURS_MAX_UPLOAD_MB = int(os.environ.get("PARCOURS_MAX_UPLOAD_MB", "200"))
PARCOURS_MAX_SPREADSHEET_UPLOAD_MB = int(os.environ.get("PARCOURS_MAX_SPREADSHEET_UPLOAD_MB", "20"))
PARCOURS_MAX_SPREADSHEET_UNZIPPED_MB = int(os.environ.get("PARCOURS_MAX_SPREADSHEET_UNZIPPED_MB", "100"))
PARCOURS_MAX_ZIP_RATIO = int(os.environ.get("PARCOURS_MAX_ZIP_RATIO", "100"))
PARCOURS_MAX_IMPORT_ROWS = int(os.environ.get("PARCOURS_MAX_IMPORT_ROWS", "100000"))
# Uploads above 2.5 Mo go to a temporary file, never into memory; the rest of a request body
# (form fields) is capped at 2.5 Mo. Django's defaults, stated because the imports rely on them.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Stops storing an upload past PARCOURS_MAX_UPLOAD_MB (parcours.core.uploads), then the usual handlers.
FILE_UPLOAD_HANDLERS = [
    "parcours.core.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Files holding personal data (uploads, letters, mails) are readable by the server's user only,
# and deleted after these many days by `parcours purge-files` (parcours.core.retention).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
PARCOURS_UPLOAD_RETENTION_DAYS = int(os.environ.get("PARCOURS_UPLOAD_RETENTION_DAYS", "90"))
PARCOURS_LETTER_RETENTION_DAYS = int(os.environ.get("PARCOURS_LETTER_RETENTION_DAYS", "90"))
PARCOURS_MAIL_RETENTION_DAYS = int(os.environ.get("PARCOURS_MAIL_RETENTION_DAYS", "30"))
# The audit trail (parcours.core.audit_chain): entries older than this many days are purged daily
# (0 keeps them all); the chain is sealed every PARCOURS_AUDIT_SEAL_MINUTES; with a key (kept out of
# the database, like SECRET_KEY, and never changed) the chain's hashes are HMACs a database
# superuser cannot recompute. See docs/backup.md.
PARCOURS_AUDIT_RETENTION_DAYS = int(os.environ.get("PARCOURS_AUDIT_RETENTION_DAYS", "365"))
PARCOURS_AUDIT_SEAL_MINUTES = int(os.environ.get("PARCOURS_AUDIT_SEAL_MINUTES", "5"))
# The front door: overdue items are flagged and escalated to their tray's managers every N minutes.
PARCOURS_FRONT_DOOR_ESCALATION_MINUTES = int(os.environ.get("PARCOURS_FRONT_DOOR_ESCALATION_MINUTES", "15"))
PARCOURS_AUDIT_CHAIN_KEY = os.environ.get("PARCOURS_AUDIT_CHAIN_KEY", "")
# `parcours backup` writes its backups here (docs/backup.md).
PARCOURS_BACKUP_DIR = Path(os.environ.get("PARCOURS_BACKUP_DIR", VAR_DIR / "backups"))

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'parcours.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        # A persistent connection is checked before reuse: one cut by a database restart is replaced.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",
    "csp",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "widget_tweaks",
    "dsfr",
    "django.forms",
    # Serves the Swagger UI of /api/v1/docs from our static files (no CDN).
    "ninja",
    # The task queue of the daily work and of web imports (see docs/deployment.md).
    "django_q",
    "parcours.core",
    "parcours.territory",
    "parcours.accounts",
    "parcours.people",
    "parcours.imports",
    "parcours.rsa",
    "parcours.orientation",
    "parcours.appointments",
    "parcours.jobs",
    "parcours.accompaniment",
    "parcours.indicators",
    "parcours.reception",
    "parcours.directory",
    "parcours.aids",
    "parcours.demo",
    "parcours.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "parcours.core.request_hygiene.RejectNulCharacters",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "parcours.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # The French 404 page even with DEBUG (the demo), never Django's technical page.
    "parcours.core.error_pages.FrenchNotFoundMiddleware",
    # Last, as axes asks: turns a lockout into the lockout page (AXES_LOCKOUT_CALLABLE).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "parcours.urls"
WSGI_APPLICATION = "parcours.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parcours.core.context_processors.site",
            ],
        },
    }
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

AUTH_USER_MODEL = "accounts.Agent"
# The axes backend first: it refuses any attempt of a locked-out account or address.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
OTP_TOTP_ISSUER = "Parcours"

# Login throttling (django-axes, see parcours.accounts.throttling): after AXES_FAILURE_LIMIT
# failures (wrong password or wrong second-factor code) of one account, or from one address,
# that account or address is locked out for AXES_COOLOFF_TIME. Agents behind one shared
# address (a NAT) share its tally: raise PARCOURS_LOGIN_FAILURE_LIMIT if that bites.
AXES_FAILURE_LIMIT = int(os.environ.get("PARCOURS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("PARCOURS_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per account, per address
# Cleared once both factors pass (accounts.throttling), not at the password step.
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "parcours.core.client_address.client_ip"
AXES_LOCKOUT_CALLABLE = "parcours.accounts.throttling.lockout_response"
AXES_USERNAME_CALLABLE = "parcours.accounts.throttling.axes_username"
# Successful logins are in the audit trail; axes keeps only the failures it counts.
AXES_DISABLE_ACCESS_LOG = True
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated).
try:
    PARCOURS_TRUSTED_PROXIES = [
        str(ipaddress.ip_network(entry, strict=False)) for entry in env_list("PARCOURS_TRUSTED_PROXIES")
    ]
except ValueError as error:
    raise ImproperlyConfigured(f"PARCOURS_TRUSTED_PROXIES : adresse ou réseau invalide ({error}).") from error

# ProConnect (OpenID Connect): enabled when a client id is configured.
PROCONNECT_CLIENT_ID = os.environ.get("PROCONNECT_CLIENT_ID", "")
if PROCONNECT_CLIENT_ID:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.insert(1, "parcours.accounts.proconnect.ProConnectBackend")
    OIDC_RP_CLIENT_ID = PROCONNECT_CLIENT_ID
    OIDC_RP_CLIENT_SECRET = os.environ.get("PROCONNECT_CLIENT_SECRET", "")
    OIDC_RP_SIGN_ALGO = os.environ.get("PROCONNECT_SIGN_ALGO", "RS256")
    _issuer = os.environ.get("PROCONNECT_ISSUER", "").rstrip("/")
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get(
        "PROCONNECT_AUTHORIZATION_ENDPOINT", f"{_issuer}/authorize"
    )
    OIDC_OP_TOKEN_ENDPOINT = os.environ.get("PROCONNECT_TOKEN_ENDPOINT", f"{_issuer}/token")
    OIDC_OP_USER_ENDPOINT = os.environ.get("PROCONNECT_USER_ENDPOINT", f"{_issuer}/userinfo")
    OIDC_OP_JWKS_ENDPOINT = os.environ.get("PROCONNECT_JWKS_ENDPOINT", f"{_issuer}/jwks")
    OIDC_RP_SCOPES = "openid email given_name usual_name siret"
    OIDC_CREATE_USER = False

LANGUAGE_CODE = "fr-fr"
# French only: the UI is written in French, whatever the browser asks for.
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_COOKIE_SAMESITE = "Lax"
# HTTPS only unless DEBUG (a developer's http://127.0.0.1); SECURE_COOKIES=0 overrides.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HSTS: one year in production. SECURE_SSL_REDIRECT stays off by default: the reverse proxy
# usually redirects http to https itself (then `check --deploy` warns W008; see docs/deployment.md).
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Only says the site accepts the browsers' preload list; it takes a submission to be listed.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
# Behind a TLS-terminating proxy: SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto=https".
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    _header, _, _value = os.environ["SECURE_PROXY_SSL_HEADER"].partition("=")
    if not _header.strip() or not _value.strip():
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER attend « En-tête=valeur », par exemple « X-Forwarded-Proto=https »."
        )
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _header.strip().upper().replace("-", "_"), _value.strip())
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): scripts, styles, fonts and images from our own static
# files only, no inline code (templates hold none: tests/core/test_deployment.py checks).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # DSFR's stylesheets draw some icons from data: URIs.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Task queue (django-q2): the daily work (parcours.*.tasks) runs on its periodic schedules and web
# imports run as tasks. The broker is the default database (ORM broker, SQLite or PostgreSQL);
# with several machines, set Q_REDIS_URL to use Redis instead (docs/deployment.md).
# PARCOURS_TASKS_SYNC runs every task inline, in the caller's process (the tests).
Q_CLUSTER = {
    "name": "parcours",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    # A CNAF flux of the whole département takes minutes: a task may run an hour before it is
    # stopped, and is handed to another worker only after that (retry > timeout).
    "timeout": int(os.environ.get("Q_TIMEOUT", "3600")),
    "retry": int(os.environ.get("Q_RETRY", "3700")),
    "max_attempts": 1,
    "catch_up": False,
    "save_limit": 500,
    "label": "Tâches",
    "sync": env_bool("PARCOURS_TASKS_SYNC"),
    **(
        {"redis": os.environ["Q_REDIS_URL"]}
        if os.environ.get("Q_REDIS_URL")
        else {"orm": "default", "poll": float(os.environ.get("Q_POLL_SECONDS", "1"))}
    ),
}
# Only rights opened within this many days open an orientation follow-up by themselves
# (orientation/followups.py): older ones are the stock, not new entrants.
PARCOURS_FOLLOWUP_HORIZON_DAYS = int(os.environ.get("PARCOURS_FOLLOWUP_HORIZON_DAYS", "365"))
# Local times (Europe/Paris, "HH:MM") of the daily schedules, created at migrate (core/schedules.py).
PARCOURS_SCHEDULE_TIMES = {
    "orientation": os.environ.get("PARCOURS_SCHEDULE_ORIENTATION", "06:30"),
    "slots": os.environ.get("PARCOURS_SCHEDULE_SLOTS", "05:30"),
    "offers": os.environ.get("PARCOURS_SCHEDULE_OFFERS", "07:00"),
    "retention": os.environ.get("PARCOURS_SCHEDULE_RETENTION", "03:00"),
    "audit_retention": os.environ.get("PARCOURS_SCHEDULE_AUDIT_RETENTION", "03:15"),
    "accompaniment": os.environ.get("PARCOURS_SCHEDULE_ACCOMPANIMENT", "06:15"),
    "directory_orientations": os.environ.get("PARCOURS_SCHEDULE_DIRECTORY_ORIENTATIONS", "06:45"),
    "directory_staleness": os.environ.get("PARCOURS_SCHEDULE_DIRECTORY_STALENESS", "08:00"),
    "aids_payments": os.environ.get("PARCOURS_SCHEDULE_AIDS_PAYMENTS", "05:45"),
}

# The département's account debited by the aids' SEPA transfers (aids/sepa.py, docs/aids-payments.md).
# Production sets them; the demo and development use a fictitious account (the file never leaves).
PARCOURS_SEPA_DEBTOR_NAME = os.environ.get("PARCOURS_SEPA_DEBTOR_NAME", "")
PARCOURS_SEPA_DEBTOR_IBAN = os.environ.get("PARCOURS_SEPA_DEBTOR_IBAN", "")
PARCOURS_SEPA_DEBTOR_BIC = os.environ.get("PARCOURS_SEPA_DEBTOR_BIC", "")
if (DEBUG or PARCOURS_DEMO) and not PARCOURS_SEPA_DEBTOR_IBAN:
    PARCOURS_SEPA_DEBTOR_NAME = PARCOURS_SEPA_DEBTOR_NAME or "Departement (demonstration)"
    PARCOURS_SEPA_DEBTOR_IBAN = "FR7630001007941234567890185"
    PARCOURS_SEPA_DEBTOR_BIC = PARCOURS_SEPA_DEBTOR_BIC or "BDFEFRPPCCT"

# Days without an answer after which an orientation to a service of the directory expires.
PARCOURS_ORIENTATION_EXPIRY_DAYS = int(os.environ.get("PARCOURS_ORIENTATION_EXPIRY_DAYS", "30"))

# Retention of the persons' data by category (parcours.privacy.categories: defaults and sources).
# Override a category's periods, in days, with JSON: {"personne": {"active_days": 730, "archive_days": 1095}}.
try:
    PARCOURS_RETENTION = json.loads(os.environ.get("PARCOURS_RETENTION", "") or "{}")
except ValueError as error:
    raise ImproperlyConfigured(f"PARCOURS_RETENTION : JSON invalide ({error}).") from error

# The default writes each mail to var/mails/, readable by its owner only (demo, development).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "parcours.core.mail_backends.PrivateFileEmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mails"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Parcours <ne-pas-repondre@parcours.localhost>")

# Every handler carries the `redact` filter (parcours.core.logging): no NIR, e-mail, phone,
# exception message or request query string is written. Django's own handlers are replaced:
# its records go to the root handler, and runserver's request log to a handler of ours.
# gunicorn's logs are configured the same way in parcours/gunicorn_conf.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "parcours.core.logging.RedactPersonalData"},
        "client_errors": {"()": "parcours.core.logging.OmitClientErrors"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # One line per request: a 403 or 404 is written by the request log (runserver's
        # django.server, gunicorn's access log), not a second time with a traceback.
        "django.request": {"filters": ["client_errors"]},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint and fontTools report each font subset and layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # axes logs every login at INFO; its warnings (failures, lockouts) are kept.
        "axes": {"level": "WARNING"},
    },
}
