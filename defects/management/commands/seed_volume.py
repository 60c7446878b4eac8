"""Fill the database with N realistic cases, fast, for measuring the system at volume.

    python manage.py seed_volume --cases 100000 [--years 4] [--seed 1]

PostgreSQL: rows are streamed with COPY (100,000 cases with their timeline, contacts, parcels,
letters and investigations in well under a few minutes). SQLite: bulk_create in big batches.
Adds to what is there (runs seed_demo first on a database without its users); run it on an empty
database for benchmarks. What the rows look like is in defects/volume.py.
"""

import time

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from defects import volume


class Command(BaseCommand):
    help = "Add N realistic cases (several years, most closed) with their timeline, contacts, parcels and letters."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True, help="How many cases to add.")
        parser.add_argument("--years", type=int, default=4, help="Spread the cases over this many years (default 4).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (same seed, same data).")
        parser.add_argument("--chunk", type=int, default=20000, help="Cases written per round.")

    def handle(self, *args, cases, years, seed, chunk, **options):
        if cases < 1:
            raise CommandError("--cases must be at least 1.")
        if years < 1:
            raise CommandError("--years must be at least 1.")
        started = time.monotonic()
        if not get_user_model().objects.filter(username="hotline").exists():
            # The demo's users and master data; never run over existing ones (it resets passwords).
            call_command("seed_demo", verbosity=0)
        written = volume.seed(cases, years=years, seed=seed, chunk=chunk,
                              progress=lambda done: self.stdout.write(f"  {done:,} / {cases:,} cases"))
        from defects import extensions

        for backfill in extensions.BULK_BACKFILL:  # what the outbox handlers would have written
            backfill(self.stdout)
        rows = ", ".join(f"{count:,} {name}" for name, count in written.items())
        self.stdout.write(self.style.SUCCESS(f"Added {rows} in {time.monotonic() - started:.1f} s."))
