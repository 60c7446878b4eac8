"""Parcels: the return kit, receipt by scan, the replacement and its delivery, told by the timeline."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from defects import selectors, services
from defects.forms import ReplacementItemFormSet
from defects.models import (
    Event, ReplacementItem, Shipment, ShipmentEvent, ShippingCarrier, State,
)
from defects.references import new_return_reference
from letters.models import Letter
from tests.conftest import COMPLETE_REPORT, deliver_replacement, print_letters


def fullwidth(text: str) -> str:
    """What a Japanese IME in full-width mode types: 'R7K3-M9' -> 'Ｒ７Ｋ３ーＭ９'."""
    return "".join("ー" if ch == "-" else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def story(case) -> list[tuple[str, str]]:
    """The timeline, one (kind, what) per line."""
    lines = []
    for event in case.events.order_by("at", "id"):
        if event.kind == Event.Kind.TRANSITION:
            lines.append((event.kind, event.transition))
        elif event.kind in (Event.Kind.SHIPMENT, Event.Kind.LETTER):
            what = event.data.get("action", "")
            if event.kind == Event.Kind.LETTER:
                what = f"{event.data['kind']} {what}"
            lines.append((event.kind, what))
        else:
            lines.append((event.kind, ""))
    return lines


def counts():
    return Event.objects.count(), Shipment.objects.count(), ShipmentEvent.objects.count()


# --- the whole story -------------------------------------------------------------------------

def test_parcel_story_from_return_request_to_close_is_told_by_the_timeline(make_case, cast, gum):
    hotline, qa, manager, mailroom = cast["hotline"], cast["qa_kyu"], cast["qa_manager"], cast["mailroom"]
    case = make_case(State.RECEIVED)

    # 1. The return kit: default carrier, cash on delivery, an unguessable reference, a date.
    case = services.perform(case, "request_return", hotline, {})
    kit = case.shipments.get(direction=Shipment.Direction.RETURN)
    assert (kit.carrier, kit.payment, kit.status) == ("yamato", "cash_on_delivery", "expected")
    assert kit.expected_by >= timezone.localdate() + datetime.timedelta(days=14)

    # 2. Scanned at the factory, typed on a full-width keyboard in lower case.
    found = services.find_return(qa, fullwidth(kit.reference.lower()))
    assert found == case
    services.perform(found, "receive_sample", qa, {"condition": "wrapper torn at one end"})
    kit.refresh_from_db()
    assert (kit.status, kit.received_by, kit.condition_on_arrival) == ("received", qa, "wrapper torn at one end")

    # 3. Investigation, approval: the replacement is prepared (same product, one).
    services.perform(case, "start_investigation", qa, {})
    services.save_investigation(case, qa, COMPLETE_REPORT)
    services.perform(case, "submit_report", qa, {})
    services.perform(case, "approve_report", manager, {"comment": "clear"})
    parcel = selectors.replacement_shipment(case)
    assert (parcel.status, parcel.payment) == ("preparing", "prepaid")
    assert [(i.kind, i.product, i.quantity) for i in parcel.items.all()] == [("product", gum, 1)]

    # The mail room adds a goodwill coupon and a second pack.
    formset = ReplacementItemFormSet(data={
        "form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0",
        "form-0-kind": "product", "form-0-product": gum.code, "form-0-quantity": "2",
        "form-1-kind": "coupon", "form-1-coupon_code": "ｓｏｒｒｙ５００", "form-1-value_yen": "500",
        "form-1-quantity": "1",
    })
    assert formset.is_valid(), formset.errors
    services.set_replacement_items(case, mailroom, [f.cleaned_data for f in formset.forms])
    assert [i.as_data() for i in parcel.items.all()] == [
        {"kind": "product", "product": gum.code, "name": gum.name, "quantity": 2, "coupon_code": "",
         "value_yen": None},
        {"kind": "coupon", "product": "", "name": "", "quantity": 1, "coupon_code": "SORRY500", "value_yen": 500},
    ]

    # 4. Not before the apology letter and packing slip are printed.
    with pytest.raises(services.TransitionConflict, match="apology letter is not printed"):
        services.perform(case, "ship_replacement", mailroom, {"carrier": "yamato", "tracking_number": "123456789013"})
    print_letters(case, mailroom)

    # A mistyped tracking number is refused, naming the field and the format.
    with pytest.raises(ValidationError) as error:
        services.perform(case, "ship_replacement", mailroom, {"carrier": "yamato", "tracking_number": "1234-5678-9012"})
    assert "12 digits" in error.value.message_dict["tracking_number"][0]
    case = services.perform(case, "ship_replacement", mailroom,
                            {"carrier": "yamato", "tracking_number": "１２３４－５６７８－９０１３"})
    parcel.refresh_from_db()
    assert (parcel.status, parcel.carrier, parcel.tracking_number, parcel.shipped_by) == (
        "shipped", "yamato", "123456789013", mailroom)

    # 5. Not closed before the parcel is delivered; the carrier's events arrive (one of them twice).
    with pytest.raises(services.TransitionConflict, match="delivered"):
        services.perform(case, "close", hotline, {"note": "done"})
    services.record_shipment_event(parcel, mailroom, "in_transit", source="carrier", external_id="YMT-1")
    services.record_shipment_event(parcel, mailroom, "delivered", source="carrier", external_id="YMT-2")
    _event, created = services.record_shipment_event(parcel, mailroom, "delivered", source="carrier",
                                                     external_id="YMT-2")
    assert created is False
    case = services.perform(case, "close", hotline, {"note": "consumer thanked us"})
    assert case.state == State.CLOSED

    assert story(case) == [
        ("created", ""),
        ("contact", ""),  # the intake call
        ("transition", "request_return"),
        ("transition", "receive_sample"),
        ("transition", "start_investigation"),
        ("transition", "submit_report"),
        ("transition", "approve_report"),
        ("shipment", "prepared"),
        ("shipment", "contents_changed"),
        ("letter", "apology_letter requeued"),
        ("letter", "packing_slip requeued"),
        ("letter", "apology_letter printed"),
        ("letter", "packing_slip printed"),
        ("transition", "ship_replacement"),
        ("shipment", "in_transit"),
        ("shipment", "delivered"),
        ("transition", "close"),
    ]
    events = {(e.kind, e.transition or e.data.get("action")): e for e in case.events.all()}
    assert events["transition", "request_return"].data == {
        "carrier": "yamato", "return_reference": kit.reference, "expected_by": kit.expected_by.isoformat(),
        "payment": "cash_on_delivery"}
    assert events["transition", "receive_sample"].data == {"return_reference": kit.reference}
    assert events["transition", "receive_sample"].note == "wrapper torn at one end"
    assert events["shipment", "prepared"].data["items"][0]["product"] == gum.code
    assert events["transition", "ship_replacement"].data == {"carrier": "yamato", "tracking_number": "123456789013"}
    assert events["shipment", "delivered"].data["tracking_number"] == "123456789013"


# --- the return kit ------------------------------------------------------------------------------

def test_return_expected_by_falls_on_a_business_day(settings):
    settings.HITOTSUBU_RETURN_EXPECTED_DAYS = 14
    # 2026-11-09 + 14 = 2026-11-23, 勤労感謝の日 (a Monday holiday): the next day.
    assert services.return_expected_by(datetime.date(2026, 11, 9)) == datetime.date(2026, 11, 24)
    # 2026-11-07 + 14 = Saturday 2026-11-21: the Tuesday, after the Sunday and the holiday.
    assert services.return_expected_by(datetime.date(2026, 11, 7)) == datetime.date(2026, 11, 24)
    assert services.return_expected_by(datetime.date(2026, 11, 12)) == datetime.date(2026, 11, 26)


def test_request_return_uses_the_default_carrier_unless_it_is_switched_off(make_case, cast, settings):
    settings.HITOTSUBU_DEFAULT_RETURN_CARRIER = "sagawa"
    case = services.perform(make_case(), "request_return", cast["hotline"], {})
    assert case.shipments.get().carrier == "sagawa"
    ShippingCarrier.objects.filter(code="sagawa").update(active=False)
    case = services.perform(make_case(), "request_return", cast["hotline"], {})
    assert case.shipments.get().carrier == "japan_post"


def test_a_switched_off_carrier_is_refused_naming_the_field(make_case, cast):
    ShippingCarrier.objects.filter(code="yamato").update(active=False)
    with pytest.raises(ValidationError) as error:
        services.perform(make_case(), "request_return", cast["hotline"], {"carrier": "yamato"})
    assert "carrier" in error.value.message_dict


def test_the_carrier_list_is_seeded_with_the_three_carriers(db):
    assert sorted(ShippingCarrier.objects.filter(active=True).values_list("code", flat=True)) == [
        "japan_post", "sagawa", "yamato"]


# --- receipt by scan -----------------------------------------------------------------------------

@pytest.mark.parametrize("spelling", [
    lambda ref: ref,
    lambda ref: ref.replace("-", ""),
    lambda ref: ref.lower(),
    lambda ref: fullwidth(ref),
    lambda ref: fullwidth(ref.replace("-", "")).lower(),
    lambda ref: " " + ref.replace("-", " ") + "\u3000",
])
def test_scanning_the_reference_in_any_spelling_finds_the_case(make_case, cast, spelling):
    case = make_case(State.AWAITING_RETURN)
    reference = case.shipments.get().reference
    for who in ("qa_kyu", "mailroom"):
        assert services.find_return(cast[who], spelling(reference)) == case


@pytest.mark.parametrize("text", [
    "random-valid", "HELLO-WORLD", "R7K3-M9QX-26", "", "１２３",
])
def test_an_unknown_or_invalid_reference_is_404_and_writes_nothing(make_case, cast, text):
    make_case(State.AWAITING_RETURN)
    if text == "random-valid":
        text = new_return_reference()
    before = counts()
    with pytest.raises(Http404):
        services.find_return(cast["mailroom"], text)
    assert counts() == before


def test_an_invalid_reference_says_why(cast):
    with pytest.raises(Http404, match="mistyped or misread"):
        services.find_return(cast["mailroom"], "R7K3-M9QX-26")


def test_another_factorys_reference_is_404_like_an_unknown_one(make_case, cast):
    reference = make_case(State.AWAITING_RETURN).shipments.get().reference
    with pytest.raises(Http404, match="No return parcel has this reference"):
        services.find_return(cast["qa_sai"], reference)


def test_parcel_without_a_kit_is_matched_by_name_kana_or_phone_in_the_mail_room(make_case, cast):
    case = make_case(State.AWAITING_RETURN)
    other = make_case(State.AWAITING_RETURN, consumer_name="山田 太郎", consumer_name_kana="ヤマダ タロウ",
                      consumer_phone="03-1234-5678")
    for q in ("蒼井紫苑", "蒼井 紫苑", "紫苑", "ｱｵｲ ｼｵﾝ", "あおいしおん", "0925550123", "555-0123", "０９２－５５５"):
        assert list(selectors.match_parcel(cast["mailroom"], q)) == [case], q
    assert list(selectors.match_parcel(cast["hotline"], "山田")) == [other]
    assert list(selectors.match_parcel(cast["mailroom"], "")) == []


def test_factory_users_match_parcels_by_reference_only(make_case, cast):
    case = make_case(State.AWAITING_RETURN)
    for q in ("蒼井紫苑", "アオイ", "0925550123"):
        assert list(selectors.match_parcel(cast["qa_kyu"], q)) == [], q
    reference = case.shipments.get().reference
    assert list(selectors.match_parcel(cast["qa_kyu"], fullwidth(reference))) == [case]
    assert list(selectors.match_parcel(cast["qa_kyu"], case.reference)) == [case]
    assert list(selectors.match_parcel(cast["qa_sai"], reference)) == []


def test_match_lists_cases_awaiting_return_first(make_case, cast):
    received = make_case(State.RECEIVED)
    awaiting = make_case(State.AWAITING_RETURN)
    assert list(selectors.match_parcel(cast["mailroom"], "蒼井")) == [awaiting, received]


# --- the replacement ------------------------------------------------------------------------------

def test_approval_prepares_the_same_product_once(make_case, gum):
    case = make_case(State.APPROVED)
    parcel = selectors.replacement_shipment(case)
    assert parcel.status == Shipment.Status.PREPARING and parcel.carrier == "" and parcel.tracking_number == ""
    assert [(i.kind, i.product_id, i.quantity) for i in case.replacement_items.all()] == [("product", gum.pk, 1)]
    assert selectors.replacement_lines(case) == [{"kind": "product", "product": gum.code, "name": gum.name,
                                                  "quantity": 1, "coupon_code": "", "value_yen": None}]
    assert services.prepare_replacement(case, None) == parcel  # twice is harmless
    assert case.shipments.filter(direction="replacement").count() == 1


def test_replacement_items_change_until_shipped_by_hotline_or_mailroom_only(make_case, cast, gum, chocolate):
    case = make_case(State.APPROVED)
    items = [{"kind": "product", "product": chocolate, "quantity": 1},
             {"kind": "gift", "product": gum, "quantity": 1, "value_yen": 150}]
    with pytest.raises(PermissionDenied):
        services.set_replacement_items(case, cast["qa_kyu"], items)
    services.set_replacement_items(case, cast["hotline"], items)
    assert [(i.kind, i.product) for i in case.replacement_items.all()] == [("product", chocolate), ("gift", gum)]
    with pytest.raises(ValidationError):
        services.set_replacement_items(case, cast["hotline"], [{"kind": "coupon", "coupon_code": "X",
                                                                "value_yen": 100}])
    print_letters(case, cast["mailroom"])
    services.perform(case, "ship_replacement", cast["mailroom"], {"carrier": "sagawa",
                                                                  "tracking_number": "400012345670"})
    with pytest.raises(services.TransitionConflict):
        services.set_replacement_items(case, cast["hotline"], items)


def test_changing_the_contents_after_printing_flags_the_parcel_letters(make_case, cast, gum):
    case = make_case(State.APPROVED)
    print_letters(case, cast["mailroom"])
    services.set_replacement_items(case, cast["mailroom"], [{"kind": "product", "product": gum, "quantity": 3}])
    assert set(Letter.objects.filter(case=case, kind__in=["apology_letter", "packing_slip"])
               .values_list("needs_reprint", flat=True)) == {True}
    with pytest.raises(services.TransitionConflict, match="must be printed again"):
        services.perform(case, "ship_replacement", cast["mailroom"], {"carrier": "yamato",
                                                                      "tracking_number": "123456789013"})


@pytest.mark.parametrize("rows,field", [
    ([{"kind": "coupon", "coupon_code": "A1", "value_yen": "100", "quantity": "1"}], "__all__"),
    ([{"kind": "product", "quantity": "1"}], "product"),
    ([{"kind": "product", "product": "GUM-MINT-9", "quantity": "1"},
      {"kind": "coupon", "value_yen": "100", "quantity": "1"}], "coupon_code"),
    ([{"kind": "product", "product": "GUM-MINT-9", "quantity": "1"},
      {"kind": "gift", "description": "ボールペン", "quantity": "1"}], "value_yen"),
    ([{"kind": "product", "product": "GUM-MINT-9", "quantity": "0"}], "quantity"),
])
def test_replacement_formset_names_what_is_wrong(gum, rows, field):
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data.update({f"form-{index}-{key}": value for key, value in row.items()})
    formset = ReplacementItemFormSet(data=data)
    assert not formset.is_valid()
    if field == "__all__":
        assert formset.non_form_errors()
    else:
        assert any(field in errors for errors in formset.errors)


def test_ship_replacement_is_refused_until_the_parcel_letters_are_printed(make_case, cast):
    case = make_case(State.APPROVED)
    before = counts()
    payload = {"carrier": "yamato", "tracking_number": "123456789013"}
    with pytest.raises(services.TransitionConflict) as error:
        services.perform(case, "ship_replacement", cast["mailroom"], payload)
    assert "apology letter" in str(error.value) and "packing slip" in str(error.value)
    assert services.blockers(case, "ship_replacement")
    case.refresh_from_db()
    assert case.state == State.APPROVED and counts() == before
    print_letters(case, cast["mailroom"], ["apology_letter"])
    with pytest.raises(services.TransitionConflict, match="packing slip is not printed"):
        services.perform(case, "ship_replacement", cast["mailroom"], payload)
    print_letters(case, cast["mailroom"], ["packing_slip"])
    assert services.blockers(case, "ship_replacement") == []
    assert services.perform(case, "ship_replacement", cast["mailroom"], payload).state == State.REPLACEMENT_SHIPPED


@pytest.mark.parametrize("carrier,number", [
    ("yamato", "123456789012"), ("yamato", "12345"), ("sagawa", "ABCD-EFGH-IJKL"), ("japan_post", "131-12-38385-3"),
])
def test_a_wrong_tracking_number_names_the_field_and_the_format(make_case, cast, carrier, number):
    case = make_case(State.APPROVED)
    print_letters(case, cast["mailroom"])
    with pytest.raises(ValidationError) as error:
        services.perform(case, "ship_replacement", cast["mailroom"], {"carrier": carrier, "tracking_number": number})
    assert list(error.value.message_dict) == ["tracking_number"]
    assert "12 digits" in error.value.message_dict["tracking_number"][0]


def test_japan_post_registered_mail_numbers_are_accepted(make_case, cast):
    case = make_case(State.APPROVED)
    print_letters(case, cast["mailroom"])
    services.perform(case, "ship_replacement", cast["mailroom"], {"carrier": "japan_post",
                                                                  "tracking_number": "131-12-38385-2"})
    assert selectors.replacement_shipment(case).tracking_number == "13112383852"


# --- delivery and close ------------------------------------------------------------------------------

def test_close_is_refused_until_the_replacement_is_delivered(make_case, cast):
    case = make_case(State.REPLACEMENT_SHIPPED)
    before = counts()
    with pytest.raises(services.TransitionConflict, match="confirmed delivered"):
        services.perform(case, "close", cast["hotline"], {})
    assert counts() == before
    deliver_replacement(case, cast["mailroom"], note="signed by the consumer")
    assert services.perform(case, "close", cast["mailroom"], {}).state == State.CLOSED


def test_returned_to_sender_does_not_let_the_case_close(make_case, cast):
    case = make_case(State.REPLACEMENT_SHIPPED)
    parcel = selectors.replacement_shipment(case)
    services.record_shipment_event(parcel, cast["mailroom"], "returned_to_sender", note="moved away")
    parcel.refresh_from_db()
    assert parcel.status == "returned_to_sender"
    with pytest.raises(services.TransitionConflict):
        services.perform(case, "close", cast["hotline"], {})


def test_delivery_is_idempotent_for_the_same_carrier_event_and_for_a_second_manual_entry(make_case, cast):
    case = make_case(State.REPLACEMENT_SHIPPED)
    parcel = selectors.replacement_shipment(case)
    at = timezone.now() - datetime.timedelta(hours=2)
    first, created = services.record_shipment_event(parcel, cast["mailroom"], "delivered", at=at, source="carrier",
                                                    external_id="SGW-778")
    assert created
    before = counts()
    again, created = services.record_shipment_event(parcel, cast["mailroom"], "delivered", at=at, source="carrier",
                                                    external_id="SGW-778")
    assert (again, created) == (first, False)
    manual, created = services.record_shipment_event(parcel, cast["hotline"], "delivered")
    assert (manual, created) == (first, False)
    assert counts() == before
    parcel.refresh_from_db()
    assert (parcel.status, parcel.delivered_at) == ("delivered", at)


def test_a_late_in_transit_event_does_not_move_a_delivered_parcel_back(make_case, cast):
    case = make_case(State.REPLACEMENT_SHIPPED)
    parcel = selectors.replacement_shipment(case)
    deliver_replacement(case, cast["mailroom"], source="carrier", external_id="2")
    services.record_shipment_event(parcel, cast["mailroom"], "in_transit", source="carrier", external_id="1")
    parcel.refresh_from_db()
    assert parcel.status == "delivered"
    assert parcel.events.count() == 2


def test_parcel_events_need_a_shipped_parcel_and_a_staff_role(make_case, cast):
    case = make_case(State.APPROVED)
    parcel = selectors.replacement_shipment(case)
    with pytest.raises(services.TransitionConflict, match="not been shipped"):
        services.record_shipment_event(parcel, cast["mailroom"], "delivered")
    kit = case.shipments.get(direction="return")
    with pytest.raises(services.TransitionConflict, match="scanning"):
        services.record_shipment_event(kit, cast["mailroom"], "delivered")
    with pytest.raises(PermissionDenied):
        services.record_shipment_event(parcel, cast["qa_kyu"], "delivered")
    with pytest.raises(ValidationError):
        services.record_shipment_event(parcel, cast["mailroom"], "lost")


def test_a_carrier_event_without_its_id_is_refused_by_the_form():
    from defects.forms import ShipmentEventForm

    form = ShipmentEventForm(data={"kind": "delivered", "source": "carrier"})
    assert not form.is_valid() and "external_id" in form.errors
    form = ShipmentEventForm(data={"kind": "delivered"})
    assert form.is_valid() and form.cleaned_data["source"] == "manual"


def test_shipments_for_hides_another_factorys_case(make_case, cast):
    case = make_case(State.APPROVED)
    assert [s.direction for s in selectors.shipments_for(cast["qa_kyu"], case)] == ["return", "replacement"]
    with pytest.raises(Http404):
        selectors.shipments_for(cast["qa_sai"], case)


def test_replacement_item_kinds(gum):
    assert ReplacementItem(kind="coupon", coupon_code="A").is_goodwill
    assert not ReplacementItem(kind="product", product=gum).is_goodwill
