"""The factory's report in the browser: the full form, photos, submission refused with the missing
fields named, the QA manager's review with what changed, and the versions page."""

import copy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from defects.models import DefectCase, State
from defects.views.case import report_field_label
from factories.models import Investigation, InvestigationPhoto
from tests.conftest import COMPLETE_REPORT

from .helpers import image_bytes, report_post, text

pytestmark = pytest.mark.django_db


def _state(case):
    return DefectCase.objects.get(pk=case.pk).state


def test_factory_qa_drives_the_case_from_investigation_to_submission(make_case, login_en, qa_kyu):
    case = make_case(State.SAMPLE_RECEIVED)
    client = login_en(qa_kyu)
    base = f"/cases/{case.reference}"
    assert client.post(f"{base}/transitions/start_investigation/", {}).status_code == 302
    assert _state(case) == State.INVESTIGATING

    page = client.get(f"{base}/investigation/")
    assert page.status_code == 200
    body = text(page)
    for section in ("Examination of the sample", "Containment", "Manufacturing process", "Cause of occurrence",
                    "Cause of escape", "Prevention measures", "For the consumer's letter", "never blame", "5-Whys"):
        assert section.lower() in body.lower(), section

    # A partial draft is saved any time.
    partial = {k: COMPLETE_REPORT[k] for k in ("sample_checks", "manufacturing_process", "occurrence_category",
                                               "occurrence_whys")}
    response = client.post(f"{base}/investigation/", report_post(partial))
    assert response.status_code == 302
    investigation = Investigation.objects.get(case=case)
    assert investigation.manufacturing_process == COMPLETE_REPORT["manufacturing_process"]
    assert investigation.occurrence_whys == COMPLETE_REPORT["occurrence_whys"]

    # Submitting it is refused, every missing field named on the page.
    response = client.post(f"{base}/transitions/submit_report/", {})
    assert response.status_code == 400
    assert _state(case) == State.INVESTIGATING
    missing = investigation.missing_for_submission()
    assert {"conclusion", "consumer_cause", "retained_samples_checked"} <= set(missing)
    [action] = [a for a in response.context["actions"] if a["name"] == "submit_report"]
    errors = " ".join(action["form"].non_field_errors())
    body = text(response)
    with translation.override("en"):
        for name in missing:
            label = report_field_label(name)
            assert label in errors and label in body, name

    # The whole report, countermeasures and a photo, then submission goes through.
    assert client.post(f"{base}/investigation/", report_post()).status_code == 302
    upload = SimpleUploadedFile("sample.png", image_bytes(), content_type="image/png")
    assert client.post(f"{base}/investigation/photos/", {"file": upload, "caption": "torn end"}).status_code == 302
    investigation.refresh_from_db()
    assert investigation.countermeasures.count() == 2 and investigation.photos.count() == 1
    assert investigation.missing_for_submission() == []
    response = client.post(f"{base}/transitions/submit_report/", {})
    assert response.status_code == 302 and _state(case) == State.REPORT_REVIEW
    assert investigation.versions.count() == 1
    # Frozen now: the form answers 409.
    assert client.get(f"{base}/investigation/").status_code == 409


def test_add_row_without_javascript_keeps_what_was_typed(make_case, login, qa_kyu):
    case = make_case(State.INVESTIGATING)
    data = report_post({"manufacturing_process": "typed, not saved", "countermeasures": COMPLETE_REPORT["countermeasures"][:1]},
                       add_row=True)
    response = login(qa_kyu).post(f"/cases/{case.reference}/investigation/", data)
    assert response.status_code == 200
    assert response.context["formset"].total_form_count() == 2
    assert "typed, not saved" in text(response)
    assert not Investigation.objects.get(case=case).manufacturing_process


def test_a_cleared_countermeasure_row_is_removed(make_case, login, qa_kyu):
    case = make_case(State.INVESTIGATING)
    client = login(qa_kyu)
    client.post(f"/cases/{case.reference}/investigation/", report_post())
    data = report_post()
    for key in ("action", "owner", "due_date", "effectiveness_due", "target"):
        data[f"countermeasures-1-{key}"] = ""
    assert client.post(f"/cases/{case.reference}/investigation/", data).status_code == 302
    assert Investigation.objects.get(case=case).countermeasures.count() == 1


def test_bad_countermeasure_row_is_refused_with_the_field_named(make_case, login, qa_kyu):
    case = make_case(State.INVESTIGATING)
    report = copy.deepcopy(COMPLETE_REPORT)
    report["countermeasures"][0]["done_date"] = "2999-01-01"
    response = login(qa_kyu).post(f"/cases/{case.reference}/investigation/", report_post(report))
    assert response.status_code == 400
    assert "done_date" in response.context["formset"].forms[0].errors


