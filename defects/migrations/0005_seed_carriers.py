from django.db import migrations

CARRIERS = [
    ("japan_post", "日本郵便 (Japan Post)"),
    ("yamato", "ヤマト運輸 (Yamato Transport)"),
    ("sagawa", "佐川急便 (Sagawa Express)"),
]


def seed(apps, schema_editor):
    ShippingCarrier = apps.get_model("defects", "ShippingCarrier")
    for code, name in CARRIERS:
        ShippingCarrier.objects.get_or_create(code=code, defaults={"name": name, "active": True})


def unseed(apps, schema_editor):
    apps.get_model("defects", "ShippingCarrier").objects.filter(code__in=[c for c, _ in CARRIERS]).delete()


class Migration(migrations.Migration):
    dependencies = [("defects", "0004_parcels")]
    operations = [migrations.RunPython(seed, unseed)]
