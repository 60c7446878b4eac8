"""Batch rendering for the print room: many letters of one kind -> ONE PDF.

Why chunks: WeasyPrint's layout of one long document grows faster than
linearly with its length, and one document per letter pays the per-document
costs (HTML parse, cascade set-up, font subsetting, PDF writing) every time.
A few hundred letters per HTML document sits in between.

First-notice postcards are set as a printed form (letters/rendering/form.py): per
chunk, the part every card shares is laid out once and drawn under each card's
variable layer as a Form XObject; other kinds render their whole template per chunk.

Why processes: WeasyPrint is pure Python on one core; worker processes use the
others. Workers are plain subprocesses (letters/rendering/worker.py), not a
multiprocessing pool: a Celery prefork child is a daemonic process and may not
start multiprocessing children, but may start subprocesses, so a batch uses every
core from a web-triggered Celery task too. Each worker warms up once (Django,
fonts, parsed CSS) and renders chunk after chunk.

Chunk PDFs are written to a temporary folder and appended in order to the
output with pdfium (pypdfium2, C code, fast and memory-frugal compared with a
pure-Python merger) as they arrive; each chunk keeps its own font subsets
(and its own copy of the postcard form), all embedded.
"""

from __future__ import annotations

import json
import logging
import math
import os
import pickle
import selectors
import subprocess
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path

import pypdfium2

from letters.rendering import engine, form

DEFAULT_CHUNK = 120  # letters per HTML document: ~240 pages keeps a worker near 250 MB
POSTCARD_CHUNK = 200  # postcards per chunk on the form path (fewer boxes per card)
JOBS_AHEAD = 2  # chunks queued per worker, so it never waits for the parent

logger = logging.getLogger(__name__)


def _chunks(items: list, size: int) -> Iterable[tuple[int, list]]:
    for start in range(0, len(items), size):
        yield start, items[start:start + size]


def render_chunk(kind: str, items: list[dict], path: str) -> str:
    """One chunk of prepared items as a PDF file (in this process)."""
    if kind == form.KIND:
        form.render_chunk(items, path)
    else:
        engine.render_items(kind, items, path)
    return path


def chunk_size_for(kind: str, total: int, workers: int, chunk_size: int | None) -> int:
    if chunk_size:
        return chunk_size
    if kind != form.KIND:
        return DEFAULT_CHUNK
    # Small batches: at least ~4 chunks per worker so that both cores finish together.
    return max(20, min(POSTCARD_CHUNK, math.ceil(total / max(1, 4 * workers))))


def render_batch(kind: str, contexts: list, target, *, progress: Callable[[float], None] | None = None,
                 workers: int | None = None, chunk_size: int | None = None) -> int:
    """Render contexts of one kind into the single PDF file `target`; return its page count.

    progress(fraction) is called in the calling process and thread as chunks finish
    (0.0 ... 1.0; the last call, 1.0, comes after the file is written).
    workers=None uses every core; workers=0 renders in this process (tests,
    small batches, environments that may not start processes).
    chunk_size=None picks a size for the kind and the batch.
    """
    engine.check_kind(kind)
    items = [engine.prepare(kind, c) for c in contexts]  # settings read here, once
    total = len(items)
    if workers is None:
        workers = os.cpu_count() or 1
    size = chunk_size_for(kind, total, workers, chunk_size)
    chunks = list(_chunks(items, size))
    report = progress or (lambda fraction: None)
    report(0.0)
    with tempfile.TemporaryDirectory(prefix="hitotsubu-batch-") as tmp:
        with Joiner(target) as joiner:
            if workers == 0 or len(chunks) <= 1:
                for n, (start, chunk) in enumerate(chunks):
                    joiner.add(n, render_chunk(kind, chunk, f"{tmp}/{n:06d}.pdf"))
                    report(0.95 * (start + len(chunk)) / total)
            else:
                done = 0
                with WorkerPool(min(workers, len(chunks))) as pool:
                    for n, path in pool.run(kind, chunks, tmp):
                        joiner.add(n, path)
                        done += len(chunks[n][1])
                        report(0.95 * done / total)
            pages = joiner.finish()
    report(1.0)
    return pages


