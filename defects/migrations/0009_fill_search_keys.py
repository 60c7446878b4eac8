"""Fill the search keys (defects.search) of the cases and consumers that existed before them.

Uses the module's functions of today on purpose: the keys must equal what save() writes now. In
batches, so that a large table does not have to fit in memory.
"""

from django.db import migrations

BATCH = 2000


def fill(apps, schema_editor):
    from defects import search

    DefectCase = apps.get_model("defects", "DefectCase")
    Consumer = apps.get_model("defects", "Consumer")
    last = 0
    while True:
        cases = list(DefectCase.objects.filter(pk__gt=last).order_by("pk").only("pk", "reference")[:BATCH])
        if not cases:
            break
        for case in cases:
            case.reference_key = search.compact(case.reference)
        DefectCase.objects.bulk_update(cases, ["reference_key"])
        last = cases[-1].pk
    fields = ["name_key", "kana_key", "address_key", "email_key", "phone_digits"]
    last = 0
    while True:
        consumers = list(Consumer.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not consumers:
            break
        for consumer in consumers:
            keys = search.consumer_keys(name=consumer.name, name_kana=consumer.name_kana, address=consumer.address,
                                        email=consumer.email, phone=consumer.phone)
            for field, value in keys.items():
                setattr(consumer, field, value)
        Consumer.objects.bulk_update(consumers, fields)
        last = consumers[-1].pk


class Migration(migrations.Migration):

    dependencies = [("defects", "0008_search_keys")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
