"""Issue 3's must-show on the API: a factory user walks every endpoint they can reach and meets no
personal data, and another factory's case does not exist for them anywhere.

Each factory user gets a case of their own with a full history: a call quoting the consumer, an
address change (old and new address in the timeline), a parcel event whose note names the consumer,
a photo, a rejected and resubmitted report, letters, and a second report on the same lot from
another consumer. Nothing of either consumer may appear in any answer: name, kana, postal code,
address, phone (also as digits only) or e-mail.
"""

import json

import pytest

from defects import extensions, selectors, services
from defects.forms import ContactForm
from defects.models import State
from letters.models import Letter
from tests.api.conftest import case_url, image_bytes, upload
from tests.conftest import COMPLETE_REPORT, DISTINCTIVE_CONSUMER

NEW_ADDRESS = {"postal_code": "1500002", "address": "東京都渋谷区渋谷2-21-1\u3000ひとつぶタワー808"}
OTHER_CONSUMER = {
    "consumer_name": "鷹司\u3000雅楽", "consumer_name_kana": "タカツカサ\u3000ウタ", "consumer_postal_code": "5300001",
    "consumer_address": "大阪府大阪市北区梅田1-1-1", "consumer_phone": "06-6543-2109",
    "consumer_email": "uta.t@example.jp",
}


def digits(text):
    return "".join(ch for ch in text if ch.isdigit())


SECRETS = sorted({
    *DISTINCTIVE_CONSUMER.values(), *NEW_ADDRESS.values(), *OTHER_CONSUMER.values(),
    digits(DISTINCTIVE_CONSUMER["consumer_phone"]), digits(OTHER_CONSUMER["consumer_phone"]),
    "蒼井", "紫苑", "アオイ", "シオン", "鷹司", "雅楽", "ひとつぶハイツ", "ひとつぶタワー",
})


def assert_no_personal_data(label, response):
    if response.streaming:  # the photo: bytes we made, checked for being served at all
        return
    text = response.content.decode()
    for secret in SECRETS:
        for form in {secret, json.dumps(secret)[1:-1]}:  # also \\u-escaped, should JSON ever go ASCII-only
            assert form not in text, (label, secret, text[:300])


def with_history(case, cast, api, qa_name):
    """Give the case everything a timeline can hold that might quote the consumer."""
    consumer = DISTINCTIVE_CONSUMER
    summary = f"{consumer['consumer_name']}様より入電。{consumer['consumer_phone']}、{consumer['consumer_email']}"
    form = ContactForm(data={"channel": "phone", "direction": "inbound", "summary": summary})
    assert form.is_valid(), form.errors
    services.log_contact(case, cast["hotline"], form.cleaned_data)
    moved = api("hotline").patch(case_url(case, "consumer"), {**NEW_ADDRESS, "note": f"転居: {NEW_ADDRESS['address']}"},
                                 format="json")
    assert moved.status_code == 200, moved.content
    kit = case.shipments.get(direction="return")
    services.record_shipment_event(kit, cast["mailroom"], "in_transit", note=f"{consumer['consumer_name']}様より発送連絡")
    qa = api(qa_name)
    assert qa.put(case_url(case, "investigation"), COMPLETE_REPORT, format="json").status_code == 200
    photo = qa.post(case_url(case, "investigation", "photos"), {"file": upload("p.jpg", image_bytes()),
                                                               "caption": "wrapper"}, format="multipart")
    assert photo.status_code == 201
    assert qa.post(case_url(case, "transitions", "submit_report"), {}, format="json").status_code == 200
    services.perform(case, "reject_report", cast["qa_manager"], {"comment": "Say how many retained packs."})
    return photo.json()


@pytest.fixture
def world(make_case, cast, api, chocolate):
    """For each factory user: their own case with a full history, and a second report on the same lot."""
    cases = {}
    for qa_name, product in (("qa_kyu", None), ("qa_sai", chocolate)):
        extra = {"product": product} if product else {}
        case = make_case(State.INVESTIGATING, **extra)
        photo = with_history(case, cast, api, qa_name)
        same_lot = make_case(State.AWAITING_RETURN, **extra, **OTHER_CONSUMER)
        cases[qa_name] = {"case": case, "photo": photo, "same_lot": same_lot}
    return cases


