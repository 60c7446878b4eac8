from django.db import migrations

NEW_YEAR = [(12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)]
TARGETS = [("first_notice", 8, 2), ("investigation", 40, None), ("review", 8, None), ("replacement", 16, None),
           ("resolution", 80, None)]


def seed(apps, schema_editor):
    CompanyHoliday = apps.get_model("clocks", "CompanyHoliday")
    ClockTarget = apps.get_model("clocks", "ClockTarget")
    for month, day in NEW_YEAR:
        CompanyHoliday.objects.get_or_create(month=month, day=day, year=None, defaults={"name": "年末年始"})
    for name, hours, urgent in TARGETS:
        ClockTarget.objects.get_or_create(name=name, defaults={"hours": hours, "urgent_hours": urgent})


class Migration(migrations.Migration):
    dependencies = [("clocks", "0001_clocks")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
