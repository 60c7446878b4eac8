"""Settings come from the environment; the defaults run the embedded demo (SQLite, tasks inline)."""

import os
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from . import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HITOTSUBU_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Off unless asked for: the debug page shows settings and code to anyone. ./scripts/dev sets DEBUG=1 for
# the local demo; the tests use config.settings_test (DEBUG off, as Django's test runner wants it).
DEBUG = env_bool("DEBUG", False)

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
    "knox",
    "axes",
    "csp",
    "pgtrigger",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "factories",
    "defects",
    "letters",
    "accounts",
    "privacy",
    "notifications",
    "clocks",
    "safety",
    "knowledge",
    "insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "defects.middleware.JapaneseByDefaultLocaleMiddleware",
    "defects.json_depth.JsonDepthLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    # Last, as django-axes asks: turns a locked-out login into accounts.lockout's answer.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out username+address before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
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
                "defects.context_processors.clock",
                "notifications.context_processors.bell",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Databases and file storage from the environment: see config/env.py (SQLite WAL + IMMEDIATE for the
# embedded default; pool, health checks and a statement timeout for PostgreSQL; S3 or a shared volume).
DATABASES = {"default": env.database(os.environ, VAR_DIR)}
STORAGES = env.storages(os.environ)

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
        "accounts.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Only endpoints open to anonymous clients are throttled (token, schema, docs): the others answer
    # 401 before any throttle runs. Rates: HITOTSUBU_THROTTLE_RATES below, read per request.
    # The browsable API with a CSP exception for its inline styles (accounts.renderers).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "accounts.renderers.BrowsableAPIRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["accounts.throttling.AnonRateThrottle", "accounts.throttling.ScopedRateThrottle"],
    "NUM_PROXIES": int(os.environ["HITOTSUBU_PROXY_COUNT"]) if os.environ.get("HITOTSUBU_PROXY_COUNT") else None,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": int(os.environ.get("API_PAGE_SIZE", "50")),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "defects.api.errors.exception_handler",
}
# JSON nested deeper answers 400 (defects.json_depth), never a RecursionError's 500.
HITOTSUBU_JSON_MAX_DEPTH = int(os.environ.get("HITOTSUBU_JSON_MAX_DEPTH", "32"))

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
        "SafetyDecisionEnum": "safety.models.Decision",
    },
}

