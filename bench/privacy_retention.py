"""Retention-run benchmark: does expire_personal_data read what is due, or every case ever closed?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/privacy_retention.py [--erased 50000]

Uses the given database (migrated here; use a throwaway one, e.g. h_privacy_bench). Side by side in
one run: the due-cases query with 0 erased cases on record, then with --erased cases closed and
already erased (all older than the cutoff); 20 due cases each time. Prints the time of both, their
ratio (target <= 2: the erased cases cost nothing) and the query plan (the partial indexes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--erased", type=int, default=50000)
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from defects.models import DefectCase, State
    from factories.models import Factory, Product
    from privacy import erasure

    if connection.vendor != "postgresql":
        sys.exit("Give a PostgreSQL DATABASE_URL (a throwaway database).")
    call_command("migrate", verbosity=0)
    factory, _ = Factory.objects.get_or_create(code="BEN", defaults={"name": "bench", "postal_code": "1000001",
                                                                     "address": "bench"})
    product, _ = Product.objects.get_or_create(code="BENCH-1", defaults={"name": "bench", "default_factory": factory})
    DefectCase.objects.filter(reference__startswith="B-").delete()
    old = timezone.now() - dt.timedelta(days=2000)

    def cases(prefix, n, erased):
        return [DefectCase(reference=f"B-{prefix}-{i:07d}", channel="phone", product=product, category="other",
                           description="bench", state=State.CLOSED, closed_at=old,
                           personal_data_erased_at=old if erased else None) for i in range(n)]

    def timed(label):
        best = None
        for _ in range(5):
            start = time.perf_counter()
            due = list(erasure.due_cases().values_list("pk", flat=True))
            took = time.perf_counter() - start
            best = took if best is None else min(best, took)
        print(f"{label:<32} due={len(due):>3}  best of 5: {best * 1000:8.2f} ms")
        return best

    DefectCase.objects.bulk_create(cases("due", 20, erased=False))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE defects_defectcase")
    empty = timed("0 erased cases on record")
    DefectCase.objects.bulk_create(cases("old", args.erased, erased=True), batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE defects_defectcase")
    full = timed(f"{args.erased} erased cases on record")
    print(f"ratio {full / empty:.2f} (target <= 2)  {'PASS' if full / empty <= 2 else 'FAIL'}")
    print(erasure.due_cases().explain())
    DefectCase.objects.filter(reference__startswith="B-").delete()


if __name__ == "__main__":
    main()
