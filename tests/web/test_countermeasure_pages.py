"""Countermeasures followed through from the case page: after approval each row shows its owner,
dates and effectiveness check; the factory's QA and QA managers get a small form per row that posts
to the same service as the API (one timeline event per change, the approved report frozen), with
errors in the reader's language, 404 for another factory's row, and POST-redirect-GET."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from defects.models import Event, State
from factories.models import Countermeasure, InvestigationVersion

from .helpers import text

pytestmark = pytest.mark.django_db


def first_cm(case):
    return Countermeasure.objects.filter(investigation__case=case).order_by("position", "id").first()


def snapshots(case):
    return list(InvestigationVersion.objects.filter(investigation__case=case).values_list("snapshot", flat=True))


def url(cm):
    return f"/countermeasures/{cm.pk}/"


def test_factory_qa_marks_done_and_records_the_check_from_the_case_page(make_case, login_en, cast):
    case = make_case(State.APPROVED)
    cm = first_cm(case)
    frozen = snapshots(case)
    client = login_en(cast["qa_kyu"])
    page = text(client.get(f"/cases/{case.reference}/"))
    assert 'id="follow-through"' in page and f'id="cm-{cm.pk}"' in page
    assert f'action="/countermeasures/{cm.pk}/"' in page
    today = timezone.localdate()
    done = client.post(url(cm), {"done_date": today.isoformat(), "effectiveness_result": "", "note": ""})
    assert done.status_code == 302 and done["Location"] == f"/cases/{case.reference}/#cm-{cm.pk}"
    cm.refresh_from_db()
    assert cm.done_date == today and cm.effectiveness_result == ""
    checked = client.post(url(cm), {"done_date": today.isoformat(),
                                    "effectiveness_result": "No short sticks in 3 weeks.",
                                    "note": "Checked 12,000 packs."}, follow=True)
    assert checked.status_code == 200
    cm.refresh_from_db()
    assert cm.effectiveness_result == "No short sticks in 3 weeks."
    assert cm.effectiveness_checked_by == cast["qa_kyu"] and cm.effectiveness_checked_at
    events = Event.objects.filter(case=case, data__countermeasure=cm.pk).order_by("id")
    assert [e.data["action"] for e in events] == ["done", "effectiveness_checked"]  # done once, not twice
    assert "Checked 12,000 packs." in events[1].note and events[1].actor == cast["qa_kyu"]
    # The page after the redirect shows the row as it is now; the approved report keeps its text.
    shown = text(checked)
    assert "Countermeasure saved." in shown and "No short sticks in 3 weeks." in shown
    assert today.strftime("%Y-%m-%d") in shown and "qa_kyu" in shown
    assert snapshots(case) == frozen


def test_qa_manager_may_record_the_check_after_closure(make_case, login, cast):
    case = make_case(State.CLOSED)
    cm = first_cm(case)
    answer = login(cast["qa_manager"]).post(url(cm), {"done_date": "", "effectiveness_result": "効果あり",
                                                      "note": ""})
    assert answer.status_code == 302
    cm.refresh_from_db()
    assert cm.effectiveness_result == "効果あり" and cm.effectiveness_checked_by == cast["qa_manager"]


def test_another_factorys_user_gets_404(make_case, login, cast):
    case = make_case(State.APPROVED)
    cm = first_cm(case)
    assert login(cast["qa_sai"]).post(url(cm), {"done_date": "2026-01-01"}).status_code == 404
    assert login(cast["qa_sai"]).post("/countermeasures/999999/", {"done_date": "2026-01-01"}).status_code == 404
    cm.refresh_from_db()
    assert cm.done_date is None


def test_hotline_sees_the_rows_without_a_form_and_may_not_post(make_case, login_en, cast):
    case = make_case(State.APPROVED)
    cm = first_cm(case)
    client = login_en(cast["hotline"])
    page = text(client.get(f"/cases/{case.reference}/"))
    assert f'id="cm-{cm.pk}"' in page and f'action="/countermeasures/{cm.pk}/"' not in page
    answer = client.post(url(cm), {"done_date": "2026-01-01"})
    assert answer.status_code == 403
    assert "Only the factory's QA or a QA manager follows a countermeasure through." in text(answer)


@pytest.mark.parametrize("login_as, invalid, future", [
    ("login_en", "Enter a valid date.", "The date cannot be in the future."),
    ("login", "日付を正しく入力してください。", None),
])
def test_a_bad_date_is_shown_in_the_form_in_the_readers_language(make_case, cast, request, login_as, invalid,
                                                                     future):
    case = make_case(State.APPROVED)
    cm = first_cm(case)
    client = request.getfixturevalue(login_as)(cast["qa_kyu"])
    answer = client.post(url(cm), {"done_date": "yesterday", "effectiveness_result": "", "note": ""})
    assert answer.status_code == 400
    body = text(answer)
    row = body[body.index(f'id="cm-{cm.pk}"'):]
    assert invalid in row[:row.index("</li>")]
    assert "<details class=\"ft-form\" open>" in row  # the form with the error is open
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    answer = client.post(url(cm), {"done_date": tomorrow, "effectiveness_result": "", "note": ""})
    assert answer.status_code == 400
    body = text(answer)
    row = body[body.index(f'id="cm-{cm.pk}"'):]
    expected = future or _ja("The date cannot be in the future.")
    assert expected in row[:row.index("</li>")]
    assert f'value="{tomorrow}"' in row  # what was typed stays in the field
    cm.refresh_from_db()
    assert cm.done_date is None
    assert not Event.objects.filter(case=case, data__countermeasure=cm.pk).exists()


def _ja(message):
    from django.utils import translation

    with translation.override("ja"):
        translated = translation.gettext(message)
    assert translated != message
    return translated


def test_before_approval_there_is_no_form_and_a_post_is_409(make_case, login, cast):
    case = make_case(State.REPORT_REVIEW)
    cm = first_cm(case)
    client = login(cast["qa_kyu"])
    assert 'id="follow-through"' not in text(client.get(f"/cases/{case.reference}/"))
    assert client.post(url(cm), {"done_date": "2026-01-01"}).status_code == 409
    assert client.get(url(cm)).status_code == 405


def test_the_overdue_list_on_home_links_to_the_row_to_change(make_case, login, cast):
    case = make_case(State.APPROVED)  # the report's countermeasures are due 2026-12-01 and 12-05
    cm = first_cm(case)
    with time_machine.travel(datetime.datetime(2026, 12, 3, 12, 0, tzinfo=datetime.timezone.utc), tick=False):
        client = login(cast["qa_kyu"])
        home = text(client.get("/"))
        overdue = home[home.index('id="overdue-cms-h"'):]
        assert f'href="/cases/{case.reference}/#cm-{cm.pk}"' in overdue
        # The factory's "countermeasures due" queue links to the same row.
        queue = text(client.get("/queues/countermeasures/"))
        assert f'href="/cases/{case.reference}/#cm-{cm.pk}"' in queue
        page = text(client.get(f"/cases/{case.reference}/"))
        assert f'id="cm-{cm.pk}"' in page
