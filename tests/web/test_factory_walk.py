"""Each factory user walks every page they can reach for a case whose consumer has distinctive
details: not one of those values (nor the phone's digits) appears in any answer."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from defects import selectors, services
from defects.forms import ConsumerForm
from defects.models import State
from factories.models import InvestigationPhoto
from tests.conftest import DISTINCTIVE_CONSUMER

from .helpers import image_bytes, report_post

pytestmark = pytest.mark.django_db

NEW_ADDRESS = {"postal_code": "8120011", "address": "福岡県福岡市博多区博多駅前7-7-7\u3000むらさき荘202",
               "phone": "080-9876-5432"}


def _secrets():
    values = []
    for field, value in {**DISTINCTIVE_CONSUMER, **NEW_ADDRESS}.items():
        values.append(value)
        values.extend(value.split("\u3000"))
        values.append(value.replace("-", ""))
    values += ["810-0001", "812-0011", "0925550123", "08098765432"]
    return [v for v in values if len(v) >= 2]


def _assert_clean(response, url):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    page = body.decode("utf-8", errors="ignore")
    for value in _secrets():
        assert value not in page, f"{value!r} leaked on {url}"


@pytest.fixture
def walked_case(make_case, cast):
    """A KYU case under investigation whose history holds personal data in every form it can take."""
    hotline, qa = cast["hotline"], cast["qa_kyu"]
    case = make_case(State.INVESTIGATING)
    services.log_contact(case, hotline, {
        "channel": "phone", "direction": "inbound",
        "summary": f"{DISTINCTIVE_CONSUMER['consumer_name']} called from {DISTINCTIVE_CONSUMER['consumer_phone']}, "
                   f"lives at {DISTINCTIVE_CONSUMER['consumer_address']}",
        "follow_up_due": timezone.now() - datetime.timedelta(hours=1), "follow_up_owner": hotline,
    })
    form = ConsumerForm(data={**NEW_ADDRESS, "note": f"moved; was {DISTINCTIVE_CONSUMER['consumer_address']}"},
                        partial=True)
    assert form.is_valid(), form.errors
    services.change_consumer_address(case, hotline, form.cleaned_data)
    services.add_photo(case, qa, SimpleUploadedFile("a.png", image_bytes(), content_type="image/png"), "torn")
    return case


@pytest.mark.parametrize("who", ["qa_kyu", "qa_sai"])
def test_factory_users_never_see_the_consumer(walked_case, login, cast, who):
    case = walked_case
    client = login(cast[who])
    own = who == "qa_kyu"
    base = f"/cases/{case.reference}"
    photo = InvestigationPhoto.objects.get()
    return_reference = selectors.return_shipment(case).reference
    pages = ["/", "/queue/", "/cases/", "/cases/?state=open", "/scan/", f"/scan/?reference={return_reference}",
             f"{base}/", f"{base}/investigation/", f"{base}/investigation/versions/", f"{base}/photos/{photo.pk}/"]
    for field in ("consumer_name", "consumer_name_kana", "consumer_phone", "consumer_email", "consumer_postal_code"):
        pages.append("/cases/?q=" + DISTINCTIVE_CONSUMER[field])
        pages.append("/scan/?q=" + DISTINCTIVE_CONSUMER[field])
    pages += ["/cases/?q=0925550123", "/scan/?q=0925550123", "/cases/?q=" + NEW_ADDRESS["phone"]]
    for url in pages:
        response = client.get(url, follow=True)
        theirs = url.startswith(base) or url.startswith("/scan/?reference=")
        expect = (200,) if own or not theirs else (404,)
        assert response.status_code in expect, (url, response.status_code)
        _assert_clean(response, url)
    # The pages of the consumer's side are closed to them, and say nothing either.
    for url in ("/unrouted/", "/redirects/", "/print-room/", f"{base}/consumer/",
                "/address/lookup/?consumer_postal_code=8100001"):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        _assert_clean(response, url)
    # ... and the error pages that re-render the case.
    for response in (client.post(f"{base}/transitions/close/", {}),
                     client.post(f"{base}/transitions/submit_report/", {}),
                     client.post(f"{base}/investigation/", report_post({"retained_samples_checked": "many"}))):
        assert response.status_code in (400, 403, 404, 409)
        _assert_clean(response, "error page")


def test_the_case_page_shows_the_factory_that_the_address_changed_but_not_how(walked_case, login, qa_kyu, hotline):
    page = login(qa_kyu).get(f"/cases/{walked_case.reference}/")
    events = [e for e in page.context["events"] if e.kind == "address_change"]
    assert len(events) == 1
    assert events[0].visible_note == "" and set(events[0].visible_data) == {"changed"}
    # The hotline sees the old and the new values on the timeline.
    body = login(hotline).get(f"/cases/{walked_case.reference}/").content.decode()
    assert DISTINCTIVE_CONSUMER["consumer_address"] in body and NEW_ADDRESS["address"] in body
    assert "<del>" in body and "<ins>" in body
