"""Addresses done right: lookup, normalised input, and what an address change does to letters and parcels."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from defects import selectors, services
from defects.forms import CaseIntakeForm, ConsumerForm
from defects.models import Consumer, ConsumerAddressHistory, Event, RedirectRequest, State
from letters.content import context_for
from letters.models import Letter
from tests.conftest import DISTINCTIVE_CONSUMER, deliver_replacement, intake_data, print_letters

NEW_ADDRESS = {"postal_code": "〒１００－０００５", "address": "東京都千代田区丸の内１ー２ー３　ｺｰﾎﾟ丸の内 101"}
NEW_STORED = {"postal_code": "1000005", "address": "東京都千代田区丸の内1-2-3　コーポ丸の内　101"}


def change(case, by, **data):
    form = ConsumerForm(data={**NEW_ADDRESS, **data} if not data.get("_only") else data["_only"], partial=True)
    assert form.is_valid(), form.errors
    return services.change_consumer_address(case, by, form.cleaned_data)


def letter(case, kind) -> Letter:
    return Letter.objects.exclude(status=Letter.Status.CANCELLED).get(case=case, kind=kind)


# --- postal code lookup and normalised input --------------------------------------------------

@pytest.mark.parametrize("code", ["8100001", "810-0001", "８１０－０００１", "〒810-0001", " 810 0001 "])
def test_postal_code_fills_prefecture_city_and_town(code):
    found = services.lookup_address(code)
    assert (found["postal_code"], found["prefecture"], found["city"], found["town"]) == (
        "8100001", "福岡県", "福岡市中央区", "天神")
    assert found["formatted_postal_code"] == "810-0001" and found["alternatives"] == []


def test_an_unknown_postal_code_is_a_clear_message():
    with pytest.raises(ValidationError) as error:
        services.lookup_address("999-9999")
    assert error.value.message_dict == {
        "postal_code": ["This postal code is not in Japan Post's list. Please check it with the consumer."]}


def test_text_that_is_not_a_postal_code_says_what_is_expected():
    with pytest.raises(ValidationError) as error:
        services.lookup_address("81-00001")
    assert "seven digits (e.g. 810-0001)" in error.value.message_dict["postal_code"][0]


def test_intake_normalises_what_the_operator_typed(gum):
    form = CaseIntakeForm(data=intake_data(
        gum, consumer_name="蒼井　 紫苑", consumer_name_kana="ｱｵｲ ｼｵﾝ", consumer_postal_code="８１０－０００１",
        consumer_address="福岡県福岡市中央区天神９－８－７　ﾋﾄﾂﾌﾞﾊｲﾂ３０５", consumer_phone="（０９２）５５５－０１２３"))
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert (data["consumer_name"], data["consumer_name_kana"], data["consumer_postal_code"],
            data["consumer_address"], data["consumer_phone"]) == (
        "蒼井　紫苑", "アオイ　シオン", "8100001", "福岡県福岡市中央区天神9-8-7　ヒトツブハイツ305",
        "092-555-0123")


@pytest.mark.parametrize("field,value,message", [
    ("consumer_postal_code", "999-9999", "not in Japan Post's list"),
    ("consumer_postal_code", "12-34567", "seven digits"),
    ("consumer_phone", "092-555-012", "not a valid phone number"),
    ("consumer_phone", "0120-ABC-DEF", "not a valid phone number"),
    ("consumer_name_kana", "青井", "kana only"),
    ("consumer_address", "天神1-2-3 🏠", "cannot be printed"),
])
def test_intake_refuses_bad_details_naming_the_field(gum, field, value, message):
    form = CaseIntakeForm(data=intake_data(gum, **{field: value}))
    assert not form.is_valid()
    assert message in form.errors[field][0]


def test_the_standard_consumer_is_stored_exactly_as_the_fixture_spells_it(make_case):
    # Tests elsewhere look for these strings (or their absence) in pages and letters.
    consumer = make_case().consumer
    assert {f"consumer_{name}": getattr(consumer, name) for name in (
        "name", "name_kana", "postal_code", "address", "phone", "email")} == DISTINCTIVE_CONSUMER


def test_consumer_form_partial_returns_only_what_was_sent():
    form = ConsumerForm(data={"phone": "０９０ １２３４ ５６７８"}, partial=True)
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"phone": "090-1234-5678"}
    assert not ConsumerForm(data={}, partial=True).is_valid()
    assert "postal_code" in ConsumerForm(data={"postal_code": "0000000"}, partial=True).errors


# --- the change and the timeline ---------------------------------------------------------------

def test_address_change_is_a_timeline_event_pointing_at_a_history_row_with_old_and_new(make_case, cast):
    case = make_case(State.RECEIVED)
    change(case, cast["hotline"], note="moved to Tokyo")
    consumer = Consumer.objects.get(case=case)
    assert (consumer.postal_code, consumer.address) == (NEW_STORED["postal_code"], NEW_STORED["address"])
    event = case.events.get(kind=Event.Kind.ADDRESS_CHANGE)
    assert event.actor == cast["hotline"] and event.note == "moved to Tokyo"
    # The append-only event quotes no personal data: it points at the (erasable) history row.
    history = ConsumerAddressHistory.objects.get(case=case)
    assert event.data == {"changed": ["address", "postal_code"], "history": history.pk}
    old = {"address": DISTINCTIVE_CONSUMER["consumer_address"], "postal_code": "8100001"}
    assert (history.changed, history.old, history.new) == (["address", "postal_code"], old, NEW_STORED)
    # Staff read it through the selectors as before.
    shown = selectors.event_data_for(cast["hotline"], event)
    assert (shown["old"], shown["new"]) == (old, NEW_STORED)


def test_factory_users_see_that_the_address_changed_but_not_the_addresses(make_case, cast):
    case = make_case(State.INVESTIGATING)
    change(case, cast["hotline"], note="moved to Tokyo")
    event = case.events.get(kind=Event.Kind.ADDRESS_CHANGE)
    assert selectors.event_data_for(cast["qa_kyu"], event) == {"changed": ["address", "postal_code"]}
    assert selectors.event_note_for(cast["qa_kyu"], event) == ""
    assert selectors.event_data_for(cast["qa_manager"], event)["new"] == NEW_STORED


def test_only_the_hotline_changes_the_address(make_case, cast):
    case = make_case(State.RECEIVED)
    for who in ("qa_kyu", "mailroom", "qa_manager"):
        with pytest.raises(PermissionDenied):
            change(case, cast[who])
    assert not case.events.filter(kind=Event.Kind.ADDRESS_CHANGE).exists()


def test_an_unchanged_address_writes_nothing(make_case, cast):
    case = make_case(State.RECEIVED)
    before = Event.objects.count()
    change(case, cast["hotline"], _only={"postal_code": "810-0001"})
    assert Event.objects.count() == before


def test_the_last_way_to_reach_the_consumer_cannot_be_removed(make_case, cast):
    case = make_case(State.RECEIVED, consumer_phone="", consumer_email="")
    with pytest.raises(ValidationError):
        change(case, cast["hotline"], _only={"address": ""})


# --- letters follow the address ---------------------------------------------------------------------

def test_change_after_the_postcard_was_printed_and_before_shipping(make_case, cast):
    """Apology letter and packing slip end up addressed to the new address; the old postcard is flagged."""
    hotline, mailroom = cast["hotline"], cast["mailroom"]
    case = make_case(State.APPROVED)
    print_letters(case, mailroom, ["first_notice_postcard", "return_kit"])
    assert letter(case, "apology_letter").status == Letter.Status.QUEUED

    change(case, hotline)

    postcard = letter(case, "first_notice_postcard")
    assert (postcard.status, postcard.needs_reprint) == (Letter.Status.PRINTED, True)
    assert postcard.reprint_reason.startswith("address changed on")
    for kind in ("apology_letter", "packing_slip"):
        requeued = letter(case, kind)
        assert (requeued.status, requeued.revision, requeued.needs_reprint) == (Letter.Status.QUEUED, 2, False)
        assert context_for(requeued)["consumer"]["postal_code"] == NEW_STORED["postal_code"]
        assert context_for(requeued)["consumer"]["address"] == NEW_STORED["address"]

    print_letters(case, mailroom)
    services.perform(case, "ship_replacement", mailroom, {"carrier": "yamato", "tracking_number": "123456789013"})
    for kind in ("apology_letter", "packing_slip"):
        assert letter(case, kind).status == Letter.Status.PRINTED
        assert context_for(letter(case, kind))["consumer"]["address"] == NEW_STORED["address"]
    assert not RedirectRequest.objects.filter(case=case).exists()
    notes = [(e.kind, e.data.get("kind"), e.data.get("action")) for e in case.events.filter(
        kind__in=[Event.Kind.ADDRESS_CHANGE, Event.Kind.LETTER]).order_by("id")]
    change_at = notes.index(("address_change", None, None))
    assert notes[change_at:change_at + 5] == [
        ("address_change", None, None),
        ("letter", "first_notice_postcard", "flagged_for_reprint"),
        ("letter", "return_kit", "flagged_for_reprint"),
        ("letter", "apology_letter", "requeued"),
        ("letter", "packing_slip", "requeued"),
    ]


def test_a_letter_in_an_unprinted_batch_stays_in_it_and_the_batch_renders_again(make_case, cast):
    """Issue 12: one batch per revision of a letter; the batch renders its new revision."""
    from letters.models import PrintBatch

    case = make_case(State.APPROVED)
    apology = letter(case, "apology_letter")
    batch = PrintBatch.objects.create(kind="apology_letter", count=1, status=PrintBatch.Status.READY,
                                      rendered_revision=1)
    Letter.objects.filter(pk=apology.pk).update(status=Letter.Status.BATCHED, batch=batch)
    change(case, cast["hotline"])
    apology.refresh_from_db()
    batch.refresh_from_db()
    assert (apology.status, apology.batch, apology.revision) == (Letter.Status.BATCHED, batch, 2)
    assert (batch.status, batch.revision, batch.rendered_revision) == (PrintBatch.Status.QUEUED, 2, 1)


def test_a_printed_parcel_letter_must_be_reprinted_before_the_parcel_ships(make_case, cast):
    case = make_case(State.APPROVED)
    print_letters(case, cast["mailroom"])
    change(case, cast["hotline"])
    assert letter(case, "apology_letter").needs_reprint
    payload = {"carrier": "yamato", "tracking_number": "123456789013"}
    with pytest.raises(services.TransitionConflict, match="must be printed again"):
        services.perform(case, "ship_replacement", cast["mailroom"], payload)
    print_letters(case, cast["mailroom"])  # reprints the flagged ones
    apology = letter(case, "apology_letter")
    assert (apology.status, apology.needs_reprint, apology.revision) == (Letter.Status.PRINTED, False, 2)
    services.perform(case, "ship_replacement", cast["mailroom"], payload)


def test_a_phone_change_leaves_the_letters_alone(make_case, cast):
    case = make_case(State.APPROVED)
    print_letters(case, cast["mailroom"], ["first_notice_postcard"])
    change(case, cast["hotline"], _only={"phone": "090-1234-5678"})
    assert not letter(case, "first_notice_postcard").needs_reprint
    assert letter(case, "apology_letter").revision == 1


# --- after the replacement has left: a redirect request ----------------------------------------------

def test_change_after_shipping_opens_a_redirect_request_until_someone_marks_it_done(make_case, cast):
    hotline, mailroom = cast["hotline"], cast["mailroom"]
    case = make_case(State.REPLACEMENT_SHIPPED)
    before = timezone.now()
    change(case, hotline, redirect_owner="mailroom", note="moving on Friday")

    redirect = RedirectRequest.objects.get(case=case)
    assert (redirect.owner, redirect.created_by, redirect.to_postal_code, redirect.to_address) == (
        mailroom, hotline, NEW_STORED["postal_code"], NEW_STORED["address"])
    assert before + datetime.timedelta(hours=4) <= redirect.due_at <= timezone.now() + datetime.timedelta(hours=4)
    assert list(selectors.open_redirects(hotline)) == [redirect]
    assert list(selectors.open_redirects(mailroom)) == [redirect]
    assert list(selectors.open_redirects(cast["qa_kyu"])) == []
    # The parcel letters went out with the parcel: flagged, not re-rendered.
    assert letter(case, "apology_letter").needs_reprint
    event = case.events.get(kind=Event.Kind.SHIPMENT, data__action="redirect_requested")
    assert event.data["owner"] == "mailroom" and "丸の内" not in event.note

    with pytest.raises(PermissionDenied):
        services.complete_redirect(redirect, cast["qa_kyu"])
    services.complete_redirect(redirect, mailroom, note="Yamato confirmed the redirect, ref 55-1")
    assert list(selectors.open_redirects(hotline)) == []
    redirect.refresh_from_db()
    assert (redirect.done_by, redirect.done_note) == (mailroom, "Yamato confirmed the redirect, ref 55-1")
    assert case.events.filter(kind=Event.Kind.SHIPMENT, data__action="redirect_done").count() == 1
    with pytest.raises(services.TransitionConflict):
        services.complete_redirect(redirect, mailroom)


def test_redirect_owner_and_due_default_to_the_caller_and_a_newer_change_supersedes(make_case, cast):
    case = make_case(State.REPLACEMENT_SHIPPED)
    change(case, cast["hotline"])
    change(case, cast["hotline"], _only={"address": "東京都千代田区丸の内2-2-2"})
    first, second = RedirectRequest.objects.filter(case=case).order_by("id")
    assert first.owner == cast["hotline"] and first.done_at is not None and "Superseded" in first.done_note
    assert second.to_address == "東京都千代田区丸の内2-2-2"
    assert list(selectors.open_redirects(cast["hotline"])) == [second]


def test_no_redirect_once_the_parcel_is_delivered_or_the_case_closed(make_case, cast):
    case = make_case(State.REPLACEMENT_SHIPPED)
    deliver_replacement(case, cast["mailroom"])
    change(case, cast["hotline"])
    closed = make_case(State.CLOSED)
    change(closed, cast["hotline"])
    assert not RedirectRequest.objects.exists()
    assert closed.events.filter(kind=Event.Kind.ADDRESS_CHANGE).count() == 1
    assert not Letter.objects.filter(case=closed, needs_reprint=True).exists()
