"""The access log: who was shown which case's personal data, when, by what.

Called through defects.personal_data.accessed from the views that show personal data (and from
letters' PDF downloads). One INSERT per request whatever the number of cases (bulk_create).
"""

from django.utils import timezone

from .models import PersonalDataAccess


def record(user, cases, what: str) -> None:
    now = timezone.now()
    seen = set()
    rows = []
    for case in cases:
        case_id = case if isinstance(case, int) else case.pk
        if case_id in seen:
            continue
        seen.add(case_id)
        rows.append(PersonalDataAccess(user=user, at=now, case_id=case_id, what=what))
    if rows:
        PersonalDataAccess.objects.bulk_create(rows)
