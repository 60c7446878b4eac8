"""Write the similar-case search keys (knowledge.CaseKey) of cases that have none.

    python manage.py rebuild_case_keys [--all] [--batch-size 500] [--after ID]

Cases opened before the knowledge app was installed, and cases written in bulk (seed_volume), never
went through the timeline handler that writes their keys, so the intake's "similar past cases" cannot
find them. Safe to run again and to interrupt: each batch commits on its own, a case whose keys are
right is left alone (a second run writes nothing), and a rerun carries on with the cases still
without keys. --all re-examines every case (after a change to knowledge.text); --after resumes
such a run from the last id it printed.
"""

from django.core.management.base import BaseCommand, CommandError

from knowledge.services import REBUILD_BATCH, rebuild_case_keys


class Command(BaseCommand):
    help = "Write the search keys of cases that have none (idempotent, batched, resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true",
                            help="Examine every case, not only those without keys (rewrites only what differs).")
        parser.add_argument("--batch-size", type=int, default=REBUILD_BATCH, help="Cases per transaction.")
        parser.add_argument("--after", type=int, default=0, help="Start after this case id (to resume a run).")

    def handle(self, *args, all, batch_size, after, verbosity, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")

        def progress(totals):
            if verbosity >= 2:
                self.stdout.write(f"  up to case id {totals['last_id']}: {totals['cases']:,} examined, "
                                  f"{totals['rewritten']:,} written")

        totals = rebuild_case_keys(batch_size=batch_size, after=after, only_missing=not all, progress=progress)
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(
                f"Examined {totals['cases']:,} cases, wrote the keys of {totals['rewritten']:,} "
                f"({totals['keys']:,} keys); last case id {totals['last_id']}."))