# --- logins, API tokens, throttling (accounts) ------------------------------------------------
# API tokens (django-rest-knox): only a SHA-512 digest is stored; each expires, is revoked by
# POST /api/auth/logout/ and by a password change (accounts.models).
KNOX_TOKEN_MODEL = "accounts.ApiToken"
# knox's own migrations would create its (swapped-out) knox_authtoken table anyway, with a foreign key
# to the users that then stops a test database from being flushed; our table is accounts' ApiToken.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=float(os.environ.get("HITOTSUBU_TOKEN_HOURS", "12"))),
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_LIMIT_PER_USER": None,
}
# django-axes: a username from one address is locked for 15 minutes after 5 failures within 15
# minutes, on the login page, the admin's and the token endpoint alike (counted in the database, so
# across all server processes); a success resets the count.
AXES_FAILURE_LIMIT = int(os.environ.get("HITOTSUBU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("HITOTSUBU_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False  # no banner on every manage.py command; lockouts are still logged
# Behind HITOTSUBU_PROXY_COUNT trusted proxies the client's address is read from X-Forwarded-For.
if os.environ.get("HITOTSUBU_PROXY_COUNT"):
    AXES_IPWARE_PROXY_COUNT = int(os.environ["HITOTSUBU_PROXY_COUNT"])
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
HITOTSUBU_THROTTLE_RATES = {
    "anon": os.environ.get("HITOTSUBU_THROTTLE_ANON", "120/min"),
    "login": os.environ.get("HITOTSUBU_THROTTLE_LOGIN", "20/min"),
}

# --- HTTPS behind a TLS-terminating proxy (HITOTSUBU_HTTPS=1) ------------------------------------
HITOTSUBU_HTTPS = env_bool("HITOTSUBU_HTTPS", False)
if HITOTSUBU_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    # The proxy sets this header on what it forwards (and must strip it from what clients send).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # One year, as browsers' preload lists expect; start lower while trying HTTPS out.
    SECURE_HSTS_SECONDS = int(os.environ.get("HITOTSUBU_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HITOTSUBU_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HITOTSUBU_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Browsers' preload list takes only a whole registrable domain with all its subdomains, and
        # leaving it takes months: not something a staff tool on a subdomain decides. The operator who
        # owns the domain opts in with HITOTSUBU_HSTS_PRELOAD=1; until then the warning says nothing new.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Content Security Policy (django-csp) ---------------------------------------------------------
# Everything from this site only, no inline script or style anywhere (htmx is told not to inject its
# indicator style: base.html), no plugins, no framing except what a view allows itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Celery: without REDIS_URL every task runs inline, so the demo needs no broker.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A print batch render holds its batch with a lease it renews as pages come out; one that stops
# renewing (worker killed, connection lost) is queued again by the sweep below (letters.batches).
HITOTSUBU_BATCH_LEASE_SECONDS = int(os.environ.get("HITOTSUBU_BATCH_LEASE_SECONDS", "300"))
HITOTSUBU_BATCH_SWEEP_SECONDS = int(os.environ.get("HITOTSUBU_BATCH_SWEEP_SECONDS", "60"))
# A task is acknowledged only once it has run, so a worker killed mid-task leaves its message to be
# delivered again: at once when a prefork child dies (reject_on_worker_lost), and after the
# visibility timeout when the whole worker dies. The timeout outlasts the lease, so by then the dead
# render's lease has run out and the new delivery can claim the batch (a live render keeps renewing
# its lease, so a copy delivered while it still runs finds the batch taken and does nothing).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": HITOTSUBU_BATCH_LEASE_SECONDS + 60}
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# One queue per deployment (or per test worker); tasks that queue tasks send them to the same one.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("HITOTSUBU_CELERY_QUEUE", "celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "sweep-overdue-follow-ups": {"task": "defects.tasks.sweep_overdue_follow_ups", "schedule": 15 * 60},
    "sweep-overdue-returns": {"task": "defects.tasks.sweep_overdue_returns", "schedule": 60 * 60},
    "sweep-unrendered-letters": {"task": "letters.tasks.sweep_unrendered_letters", "schedule": 5 * 60},
    # Erase the personal data of cases closed or withdrawn longer ago than the retention (privacy).
    "expire-personal-data": {"task": "privacy.tasks.expire_personal_data", "schedule": crontab(hour=3, minute=17)},
    "sweep-print-batches": {"task": "letters.tasks.sweep_print_batches",
                            "schedule": HITOTSUBU_BATCH_SWEEP_SECONDS},
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

# Days after a case is closed or withdrawn that its consumer's personal data and letter PDFs are kept
# (APPI Art. 22: delete personal data once it is no longer needed); then expire_personal_data erases them.
HITOTSUBU_RETENTION_DAYS = int(os.environ.get("HITOTSUBU_RETENTION_DAYS", "1095"))

# Days a consumer is given to send the product back before the hotline follows up.
HITOTSUBU_RETURN_EXPECTED_DAYS = int(os.environ.get("HITOTSUBU_RETURN_EXPECTED_DAYS", "14"))
HITOTSUBU_DEFAULT_RETURN_CARRIER = os.environ.get("HITOTSUBU_DEFAULT_RETURN_CARRIER", "yamato")
# Who must arrange a carrier redirect after the consumer moved, within how many hours.
HITOTSUBU_REDIRECT_DUE_HOURS = int(os.environ.get("HITOTSUBU_REDIRECT_DUE_HOURS", "4"))
HITOTSUBU_PHOTO_MAX_BYTES = int(os.environ.get("HITOTSUBU_PHOTO_MAX_BYTES", str(5 * 1024 * 1024)))
# Photos with more pixels are refused before they are decoded (a small PNG can decode to gigabytes).
HITOTSUBU_PHOTO_MAX_PIXELS = int(os.environ.get("HITOTSUBU_PHOTO_MAX_PIXELS", str(40_000_000)))

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
# Counters (the status page's wrong tries) must be shared by every process: Redis when there is one.
# CACHE_URL may name another Redis database than the broker's (clearing a cache then drops no task).
CACHE_URL = os.environ.get("CACHE_URL", "") or REDIS_URL
if CACHE_URL and "CACHES" not in globals():
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
                          "KEY_PREFIX": "hitotsubu"}}
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo")
# bench/scale.py only: mounts a no-op JSON view (config/bench.py) to measure intake against.
HITOTSUBU_BENCH = env_bool("HITOTSUBU_BENCH", False)
# Products, plant codes, factories and lines are read once per process and kept this many seconds
# (factories.masterdata): an edit in the admin reaches the other server processes within them.
HITOTSUBU_MASTER_DATA_SECONDS = float(os.environ.get("HITOTSUBU_MASTER_DATA_SECONDS", "30"))

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
