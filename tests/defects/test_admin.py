"""The admin shows cases, timelines and letters but cannot change them: every change is an action."""

import pytest

from defects.models import Event, State
from letters.models import Letter


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.jp", "pw-123456")
    client.force_login(user)
    return client


def test_admin_views_but_never_changes_cases_timeline_and_letters(admin_client, make_case):
    case = make_case(State.AWAITING_RETURN)
    event = case.events.last()
    letter = Letter.objects.filter(case=case).first()
    for url in ("/admin/defects/defectcase/", f"/admin/defects/defectcase/{case.pk}/change/",
                "/admin/defects/event/", f"/admin/defects/event/{event.pk}/change/",
                "/admin/letters/letter/", "/admin/letters/printbatch/"):
        assert admin_client.get(url).status_code == 200, url
    assert admin_client.post(f"/admin/defects/event/{event.pk}/change/", {"note": "rewritten"}).status_code == 403
    assert admin_client.post(f"/admin/defects/event/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.post(f"/admin/defects/defectcase/{case.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.post(f"/admin/letters/letter/{letter.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get("/admin/defects/defectcase/add/").status_code == 403
    event.refresh_from_db()
    assert event.note != "rewritten" and Event.objects.filter(pk=event.pk).exists()