class Joiner:
    """Appends chunk PDFs to one pdfium document in chunk order, as they arrive."""

    def __init__(self, target):
        self.target = target
        self.out = pypdfium2.PdfDocument.new()
        self.ready: dict[int, str] = {}
        self.next = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.out.close()

    def add(self, n: int, path: str) -> None:
        self.ready[n] = path
        while self.next in self.ready:
            path = self.ready.pop(self.next)
            src = pypdfium2.PdfDocument(path)
            try:
                self.out.import_pages(src)
            finally:
                src.close()
            os.unlink(path)
            self.next += 1

    def finish(self) -> int:
        if self.ready:
            raise RuntimeError(f"batch chunks missing before {min(self.ready)}")
        pages = len(self.out)
        if isinstance(self.target, (str, Path)):
            with open(self.target, "wb") as fh:
                self.out.save(fh)
        else:
            self.out.save(self.target)
        return pages


def concatenate(paths: list[str], target) -> int:
    """Append the PDFs in order into target (path or binary file object)."""
    out = pypdfium2.PdfDocument.new()
    try:
        for path in paths:
            src = pypdfium2.PdfDocument(path)
            try:
                out.import_pages(src)
            finally:
                src.close()
        pages = len(out)
        if isinstance(target, (str, Path)):
            with open(target, "wb") as fh:
                out.save(fh)
        else:
            out.save(target)
        return pages
    finally:
        out.close()


class WorkerPool:
    """Subprocess workers (letters/rendering/worker.py), fed chunks over their stdin."""

    def __init__(self, size: int):
        self.size = size
        self.procs: list[subprocess.Popen] = []

    def __enter__(self):
        root = str(engine.BASE_DIR)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        for _ in range(self.size):
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "letters.rendering.worker"], cwd=root, env=env,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
                bufsize=1))
        return self

    def __exit__(self, *exc):
        for proc in self.procs:
            try:
                proc.stdin.close()  # the worker exits at the end of its input
            except OSError:
                pass
        for proc in self.procs:
            try:
                proc.wait(timeout=5 if exc[0] is None else 0.5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stdout.close()

    def run(self, kind: str, chunks: list[tuple[int, list]], tmp: str):
        """Yield (chunk number, pdf path) as chunks finish; a failed chunk raises."""
        todo = deque(range(len(chunks)))
        inflight: dict[subprocess.Popen, deque[tuple[int, str]]] = {p: deque() for p in self.procs}

        def send(proc):
            n = todo.popleft()
            items_path, out = f"{tmp}/{n:06d}.items", f"{tmp}/{n:06d}.pdf"
            with open(items_path, "wb") as fh:
                pickle.dump(chunks[n][1], fh, protocol=pickle.HIGHEST_PROTOCOL)
            proc.stdin.write(json.dumps({"kind": kind, "items": items_path, "out": out}) + "\n")
            proc.stdin.flush()
            inflight[proc].append((n, out))

        with selectors.DefaultSelector() as selector:
            for proc in self.procs:
                selector.register(proc.stdout, selectors.EVENT_READ, proc)
                for _ in range(JOBS_AHEAD):
                    if todo:
                        send(proc)
            remaining = len(chunks)
            while remaining:
                for key, _ in selector.select():
                    proc = key.data
                    line = proc.stdout.readline()
                    if not line:
                        raise RuntimeError(f"batch worker {proc.pid} exited "
                                           f"(code {proc.poll()}) with chunks pending")
                    answer = json.loads(line)
                    n, out = inflight[proc].popleft()
                    os.unlink(f"{tmp}/{n:06d}.items")
                    if not answer.get("ok"):
                        raise RuntimeError(f"batch chunk {n} failed in worker {proc.pid}:\n"
                                           f"{answer.get('error')}")
                    remaining -= 1
                    if todo:
                        send(proc)
                    yield n, out
