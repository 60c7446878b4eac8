"""The nearest due time moves from clocks.CaseDue to DefectCase.next_due_at: ?ordering=due becomes one
walk of the case_next_due index (a join to CaseDue could not be sorted by an index at a million
cases). The values are copied in one UPDATE, then the table goes."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def copy_due_times(apps, schema_editor):
    CaseDue = apps.get_model("clocks", "CaseDue")
    DefectCase = apps.get_model("defects", "DefectCase")
    running = CaseDue.objects.filter(next_due_at__isnull=False)
    DefectCase.objects.filter(pk__in=running.values("case_id")).update(
        next_due_at=Subquery(running.filter(case_id=OuterRef("pk")).values("next_due_at")[:1]))


def copy_back(apps, schema_editor):
    CaseDue = apps.get_model("clocks", "CaseDue")
    DefectCase = apps.get_model("defects", "DefectCase")
    CaseDue.objects.bulk_create(
        [CaseDue(case_id=pk, next_due_at=at) for pk, at in
         DefectCase.objects.filter(next_due_at__isnull=False).values_list("pk", "next_due_at").iterator()],
        batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("clocks", "0003_safety_review_clock"),
        ("defects", "0017_case_next_due"),
    ]

    operations = [
        migrations.RunPython(copy_due_times, copy_back),
        migrations.DeleteModel(name="CaseDue"),
    ]
