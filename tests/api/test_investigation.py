"""The factory's report over the API: every field, countermeasures, photos, versions and their diff."""

import copy

import pytest

from defects.models import State
from factories.models import Investigation, InvestigationPhoto
from tests.api.conftest import case_url, image_bytes, upload
from tests.conftest import COMPLETE_REPORT


def report_url(case, *rest):
    return case_url(case, "investigation", *rest)


def test_the_full_report_round_trips_with_its_countermeasures(make_case, api):
    case = make_case(State.INVESTIGATING)
    response = api("qa_kyu").put(report_url(case), COMPLETE_REPORT, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    for name in Investigation.REPORT_FIELDS:
        assert body[name] == COMPLETE_REPORT[name], name
    assert [(m["target"], m["owner"], m["due_date"]) for m in body["countermeasures"]] == [
        (m["target"], m["owner"], m["due_date"]) for m in COMPLETE_REPORT["countermeasures"]]
    assert body["missing_for_submission"] == [] and body["submission_problems"] == {}
    assert body["photos"] == [] and body["related_reports"] == [] and body["updated_by"] == "qa_kyu"
    assert api("qa_manager").get(report_url(case)).json() == body


def test_leaving_countermeasures_out_keeps_them_and_an_empty_list_removes_them(make_case, api):
    case = make_case(State.INVESTIGATING)
    client = api("qa_kyu")
    client.put(report_url(case), COMPLETE_REPORT, format="json")
    kept = client.put(report_url(case), {"prevention": "Blade checked every shift."}, format="json").json()
    assert len(kept["countermeasures"]) == 2 and kept["missing_for_submission"] == []
    emptied = client.put(report_url(case), {"countermeasures": []}, format="json").json()
    assert emptied["countermeasures"] == []
    assert emptied["missing_for_submission"] == ["countermeasures_occurrence", "countermeasures_escape"]
    assert emptied["submission_problems"]["countermeasures_escape"][0]


def test_an_empty_draft_lists_every_problem_with_a_message(make_case, api):
    case = make_case(State.SAMPLE_RECEIVED)
    draft = api("hotline").get(report_url(case)).json()
    assert draft["countermeasures"] == [] and draft["updated_by"] is None
    assert draft["missing_for_submission"] == list(draft["submission_problems"])
    assert "retained_samples_checked" in draft["missing_for_submission"]
    assert all(messages for messages in draft["submission_problems"].values())


COUNTERMEASURE_ERRORS = [
    # (how the second action is spoiled, the name the answer must use)
    ({"target": "weather"}, "countermeasures[1].target"),
    ({"target": None}, "countermeasures[1].target"),
    ({"action": ""}, "countermeasures[1].action"),
    ({"action": ["two", "things"]}, "countermeasures[1].action"),
    ({"due_date": "next week"}, "countermeasures[1].due_date"),
    ({"done_date": "2099-01-01"}, "countermeasures[1].done_date"),
    ({"effectiveness_result": "worked"}, "countermeasures[1].effectiveness_result"),
    ({"owner": "bell\x07"}, "countermeasures[1].owner"),
    ({"colour": "red"}, "countermeasures[1]"),
]


@pytest.mark.parametrize("spoil,name", COUNTERMEASURE_ERRORS, ids=[n for _s, n in COUNTERMEASURE_ERRORS])
def test_a_bad_countermeasure_answers_400_naming_the_row_and_field(make_case, api, spoil, name):
    case = make_case(State.INVESTIGATING)
    report = copy.deepcopy(COMPLETE_REPORT)
    report["countermeasures"][1].update(spoil)
    response = api("qa_kyu").put(report_url(case), report, format="json")
    assert response.status_code == 400, response.content
    assert name in response.json(), response.json()
    assert not Investigation.objects.filter(case=case, countermeasures__isnull=False).exists()


@pytest.mark.parametrize("payload,field", [
    ({"countermeasures": "replace the blade"}, "countermeasures"),
    ({"countermeasures": ["replace the blade"]}, "countermeasures[0]"),
    ({"occurrence_whys": "because"}, "occurrence_whys"),
    ({"occurrence_whys": [{"why": "a", "because": "b", "who": "c"}]}, "occurrence_whys"),
    ({"occurrence_whys": [{"why": "w", "because": "b"}] * 6}, "occurrence_whys"),
    ({"retained_samples_checked": "many"}, "retained_samples_checked"),
    ({"retained_samples_checked": -1}, "retained_samples_checked"),
    ({"conclusion": "obvious"}, "conclusion"),
    ({"escape_category": "luck"}, "escape_category"),
    ({"sample_checks": "x" * 9000}, "sample_checks"),
    ({"updated_by": "hotline", "photos": []}, None),  # read-only keys are ignored, not an error
])
def test_bad_report_fields_answer_400_naming_the_field(make_case, api, payload, field):
    case = make_case(State.INVESTIGATING)
    response = api("qa_kyu").put(report_url(case), payload, format="json")
    if field is None:
        assert response.status_code == 200 and response.json()["updated_by"] == "qa_kyu"
        return
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()


def test_submit_answers_400_with_the_missing_fields_then_succeeds(make_case, api):
    case = make_case(State.INVESTIGATING)
    report = copy.deepcopy(COMPLETE_REPORT)
    report["consumer_cause"] = "お客様の保管方法が原因です。"
    client = api("qa_kyu")
    saved = client.put(report_url(case), report, format="json").json()
    refused = client.post(case_url(case, "transitions", "submit_report"), {}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == saved["missing_for_submission"] == ["consumer_cause"]
    client.put(report_url(case), {"consumer_cause": COMPLETE_REPORT["consumer_cause"]}, format="json")
    assert client.post(case_url(case, "transitions", "submit_report"), {}, format="json").status_code == 200


def test_versions_keep_each_submission_its_decision_and_the_diff_since_rejection(make_case, api):
    case = make_case(State.REPORT_REVIEW)
    assert api("qa_kyu").get(report_url(case, "versions")).json()["changes_since_rejection"] is None
    api("qa_manager").post(case_url(case, "transitions", "reject_report"), {"comment": "Explain the escape."},
                           format="json")
    api("qa_kyu").put(report_url(case), {"cause_of_escape": "Only one box in fifty was measured."}, format="json")
    assert api("qa_kyu").post(case_url(case, "transitions", "submit_report"), {}, format="json").status_code == 200

    history = api("qa_manager").get(report_url(case, "versions"))
    assert history.status_code == 200
    versions = history.json()["versions"]
    assert [(v["number"], v["decision"], v["comment"], v["decided_by"]) for v in versions] == [
        (1, "rejected", "Explain the escape.", "qa_manager"), (2, "", "", None)]
    assert versions[0]["submitted_by"] == "qa_kyu" and versions[0]["decided_at"] and versions[1]["submitted_at"]
    assert versions[0]["snapshot"]["cause_of_escape"] == COMPLETE_REPORT["cause_of_escape"]
    assert len(versions[1]["snapshot"]["countermeasures"]) == 2
    changes = history.json()["changes_since_rejection"]
    assert [c["field"] for c in changes] == ["cause_of_escape"]
    assert changes[0]["after"] == "Only one box in fifty was measured." and changes[0]["kind"] == "text"


def test_versions_of_a_case_without_a_report_are_empty(make_case, api):
    case = make_case(State.RECEIVED)
    assert api("hotline").get(report_url(case, "versions")).json() == {"versions": [],
                                                                       "changes_since_rejection": None}


# --- photos ---------------------------------------------------------------------------------------

def post_photo(client, case, name="wrapper.jpg", content=None, caption="short stick"):
    content = image_bytes() if content is None else content
    return client.post(report_url(case, "photos"), {"file": upload(name, content), "caption": caption},
                       format="multipart", HTTP_ACCEPT_LANGUAGE="en")


def test_a_photo_is_uploaded_listed_streamed_and_removed(make_case, api):
    case = make_case(State.INVESTIGATING)
    png = image_bytes("PNG")
    created = post_photo(api("qa_kyu"), case, name="IMG_0001.JPG", content=png)
    assert created.status_code == 201, created.content
    photo = created.json()
    assert (photo["caption"], photo["content_type"], photo["size"]) == ("short stick", "image/png", len(png))
    assert photo["url"].endswith(f"/api/photos/{photo['id']}/")
    listed = api("qa_kyu").get(report_url(case)).json()["photos"]
    assert [p["id"] for p in listed] == [photo["id"]]

    for who in ("qa_kyu", "hotline", "qa_manager", "admin"):
        streamed = api(who).get(photo["url"], HTTP_ACCEPT="image/*")
        assert streamed.status_code == 200, who
        assert streamed["Content-Type"] == "image/png" and b"".join(streamed.streaming_content) == png

    removed = api("qa_kyu").delete(report_url(case, "photos", str(photo["id"])))
    assert removed.status_code == 204
    assert api("qa_kyu").get(photo["url"]).status_code == 404
    assert api("qa_kyu").delete(report_url(case, "photos", str(photo["id"]))).status_code == 404


def test_only_the_factory_of_the_case_and_head_office_see_a_photo(make_case, api, chocolate):
    case = make_case(State.INVESTIGATING)
    url = post_photo(api("qa_kyu"), case).json()["url"]
    for who in ("qa_sai", "mailroom"):
        response = api(who).get(url)
        assert response.status_code == 404, who
        assert response.json()["code"] == "not_found"
    # The mail room sees the report but is handed no link it could not open.
    assert api("mailroom").get(report_url(case)).json()["photos"][0]["url"] is None


@pytest.mark.parametrize("name,content,message", [
    ("photo.jpg", b"This is a text file pretending to be a photo.\n" * 20, "not a readable JPEG or PNG"),
    ("photo.jpg", b"", "empty"),
    ("scan.jpg", image_bytes("GIF"), "JPEG or PNG"),
], ids=["text renamed .jpg", "empty file", "GIF renamed .jpg"])
def test_files_that_are_not_photos_are_refused_with_a_clear_message(make_case, api, name, content, message):
    case = make_case(State.INVESTIGATING)
    response = post_photo(api("qa_kyu"), case, name=name, content=content)
    assert response.status_code == 400, response.content
    assert message in response.json()["file"][0]
    assert not InvestigationPhoto.objects.exists()


def test_an_oversized_photo_is_refused_saying_the_limit(make_case, api, settings):
    settings.HITOTSUBU_PHOTO_MAX_BYTES = 100 * 1024
    case = make_case(State.INVESTIGATING)
    response = post_photo(api("qa_kyu"), case, content=image_bytes() + b"\x00" * 200 * 1024)
    assert response.status_code == 400
    assert "photos may be at most 0.1 MB" in response.json()["file"][0]
    assert not InvestigationPhoto.objects.exists()


def test_a_missing_file_is_named(make_case, api):
    case = make_case(State.INVESTIGATING)
    response = api("qa_kyu").post(report_url(case, "photos"), {"caption": "no file"}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


@pytest.mark.parametrize("who,code", [("hotline", 403), ("qa_manager", 403), ("qa_sai", 404)])
def test_only_the_cases_factory_adds_or_removes_photos(make_case, api, who, code):
    case = make_case(State.INVESTIGATING)
    photo = post_photo(api("qa_kyu"), case).json()
    assert post_photo(api(who), case).status_code == code
    assert api(who).delete(report_url(case, "photos", str(photo["id"]))).status_code == code
    assert InvestigationPhoto.objects.count() == 1


def test_photos_are_frozen_once_the_report_is_submitted(make_case, api):
    case = make_case(State.REPORT_REVIEW)
    response = post_photo(api("qa_kyu"), case)
    assert response.status_code == 409
    assert response.json()["code"] == "report_not_editable" and response.json()["state"] == "report_review"


def test_related_reports_name_other_reports_of_the_same_lot_in_scope(make_case, api):
    first = make_case(State.INVESTIGATING)
    second = make_case(State.RECEIVED)
    related = api("qa_kyu").get(report_url(first)).json()["related_reports"]
    assert [r["reference"] for r in related] == [second.reference]
    assert set(related[0]) == {"reference", "state", "category", "received_at"}
