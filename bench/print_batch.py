"""Print-room benchmark: 10,000 first-notice postcards into ONE PDF.

    .venv/bin/python bench/print_batch.py                 # 10,000 cards, baseline on 1,000
    .venv/bin/python bench/print_batch.py --cards 2000 --baseline 200   # quicker look

Measures, in one run:
  baseline  the first --baseline cards rendered one WeasyPrint document each
            (render_one, one shared FontConfiguration, this process);
  batch     render_batch() of the first 1,000 cards and of all --cards cards.
Prints throughput ratio (target >= 8), time(N)/time(1,000) (target <= 11 for
N = 10,000) and peak RSS of this process plus its worker processes (target < 1 GB),
sampled every 0.2 s. Contexts are synthetic; no database is used.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--chunk", type=int, default=None)
    parser.add_argument("--out", default=None, help="keep the big PDF here")
    args = parser.parse_args()

    import django

    django.setup()
    from letters.pdf import render_batch, render_one
    from letters.rendering import batch as batch_module, engine

    chunk = args.chunk or batch_module.DEFAULT_CHUNK
    ctxs = contexts(args.cards)
    print(f"cards={args.cards} baseline={args.baseline} chunk={chunk} "
          f"workers={args.workers or os.cpu_count()} cpus={os.cpu_count()}", flush=True)

    with PeakRSS() as mem:
        engine.warm_up()
        t0 = time.perf_counter()
        for ctx in ctxs[: args.baseline]:
            render_one("first_notice_postcard", ctx)
        baseline = time.perf_counter() - t0
        print(f"baseline: {args.baseline} cards one document each: {baseline:.1f} s "
              f"({args.baseline / baseline:.1f} cards/s)", flush=True)

        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            pages_1k = render_batch("first_notice_postcard", ctxs[:1000], f"{tmp}/1k.pdf",
                                    workers=args.workers, chunk_size=chunk)
            t_1k = time.perf_counter() - t0
            print(f"batch: 1,000 cards -> 1 PDF ({pages_1k} pages): {t_1k:.1f} s "
                  f"({1000 / t_1k:.1f} cards/s)", flush=True)

            marks = []
            out = args.out or f"{tmp}/all.pdf"
            t0 = time.perf_counter()
            pages = render_batch("first_notice_postcard", ctxs, out, workers=args.workers,
                                 chunk_size=chunk, progress=lambda f: marks.append(f))
            t_all = time.perf_counter() - t0
            size = os.path.getsize(out)
    rate_base = args.baseline / baseline
    rate_all = args.cards / t_all
    print(f"batch: {args.cards:,} cards -> 1 PDF ({pages} pages, {size / 1e6:.1f} MB): "
          f"{t_all:.1f} s ({rate_all:.1f} cards/s); progress calls {len(marks)}, last {marks[-1]}")
    print(f"throughput ratio batch/baseline: {rate_all / rate_base:.1f}x (target >= 8)")
    print(f"time({args.cards:,}) / time(1,000): {t_all / t_1k:.1f} (target <= 11 for 10,000)")
    print(f"peak RSS incl. workers: {mem.peak / 2**20:.0f} MiB (target < 1024)")


if __name__ == "__main__":
    main()
