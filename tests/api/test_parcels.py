"""Parcels over the API: shipments, scan, match, parcel events, the replacement, consumer changes and
redirects, the postal-code lookup, and the 409s that say what a parcel still waits for."""

import pytest

from defects import selectors
from defects.models import Event, RedirectRequest, ShipmentEvent, State
from tests.api.conftest import case_url
from tests.conftest import DISTINCTIVE_CONSUMER, deliver_replacement, print_letters


def fullwidth(text: str) -> str:
    return "".join("ー" if ch == "-" else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def return_reference(case) -> str:
    return case.shipments.get(direction="return").reference


# --- shipments -------------------------------------------------------------------------------------

def test_shipments_list_the_return_and_the_replacement(make_case, api):
    case = make_case(State.REPLACEMENT_SHIPPED)
    for who in ("hotline", "mailroom", "qa_kyu"):
        parcels = api(who).get(case_url(case, "shipments"))
        assert parcels.status_code == 200, who
        kit, replacement = parcels.json()
        assert (kit["direction"], kit["reference"], kit["carrier"], kit["status"], kit["payment"]) == (
            "return", return_reference(case), "yamato", "received", "cash_on_delivery")
        assert kit["expected_by"] and kit["received_at"] and kit["condition_on_arrival"] == "wrapper torn at one end"
        assert (replacement["direction"], replacement["reference"], replacement["status"]) == (
            "replacement", "", "shipped")
        assert replacement["tracking_number"] == "123456789013" and replacement["shipped_by"] == "mailroom"
        assert [(i["kind"], i["product"], i["quantity"]) for i in replacement["items"]] == [
            ("product", "GUM-MINT-9", 1)]


def test_factory_users_get_parcel_events_without_staff_notes(make_case, api, cast):
    case = make_case(State.REPLACEMENT_SHIPPED)
    deliver_replacement(case, cast["mailroom"], note=f"Handed to {DISTINCTIVE_CONSUMER['consumer_name']}")
    events = api("qa_kyu").get(case_url(case, "shipments")).json()[1]["events"]
    assert [(e["kind"], e["note"]) for e in events] == [("delivered", "")]
    assert api("hotline").get(case_url(case, "shipments")).json()[1]["events"][0]["note"].startswith("Handed to")


# --- scan and match ----------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["mailroom", "qa_kyu", "hotline"])
def test_scanning_a_return_reference_in_any_spelling_answers_the_case(make_case, api, who):
    case = make_case(State.AWAITING_RETURN)
    response = api(who).post("/api/returns/scan/", {"reference": fullwidth(return_reference(case)).lower()},
                             format="json")
    assert response.status_code == 200, response.content
    assert response.json()["reference"] == case.reference
    assert "receive_sample" in response.json()["available_transitions"] or who == "hotline"


@pytest.mark.parametrize("text", ["R7K3-M9QX-26", "HELLO", "D-2026-000001"])
def test_an_unknown_reference_is_404(make_case, api, text):
    make_case(State.AWAITING_RETURN)
    response = api("mailroom").post("/api/returns/scan/", {"reference": text}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_another_factorys_return_is_404_and_a_missing_reference_400(make_case, api):
    case = make_case(State.AWAITING_RETURN)
    assert api("qa_sai").post("/api/returns/scan/", {"reference": return_reference(case)},
                              format="json").status_code == 404
    missing = api("mailroom").post("/api/returns/scan/", {}, format="json")
    assert missing.status_code == 400 and "reference" in missing.json()


def test_a_parcel_without_its_kit_is_matched_by_name_in_the_mail_room_only(make_case, api):
    case = make_case(State.AWAITING_RETURN)
    found = api("mailroom").get("/api/parcels/match/", {"q": "ｱｵｲ ｼｵﾝ"})
    assert found.status_code == 200 and [c["reference"] for c in found.json()["results"]] == [case.reference]
    assert found.json()["results"][0]["consumer"]["name"] == DISTINCTIVE_CONSUMER["consumer_name"]
    assert api("qa_kyu").get("/api/parcels/match/", {"q": "蒼井"}).json()["results"] == []
    by_reference = api("qa_kyu").get("/api/parcels/match/", {"q": return_reference(case)}).json()["results"]
    assert [c["reference"] for c in by_reference] == [case.reference] and "consumer" not in by_reference[0]
    assert api("mailroom").get("/api/parcels/match/").status_code == 400


# --- parcel events -----------------------------------------------------------------------------------

def test_delivery_is_recorded_once_201_then_200(make_case, api):
    case = make_case(State.REPLACEMENT_SHIPPED)
    parcel = selectors.replacement_shipment(case)
    body = {"kind": "delivered", "source": "carrier", "external_id": "YMT-778", "at": "2026-11-22T10:00:00+09:00"}
    first = api("mailroom").post(f"/api/shipments/{parcel.pk}/events/", body, format="json")
    assert first.status_code == 201, first.content
    again = api("mailroom").post(f"/api/shipments/{parcel.pk}/events/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert ShipmentEvent.objects.count() == 1
    assert api("hotline").post(case_url(case, "transitions", "close"), {}, format="json").status_code == 200


@pytest.mark.parametrize("body,field", [
    ({"kind": "lost"}, "kind"),
    ({"kind": "delivered", "source": "carrier"}, "external_id"),
    ({"kind": "delivered", "at": "yesterday"}, "at"),
    ({"kind": ["delivered"]}, "kind"),
])
def test_a_bad_parcel_event_is_400_naming_the_field(make_case, api, body, field):
    parcel = selectors.replacement_shipment(make_case(State.REPLACEMENT_SHIPPED))
    response = api("mailroom").post(f"/api/shipments/{parcel.pk}/events/", body, format="json")
    assert response.status_code == 400 and field in response.json()


def test_parcel_events_are_for_the_mail_room_hotline_and_admin(make_case, api):
    case = make_case(State.REPLACEMENT_SHIPPED)
    parcel = selectors.replacement_shipment(case)
    url = f"/api/shipments/{parcel.pk}/events/"
    assert api("qa_kyu").post(url, {"kind": "delivered"}, format="json").status_code == 403
    assert api("qa_manager").post(url, {"kind": "delivered"}, format="json").status_code == 403
    assert api("qa_sai").post(url, {"kind": "delivered"}, format="json").status_code == 404
    assert api("mailroom").post("/api/shipments/999999/events/", {"kind": "delivered"}, format="json"
                                ).status_code == 404
    kit = case.shipments.get(direction="return")
    refused = api("mailroom").post(f"/api/shipments/{kit.pk}/events/", {"kind": "delivered"}, format="json")
    assert refused.status_code == 409 and refused.json()["state"] == State.REPLACEMENT_SHIPPED


# --- what the parcel waits for ----------------------------------------------------------------------

def test_shipping_before_the_parcel_letters_are_printed_is_409_with_the_blockers(make_case, api, cast):
    case = make_case(State.APPROVED)
    payload = {"carrier": "yamato", "tracking_number": "1234-5678-9013"}
    refused = api("mailroom").post(case_url(case, "transitions", "ship_replacement"), payload, format="json",
                                   HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "transition_blocked" and body["state"] == State.APPROVED
    assert len(body["blockers"]) == 3 and "apology letter" in body["blockers"][1]
    assert "packing slip" in body["blockers"][2]
    print_letters(case, cast["mailroom"])
    shipped = api("mailroom").post(case_url(case, "transitions", "ship_replacement"), payload, format="json")
    assert shipped.status_code == 200 and shipped.json()["state"] == State.REPLACEMENT_SHIPPED


def test_closing_before_delivery_is_409_with_the_blocker(make_case, api):
    case = make_case(State.REPLACEMENT_SHIPPED)
    refused = api("hotline").post(case_url(case, "transitions", "close"), {}, format="json",
                                  HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 409 and refused.json()["code"] == "transition_blocked"
    assert "confirmed delivered" in refused.json()["blockers"][0]


# --- the replacement's contents -------------------------------------------------------------------------

def test_replacement_contents_are_read_and_changed_until_it_ships(make_case, api, chocolate):
    case = make_case(State.APPROVED)
    assert [(i["product"], i["quantity"]) for i in api("qa_kyu").get(case_url(case, "replacement")).json()["items"]
            ] == [("GUM-MINT-9", 1)]
    items = [{"kind": "product", "product": "GUM-MINT-9", "quantity": 2},
             {"kind": "gift", "product": "CHOCO-BAR", "value_yen": 200}]
    changed = api("mailroom").put(case_url(case, "replacement"), {"items": items}, format="json")
    assert changed.status_code == 200, changed.content
    assert [(i["kind"], i["product"], i["quantity"]) for i in changed.json()["items"]] == [
        ("product", "GUM-MINT-9", 2), ("gift", "CHOCO-BAR", 1)]
    assert case.events.filter(kind=Event.Kind.SHIPMENT, data__action="contents_changed").exists()


@pytest.mark.parametrize("items,field", [
    ([{"kind": "gift", "description": "stickers", "value_yen": 100}], "items"),
    ([{"kind": "product", "product": "NOPE"}], "items[0].product"),
    ([{"kind": "product", "product": "GUM-MINT-9", "quantity": "lots"}], "items[0].quantity"),
    ([{"kind": "product", "product": "GUM-MINT-9", "quantity": 99}], "items[0].quantity"),
    ([{"kind": "product", "product": "GUM-MINT-9"}, {"kind": "coupon", "value_yen": 300}], "items[1].coupon_code"),
    ([{"kind": "product", "product": "GUM-MINT-9", "colour": "red"}], "items[0]"),
    (["GUM-MINT-9"], "items[0]"),
    ([], "items"),
])
def test_bad_replacement_lines_answer_400_naming_the_line(make_case, api, items, field):
    case = make_case(State.APPROVED)
    response = api("hotline").put(case_url(case, "replacement"), {"items": items}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()


def test_replacement_changes_are_for_hotline_and_mail_room_until_shipped(make_case, api):
    body = {"items": [{"kind": "product", "product": "GUM-MINT-9", "quantity": 2}]}
    case = make_case(State.APPROVED)
    for who, code in (("qa_manager", 403), ("qa_kyu", 403), ("qa_sai", 404)):
        assert api(who).put(case_url(case, "replacement"), body, format="json").status_code == code, who
    shipped = make_case(State.REPLACEMENT_SHIPPED)
    refused = api("hotline").put(case_url(shipped, "replacement"), body, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "replacement_not_editable"


# --- the consumer's details, redirects -------------------------------------------------------------------

NEW_ADDRESS = {"postal_code": "１５０－０００２", "address": "東京都渋谷区渋谷2-21-1", "note": "Moved last week."}


def test_hotline_changes_the_address_and_the_timeline_keeps_old_and_new(make_case, api):
    case = make_case(State.AWAITING_RETURN)
    response = api("hotline").patch(case_url(case, "consumer"), NEW_ADDRESS, format="json")
    assert response.status_code == 200, response.content
    consumer = response.json()["consumer"]
    assert (consumer["postal_code"], consumer["address"]) == ("1500002", "東京都渋谷区渋谷2-21-1")
    assert consumer["name"] == DISTINCTIVE_CONSUMER["consumer_name"]  # not sent, not changed
    change = [e for e in api("hotline").get(case_url(case, "events")).json() if e["kind"] == "address_change"]
    assert change[0]["data"]["old"]["postal_code"] == "8100001" and change[0]["note"] == "Moved last week."
    factory_view = [e for e in api("qa_kyu").get(case_url(case, "events")).json() if e["kind"] == "address_change"]
    assert factory_view[0]["data"] == {"changed": ["address", "postal_code"]} and factory_view[0]["note"] == ""


@pytest.mark.parametrize("body,field", [
    ({"postal_code": "0000000"}, "postal_code"),
    ({"postal_code": ["8100001"]}, "postal_code"),
    ({"phone": "call me"}, "phone"),
    ({"name": ""}, "name"),
    ({"note": "only a note"}, "non_field_errors"),
    ({"phone": "", "email": "", "address": ""}, "phone"),
])
def test_bad_consumer_changes_answer_400_naming_the_field(make_case, api, body, field):
    case = make_case(State.AWAITING_RETURN)
    response = api("hotline").patch(case_url(case, "consumer"), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not case.events.filter(kind=Event.Kind.ADDRESS_CHANGE).exists()


@pytest.mark.parametrize("who,code", [("qa_manager", 403), ("mailroom", 403), ("admin", 403), ("qa_kyu", 403),
                                      ("qa_sai", 404)])
def test_only_the_hotline_changes_the_consumer(make_case, api, who, code):
    case = make_case(State.AWAITING_RETURN)
    assert api(who).patch(case_url(case, "consumer"), NEW_ADDRESS, format="json").status_code == code


def test_a_move_after_shipping_opens_a_redirect_that_the_mail_room_closes(make_case, api):
    case = make_case(State.REPLACEMENT_SHIPPED)
    api("hotline").patch(case_url(case, "consumer"), {**NEW_ADDRESS, "redirect_owner": "mailroom"}, format="json")
    listed = api("mailroom").get("/api/redirects/")
    assert listed.status_code == 200
    (redirect,) = listed.json()
    assert (redirect["case"], redirect["owner"], redirect["to_postal_code"]) == (case.reference, "mailroom", "1500002")
    assert redirect["tracking_number"] == "123456789013" and redirect["done_at"] is None
    assert api("qa_kyu").get("/api/redirects/").status_code == 403
    assert api("qa_manager").post(f"/api/redirects/{redirect['id']}/done/", {}, format="json").status_code == 403
    done = api("mailroom").post(f"/api/redirects/{redirect['id']}/done/", {"note": "Yamato confirmed, ref 55"},
                                format="json")
    assert done.status_code == 200 and done.json()["done_by"] == "mailroom"
    assert api("mailroom").get("/api/redirects/").json() == []
    again = api("hotline").post(f"/api/redirects/{redirect['id']}/done/", {}, format="json")
    assert again.status_code == 409
    assert api("qa_kyu").post(f"/api/redirects/{redirect['id']}/done/", {}, format="json").status_code == 403
    assert api("mailroom").post("/api/redirects/999999/done/", {}, format="json").status_code == 404
    assert RedirectRequest.objects.get().done_note == "Yamato confirmed, ref 55"


# --- address lookup ------------------------------------------------------------------------------------

def test_a_postal_code_fills_prefecture_city_and_town(api):
    response = api("hotline").get("/api/address/lookup/", {"postal_code": "８１０－０００１"})
    assert response.status_code == 200
    body = response.json()
    assert (body["postal_code"], body["prefecture"], body["city"], body["town"]) == (
        "8100001", "福岡県", "福岡市中央区", "天神")
    assert body["formatted_postal_code"] == "810-0001" and isinstance(body["alternatives"], list)


@pytest.mark.parametrize("query", [{"postal_code": "0000000"}, {"postal_code": "81"}, {"postal_code": "abcdefg"},
                                   {}])
def test_an_unknown_or_malformed_postal_code_is_400_with_a_clear_message(api, query):
    response = api("hotline").get("/api/address/lookup/", query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["postal_code"][0]
