"""python manage.py expire_personal_data [--as-of YYYY-MM-DD] [--dry-run]

Erases the consumer's personal data and the letter PDFs of every case closed or withdrawn more than
HITOTSUBU_RETENTION_DAYS days before the given date (default: today). Safe to run again: erased
cases are skipped. Celery beat runs it daily (privacy.tasks.expire_personal_data).
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from privacy import erasure


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of must be a date as YYYY-MM-DD, not {text!r}.") from None


class Command(BaseCommand):
    help = "Erase the personal data of cases closed or withdrawn longer ago than the retention period."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=str, default=None, help="Count the retention back from this date "
                            "(YYYY-MM-DD; default today).")
        parser.add_argument("--dry-run", action="store_true", help="List the cases that are due, erase nothing.")

    def handle(self, *args, as_of=None, dry_run=False, **options):
        day = _date(as_of) if as_of else None
        if dry_run:
            due = list(erasure.due_cases(day).values_list("reference", flat=True))
            self.stdout.write(f"{len(due)} case(s) due (cutoff {erasure.cutoff(day):%Y-%m-%d}): {' '.join(due)}")
            return
        done = erasure.expire(day)
        self.stdout.write(f"Personal data erased for {len(done)} case(s) closed or withdrawn before "
                          f"{erasure.cutoff(day):%Y-%m-%d}: {' '.join(done)}".rstrip(": "))
