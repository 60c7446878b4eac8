"""Parcels in the browser: the scan page, the postal-code lookup, the consumer's address change, the
replacement's contents and delivery, what blocks shipping and closing, and redirect requests."""

import pytest

from defects import selectors
from defects.models import Event, RedirectRequest, ReplacementItem, Shipment, ShipmentEvent, State
from factories.models import Product
from tests.conftest import DISTINCTIVE_CONSUMER, print_letters

from .helpers import full_width, text

pytestmark = pytest.mark.django_db


# --- scan ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["qa_kyu", "mailroom"])
def test_scanning_a_full_width_reference_opens_the_case_ready_to_receive(make_case, login, cast, who):
    case = make_case(State.AWAITING_RETURN)
    reference = selectors.return_shipment(case).reference
    client = login(cast[who])
    page = client.get("/scan/")
    assert page.status_code == 200 and 'name="reference"' in page.content.decode() and "autofocus" in page.content.decode()
    typed = full_width(reference.replace("-", "").lower())
    response = client.get("/scan/", {"reference": typed})
    assert response.status_code == 302
    assert response.url == f"/cases/{case.reference}/?receive=1#act-receive_sample"
    page = client.get(response.url)
    [action] = [a for a in page.context["actions"] if a["name"] == "receive_sample"]
    assert action["open"] and action["form"].fields["condition"].widget.attrs.get("autofocus")
    # ... and recording the arrival from there.
    response = client.post(f"/cases/{case.reference}/transitions/receive_sample/", {"condition": "box dented"})
    assert response.status_code == 302
    shipment = selectors.return_shipment(case)
    assert shipment.status == Shipment.Status.RECEIVED and shipment.condition_on_arrival == "box dented"


@pytest.mark.parametrize("reference", ["QQQQ-QQQQ-QQ", "not a reference", "ＸＹＺ"])
def test_an_unknown_reference_is_404_and_writes_nothing(make_case, login_en, mailroom, reference):
    case = make_case(State.AWAITING_RETURN)
    events, shipments = Event.objects.count(), list(Shipment.objects.values())
    response = login_en(mailroom).get("/scan/", {"reference": reference})
    assert response.status_code == 404
    assert "No return parcel has this reference" in text(response)
    assert Event.objects.count() == events and list(Shipment.objects.values()) == shipments
    assert case.state == State.AWAITING_RETURN


def test_another_factorys_parcel_is_unknown_to_the_scan(make_case, login, qa_sai):
    case = make_case(State.AWAITING_RETURN)
    response = login(qa_sai).get("/scan/", {"reference": selectors.return_shipment(case).reference})
    assert response.status_code == 404


def test_scan_is_for_the_factory_and_the_mail_room(login, hotline, qa_manager):
    assert login(hotline).get("/scan/").status_code == 403
    assert login(qa_manager).get("/scan/").status_code == 403


def test_mail_room_matches_a_parcel_without_its_kit_by_name_or_phone(make_case, login, mailroom, qa_kyu):
    case = make_case(State.AWAITING_RETURN)
    client = login(mailroom)
    for q in (DISTINCTIVE_CONSUMER["consumer_name"].replace("\u3000", ""), "0925550123"):
        response = client.get("/scan/", {"q": q})
        assert response.status_code == 200 and [c.pk for c in response.context["matches"]] == [case.pk], q
    # The factory matches by reference only: a name finds nothing and is not echoed.
    response = login(qa_kyu).get("/scan/", {"q": DISTINCTIVE_CONSUMER["consumer_name"]})
    assert response.context["matches"] == [] and DISTINCTIVE_CONSUMER["consumer_name"] not in text(response)
    response = login(qa_kyu).get("/scan/", {"q": case.reference})
    assert [c.pk for c in response.context["matches"]] == [case.pk]


