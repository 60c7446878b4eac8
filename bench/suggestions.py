"""Intake suggestions at scale: the time of one GET /api/cases/suggestions/ ranking (articles + past
cases) with 2,000 and with 20,000 cases of keys, side by side in one run, on a throwaway SQLite file.

    .venv/bin/python bench/suggestions.py              # 2,000 vs 20,000 cases
    .venv/bin/python bench/suggestions.py --small 500 --large 5000

Cases and their keys are written with bulk_create (synthetic descriptions drawn from a small list,
keys from knowledge.text.keys, as the outbox handler writes them); the measured call is
knowledge.search.cases + knowledge.search.articles, the tokenizer warmed up first. Prints the median
of 15 calls at each size and the ratio large/small: the candidate lookup goes through the
(key, received_at) index, so the ratio stays well under the 10x growth of the data; it grows with
how many cases share the query's keys (a common word such as 包装 matches many).
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DB = Path(tempfile.mkdtemp(prefix="h_insight_bench_")) / "bench.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

DESCRIPTIONS = ["包装が破れていた", "袋の端が開いていた", "髪の毛が混入していた", "黒い粒が入っていた",
                "いつもと味が違う", "変なにおいがした", "チョコレートに白い粉が付いていた", "ビスケットが割れていた",
                "賞味期限の印字がかすれて読めない", "9枚入りなのに8枚しか入っていなかった", "外箱がつぶれていた",
                "ガムが固くて噛めない", "キャンディが袋の中で溶けてくっついていた", "プラスチック片のようなものがあった"]


def fill(n, start):
    from defects.models import DefectCase
    from factories.models import Product
    from knowledge import text
    from knowledge.models import CaseKey

    product = Product.objects.get_or_create(code="B-GUM", defaults={"name": "ガム"})[0]
    keys = {d: text.keys(d) for d in DESCRIPTIONS}
    rng = random.Random(start)
    now = timezone.now()
    for offset in range(0, n, 2000):
        batch = []
        for i in range(start + offset, start + min(offset + 2000, n)):
            batch.append(DefectCase(reference=f"B-{i:07d}", channel="phone", product=product, category="packaging",
                                    description=rng.choice(DESCRIPTIONS),
                                    received_at=now - datetime.timedelta(minutes=rng.randint(0, 60 * 24 * 600))))
        DefectCase.objects.bulk_create(batch)
        saved = DefectCase.objects.filter(reference__in=[c.reference for c in batch]).values_list(
            "id", "description", "received_at")
        CaseKey.objects.bulk_create([CaseKey(case_id=pk, key=k, count=c, received_at=at)
                                     for pk, d, at in saved for k, c in keys[d].items()])


def measure(user):
    from knowledge import search

    keys = search.query_keys("買ったガムの包装が破れていました")
    times = []
    for _ in range(15):
        t = time.perf_counter()
        search.articles(keys)
        search.cases(keys, user)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--large", type=int, default=20000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_superuser("bench", password="x")
    from knowledge import text

    text.keys("準備")  # load the dictionary before timing
    fill(args.small, 0)
    small = measure(user)
    fill(args.large - args.small, args.small)
    large = measure(user)
    print(f"load average: {os.getloadavg()[0]:.2f}")
    print(f"{args.small:>6} cases: {small * 1000:7.1f} ms per suggestion (median of 15)")
    print(f"{args.large:>6} cases: {large * 1000:7.1f} ms per suggestion (median of 15)")
    print(f"ratio large/small: {large / small:.2f} for {args.large / args.small:.0f}x the cases")
    DB.unlink()


if __name__ == "__main__":
    main()
