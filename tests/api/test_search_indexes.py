"""Search is indexed (issue 11): on PostgreSQL every `q=` is answered by index scans (trigram indexes of
migration 0016 for the keys, btree for whole references), never by reading a table; on both
databases one and two characters match a name at its start or end."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from defects import selectors
from defects.models import State
from tests.api.test_concurrency import require_postgres
from tests.api.test_search import YAMADA, found

pytestmark = pytest.mark.django_db


def only_bitmap_scans():
    """Leave the planner bitmap scans only (for this transaction): a bitmap scan needs an index
    condition, so a condition no index can serve leaves a Seq Scan in the plan however few rows the
    test has. (With plain index scans allowed, a tiny table is read whole through its primary key;
    with nested loops, the few cases of a factory are each looked up in the search's subquery.)"""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE defects_defectcase; ANALYZE defects_consumer; ANALYZE defects_shipment")
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan", "enable_nestloop"):
            cursor.execute(f"SET LOCAL {setting} = off")


def plan(user, q):
    """EXPLAIN of the search as the case list runs it."""
    only_bitmap_scans()
    return selectors.search(selectors.cases_for(user), user, q).order_by("-received_at", "-id").explain()


@pytest.fixture
def cases(make_case):
    yamada = make_case(State.AWAITING_RETURN, **{f"consumer_{k}": v for k, v in YAMADA.items()})
    for _ in range(5):
        make_case(State.RECEIVED)
    return yamada


@pytest.mark.postgres
@pytest.mark.parametrize("q, index", [
    ("山田花子", "consumer_name_key_trgm"),
    ("山田", "consumer_name_key_trgm"),  # two characters: start or end of the name
    ("ﾔﾏﾀﾞﾊﾅｺ", "consumer_kana_key_trgm"),
    ("やまだ", "consumer_kana_key_trgm"),
    ("天神ビル", "consumer_address_key_trgm"),
    ("hanako.yamada@example", "consumer_email_key_trgm"),
    ("8765-4321", "consumer_phone_digits_trgm"),
    ("４３２１", "consumer_phone_digits_trgm"),
    ("ky3", "case_lot_key_trgm"),
])
def test_each_key_is_searched_by_its_trigram_index(cases, hotline, q, index):
    require_postgres()
    explained = plan(hotline, q)
    assert f"Bitmap Index Scan on {index}" in explained, explained
    assert "Seq Scan" not in explained, explained
    assert selectors.search(selectors.cases_for(hotline), hotline, q).filter(pk=cases.pk).exists(), q


@pytest.mark.postgres
def test_a_part_of_a_reference_uses_the_trigram_index(cases, hotline, qa_kyu):
    require_postgres()
    for user in (hotline, qa_kyu):
        explained = plan(user, cases.reference[-6:])
        assert "Bitmap Index Scan on case_reference_key_trgm" in explained, explained
        assert "Seq Scan" not in explained, explained
    # A factory user's search never reaches the consumer's table.
    with CaptureQueriesContext(connection) as queries:
        for q in ("山田花子", "8765-4321", cases.reference[-6:]):
            list(selectors.search(selectors.cases_for(qa_kyu), qa_kyu, q))
    assert not [query for query in queries if "defects_consumer" in query["sql"]], queries.captured_queries


@pytest.mark.postgres
def test_a_whole_case_or_return_reference_is_one_btree_lookup(cases, hotline):
    require_postgres()
    explained = plan(hotline, cases.reference.lower().replace("-", ""))
    assert f"Index Cond: ((reference)::text = '{cases.reference}'::text)" in explained, explained
    assert "trgm" not in explained and "Seq Scan" not in explained, explained
    return_reference = cases.shipments.get(direction="return").reference
    explained = plan(hotline, return_reference.replace("-", "").lower())
    assert f"Index Cond: ((reference)::text = '{return_reference}'::text)" in explained, explained
    assert "trgm" not in explained and "Seq Scan" not in explained, explained


@pytest.mark.postgres
def test_matching_a_parcel_is_indexed_too(cases, mailroom):
    require_postgres()
    only_bitmap_scans()
    explained = selectors.match_parcel(mailroom, "ﾔﾏﾀﾞ ﾊﾅｺ").explain()
    assert "Bitmap Index Scan on consumer_kana_key_trgm" in explained, explained
    assert "Seq Scan" not in explained, explained


# Both databases: what a short query means.

def test_one_or_two_characters_match_a_name_at_its_start_or_end(api, cases):
    client = api("hotline")
    for q in ["山田", "山", "花子", "ﾔﾏ", "やま", "はなこ", "ﾊﾅｺ", "田花子"]:
        assert found(client, q) == {cases.reference}, q
    # Two characters inside a name, or of an address or e-mail, are too little to mean anyone.
    for q in ["田花", "天神", "ya", "子"]:
        assert cases.reference not in found(client, q), q
    # A product name is still matched anywhere, however short (master data, matched in Python).
    assert cases.reference in found(client, "ガム")


def test_full_width_half_width_and_kana_find_the_same_cases(api, cases):
    client = api("hotline")
    for variants in [("山田花子", "山田　花子", "山田 花子"), ("ヤマダ", "ﾔﾏﾀﾞ", "やまだ", "ヤマダ　ハナコ"),
                     ("HANAKO.YAMADA", "ｈａｎａｋｏ．ｙａｍａｄａ", "hanako.yamada"),
                     ("０９０－８７６５－４３２１", "090-8765-4321", "87654321"),
                     ("天神ビル", "天神ﾋﾞﾙ"), ("ＫＹ３", "ky3", "Ky3"), ("ﾔﾏ", "やま", "ヤマ")]:
        answers = {frozenset(found(client, q)) for q in variants}
        assert len(answers) == 1 and cases.reference in answers.pop(), variants


@pytest.mark.postgres
def test_one_select_stays_a_semi_join_and_a_union_becomes_an_array(cases, hotline):
    """A name, in kanji or in kana, touches the consumer's table only: PostgreSQL may walk the newest
    cases for a common one (kana alone is never searched as a lot code). A query that may also be a
    lot code is a UNION, fetched by primary key (selectors.IdIn)."""
    require_postgres()
    for name in ("山田花子", "やまだ", "ﾔﾏﾀﾞ"):
        name_sql = str(selectors.search(selectors.cases_for(hotline), hotline, name).query)
        assert '"defects_defectcase"."id" IN (SELECT' in name_sql and "UNION" not in name_sql, name_sql
    lot_sql = str(selectors.search(selectors.cases_for(hotline), hotline, "ky2611").query)
    assert '"defects_defectcase"."id" = ANY(ARRAY(' in lot_sql and "UNION" in lot_sql, lot_sql
