"""The data migration fills the search keys of rows written before the keys existed."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from defects.models import Consumer, DefectCase, State


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_fills_the_keys_of_existing_rows(make_case):
    case = make_case(State.RECEIVED, consumer_name="山田 花子", consumer_name_kana="ヤマダ ハナコ",
                     consumer_phone="090-8765-4321", consumer_email="Hanako@Example.jp")
    # As rows written before the keys existed: the columns empty.
    DefectCase.objects.filter(pk=case.pk).update(reference_key="")
    Consumer.objects.filter(case=case).update(name_key="", kana_key="", address_key="", email_key="", phone_digits="")

    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("defects", "0008_search_keys")])
        executor.loader.build_graph()
        executor.migrate([("defects", "0009_fill_search_keys")])

        # Only the columns that exist at 0009 (the current model has later ones).
        reference_key = DefectCase.objects.filter(pk=case.pk).values_list("reference_key", flat=True).get()
        consumer = Consumer.objects.filter(case=case).values(
            "name_key", "kana_key", "phone_digits", "email_key", "address_key").get()
    finally:
        # Back to the latest schema, for the tests after this one.
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert reference_key == case.reference.replace("-", "").lower()
    assert (consumer["name_key"], consumer["kana_key"], consumer["phone_digits"], consumer["email_key"]) == (
        "山田花子", "やまだはなこ", "09087654321", "hanako@example.jp")
    assert consumer["address_key"].startswith("福岡県福岡市中央区天神9-8-7")
