"""The test suite's settings: config.settings with a test-only SECRET_KEY.

The settings default to DEBUG=0, which requires SECRET_KEY; the tests run with DEBUG off (as Django's
test runner wants) and need no real key. The key is put in the environment, not only in this module,
so that subprocesses the tests start with config.settings (Celery worker, letter render workers) get it.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-not-for-any-server-0123456789abcdef")

from .settings import *  # noqa: E402,F403