def test_reject_resubmit_approve_shows_the_versions_and_what_changed(make_case, login_en, qa_kyu, qa_manager):
    case = make_case(State.REPORT_REVIEW)
    base = f"/cases/{case.reference}"
    manager, factory = login_en(qa_manager), login_en(qa_kyu)
    response = manager.post(f"{base}/transitions/reject_report/", {"comment": "Say why the check missed it."})
    assert response.status_code == 302 and _state(case) == State.INVESTIGATING

    new_escape = "Our length check looked at one box in fifty; the machine's own sensor was switched off."
    assert factory.post(f"{base}/investigation/", {"consumer_escape": new_escape}).status_code == 302
    assert factory.post(f"{base}/transitions/submit_report/", {}).status_code == 302

    page = manager.get(f"{base}/")
    body = text(page)
    assert "What changed since version 1 was sent back" in body
    assert "Say why the check missed it." in body
    assert "<ins>" in page.content.decode() and "sensor was switched off" in body
    assert page.context["report"]["latest_version"].number == 2
    changed = [c["field"] for c in page.context["report"]["changes"]]
    assert changed == ["consumer_escape"]

    versions = manager.get(f"{base}/investigation/versions/")
    assert versions.status_code == 200
    body = text(versions)
    assert "Version 2" in body and "Version 1" in body and "Rejected" in body
    assert "Say why the check missed it." in body

    assert manager.post(f"{base}/transitions/approve_report/", {"comment": "Clear now."}).status_code == 302
    body = text(manager.get(f"{base}/investigation/versions/"))
    assert "Approved" in body and "Clear now." in body
    # The factory reads the decisions too.
    assert factory.get(f"{base}/investigation/versions/").status_code == 200


@pytest.mark.parametrize("content, name, message", [
    (b"%PDF-1.4 this is no photo", "photo.jpg", "not a readable JPEG or PNG"),
    (b"", "empty.jpg", "The submitted file is empty"),
])
def test_upload_refuses_a_file_that_is_not_a_photo(make_case, login_en, qa_kyu, content, name, message):
    case = make_case(State.INVESTIGATING)
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = login_en(qa_kyu).post(f"/cases/{case.reference}/investigation/photos/", {"file": upload})
    assert response.status_code == 400
    assert message in text(response)
    assert not InvestigationPhoto.objects.exists()


def test_upload_refuses_an_oversized_photo_with_the_limit(make_case, login_en, qa_kyu, settings):
    settings.HITOTSUBU_PHOTO_MAX_BYTES = 10 * 1024
    case = make_case(State.INVESTIGATING)
    big = image_bytes(size=(200, 200), noise=True)
    assert len(big) > settings.HITOTSUBU_PHOTO_MAX_BYTES
    upload = SimpleUploadedFile("big.png", big, content_type="image/png")
    response = login_en(qa_kyu).post(f"/cases/{case.reference}/investigation/photos/", {"file": upload})
    assert response.status_code == 400
    assert "photos may be at most 0.0 MB" in text(response) or "photos may be at most" in text(response)
    assert not InvestigationPhoto.objects.exists()


def test_photos_are_served_privately(make_case, login, cast):
    case = make_case(State.INVESTIGATING)
    client = login(cast["qa_kyu"])
    png = image_bytes()
    client.post(f"/cases/{case.reference}/investigation/photos/", {
        "file": SimpleUploadedFile("a.png", png, content_type="image/png")})
    photo = InvestigationPhoto.objects.get()
    url = f"/cases/{case.reference}/photos/{photo.pk}/"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png
    assert response["X-Content-Type-Options"] == "nosniff"
    for who in ("hotline", "qa_manager", "admin"):
        assert login(cast[who]).get(url).status_code == 200, who
    for who in ("mailroom", "qa_sai"):
        assert login(cast[who]).get(url).status_code == 404, who
    # Removing it from the draft.
    assert client.post(f"/cases/{case.reference}/investigation/photos/{photo.pk}/remove/").status_code == 302
    assert client.get(url).status_code == 404


def test_another_factorys_report_pages_do_not_exist(make_case, login, qa_kyu, qa_sai):
    case = make_case(State.INVESTIGATING)
    login(qa_kyu).post(f"/cases/{case.reference}/investigation/photos/", {
        "file": SimpleUploadedFile("a.png", image_bytes(), content_type="image/png")})
    photo = InvestigationPhoto.objects.get()
    client = login(qa_sai)
    base = f"/cases/{case.reference}"
    for url in (f"{base}/", f"{base}/investigation/", f"{base}/investigation/versions/",
                f"{base}/photos/{photo.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{base}/investigation/", report_post()).status_code == 404
    assert client.post(f"{base}/investigation/photos/", {
        "file": SimpleUploadedFile("b.png", image_bytes(), content_type="image/png")}).status_code == 404
    assert client.post(f"{base}/investigation/photos/{photo.pk}/remove/").status_code == 404
    assert InvestigationPhoto.objects.count() == 1 and not Investigation.objects.get(case=case).manufacturing_process


def test_only_the_factorys_qa_uploads(make_case, login, hotline):
    case = make_case(State.INVESTIGATING)
    response = login(hotline).post(f"/cases/{case.reference}/investigation/photos/", {
        "file": SimpleUploadedFile("a.png", image_bytes(), content_type="image/png")})
    assert response.status_code == 403 and not InvestigationPhoto.objects.exists()
