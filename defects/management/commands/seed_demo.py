"""Demo data: two factories, a handful of products, one user per role. Safe to run twice."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from defects import roles
from factories.models import Factory, Line, PlantCode, Product, StaffProfile

FACTORIES = [
    {"code": "KYU", "name": "九州工場", "postal_code": "8410000", "address": "佐賀県鳥栖市立石町1-1",
     "phone": "0942-00-0000", "responsible": "品質保証課長 山田 太郎"},
    {"code": "SAI", "name": "埼玉工場", "postal_code": "3500000", "address": "埼玉県坂戸市千代田1-2-3",
     "phone": "049-000-0000", "responsible": "品質保証課長 佐藤 花子"},
]

PRODUCTS = [
    {"code": "GUM-MINT-9", "name": "ミントガム 9枚", "jan": "4901234567894", "factory": "KYU"},
    {"code": "GUM-GRAPE-9", "name": "グレープガム 9枚", "jan": "4901234567900", "factory": "KYU"},
    {"code": "CHOCO-BAR", "name": "ミルクチョコレート", "jan": "4901234567917", "factory": "SAI"},
    {"code": "CANDY-LEMON", "name": "レモンキャンディ 袋", "jan": "4901234567924", "factory": "SAI"},
    # Made in both plants: the lot code decides where a case goes.
    {"code": "BISCUIT-12", "name": "ビスケット 12枚", "jan": "4901234567931", "factory": None},
]

# Lot formats and plant codes (製造所固有記号) of the products routed by their lot code.
LOT_FORMATS = {"BISCUIT-12": ("YYYY.MM.DD P L", {"KY": "KYU", "SA": "SAI"})}
LINES = [("KYU", "1", "ガム第1ライン"), ("KYU", "3", "ビスケット第3ライン"), ("SAI", "1", "焼成1号"),
         ("SAI", "2", "焼成2号")]

USERS = [
    ("hotline", [roles.HOTLINE], None),
    ("qa_kyu", [roles.FACTORY_QA], "KYU"),
    ("qa_sai", [roles.FACTORY_QA], "SAI"),
    ("qa_manager", [roles.QA_MANAGER], None),
    ("mailroom", [roles.MAILROOM], None),
    ("admin", [roles.ADMIN], None),
]


class Command(BaseCommand):
    help = "Create demo factories, products and one user per role (password from DEMO_PASSWORD)."

    @transaction.atomic
    def handle(self, *args, **options):
        factories = {}
        for data in FACTORIES:
            code = data["code"]
            factories[code], _ = Factory.objects.update_or_create(
                code=code, defaults={k: v for k, v in data.items() if k != "code"}
            )
        for data in PRODUCTS:
            Product.objects.update_or_create(
                code=data["code"],
                defaults={"name": data["name"], "jan": data["jan"], "default_factory": factories.get(data["factory"])},
            )
        for factory_code, code, name in LINES:
            Line.objects.update_or_create(factory=factories[factory_code], code=code, defaults={"name": name})
        for product_code, (lot_format, plants) in LOT_FORMATS.items():
            product = Product.objects.get(code=product_code)
            product.lot_format = lot_format
            product.save(update_fields=["lot_format"])
            for plant, factory_code in plants.items():
                PlantCode.objects.update_or_create(product=product, code=plant,
                                                   defaults={"factory": factories[factory_code]})
        User = get_user_model()
        for username, role_names, factory_code in USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(settings.DEMO_PASSWORD)
            user.is_staff = username == "admin"
            user.is_superuser = username == "admin"
            user.save()
            user.groups.set(Group.objects.filter(name__in=role_names))
            StaffProfile.objects.update_or_create(user=user, defaults={"factory": factories.get(factory_code)})
        from defects import extensions

        for step in extensions.DEMO_STEPS:  # capabilities' own demo data (safety, ...)
            step(self.stdout)
        # The dashboard's history and the published answers (insights and knowledge apps).
        from django.core.management import call_command

        transaction.on_commit(lambda: call_command("seed_insight_demo", stdout=self.stdout))
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready: {len(FACTORIES)} factories, {len(PRODUCTS)} products, users "
            + ", ".join(u[0] for u in USERS) + "."
        ))
