"""Database and storage settings parsed from the environment (config/env.py)."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env

PG = "postgres://app:secret@db.internal:5432/hitotsubu"
VAR = Path("/srv/var")


def test_the_embedded_default_is_sqlite_in_wal_with_immediate_transactions():
    config = env.database({}, VAR)
    assert config["ENGINE"] == "django.db.backends.sqlite3" and config["NAME"] == str(VAR / "hitotsubu.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] == 20
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert env.database({"SQLITE_BUSY_TIMEOUT": "5"}, VAR)["OPTIONS"]["timeout"] == 5


def test_postgres_with_persistent_connections_and_health_checks():
    config = env.database({"DATABASE_URL": PG, "DB_CONN_MAX_AGE": "60"}, VAR)
    assert (config["ENGINE"], config["HOST"], config["NAME"]) == ("django.db.backends.postgresql", "db.internal",
                                                                   "hitotsubu")
    assert config["CONN_MAX_AGE"] == 60 and config["CONN_HEALTH_CHECKS"] is True
    assert "pool" not in config["OPTIONS"] and "options" not in config["OPTIONS"]
    assert env.database({"DATABASE_URL": PG, "DB_CONN_HEALTH_CHECKS": "off"}, VAR)["CONN_HEALTH_CHECKS"] is False


def test_postgres_pool_from_the_environment():
    assert env.database({"DATABASE_URL": PG, "DB_POOL": "1"}, VAR)["OPTIONS"]["pool"] is True
    config = env.database({"DATABASE_URL": PG, "DB_POOL": "2:8", "DB_POOL_TIMEOUT": "5"}, VAR)
    assert config["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 8, "timeout": 5}
    assert config["CONN_MAX_AGE"] == 0
    assert "pool" not in env.database({"DATABASE_URL": PG, "DB_POOL": "0"}, VAR)["OPTIONS"]


@pytest.mark.parametrize("environ, message", [
    ({"DATABASE_URL": PG, "DB_POOL": "1", "DB_CONN_MAX_AGE": "60"}, "cannot both be set"),
    ({"DATABASE_URL": PG, "DB_POOL": "8:2"}, "MIN <= MAX"),
    ({"DATABASE_URL": PG, "DB_POOL": "lots"}, "MIN:MAX"),
    ({"DB_POOL": "1"}, "needs PostgreSQL"),
    ({"DATABASE_URL": PG, "DB_CONN_MAX_AGE": "a minute"}, "whole number"),
    ({"DATABASE_URL": PG, "DB_STATEMENT_TIMEOUT_MS": "-1"}, "at least 0"),
    ({"DATABASE_URL": PG, "DB_CONN_HEALTH_CHECKS": "maybe"}, "DB_CONN_HEALTH_CHECKS"),
])
def test_nonsense_is_refused_with_the_variable_named(environ, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        env.database(environ, VAR)


def test_statement_timeout_goes_to_the_server():
    config = env.database({"DATABASE_URL": PG, "DB_STATEMENT_TIMEOUT_MS": "30000"}, VAR)
    assert config["OPTIONS"]["options"] == "-c statement_timeout=30000"


def test_files_on_the_filesystem_by_default_and_on_s3_from_the_environment():
    assert env.storages({})["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    s3 = env.storages({"STORAGE": "s3", "S3_BUCKET": "hitotsubu-files", "S3_ENDPOINT_URL": "https://s3.example.jp",
                       "S3_REGION": "ap-northeast-1", "S3_PREFIX": "/prod/"})["default"]
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    assert s3["OPTIONS"] == {"bucket_name": "hitotsubu-files", "default_acl": "private", "querystring_auth": True,
                             "file_overwrite": False, "location": "prod", "endpoint_url": "https://s3.example.jp",
                             "region_name": "ap-northeast-1"}
    with pytest.raises(ImproperlyConfigured, match="S3_BUCKET"):
        env.storages({"STORAGE": "s3"})
    with pytest.raises(ImproperlyConfigured, match="'filesystem' or 's3'"):
        env.storages({"STORAGE": "ftp"})


def test_the_s3_backend_named_is_installed():
    from django.utils.module_loading import import_string

    assert import_string(env.storages({"STORAGE": "s3", "S3_BUCKET": "b"})["default"]["BACKEND"])
