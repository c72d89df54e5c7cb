"""Settings for Sihe. Everything that differs between a laptop and a server comes from the environment."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SIHE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("SIHE_SECRET_KEY", "sihe-dev-only-secret-change-me-in-production-0123456789")
DEBUG = os.environ.get("SIHE_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("SIHE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
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
    "sihe.oms",
    "sihe.ledger",
    "sihe.hub",
    "sihe.web",
    "sihe.web.hub",
    "sihe.web.imports",
    "sihe.web.stock",
    "sihe.web.ledger",
    "sihe.web.oms",
    "sihe.web.invoices",
    "sihe.web.purchasing",
    "sihe.web.inbound",
    "sihe.web.outbound",
    "sihe.web.counting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sihe.api.idempotency.IdempotencyMiddleware",
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
        config["CONN_HEALTH_CHECKS"] = True
    # Keep connections between requests: opening one (and running SQLite's PRAGMAs) costs more than
    # a small query.
    config["CONN_MAX_AGE"] = int(os.environ.get("SIHE_CONN_MAX_AGE", "60"))
    return config


DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'sihe.sqlite3'}"
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = []
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
MQTT_URL = os.environ.get("MQTT_URL", "mqtt://127.0.0.1:1883")
