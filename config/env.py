"""Database and file-storage settings from the environment (pure functions: tests call them with a dict).

Several gunicorn servers on one PostgreSQL: each process keeps connections open (`DB_CONN_MAX_AGE`,
checked before reuse with `DB_CONN_HEALTH_CHECKS`) or takes them from psycopg's pool (`DB_POOL`,
Django 5.2; the two are exclusive). `DB_STATEMENT_TIMEOUT_MS` stops a runaway query. Files that one
machine writes and another serves (letter PDFs rendered by a worker, photos) go to S3-compatible
storage (`STORAGE=s3`, django-storages) or a volume shared by every machine at `MEDIA_ROOT`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def _bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = (environ.get(name) or "").strip().lower()
    if not value:
        return default
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {value!r}.")


def _int(environ: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    value = (environ.get(name) or "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def database(environ: Mapping[str, str], var_dir: Path) -> dict:
    url = environ.get("DATABASE_URL") or f"sqlite:///{var_dir / 'hitotsubu.sqlite3'}"
    config = dj_database_url.parse(url)
    options = config.setdefault("OPTIONS", {})
    pool = (environ.get("DB_POOL") or "").strip().lower()
    if pool and pool not in FALSE and config["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DB_POOL needs PostgreSQL.")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # The embedded default under concurrent requests (runserver is threaded): a deferred
        # transaction that reads then writes is refused the lock upgrade at once ("database is
        # locked", a 500) without waiting. IMMEDIATE takes the write lock when the transaction
        # begins, so writers queue behind the busy timeout; WAL lets readers go on meanwhile.
        options.update({
            "timeout": _int(environ, "SQLITE_BUSY_TIMEOUT", 20, minimum=1),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        })
        config["CONN_MAX_AGE"] = _int(environ, "DB_CONN_MAX_AGE", 0)
        return config
    max_age = _int(environ, "DB_CONN_MAX_AGE", 0)
    if pool and pool not in FALSE:
        if max_age:
            # Django refuses persistent connections with a pool: the pool keeps them.
            raise ImproperlyConfigured("DB_POOL and DB_CONN_MAX_AGE cannot both be set: the pool keeps the "
                                       "connections; leave DB_CONN_MAX_AGE at 0.")
        if pool in TRUE:
            options["pool"] = True
        else:
            try:
                low, high = (int(part) for part in pool.split(":"))
            except ValueError:
                raise ImproperlyConfigured(f"DB_POOL is 1, or MIN:MAX connections per process (e.g. 2:8), "
                                           f"not {pool!r}.") from None
            if not 0 <= low <= high or high < 1:
                raise ImproperlyConfigured(f"DB_POOL {pool!r}: need 0 <= MIN <= MAX and MAX >= 1.")
            options["pool"] = {"min_size": low, "max_size": high,
                               "timeout": _int(environ, "DB_POOL_TIMEOUT", 10, minimum=1)}
    config["CONN_MAX_AGE"] = max_age
    config["CONN_HEALTH_CHECKS"] = _bool(environ, "DB_CONN_HEALTH_CHECKS", True)
    timeout = _int(environ, "DB_STATEMENT_TIMEOUT_MS", 0)
    if timeout and config["ENGINE"] == "django.db.backends.postgresql":
        options["options"] = f"-c statement_timeout={timeout}"
    return config


def storages(environ: Mapping[str, str]) -> dict:
    """STORAGES: files on this machine's MEDIA_ROOT (default; a shared volume when several machines
    run), or on S3-compatible object storage with STORAGE=s3."""
    kind = (environ.get("STORAGE") or "filesystem").strip().lower()
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    if kind == "filesystem":
        return {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": static}
    if kind != "s3":
        raise ImproperlyConfigured(f"STORAGE is 'filesystem' or 's3', not {kind!r}.")
    bucket = (environ.get("S3_BUCKET") or "").strip()
    if not bucket:
        raise ImproperlyConfigured("STORAGE=s3 needs S3_BUCKET.")
    options = {
        "bucket_name": bucket,
        # Letters and photos hold personal data: private objects, served only through the app.
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
        "location": (environ.get("S3_PREFIX") or "").strip("/"),
    }
    for name, key in (("S3_ENDPOINT_URL", "endpoint_url"), ("S3_REGION", "region_name"),
                      ("S3_ACCESS_KEY_ID", "access_key"), ("S3_SECRET_ACCESS_KEY", "secret_key")):
        if environ.get(name):
            options[key] = environ[name]
    return {"default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}, "staticfiles": static}
