"""The test suite's settings: config.settings with a test-only SECRET_KEY.

The settings default to DEBUG=0, which requires SECRET_KEY; the tests run with DEBUG off (as Django's
test runner wants) and need no real key. The key is put in the environment, not only in this module,
so that subprocesses the tests start with config.settings (Celery worker, letter render workers) get it.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-not-for-any-server-0123456789abcdef")

from .settings import *  # noqa: E402,F403

# Each test process keeps its cache to itself. With REDIS_URL set (the PostgreSQL run) the cache would
# otherwise be the broker's Redis database: a test's cache.clear() (throttle and status-page counters)
# would flush the queue the real Celery worker reads, and the xdist processes would share counters.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "hitotsubu-tests"}}

# Master data from the database on every intake: a test that changes a product with .update() or
# rolls back sees its own rows (tests/factories/test_masterdata.py turns the snapshot on).
HITOTSUBU_MASTER_DATA_SECONDS = 0
