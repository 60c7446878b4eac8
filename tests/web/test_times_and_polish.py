"""Times in Asia/Tokyo everywhere, with the zone named where it could be doubted; the favicon; photo
uploads that keep the typed report; the manager's comment on the form the factory edits."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from defects import selectors
from defects.models import DefectCase, Shipment, State
from factories.models import Investigation

from .helpers import image_bytes, report_post, text

pytestmark = pytest.mark.django_db

# 19:30 UTC is 04:30 the next morning in Tokyo: the bug showed "19:30".
UTC_EVENING = datetime.datetime(2026, 11, 30, 19, 30, tzinfo=datetime.UTC)


def test_scan_of_a_parcel_already_arrived_says_when_in_tokyo_time(make_case, login_en, mailroom):
    case = make_case(State.SAMPLE_RECEIVED)
    shipment = selectors.return_shipment(case)
    Shipment.objects.filter(pk=shipment.pk).update(received_at=UTC_EVENING)
    response = login_en(mailroom).get("/scan/", {"reference": shipment.reference}, follow=True)
    body = text(response)
    assert "already recorded as arrived on 2026-12-01 04:30 JST" in body
    assert "19:30" not in body


def test_case_page_shows_times_in_tokyo_with_the_zone_in_the_header(make_case, login, hotline):
    case = make_case(State.SAMPLE_RECEIVED)
    DefectCase.objects.filter(pk=case.pk).update(received_at=UTC_EVENING)
    Shipment.objects.filter(pk=selectors.return_shipment(case).pk).update(received_at=UTC_EVENING)
    body = text(login(hotline).get(f"/cases/{case.reference}/"))
    assert "2026-12-01 04:30 JST" in body  # the header: received, with the zone
    assert "2026-12-01 04:30" in body.split('id="case-header"')[1]
    assert "19:30" not in body


def test_home_page_names_the_zone(login, hotline):
    assert "Asia/Tokyo (JST)" in text(login(hotline).get("/"))


def test_pages_link_a_favicon_that_is_served(login, hotline, client):
    page = text(login(hotline).get("/"))
    assert 'rel="icon" href="/static/favicon.svg"' in page
    assert client.get("/favicon.ico")["Location"] == "/static/favicon.svg"


def test_photo_upload_saves_the_typed_report_first(make_case, login, qa_kyu):
    case = make_case(State.INVESTIGATING)
    client = login(qa_kyu)
    form = text(client.get(f"/cases/{case.reference}/investigation/"))
    # The upload button belongs to the report form: the browser sends the typed text with the photo.
    assert 'id="inv-form"' in form and 'form="inv-form"' in form
    assert f'formaction="/cases/{case.reference}/investigation/photos/"' in form
    typed = report_post()
    typed["sample_findings"] = "Typed but not saved yet: the stick is 2 mm short."
    typed["file"] = SimpleUploadedFile("sample.png", image_bytes(), content_type="image/png")
    typed["caption"] = "torn end"
    typed["upload_photo"] = "1"
    response = client.post(f"/cases/{case.reference}/investigation/photos/", typed)
    assert response.status_code == 302 and response.url.endswith("#photos")
    investigation = Investigation.objects.get(case=case)
    assert investigation.sample_findings == "Typed but not saved yet: the stick is 2 mm short."
    assert investigation.photos.count() == 1
    assert "Typed but not saved yet" in text(client.get(f"/cases/{case.reference}/investigation/"))


def test_photo_upload_with_a_bad_report_field_keeps_the_text_and_adds_no_photo(make_case, login, qa_kyu):
    case = make_case(State.INVESTIGATING)
    typed = report_post()
    typed["sample_findings"] = "Kept even though the table below is wrong."
    typed["countermeasures-0-due_date"] = "not a date"
    typed["file"] = SimpleUploadedFile("sample.png", image_bytes(), content_type="image/png")
    response = login(qa_kyu).post(f"/cases/{case.reference}/investigation/photos/", typed)
    assert response.status_code == 400
    assert "Kept even though the table below is wrong." in text(response)
    assert not Investigation.objects.get(case=case).photos.exists()


def test_the_managers_comment_is_on_the_form_the_factory_edits(make_case, login, login_en, qa_kyu, qa_manager):
    case = make_case(State.REPORT_REVIEW)
    login(qa_manager).post(f"/cases/{case.reference}/transitions/reject_report/",
                           {"comment": "Say why the length check missed it."})
    form = text(login_en(qa_kyu).get(f"/cases/{case.reference}/investigation/"))
    assert "Sent back by the QA manager" in form
    assert "Say why the length check missed it." in form
    assert form.index("Say why the length check missed it.") < form.index('id="inv-form"')
