"""Countermeasures live on after approval: marked done and checked effective after the case closed,
both on the timeline; the approved report's text stays frozen; overdue ones are listed."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from defects.models import Event, State
from factories.models import Countermeasure, InvestigationVersion
from tests.api.conftest import token_client


def first_cm(case):
    return Countermeasure.objects.filter(investigation__case=case).order_by("position", "id").first()


def test_done_and_checked_effective_after_close_both_on_the_timeline(make_case, cast):
    case = make_case(State.CLOSED)
    cm = first_cm(case)
    frozen = list(InvestigationVersion.objects.filter(investigation__case=case).values_list("snapshot", flat=True))
    assert frozen and all(v["countermeasures"][0]["done_date"] is None for v in frozen)
    client = token_client(cast["qa_kyu"])
    done = client.patch(f"/api/countermeasures/{cm.pk}/", {"done_date": timezone.localdate().isoformat()}, format="json")
    assert done.status_code == 200, done.content
    checked = client.patch(f"/api/countermeasures/{cm.pk}/",
                           {"effectiveness_result": "No short sticks in 3 weeks of production."}, format="json")
    assert checked.status_code == 200
    body = checked.json()
    assert body["done_date"] == timezone.localdate().isoformat()
    assert body["effectiveness_result"] == "No short sticks in 3 weeks of production."
    assert body["effectiveness_checked_by"] == "qa_kyu" and body["effectiveness_checked_at"]
    notes = Event.objects.filter(case=case, data__countermeasure=cm.pk)
    assert sorted(e.data["action"] for e in notes) == ["done", "effectiveness_checked"]
    assert all(e.actor == cast["qa_kyu"] for e in notes)
    # The approved report's versions are untouched: the text stays as approved.
    assert list(InvestigationVersion.objects.filter(investigation__case=case).values_list("snapshot", flat=True)) == frozen
    # The same value again writes nothing new.
    client.patch(f"/api/countermeasures/{cm.pk}/", {"done_date": timezone.localdate().isoformat()}, format="json")
    assert Event.objects.filter(case=case, data__countermeasure=cm.pk).count() == 2


def test_before_approval_it_is_409_another_plant_404_bad_input_400(make_case, cast):
    case = make_case(State.REPORT_REVIEW)
    cm = first_cm(case)
    assert token_client(cast["qa_kyu"]).patch(f"/api/countermeasures/{cm.pk}/", {"done_date": "2026-01-01"},
                                               format="json").status_code == 409
    approved = make_case(State.APPROVED)
    cm = first_cm(approved)
    assert token_client(cast["qa_sai"]).patch(f"/api/countermeasures/{cm.pk}/", {"done_date": "2026-01-01"},
                                               format="json").status_code == 404
    client = token_client(cast["qa_kyu"])
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    answer = client.patch(f"/api/countermeasures/{cm.pk}/", {"done_date": future}, format="json")
    assert answer.status_code == 400 and "done_date" in answer.json()
    answer = client.patch(f"/api/countermeasures/{cm.pk}/", {"done_date": "yesterday"}, format="json")
    assert answer.status_code == 400 and "done_date" in answer.json()
    assert token_client(cast["hotline"]).patch(f"/api/countermeasures/{cm.pk}/", {"done_date": "2026-01-01"},
                                                format="json").status_code == 403


def test_overdue_countermeasures_are_listed_for_the_factory_and_the_qa_manager(make_case, cast, client):
    case = make_case(State.APPROVED)  # the report's countermeasures are due 2026-12-01 and 12-05
    with time_machine.travel(datetime.datetime(2026, 12, 3, 12, 0, tzinfo=datetime.timezone.utc), tick=False):
        mine = token_client(cast["qa_kyu"]).get("/api/countermeasures/?overdue=true").json()["results"]
        assert [r["due_date"] for r in mine] == ["2026-12-01"] and mine[0]["case"] == case.reference
        assert token_client(cast["qa_manager"]).get("/api/countermeasures/?overdue=true").json()["results"] == mine
        assert token_client(cast["qa_sai"]).get("/api/countermeasures/?overdue=true").json()["results"] == []
        assert len(token_client(cast["qa_kyu"]).get("/api/countermeasures/").json()["results"]) == 2
        assert token_client(cast["qa_kyu"]).get("/api/countermeasures/?overdue=maybe").status_code == 400
        client.force_login(cast["qa_kyu"])
        page = client.get("/").content.decode()
        assert 'id="overdue-cms-h"' in page and case.reference in page


def test_the_owner_is_a_user_of_the_factory(make_case, cast):
    case = make_case(State.APPROVED)
    cm = first_cm(case)
    client = token_client(cast["qa_kyu"])
    assert client.patch(f"/api/countermeasures/{cm.pk}/", {"responsible": "qa_sai"}, format="json").status_code == 400
    answer = client.patch(f"/api/countermeasures/{cm.pk}/", {"responsible": "qa_kyu"}, format="json")
    assert answer.status_code == 200 and answer.json()["responsible"] == "qa_kyu"
    assert Event.objects.filter(case=case, data__countermeasure=cm.pk, data__action="responsible").count() == 1


def test_a_note_goes_on_the_timeline_with_the_change_and_alone_writes_nothing(make_case, cast):
    case = make_case(State.APPROVED)
    cm = first_cm(case)
    client = token_client(cast["qa_kyu"])
    assert client.patch(f"/api/countermeasures/{cm.pk}/", {"note": "Nothing to say."}, format="json").status_code == 200
    assert not Event.objects.filter(case=case, data__countermeasure=cm.pk).exists()
    answer = client.patch(f"/api/countermeasures/{cm.pk}/", {"done_date": timezone.localdate().isoformat(),
                                                               "note": "Jig replaced on line 3."}, format="json")
    assert answer.status_code == 200
    event = Event.objects.get(case=case, data__countermeasure=cm.pk)
    assert event.note.endswith("\nJig replaced on line 3.")
