"""Settings come from the environment; the defaults run the embedded demo (SQLite, tasks inline)."""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HITOTSUBU_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only ever used for the local demo; a production start without SECRET_KEY fails above.
    SECRET_KEY = "insecure-demo-key-do-not-use-in-production"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "factories",
    "defects",
    "letters",
    "notifications",
    "clocks",
    "knowledge",
    "insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "defects.middleware.JapaneseByDefaultLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "defects.context_processors.roles",
                "notifications.context_processors.bell",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'hitotsubu.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent demo requests wait for the write lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Letters and photos carry personal data: never served as public static files.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": int(os.environ.get("API_PAGE_SIZE", "50")),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "defects.api.errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Hitotsubu API",
    "DESCRIPTION": "Consumer defect cases: intake, return, factory investigation, review, letters, replacement.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from the sidecar package: the docs page loads nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two models share the field names `channel` and `kind` with different choices.
    "ENUM_NAME_OVERRIDES": {
        "CaseChannelEnum": "defects.models.Channel",
        "ContactChannelEnum": "defects.models.Contact.Channel",
        "EventKindEnum": "defects.models.Event.Kind",
        "LetterKindEnum": "letters.models.Kind",
        # The parcels and the report (API): `direction` and `kind` again, and one 4M/5M1E set for two fields.
        "ContactDirectionEnum": "defects.models.Contact.Direction",
        "ShipmentDirectionEnum": "defects.models.Shipment.Direction",
        "ShipmentEventKindEnum": "defects.models.ShipmentEvent.Kind",
        "ReplacementItemKindEnum": "defects.models.ReplacementItem.Kind",
        "CauseCategoryEnum": "factories.models.CauseCategory",
    },
}

# Celery: without REDIS_URL every task runs inline, so the demo needs no broker.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "sweep-overdue-follow-ups": {"task": "defects.tasks.sweep_overdue_follow_ups", "schedule": 15 * 60},
    "sweep-overdue-returns": {"task": "defects.tasks.sweep_overdue_returns", "schedule": 60 * 60},
    "sweep-unrendered-letters": {"task": "letters.tasks.sweep_unrendered_letters", "schedule": 5 * 60},
    # Clocks (clocks.escalation): 75 % warnings and breaches; the daily digest at 08:30 hotline time.
    "sweep-clocks": {"task": "clocks.tasks.sweep_clocks", "schedule": 60},
    "daily-digest": {"task": "clocks.tasks.daily_digest", "schedule": crontab(hour=8, minute=30)},
    "sweep-webhooks": {"task": "notifications.tasks.sweep_webhooks", "schedule": 5 * 60},
    "sweep-unsent-notification-emails": {"task": "notifications.tasks.sweep_unsent_emails", "schedule": 5 * 60},
    # The timeline outbox (defects.outbox): events whose handlers have not all run yet.
    "redispatch-undelivered": {"task": "defects.tasks.redispatch_undelivered", "schedule": 60},
}
# Seconds an event waits for the task sent on commit before the sweep sends it again.
HITOTSUBU_OUTBOX_GRACE_SECONDS = int(os.environ.get("HITOTSUBU_OUTBOX_GRACE_SECONDS", "60"))

# Days a consumer is given to send the product back before the hotline follows up.
HITOTSUBU_RETURN_EXPECTED_DAYS = int(os.environ.get("HITOTSUBU_RETURN_EXPECTED_DAYS", "14"))
HITOTSUBU_DEFAULT_RETURN_CARRIER = os.environ.get("HITOTSUBU_DEFAULT_RETURN_CARRIER", "yamato")
# Who must arrange a carrier redirect after the consumer moved, within how many hours.
HITOTSUBU_REDIRECT_DUE_HOURS = int(os.environ.get("HITOTSUBU_REDIRECT_DUE_HOURS", "4"))
HITOTSUBU_PHOTO_MAX_BYTES = int(os.environ.get("HITOTSUBU_PHOTO_MAX_BYTES", str(5 * 1024 * 1024)))

# The consumer hotline as it appears on every postcard and letter (the sender).
HITOTSUBU_SENDER_NAME = os.environ.get("HITOTSUBU_SENDER_NAME", "株式会社ひとつぶ製菓 お客様相談室")
HITOTSUBU_SENDER_POSTAL_CODE = os.environ.get("HITOTSUBU_SENDER_POSTAL_CODE", "1000005")
HITOTSUBU_SENDER_ADDRESS = os.environ.get("HITOTSUBU_SENDER_ADDRESS", "東京都千代田区丸の内1-1-1")
HITOTSUBU_SENDER_PHONE = os.environ.get("HITOTSUBU_SENDER_PHONE", "0120-000-000")
HITOTSUBU_SENDER_HOURS = os.environ.get("HITOTSUBU_SENDER_HOURS", "平日 9:00〜17:00")
# Official postcards have the postal-code boxes pre-printed and take a vertical address; blank stock
# needs the boxes printed, and private postcards may want a horizontal address.
HITOTSUBU_POSTCARD_ADDRESS_DIRECTION = os.environ.get("HITOTSUBU_POSTCARD_ADDRESS_DIRECTION", "vertical")
HITOTSUBU_POSTCARD_PRINT_BOXES = env_bool("HITOTSUBU_POSTCARD_PRINT_BOXES", False)
# Wording a letter to a consumer must never contain (it blames them); a letter with any is held.
# Comma-separated in the environment; the default list lives in letters.rendering.checks.
if os.environ.get("HITOTSUBU_BLAMING_PHRASES"):
    HITOTSUBU_BLAMING_PHRASES = [p.strip() for p in os.environ["HITOTSUBU_BLAMING_PHRASES"].split(",") if p.strip()]
# The hotline's business hours (clocks.calendar), in TIME_ZONE; weekdays 0 = Monday.
HITOTSUBU_HOTLINE_OPENS = os.environ.get("HITOTSUBU_HOTLINE_OPENS", "09:00")
HITOTSUBU_HOTLINE_CLOSES = os.environ.get("HITOTSUBU_HOTLINE_CLOSES", "17:00")
HITOTSUBU_HOTLINE_WEEKDAYS = os.environ.get("HITOTSUBU_HOTLINE_WEEKDAYS", "0,1,2,3,4")
# Staff notifications by e-mail: the console in the demo, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "hitotsubu@localhost")
# Whether a kind nobody chose for is e-mailed as well as shown in the app.
HITOTSUBU_NOTIFY_EMAIL_DEFAULT = env_bool("HITOTSUBU_NOTIFY_EMAIL_DEFAULT", False)
# Webhook hosts allowed although they resolve to loopback/private addresses (an intranet receiver).
HITOTSUBU_WEBHOOK_ALLOWED_HOSTS = [h.strip() for h in os.environ.get("HITOTSUBU_WEBHOOK_ALLOWED_HOSTS", "").split(",")
                                   if h.strip()]
# The consumer's status page: its address as printed on the postcard and return kit; wrong tries
# allowed per address and hour before 429.
HITOTSUBU_STATUS_URL = os.environ.get("HITOTSUBU_STATUS_URL", "http://127.0.0.1:8000/status/")
HITOTSUBU_STATUS_MAX_FAILURES = int(os.environ.get("HITOTSUBU_STATUS_MAX_FAILURES", "10"))
if REDIS_URL and "CACHES" not in globals():
    # Counters (the status page's wrong tries) must be shared by every process.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools log every step at INFO: that alone made one postcard cost 0.36 s.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
