"""Settings for Sihe. Everything that differs between a laptop and a server comes from the environment."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SIHE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# SIHE_PROFILE=production: a server behind HTTPS (docs/deployment.md). It refuses to start without its
# own SIHE_SECRET_KEY, and the web server refuses DEBUG (sihe.wsgi). The default "dev" profile is a
# laptop: a secret generated once into var/ (never one written in this file), plain-HTTP cookies.
PROFILE = os.environ.get("SIHE_PROFILE", "dev")
PRODUCTION = PROFILE == "production"


def _secret_key() -> str:
    from_env = os.environ.get("SIHE_SECRET_KEY", "")
    if from_env:
        if len(from_env) < 50 or len(set(from_env)) < 5:
            raise ImproperlyConfigured("SIHE_SECRET_KEY must be at least 50 random characters")
        return from_env
    if PRODUCTION:
        raise ImproperlyConfigured("SIHE_PROFILE=production needs SIHE_SECRET_KEY (50+ random characters)")
    path = VAR_DIR / "secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("SIHE_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("SIHE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("SIHE_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

if PRODUCTION:
    # Behind a TLS-terminating proxy (nginx, a cloud load balancer) that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = os.environ.get("SIHE_SSL_REDIRECT", "1") == "1"
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$"]
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SIHE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = os.environ.get("SIHE_HSTS_PRELOAD", "1") == "1"  # only a header until the domain is submitted
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "axes",
    "sihe.core",
    "sihe.catalog",
    "sihe.stock",
    "sihe.costing",
    "sihe.wms",
    "sihe.wms.inbound",
    "sihe.wms.outbound",
    "sihe.wms.counting",
    "sihe.invoicing",
    "sihe.purchasing",
    "sihe.production",
    "sihe.mes",
    "sihe.planning",
    "sihe.oms",
    "sihe.oms.aftersales",
    "sihe.oms.merging",
    "sihe.oms.splitting",
    "sihe.oms.b2b",
    "sihe.ledger",
    "sihe.ledger.approvals",
    "sihe.assets",
    "sihe.cashbank",
    "sihe.ledger.vat",
    "sihe.insights",
    "sihe.hub",
    "sihe.web",
    "sihe.web.hub",
    "sihe.web.imports",
    "sihe.web.stock",
    "sihe.web.ledger",
    "sihe.web.assets",
    "sihe.web.cashbank",
    "sihe.web.oms",
    "sihe.web.invoices",
    "sihe.web.purchasing",
    "sihe.web.inbound",
    "sihe.web.outbound",
    "sihe.web.counting",
    "sihe.web.production",
    "sihe.web.mes",
    "sihe.web.b2b",
    "sihe.web.insights",
    "sihe.web.approvals",
    "sihe.web.company",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "sihe.api.errors.ApiJsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "sihe.web.company.middleware.ModulesMiddleware",  # a module turned off answers 404 (sihe.core.modules)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sihe.api.idempotency.IdempotencyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sihe.urls"
WSGI_APPLICATION = "sihe.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]


def _database(url: str) -> dict:
    config = dj_database_url.parse(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        name = Path(config["NAME"])
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue on busy_timeout instead of failing half-way with "database is locked".
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
        }
        # A file, not :memory:, so that the worker and server subprocesses in tests see the same data.
        config["TEST"] = {"NAME": str(name.with_name(f"test_{name.stem}.sqlite3"))}
    else:
        # Django's backend, but a connection that served a request in the last second skips the health
        # check's extra round trip (sihe/core/db/postgresql/base.py).
        config["ENGINE"] = "sihe.core.db.postgresql"
        config["CONN_HEALTH_CHECKS"] = True
        # A request never holds stock or ledger locks for minutes, nor waits minutes for them: past these
        # limits PostgreSQL cancels the statement and the API answers 503 `busy` (retry). Commands that do
        # bulk work (`sihe migrate`, imports, the worker) run without the statement limit (sihe.manage).
        statement_ms = int(os.environ.get("SIHE_PG_STATEMENT_TIMEOUT_MS", "30000"))
        lock_ms = int(os.environ.get("SIHE_PG_LOCK_TIMEOUT_MS", "10000"))
        config["OPTIONS"] = {"options": f"-c statement_timeout={statement_ms} -c lock_timeout={lock_ms}"}
        # Parameters bound by the server, and a statement a connection runs for the fifth time prepared: the
        # hot reads and writes are then neither parsed nor planned again (docs/decisions/0008). Off with
        # SIHE_PG_PREPARED=0 behind a pooler that does not keep prepared statements.
        if os.environ.get("SIHE_PG_PREPARED", "1") != "0":
            config["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
    # Keep connections between requests: opening one (and running SQLite's PRAGMAs) costs more than
    # a small query.
    config["CONN_MAX_AGE"] = int(os.environ.get("SIHE_CONN_MAX_AGE", "60"))
    return config


DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'sihe.sqlite3'}"
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 9}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): 5 wrong passwords for a user from one address lock that pair for 15
# minutes; a right password resets the count. API tokens are not passwords and are not counted.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("SIHE_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SIHE_LOGIN_LOCK_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked.html"
AXES_DISABLE_ACCESS_LOG = True
AXES_CLIENT_IP_CALLABLE = "sihe.web.security.client_ip"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Each app keeps its own translations in <app>/locale (zh_Hans); English is the msgid language.
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SIHE_LOG_LEVEL", "WARNING")},
}

# Event hub: how often a webhook is tried before it becomes a dead letter, and the first back-off.
SIHE_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("SIHE_WEBHOOK_MAX_ATTEMPTS", "8"))
SIHE_WEBHOOK_BACKOFF_SECONDS = float(os.environ.get("SIHE_WEBHOOK_BACKOFF_SECONDS", "2"))
SIHE_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("SIHE_WEBHOOK_TIMEOUT_SECONDS", "5"))
# Excel files with more rows than this import in the background with progress.
SIHE_IMPORT_BACKGROUND_ROWS = int(os.environ.get("SIHE_IMPORT_BACKGROUND_ROWS", "2000"))
# A backdated move with more later valuation layers than this is re-costed by the worker in chunks
# (sihe.costing.recosting); up to it, inline in the act.
SIHE_RECOST_INLINE_LIMIT = int(os.environ.get("SIHE_RECOST_INLINE_LIMIT", "2000"))
SIHE_RECOST_CHUNK = int(os.environ.get("SIHE_RECOST_CHUNK", "20000"))
MQTT_URL = os.environ.get("MQTT_URL", "mqtt://127.0.0.1:1883")