def walk(client, case, photo, same_lot):
    """(label, response, expected status) for every endpoint a factory user can reach about `case`."""
    consumer = DISTINCTIVE_CONSUMER
    letter = Letter.objects.filter(case=case).first()
    kit = case.shipments.get(direction="return")
    reference = kit.reference
    get = client.get
    yield "detail", get(case_url(case)), 200
    yield "list", get("/api/cases/"), 200
    for key in ("consumer_name", "consumer_name_kana", "consumer_phone", "consumer_email", "consumer_postal_code",
                "consumer_address"):
        yield f"search {key}", get("/api/cases/", {"q": consumer[key]}), 200
    yield "search phone digits", get("/api/cases/", {"q": digits(consumer["consumer_phone"])}), 200
    yield "search new address", get("/api/cases/", {"q": NEW_ADDRESS["address"]}), 200
    yield "events", get(case_url(case, "events")), 200
    yield "contacts", get(case_url(case, "contacts")), 403
    yield "investigation", get(case_url(case, "investigation")), 200
    yield "related report's investigation", get(case_url(same_lot, "investigation")), 200
    yield "versions", get(case_url(case, "investigation", "versions")), 200
    yield "photo", get(photo["url"]), 200
    yield "shipments", get(case_url(case, "shipments")), 200
    yield "replacement", get(case_url(case, "replacement")), 200
    yield "letters", get(case_url(case, "letters")), 403
    yield "letter pdf", get(f"/api/letters/{letter.pk}/pdf/"), 403
    yield "scan", client.post("/api/returns/scan/", {"reference": reference}, format="json"), 200
    yield "scan by name", client.post("/api/returns/scan/", {"reference": consumer["consumer_name"]}, format="json"), 404
    yield "unrouted", get("/api/cases/unrouted/"), 403
    yield "redirects", get("/api/redirects/"), 403
    yield "match by reference", get("/api/parcels/match/", {"q": reference}), 200
    for key in ("consumer_name", "consumer_name_kana", "consumer_phone"):
        yield f"match {key}", get("/api/parcels/match/", {"q": consumer[key]}), 200
    yield "consumer patch", client.patch(case_url(case, "consumer"), {"phone": consumer["consumer_phone"]},
                                         format="json"), 403
    yield "parcel event", client.post(f"/api/shipments/{kit.pk}/events/", {"kind": "in_transit"}, format="json"), 403
    yield "assign factory", client.post(case_url(case, "assign-factory"), {"factory": "KYU"}, format="json"), 403
    yield "save report", client.put(case_url(case, "investigation"), {"prevention": "Every box."}, format="json"), 200
    yield "resubmit", client.post(case_url(case, "transitions", "submit_report"), {}, format="json"), 200
    yield "versions after", get(case_url(case, "investigation", "versions")), 200
    yield "detail after", get(case_url(case)), 200


@pytest.mark.parametrize("qa_name", ["qa_kyu", "qa_sai"])
def test_a_factory_user_meets_no_personal_data_on_any_endpoint(world, api, qa_name):
    mine = world[qa_name]
    case = mine["case"]
    answers = list(walk(api(qa_name), case, mine["photo"], mine["same_lot"]))
    assert [(label, r.status_code) for label, r, _ in answers] == [(label, code) for label, _, code in answers]
    for label, response, _code in answers:
        assert_no_personal_data(label, response)
    detail = dict((label, r) for label, r, _ in answers)["detail"].json()
    assert set(detail) == set(selectors.FACTORY_CASE_FIELDS) | {"available_transitions"} | set(extensions.CASE_JSON)
    # The data is really there to leak: the address change and the call are on the timeline ...
    events = dict((label, r) for label, r, _ in answers)["events"].json()
    kinds = [e["kind"] for e in events]
    assert "address_change" in kinds and "contact" in kinds
    assert [e["data"] for e in events if e["kind"] == "address_change"] == [{"changed": ["address", "postal_code"]}]
    # ... the related report is listed by reference only, and searches by personal data find nothing.
    related = dict((label, r) for label, r, _ in answers)["investigation"].json()["related_reports"]
    assert [r["reference"] for r in related] == [mine["same_lot"].reference]
    for label, response, _code in answers:
        if label.startswith(("search ", "match ")) and label != "match by reference":
            assert response.json()["results"] == [], label
    # The control: the hotline does see the new address on the same case.
    assert api("hotline").get(case_url(case)).json()["consumer"]["postal_code"] == NEW_ADDRESS["postal_code"]


def other_factory_requests(case, photo, shipment_id, reference):
    yield "get", case_url(case), None
    yield "get", case_url(case, "events"), None
    yield "get", case_url(case, "contacts"), None
    yield "get", case_url(case, "investigation"), None
    yield "put", case_url(case, "investigation"), {"prevention": "x"}
    yield "get", case_url(case, "investigation", "versions"), None
    yield "post", case_url(case, "investigation", "photos"), {}
    yield "delete", case_url(case, "investigation", "photos", str(photo["id"])), None
    yield "get", f"/api/photos/{photo['id']}/", None
    yield "get", case_url(case, "shipments"), None
    yield "get", case_url(case, "replacement"), None
    yield "put", case_url(case, "replacement"), {"items": []}
    yield "get", case_url(case, "letters"), None
    yield "patch", case_url(case, "consumer"), {"address": "x"}
    yield "post", case_url(case, "assign-factory"), {"factory": "SAI"}
    yield "post", f"/api/shipments/{shipment_id}/events/", {"kind": "in_transit"}
    yield "post", "/api/returns/scan/", {"reference": reference}
    for name in ("receive_sample", "start_investigation", "submit_report", "withdraw"):
        yield "post", case_url(case, "transitions", name), {}


@pytest.mark.parametrize("qa_name,other", [("qa_kyu", "qa_sai"), ("qa_sai", "qa_kyu")])
def test_another_factorys_case_answers_404_everywhere(world, api, qa_name, other):
    theirs = world[other]
    case = theirs["case"]
    kit = case.shipments.get(direction="return")
    nobody = api(qa_name).get(case_url("D-2026-999999")).json()
    events_before = case.events.count()
    for method, url, body in other_factory_requests(case, theirs["photo"], kit.pk, kit.reference):
        kwargs = {"format": "multipart"} if url.endswith("/photos/") else {"format": "json"}
        response = getattr(api(qa_name), method)(url, body, **kwargs)
        assert response.status_code == 404, (method, url, response.content)
        assert_no_personal_data(url, response)
        if url == case_url(case):
            assert response.json() == nobody  # no oracle for "this reference is in use"
    assert case.events.count() == events_before
    # The photo is still there for its own factory.
    assert api(other).get(theirs["photo"]["url"]).status_code == 200
