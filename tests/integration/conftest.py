"""A real Celery worker process for the tests marked `worker`.

The worker is started once per test session (`celery -A config worker --pool=solo`) against the
same test database pytest-django created and the broker in REDIS_URL, on a queue of its own, and is
stopped at the end. The tests commit their data (transactional tests), so the worker sees it.

Needs PostgreSQL (SQLite's test database lives in the pytest process's memory) and REDIS_URL (with
no broker every task runs inline). Without them the tests are skipped, or fail when
HITOTSUBU_REQUIRE_WORKER=1 (scripts/test sets it for the PostgreSQL run in CI).
"""

import os
import subprocess
import sys
import time
import uuid
from urllib.parse import quote

import pytest
from django.conf import settings

from config.celery import app as celery_app

READY_TIMEOUT = 60  # seconds for the worker to answer a ping
REQUIRE_WORKER = os.environ.get("HITOTSUBU_REQUIRE_WORKER") == "1"


def _unavailable(reason: str):
    if REQUIRE_WORKER:
        pytest.fail(f"the worker tests must run here (HITOTSUBU_REQUIRE_WORKER=1), but {reason}", pytrace=False)
    pytest.skip(reason)


def _database_url(db: dict) -> str:
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(db['NAME'], safe='')}"


class WorkerProcess:
    def __init__(self, process, hostname, queue, log_path):
        self.process, self.hostname, self.queue, self.log_path = process, hostname, queue, log_path

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def assert_alive(self):
        if self.process.poll() is not None:
            pytest.fail(f"the Celery worker exited with {self.process.returncode}:\n{self.log()}", pytrace=False)


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory, worker_id):
    """A running `celery -A config worker` that uses the test database and the test broker."""
    if not settings.REDIS_URL:
        _unavailable("REDIS_URL is not set, so tasks run inline and there is no broker for a worker")
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        _unavailable("the worker tests need PostgreSQL: SQLite's test database is in the pytest process's memory")
    try:
        import redis

        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as error:  # noqa: BLE001 - any failure means no broker
        _unavailable(f"Redis at {settings.REDIS_URL} does not answer ({error})")

    # A queue of this session's own: nothing left over from another run reaches this worker.
    queue = f"hitotsubu-test-{worker_id}-{uuid.uuid4().hex[:8]}"
    hostname = f"{queue}@localhost"
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    # Files the worker writes (letters, batches) land where the tests can read them back.
    media_root = tmp_path_factory.mktemp("worker-media")
    env = {
        "MEDIA_ROOT": str(media_root),
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # settings.DATABASES now names the test database pytest-django created (test_<name>).
        "DATABASE_URL": _database_url(db),
        "REDIS_URL": settings.REDIS_URL,
        "DB_CONN_MAX_AGE": "0",
        "PYTHONUNBUFFERED": "1",
        # Tasks the worker queues itself (a batch rendered again) go to the queue it consumes.
        "HITOTSUBU_CELERY_QUEUE": queue,
    }
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1",
        "-Q", queue, "-n", hostname, "--loglevel=INFO", "--without-gossip", "--without-mingle",
        "--without-heartbeat",
    ]
    previous_queue = celery_app.conf.task_default_queue
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    worker = WorkerProcess(process, hostname, queue, log_path)
    worker.media_root = media_root
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            worker.assert_alive()
            if celery_app.control.ping(destination=[hostname], timeout=1.0):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not answer a ping in {READY_TIMEOUT} s:\n{worker.log()}",
                            pytrace=False)
        celery_app.conf.task_default_queue = queue  # .delay() now goes to this worker
        yield worker
    finally:
        celery_app.conf.task_default_queue = previous_queue
        process.terminate()  # warm shutdown: finishes the task at hand
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).delete(queue)
        except Exception:  # noqa: BLE001 - cleanup only
            pass


DRAIN_TIMEOUT = 30  # seconds for the worker to finish what a test left it


def _drain(worker):
    """Wait until the worker has nothing queued, reserved or running.

    A test's last task often queues follow-up work (the outbox dispatch after the events it wrote).
    If that work still runs when the test ends, the worker holds row locks while pytest-django
    truncates every table; PostgreSQL then reports a deadlock, the flush fails, and the next test on
    this database starts with the last one's rows. Two idle readings in a row, because a task that
    finishes may queue another just as the queue is read.
    """
    import redis

    broker = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3)
    inspector = celery_app.control.inspect(destination=[worker.hostname], timeout=1.0)
    idle_readings = 0
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while time.monotonic() < deadline and worker.process.poll() is None:
        busy = broker.llen(worker.queue) > 0
        if not busy:
            for reply in (inspector.active(), inspector.reserved(), inspector.scheduled()):
                busy = busy or any((reply or {}).get(worker.hostname, []))
        idle_readings = 0 if busy else idle_readings + 1
        if idle_readings >= 2:
            return
        time.sleep(0.2)
    pytest.fail(f"the Celery worker was still busy {DRAIN_TIMEOUT} s after the test:\n{worker.log()}",
                pytrace=False)


@pytest.fixture
def celery_worker(celery_worker_process):
    """The running worker, with this process publishing to the broker (never running tasks inline).

    At teardown it waits for the worker to go idle, before the test database is flushed.
    """
    celery_worker_process.assert_alive()
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield celery_worker_process
    finally:
        celery_app.conf.task_always_eager = eager
        if celery_worker_process.process.poll() is None:
            _drain(celery_worker_process)
