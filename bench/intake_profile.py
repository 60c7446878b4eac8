"""One intake request under the profiler, with its queries (issue 11 item 5).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_intake_bench HITOTSUBU_BENCH=1 \
        .venv/bin/python bench/intake_profile.py [--n 20] [--top 40] [--queries]

Django's test client with the knox token (the same path as gunicorn's, without the network):
prints the queries of one intake (CaptureQueriesContext, after commit callbacks included) and
cProfile's cumulative top of `n` intakes. Against a bench database only: it opens cases.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import ApiToken  # noqa: E402
from scale import intake_body  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--queries", action="store_true", help="print every query's SQL")
    parser.add_argument("--path", default="/api/cases/")
    parser.add_argument("--inline", action="store_true",
                        help="run the outbox handlers in the request, as without REDIS_URL (default: as with a "
                             "broker: sent to an in-memory queue, and dispatched here at the end, unprofiled)")
    args = parser.parse_args()
    if not args.inline:
        from config.celery import app

        app.conf.task_always_eager = False
        app.conf.broker_url = "memory://"
    _, token = ApiToken.objects.create(get_user_model().objects.get(username="hotline"))
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    run = f"profile-{uuid.uuid4().hex[:6]}"

    def post(i):
        response = client.post(args.path, intake_body(run, i), content_type="application/json")
        assert response.status_code == 201, response.content[:300]
        return response

    post(0)  # imports, connections
    with CaptureQueriesContext(connection) as queries:
        post(1)
    print(f"queries in one request to {args.path}: {len(queries)}")
    for q in queries.captured_queries:
        sql = q["sql"]
        print(f"  {float(q['time']) * 1000:6.1f} ms  {sql if args.queries else sql[:150]}")
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for i in range(args.n):
        post(2 + i)
    profiler.disable()
    print(f"\n{args.n} requests: {(time.perf_counter() - started) / args.n * 1000:.1f} ms each (profiled)")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
    started = time.perf_counter()
    for i in range(args.n):
        post(100 + i)
    print(f"{args.n} requests: {(time.perf_counter() - started) / args.n * 1000:.1f} ms each (not profiled)")
    if not args.inline:  # what a worker would have done: leave nothing pending in the bench database
        from defects import outbox
        from defects.models import PendingDispatch

        for event_id in PendingDispatch.objects.values_list("event_id", flat=True):
            outbox.dispatch(event_id)


if __name__ == "__main__":
    main()
