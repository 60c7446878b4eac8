"""Trigram (pg_trgm, GIN) indexes on the search keys, on PostgreSQL only.

Search matches the normalised keys by substring (`key LIKE '%q%'`, defects.selectors.search): a
btree cannot serve that, a trigram index can (3 or more characters; shorter queries are matched
as a prefix or suffix, which the same index serves). SQLite has no such index and reads the table:
the migration does nothing there, and the answers are the same (tests/api/test_search.py).

The indexes are not in the models' Meta (a GinIndex would be created on SQLite too), so Django's
migration state does not know them: they are created and dropped by SQL here, by name.
pg_trgm is a trusted extension since PostgreSQL 13: a database owner may create it.
Reversing drops the indexes and leaves the extension (something else may use it).
"""

from django.db import migrations

# (index, table, column)
TRIGRAM_INDEXES = [
    ("consumer_name_key_trgm", "defects_consumer", "name_key"),
    ("consumer_kana_key_trgm", "defects_consumer", "kana_key"),
    ("consumer_address_key_trgm", "defects_consumer", "address_key"),
    ("consumer_email_key_trgm", "defects_consumer", "email_key"),
    ("consumer_phone_digits_trgm", "defects_consumer", "phone_digits"),
    ("case_reference_key_trgm", "defects_defectcase", "reference_key"),
    ("case_lot_key_trgm", "defects_defectcase", "lot_key"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ("{column}" gin_trgm_ops)')


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ("defects", "0015_merge_triage"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
