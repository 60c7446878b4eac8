"""Batch rendering for the print room: many letters of one kind -> ONE PDF.

Why chunks: WeasyPrint's layout of one long document grows faster than
linearly with its length, and one document per letter pays the per-document
costs (HTML parse, cascade set-up, font subsetting, PDF writing) every time.
A few hundred letters per HTML document sits in between.

Why processes: WeasyPrint is pure Python on one core; a process pool uses the
others. Workers are started with the "spawn" method (a clean interpreter:
fontconfig/pango state and the FontConfiguration's temporary font folder are
not safely shared across fork) and warm up once (fonts, parsed CSS).

Chunk PDFs are written to a temporary folder and appended in order to the
output with pdfium (pypdfium2, C code, fast and memory-frugal compared with a
pure-Python merger); each chunk keeps its own font subsets, all embedded.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pypdfium2

from letters.rendering import engine

DEFAULT_CHUNK = 120  # letters per HTML document: ~240 pages keeps a worker near 250 MB


def _chunks(items: list, size: int) -> Iterable[tuple[int, list]]:
    for start in range(0, len(items), size):
        yield start, items[start:start + size]


def _worker_init() -> None:
    # Spawned interpreter: make Django importable for the template engine,
    # then build fonts and stylesheets once for the whole life of the worker.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    engine.warm_up()


def _render_chunk(kind: str, items: list[dict], path: str) -> tuple[str, int]:
    engine.render_items(kind, items, path)
    return path, len(items)


def render_batch(kind: str, contexts: list, target, *, progress: Callable[[float], None] | None = None,
                 workers: int | None = None, chunk_size: int = DEFAULT_CHUNK) -> int:
    """Render contexts of one kind into the single PDF file `target`; return its page count.

    progress(fraction) is called in the calling process as chunks finish
    (0.0 ... 1.0; the last call, 1.0, comes after the file is written).
    workers=None uses every core; workers=0 renders in this process (tests,
    small batches, environments without multiprocessing).
    """
    engine.check_kind(kind)
    items = [engine.prepare(kind, c) for c in contexts]  # settings read here, once
    total = len(items)
    if workers is None:
        workers = os.cpu_count() or 1
    if multiprocessing.current_process().daemon:
        # A Celery prefork child is daemonic and may not start processes:
        # render in this process (run the print batch on a --pool=solo/threads
        # worker, or a dedicated queue, to use every core).
        workers = 0
    report = progress or (lambda fraction: None)
    report(0.0)
    with tempfile.TemporaryDirectory(prefix="hitotsubu-batch-") as tmp:
        paths: list[str | None] = [None] * ((total + chunk_size - 1) // chunk_size)
        done = 0
        if workers == 0 or len(paths) <= 1:
            for n, (_, chunk) in enumerate(_chunks(items, chunk_size)):
                paths[n], count = _render_chunk(kind, chunk, f"{tmp}/{n:06d}.pdf")
                done += count
                report(0.95 * done / total)
        else:
            ctx = multiprocessing.get_context("spawn")
            with cf.ProcessPoolExecutor(max_workers=min(workers, len(paths)), mp_context=ctx,
                                        initializer=_worker_init) as pool:
                futures = {pool.submit(_render_chunk, kind, chunk, f"{tmp}/{n:06d}.pdf"): n
                           for n, (_, chunk) in enumerate(_chunks(items, chunk_size))}
                for future in cf.as_completed(futures):
                    path, count = future.result()  # a failed chunk fails the batch
                    paths[futures[future]] = path
                    done += count
                    report(0.95 * done / total)
        pages = concatenate([p for p in paths if p], target)
    report(1.0)
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