# --- postal code lookup --------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["8100001", "810-0001", "８１０－０００１"])
def test_postal_code_lookup_fills_prefecture_city_and_town(login, hotline, code):
    response = login(hotline).get("/address/lookup/", {"consumer_postal_code": code, "consumer_address": ""},
                                  headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = text(response)
    for part in ("福岡県", "福岡市中央区", "天神", "810-0001"):
        assert part in body
    # The answer names its code and the area; the page's script decides whether to fill it in
    # (only the browser knows what the address field holds when the answer arrives).
    page = response.content.decode()
    assert 'data-postal-code="8100001"' in page and 'data-area="福岡県福岡市中央区天神"' in page
    assert "hx-swap-oob" not in page  # never a server-side overwrite of the address field


def test_postal_code_lookup_answers_name_the_code_they_answer(login, hotline):
    client = login(hotline)
    assert 'data-postal-code="810"' in client.get("/address/lookup/", {"consumer_postal_code": "８１０"}).content.decode()
    assert 'data-postal-code="9999999"' in client.get("/address/lookup/",
                                                      {"consumer_postal_code": "9999999"}).content.decode()


def test_unknown_postal_code_is_a_clear_message_not_an_error_page(login_en, hotline):
    client = login_en(hotline)
    response = client.get("/address/lookup/", {"consumer_postal_code": "9999999"})
    assert response.status_code == 200 and "not in Japan Post's list" in text(response)
    response = client.get("/address/lookup/", {"consumer_postal_code": "810"})
    assert response.status_code == 200 and "seven digits" in text(response)
    response = client.get("/address/lookup/", {"postal_code": "9999999", "address": ""})
    assert response.status_code == 200 and "not in Japan Post's list" in text(response)


def test_intake_and_consumer_form_ask_for_the_lookup(make_case, login, hotline, gum):
    client = login(hotline)
    page = client.get("/cases/new/").content.decode()
    assert 'hx-get="/address/lookup/"' in page and 'data-postal-lookup="id_consumer_address"' in page
    assert "js/intake.js" in page
    case = make_case(State.RECEIVED)
    page = client.get(f"/cases/{case.reference}/consumer/").content.decode()
    assert 'hx-get="/address/lookup/"' in page and 'data-postal-lookup="id_address"' in page


# --- the consumer's details ----------------------------------------------------------------------

def _consumer_post(case, **changes):
    consumer = case.consumer
    data = {name: getattr(consumer, name) for name in ("name", "name_kana", "postal_code", "address", "phone",
                                                        "email", "language")}
    data.update(changes)
    return data


def test_hotline_changes_the_address_and_the_timeline_shows_old_and_new(make_case, login, hotline):
    case = make_case(State.AWAITING_RETURN)
    client = login(hotline)
    new = "福岡県福岡市中央区天神1-2-3\u3000新天神ビル4F"
    response = client.post(f"/cases/{case.reference}/consumer/", _consumer_post(case, address=new, note="moved"))
    assert response.status_code == 302
    case.consumer.refresh_from_db()
    assert case.consumer.address == new
    event = case.events.get(kind=Event.Kind.ADDRESS_CHANGE)
    assert "old" not in event.data  # the values live in the history row the event points at
    assert selectors.event_data_for(hotline, event)["old"]["address"] == DISTINCTIVE_CONSUMER["consumer_address"]
    body = text(client.get(f"/cases/{case.reference}/"))
    assert DISTINCTIVE_CONSUMER["consumer_address"] in body and new in body


def test_a_bad_postal_code_is_refused_on_the_consumer_form(make_case, login, hotline):
    case = make_case(State.RECEIVED)
    response = login(hotline).post(f"/cases/{case.reference}/consumer/", _consumer_post(case, postal_code="9999999"))
    assert response.status_code == 400 and "postal_code" in response.context["form"].errors
    assert not case.events.filter(kind=Event.Kind.ADDRESS_CHANGE).exists()


@pytest.mark.parametrize("who", ["qa_kyu", "mailroom", "qa_manager"])
def test_only_the_hotline_edits_the_consumer(make_case, login, cast, who):
    case = make_case(State.RECEIVED)
    client = login(cast[who])
    assert client.get(f"/cases/{case.reference}/consumer/").status_code == 403
    assert client.post(f"/cases/{case.reference}/consumer/", _consumer_post(case, address="x")).status_code == 403


def test_an_address_change_after_shipping_opens_a_redirect_request_that_is_then_done(make_case, login, cast):
    case = make_case(State.REPLACEMENT_SHIPPED)
    hotline, mailroom = login(cast["hotline"]), login(cast["mailroom"])
    response = hotline.post(f"/cases/{case.reference}/consumer/", _consumer_post(
        case, postal_code="8120011", address="福岡県福岡市博多区博多駅前1-1", redirect_owner="mailroom"))
    assert response.status_code == 302
    redirect = RedirectRequest.objects.get()
    assert redirect.owner == cast["mailroom"] and redirect.is_open
    for client in (hotline, mailroom):
        page = client.get("/redirects/")
        assert page.status_code == 200 and [r.pk for r in page.context["redirects"]] == [redirect.pk]
    assert login(cast["qa_kyu"]).get("/redirects/").status_code == 403
    response = mailroom.post(f"/redirects/{redirect.pk}/done/", {"note": "Yamato confirmed the redirect."})
    assert response.status_code == 302
    redirect.refresh_from_db()
    assert not redirect.is_open and redirect.done_note == "Yamato confirmed the redirect."
    assert mailroom.get("/redirects/").context["redirects"] == []
    # Done twice: nothing more happens.
    assert mailroom.post(f"/redirects/{redirect.pk}/done/", {}).status_code == 302


# --- replacement, delivery and what blocks ------------------------------------------------------

def test_ship_and_close_say_what_blocks_them(make_case, login_en, cast):
    case = make_case(State.APPROVED)
    client = login_en(cast["mailroom"])
    page = client.get(f"/cases/{case.reference}/")
    [ship] = [a for a in page.context["actions"] if a["name"] == "ship_replacement"]
    assert ship["blockers"] and "apology letter" in text(page).lower()
    response = client.post(f"/cases/{case.reference}/transitions/ship_replacement/",
                           {"carrier": "yamato", "tracking_number": "123456789013"})
    assert response.status_code == 409
    assert "is not printed yet" in text(response) or "has not been made" in text(response)
    assert case.events.filter(transition="ship_replacement").count() == 0

    print_letters(case, cast["mailroom"])
    assert client.post(f"/cases/{case.reference}/transitions/ship_replacement/",
                       {"carrier": "yamato", "tracking_number": "123456789013"}).status_code == 302
    response = login_en(cast["hotline"]).post(f"/cases/{case.reference}/transitions/close/", {"note": "done"})
    assert response.status_code == 409 and "confirmed delivered" in text(response)

    # The mail room records the delivery on the parcel panel; then the case closes.
    shipment = selectors.replacement_shipment(case)
    page = client.get(f"/cases/{case.reference}/")
    [panel] = [p for p in page.context["shipments"] if p["shipment"].pk == shipment.pk]
    assert panel["event_form"] is not None
    response = client.post(f"/cases/{case.reference}/shipments/{shipment.pk}/events/", {"kind": "delivered"})
    assert response.status_code == 302
    assert ShipmentEvent.objects.filter(shipment=shipment, kind="delivered").count() == 1
    assert login_en(cast["hotline"]).post(f"/cases/{case.reference}/transitions/close/", {}).status_code == 302


def test_factory_qa_records_no_parcel_event(make_case, login, cast):
    case = make_case(State.REPLACEMENT_SHIPPED)
    shipment = selectors.replacement_shipment(case)
    response = login(cast["qa_kyu"]).post(f"/cases/{case.reference}/shipments/{shipment.pk}/events/",
                                          {"kind": "delivered"})
    assert response.status_code == 403 and not shipment.events.exists()


def test_replacement_contents_are_edited_at_approval(make_case, login, cast, gum):
    case = make_case(State.APPROVED)
    client = login(cast["mailroom"])
    page = client.get(f"/cases/{case.reference}/replacement/")
    assert page.status_code == 200 and page.context["formset"].total_form_count() == 1
    data = {"items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "1", "items-MIN_NUM_FORMS": "1",
            "items-MAX_NUM_FORMS": "10",
            "items-0-kind": "product", "items-0-product": gum.code, "items-0-quantity": "2",
            "items-1-kind": "coupon", "items-1-coupon_code": "sorry-500", "items-1-value_yen": "500",
            "items-1-quantity": "1"}
    assert client.post(f"/cases/{case.reference}/replacement/", data).status_code == 302
    items = list(ReplacementItem.objects.filter(case=case).order_by("id"))
    assert [(i.kind, i.quantity) for i in items] == [("product", 2), ("coupon", 1)]
    assert items[1].coupon_code == "SORRY-500"
    # Without a product the parcel is refused, with the reason.
    bad = dict(data, **{"items-0-kind": "gift", "items-0-description": "tea towel", "items-0-value_yen": "300"})
    response = client.post(f"/cases/{case.reference}/replacement/", bad)
    assert response.status_code == 400
    # Removing the coupon line.
    data["items-1-remove"] = "on"
    assert client.post(f"/cases/{case.reference}/replacement/", data).status_code == 302
    assert list(ReplacementItem.objects.filter(case=case).values_list("kind", flat=True)) == ["product"]
    assert login(cast["qa_kyu"]).get(f"/cases/{case.reference}/replacement/").status_code == 403


def test_replacement_contents_cannot_change_after_shipping(make_case, login, cast):
    case = make_case(State.REPLACEMENT_SHIPPED)
    assert login(cast["mailroom"]).get(f"/cases/{case.reference}/replacement/").status_code == 409


# --- routing -------------------------------------------------------------------------------------

@pytest.fixture
def biscuit(db):
    return Product.objects.create(code="BISCUIT-12", name="ビスケット 12枚")  # made in several plants


def test_qa_manager_assigns_an_unrouted_case(make_case, login, cast, biscuit, kyu):
    case = make_case(State.RECEIVED, product=biscuit)
    assert case.factory is None and case.routing_note
    client = login(cast["qa_manager"])
    page = client.get("/unrouted/")
    assert page.status_code == 200 and [c.pk for c in page.context["cases"]] == [case.pk]
    assert case.routing_note in text(page)
    response = client.post(f"/cases/{case.reference}/factory/", {
        f"assign-{case.pk}-factory": "KYU", f"assign-{case.pk}-note": "plant code KY on the photo", "from": "unrouted"})
    assert response.status_code == 302 and response.url == "/unrouted/"
    case.refresh_from_db()
    assert case.factory == kyu and case.events.filter(kind=Event.Kind.ASSIGNMENT).exists()
    assert client.get("/unrouted/").context["cases"] == []
    # The hotline sees the queue without the form; factory users do not see it at all.
    assert login(cast["hotline"]).get("/unrouted/").context["may_assign"] is False
    assert login(cast["qa_kyu"]).get("/unrouted/").status_code == 403
    assert login(cast["hotline"]).post(f"/cases/{case.reference}/factory/", {
        f"assign-{case.pk}-factory": "SAI"}).status_code == 403


def test_routing_facts_are_on_the_case_page(make_case, login, qa_kyu):
    case = make_case(State.INVESTIGATING)
    body = text(login(qa_kyu).get(f"/cases/{case.reference}/"))
    assert case.routing_note in body
