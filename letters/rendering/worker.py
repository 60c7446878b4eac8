"""A batch render worker: ``python -m letters.rendering.worker`` (started by batch.py).

Plain subprocesses rather than a multiprocessing pool, so a batch uses every core also
when it runs inside a daemonic process (a Celery prefork child may not start
multiprocessing children; it may start subprocesses).

Protocol, one JSON object per line: the parent writes jobs to stdin,
``{"kind": ..., "items": "<pickle file of prepared items>", "out": "<pdf path>"}``, and
the worker answers each on stdout, in order, ``{"ok": true}`` or
``{"ok": false, "error": "<traceback>"}``. The worker warms up once (Django, fonts,
stylesheets) and exits when stdin closes, so it never outlives its batch.
The pickle files are written by the parent into its own temporary folder.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import traceback


def main() -> int:
    # Keep the protocol channel clean: anything else printed goes to stderr.
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from letters.rendering import batch, engine

    engine.warm_up()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            job = json.loads(line)
            with open(job["items"], "rb") as fh:
                items = pickle.load(fh)
            batch.render_chunk(job["kind"], items, job["out"])
            answer = {"ok": True}
        except Exception:  # noqa: BLE001 - reported to the parent, which fails the batch
            answer = {"ok": False, "error": traceback.format_exc()}
        channel.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
