"""Pages O(page size): the unrouted queue and the admin lists make no query per row."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from defects.models import State


@pytest.fixture
def volume(cast):
    call_command("seed_volume", cases=120, years=1, seed=7, verbosity=0)


def test_unrouted_page_queries_do_not_grow_with_the_rows(login, cast, make_case, db):
    from factories.models import Product

    odd = Product.objects.create(code="NOWHERE-1", name="工場不明の商品")  # no factory: cases stay unrouted
    client = login(cast["qa_manager"])
    make_case(State.RECEIVED, product=odd, lot_code="")
    client.get("/unrouted/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/unrouted/").status_code == 200
    for _ in range(5):
        make_case(State.RECEIVED, product=odd, lot_code="")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/unrouted/")
    assert response.content.decode().count('class="assign-inline"') == 6
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


@pytest.mark.parametrize("path", ["/admin/defects/defectcase/", "/admin/defects/event/", "/admin/defects/contact/",
                                  "/admin/defects/shipment/", "/admin/letters/letter/",
                                  "/admin/factories/investigation/"])
def test_admin_lists_do_not_query_per_row(client, django_user_model, volume, path):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.jp", "pw-123456"))
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    # Sessions, user, the page, its count, filters: a handful, not one per row of the 100 shown.
    assert len(queries) < 15, [q["sql"] for q in queries.captured_queries]
