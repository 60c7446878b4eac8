"""Print-room benchmark: 10,000 first-notice postcards into ONE PDF.

    .venv/bin/python bench/print_batch.py                 # 10,000 cards, baseline on 1,000
    .venv/bin/python bench/print_batch.py --quick         # smoke run: baseline 200, batch 1,000
    .venv/bin/python bench/print_batch.py --cards 2000 --baseline 200   # quicker look

Measures, in one run:
  baseline  the first --baseline cards rendered one WeasyPrint document each
            (render_one, one shared FontConfiguration, this process);
  batch     render_batch() of the first 1,000 cards and of all --cards cards.
Prints cards/s of each, the throughput ratio batch(all)/baseline (target >= 8), time(N) /
time(1,000) (target <= 11 for N = 10,000, i.e. 1.1 x N/1,000), peak RSS of this process plus
its worker processes (target < 1 GB; summed over the process tree from /proc every 0.2 s,
and the largest single child from getrusage), pages and size of the big PDF, PASS/FAIL per
target, and the load average before and after (other test suites share this machine: rerun
when it was loaded). Contexts are synthetic; no database is used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The settings default to DEBUG=0, which needs a key; a benchmark measures with DEBUG off.
os.environ.setdefault("SECRET_KEY", "bench-only-key-not-for-any-server")

SURNAMES = "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 長谷川 斎藤 清水".split()
GIVEN = "花子 太郎 ゆう子 一郎 美咲 健太 さくら 翔太 陽菜 大輔 恵美 翼 千尋 拓也 あゆみ 直樹 由美子 蓮 結衣 誠".split()
PLACES = [("8100001", "福岡県福岡市中央区天神"), ("0600042", "北海道札幌市中央区大通西"),
          ("1500001", "東京都渋谷区神宮前"), ("5300001", "大阪府大阪市北区梅田"),
          ("9800811", "宮城県仙台市青葉区一番町"), ("4600008", "愛知県名古屋市中区栄"),
          ("7300011", "広島県広島市中区基町"), ("9000006", "沖縄県那覇市おもろまち")]
BUILDINGS = ["", "", "ハイツ青葉", "メゾン・ド・ソレイユ", "グリーンコート（南棟）", "サンライズマンション"]
HOTLINE = {"name": "ひとつぶ製菓株式会社 お客様相談室", "postal_code": "1030027",
           "address": "東京都中央区日本橋2-7-1", "phone": "0120-123-456", "hours": "平日 9:00〜17:00"}


def contexts(n: int, seed: int = 4) -> list[dict]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        code, place = rnd.choice(PLACES)
        code = code[:3] + f"{rnd.randrange(10000):04d}"
        building = rnd.choice(BUILDINGS)
        street = f"{place}{rnd.randint(1, 9)}-{rnd.randint(1, 30)}-{rnd.randint(1, 20)}"
        address = street + (f"\n{building}{rnd.randint(1, 12)}{rnd.randint(1, 9):02d}号室" if building else "")
        out.append({"language": "ja" if i % 10 else "en", "date": dt.date(2026, 11, 23),
                    "reference": f"HT-2026-{i:06d}", "product_name": "ひとつぶガム ペパーミント 9枚入",
                    "consumer": {"name": f"{rnd.choice(SURNAMES)} {rnd.choice(GIVEN)}",
                                 "postal_code": code, "address": address},
                    "sender": HOTLINE, "factory_name": "ひとつぶ製菓 九州工場"})
    return out


class PeakRSS:
    """Peak of the summed RSS of this process and all its descendants (from /proc)."""

    def __init__(self):
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree_rss(root: int) -> int:
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
                rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError, ValueError):
                continue
        total, stack = 0, [root]
        while stack:
            pid = stack.pop()
            total += rss.get(pid, 0)
            stack.extend(children.get(pid, []))
        return total

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree_rss(os.getpid()))
            self._stop.wait(0.2)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=None, help="batch size (default 10,000)")
    parser.add_argument("--baseline", type=int, default=None, help="cards one document each "
                        "(default 1,000)")
    parser.add_argument("--quick", action="store_true", help="smoke run: baseline 200, batch 1,000")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--chunk", type=int, default=None)
    parser.add_argument("--out", default=None, help="keep the big PDF here")
    args = parser.parse_args()
    cards = args.cards or (1_000 if args.quick else 10_000)
    base_n = args.baseline or (200 if args.quick else 1_000)
    small = min(1_000, cards)

    import resource

    import django

    django.setup()
    from letters.pdf import render_batch, render_one
    from letters.rendering import engine

    ctxs = contexts(max(cards, base_n))
    print(f"cards={cards:,} baseline={base_n:,} chunk={args.chunk or 'auto'} "
          f"workers={args.workers if args.workers is not None else os.cpu_count()} "
          f"cpus={os.cpu_count()} load average before: {load()}", flush=True)

    with PeakRSS() as mem:
        engine.warm_up()
        render_one("first_notice_postcard", ctxs[0])  # first-use costs out of the timing
        t0 = time.perf_counter()
        for ctx in ctxs[:base_n]:
            render_one("first_notice_postcard", ctx)
        baseline = time.perf_counter() - t0
        rate_base = base_n / baseline
        print(f"baseline: {base_n:,} cards one document each: {baseline:.1f} s "
              f"({rate_base:.1f} cards/s, {1000 / rate_base:.1f} ms/card)", flush=True)

        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            pages_small = render_batch("first_notice_postcard", ctxs[:small], f"{tmp}/small.pdf",
                                       workers=args.workers, chunk_size=args.chunk)
            t_small = time.perf_counter() - t0
            print(f"batch: {small:,} cards -> 1 PDF ({pages_small:,} pages): {t_small:.1f} s "
                  f"({small / t_small:.1f} cards/s)", flush=True)
            t_all, pages, size, marks = t_small, pages_small, os.path.getsize(f"{tmp}/small.pdf"), []
            if cards > small:
                out = args.out or f"{tmp}/all.pdf"
                t0 = time.perf_counter()
                pages = render_batch("first_notice_postcard", ctxs[:cards], out,
                                     workers=args.workers, chunk_size=args.chunk,
                                     progress=marks.append)
                t_all = time.perf_counter() - t0
                size = os.path.getsize(out)
                print(f"batch: {cards:,} cards -> 1 PDF ({pages:,} pages, {size / 1e6:.1f} MB): "
                      f"{t_all:.1f} s ({cards / t_all:.1f} cards/s); progress calls {len(marks)}, "
                      f"last {marks[-1]}", flush=True)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB -> MiB
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratio = (cards / t_all) / rate_base
    growth = t_all / t_small
    allowed = 1.1 * cards / small
    peak = mem.peak / 2**20
    print(f"throughput ratio batch({cards:,})/baseline: {ratio:.1f}x (target >= 8): "
          f"{verdict(ratio >= 8)}")
    if cards > small:
        print(f"time({cards:,}) / time({small:,}): {growth:.2f} (target <= {allowed:.1f}): "
              f"{verdict(growth <= allowed)}")
    else:
        print(f"time(N) / time(1,000): not measured (batch of {cards:,} only)")
    print(f"peak RSS incl. workers: {peak:.0f} MiB summed over the process tree "
          f"(this process {me:.0f} MiB max, largest worker {children:.0f} MiB max) "
          f"(target < 1024): {verdict(peak < 1024)}")
    print(f"big PDF: {pages:,} pages, {size / 1e6:.1f} MB")
    print(f"load average after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
