"""Routing a case by the lot code as printed, at intake and through factories.routing.route."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from defects.forms import CaseIntakeForm
from defects import services
from defects.models import Event, State
from factories.models import PlantCode, Product
from factories.routing import route
from tests.conftest import intake_data


def open_case(cast, product, **overrides):
    form = CaseIntakeForm(data=intake_data(product, **overrides))
    assert form.is_valid(), form.errors
    return services.open_case(cast["hotline"], form.cleaned_data)


@pytest.mark.parametrize("printed", [
    "2027.05.20 KY 3",
    "２０２７．０５．２０ ＫＹ３",      # full-width, as a consumer may type what they read
    "2027/05/20　ｋｙ　３",            # ideographic spaces, lower case
    "20270520ky3",
    " 2027-05-20 +KY-3 ",
])
def test_printed_lot_codes_route_to_factory_line_and_best_before(biscuit, lines, kyu, printed):
    routing = route(biscuit, printed)
    assert routing.factory == kyu
    assert routing.line == lines["KYU-3"]
    assert (routing.date, routing.date_kind) == (dt.date(2027, 5, 20), "best_before")
    assert "KY" in routing.note


def test_production_date_format_and_kana_plant_code(kyu, sai, lines):
    product = Product.objects.create(code="CANDY", name="キャンディ", lot_format="MFG: YYMMDD L #### +P")
    PlantCode.objects.create(product=product, code="ｻｲ", factory=sai)   # stored as サイ
    routing = route(product, "261120 1 0042 ＋ｻｲ")
    assert (routing.factory, routing.line, routing.date, routing.date_kind) == (
        sai, lines["SAI-1"], dt.date(2026, 11, 20), "production")


def test_unknown_line_routes_to_the_factory_and_says_so(biscuit, kyu):
    routing = route(biscuit, "2027.05.20 KY 7")
    assert routing.factory == kyu and routing.line is None
    assert "Line 7" in routing.note


def test_month_only_best_before_is_noted(kyu):
    product = Product.objects.create(code="DROPS", name="ドロップ缶", lot_format="YYYY.MM P")
    PlantCode.objects.create(product=product, code="KY", factory=kyu)
    routing = route(product, "2027.05 KY")
    assert routing.factory == kyu and routing.date == dt.date(2027, 5, 1)
    assert "2027-05" in routing.note


@pytest.mark.parametrize("printed, read", [
    ("2027.05.20 ZZ 3", "ZZ"),                 # unknown plant code
    ("2027.05.20", "does not fit"),            # no plant code at all
    ("2027.13.20 KY 3", "month 13"),           # misread date
    ("", "No lot code"),
])
def test_undecodable_or_unknown_plant_is_unrouted_with_what_was_read(biscuit, printed, read):
    routing = route(biscuit, printed)
    assert routing.factory is None and not routing.routed
    assert read in routing.note


def test_product_without_plant_codes_goes_to_its_default_factory(gum, kyu):
    assert route(gum, "whatever is printed").factory == kyu
    assert route(gum, "").factory == kyu


def test_product_with_plant_codes_never_falls_back_to_its_default_factory(biscuit, kyu):
    biscuit.default_factory = kyu
    biscuit.save()
    assert route(biscuit, "2027.05.20 ZZ 3").factory is None


def test_product_with_plant_codes_but_no_format_is_unrouted(biscuit):
    biscuit.lot_format = ""
    biscuit.save()
    routing = route(biscuit, "2027.05.20 KY 3")
    assert routing.factory is None and "no lot format" in routing.note


def test_open_case_routes_by_lot_and_records_it(cast, biscuit, lines, kyu):
    case = open_case(cast, biscuit, lot_code="２０２７．０５．２０ ＫＹ３")
    assert (case.factory, case.line, case.lot_date, case.lot_date_kind) == (
        kyu, lines["KYU-3"], dt.date(2027, 5, 20), "best_before")
    assert case.lot_key == "20270520KY3"
    assert case.events.get(kind=Event.Kind.CREATED).data["factory"] == "KYU"


def test_open_case_with_unknown_plant_waits_unrouted(cast, biscuit):
    case = open_case(cast, biscuit, lot_code="2027.05.20 QQ 3")
    assert case.factory is None and case.line is None and "QQ" in case.routing_note
    assert case.state == State.RECEIVED


def test_explicit_factory_at_intake_wins_over_the_lot(cast, biscuit, lines, sai):
    case = open_case(cast, biscuit, lot_code="2027.05.20 KY 3", factory="SAI")
    assert case.factory == sai
    assert case.line is None  # the decoded line is the other factory's
    assert case.lot_date == dt.date(2027, 5, 20)
    assert "SAI" in case.routing_note


def test_plant_codes_are_stored_normalized_and_unique_per_product(biscuit, kyu):
    assert sorted(biscuit.plant_codes.values_list("code", flat=True)) == ["KY", "SA"]
    code = PlantCode(product=biscuit, code="ｋｙ", factory=kyu)
    code.clean()
    assert code.code == "KY"
    with pytest.raises(ValidationError):
        PlantCode(product=biscuit, code="TOO-LONG-PLANT-CODE", factory=kyu).clean()


@pytest.mark.parametrize("fmt, ok", [("YYYY.MM.DD P L", True), ("MFG: YYMMDD L #### +P", True),
                                     ("YYMMDD L", False), ("YY P YY", False), ("", True)])
def test_lot_format_is_validated_in_the_admin(kyu, fmt, ok):
    product = Product(code="X", name="x", lot_format=fmt)
    if ok:
        product.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            product.full_clean()
        assert "lot_format" in error.value.message_dict


def test_seed_demo_routes_the_biscuit_by_its_lot_code_and_runs_twice(db):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    biscuit = Product.objects.get(code="BISCUIT-12")
    routing = route(biscuit, "２０２７．０５．２０ ＳＡ ２")
    assert (routing.factory.code, routing.line.code) == ("SAI", "2")
