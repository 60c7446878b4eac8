"""Other reports on the same product and lot; wording; the admin pages for master data and reports."""

import pytest
from django.urls import reverse

from defects import selectors, services
from defects.forms import CaseIntakeForm
from defects.models import State
from factories.wording import DEFAULT_BLAMING_PHRASES, blaming_phrases_in
from tests.conftest import DISTINCTIVE_CONSUMER, intake_data


def open_case(cast, product, lot_code):
    form = CaseIntakeForm(data=intake_data(product, lot_code=lot_code))
    assert form.is_valid(), form.errors
    return services.open_case(cast["hotline"], form.cleaned_data)


def test_related_reports_list_same_product_and_lot_only_without_personal_data(cast, gum, chocolate):
    case = open_case(cast, gum, "2026.11.20 KY3")
    same_lot_typed_differently = open_case(cast, gum, "２０２６．１１．２０　ｋｙ３")
    open_case(cast, gum, "2026.11.21 KY3")            # other lot
    open_case(cast, chocolate, "2026.11.20 KY3")      # other product
    related = selectors.related_reports(case)
    assert related == [{"reference": same_lot_typed_differently.reference, "state": State.RECEIVED,
                        "category": "packaging", "received_at": same_lot_typed_differently.received_at}]
    flat = repr(related)
    assert not any(value in flat for value in DISTINCTIVE_CONSUMER.values())


def test_related_reports_respect_the_users_scope(cast, biscuit):
    kyu_case = open_case(cast, biscuit, "2027.05.20 KY 3")
    other = open_case(cast, biscuit, "2027.05.20 KY 3")
    services.assign_factory(other, cast["qa_manager"], "SAI", note="moved for the test")
    assert selectors.related_reports(kyu_case, cast["qa_kyu"]) == []
    assert [r["reference"] for r in selectors.related_reports(kyu_case, cast["qa_manager"])] == [other.reference]


def test_a_case_without_a_lot_code_has_no_related_reports(cast, gum):
    assert selectors.related_reports(open_case(cast, gum, "")) == []


@pytest.mark.parametrize("text, found", [
    ("お客様の保管方法に問題がありました", ["お客様の保管", "保管方法"]),
    ("Improper Storage at home", ["improper storage"]),
    ("同一ロットの保管サンプル20個を確認しました", []),  # the factory's retained samples blame nobody
    ("弊社の製造工程で刃が摩耗していました", []),
    ("", []),
])
def test_blaming_phrases_in(text, found):
    assert blaming_phrases_in(text) == found


def test_default_phrases_include_the_agreed_list():
    assert {"お客様の保管", "誤使用", "不注意", "misuse", "improper storage", "you should have"} <= set(
        DEFAULT_BLAMING_PHRASES)


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.jp", "pw-123456")
    client.force_login(user)
    return client


def test_admin_pages_for_master_data_and_reports_render(superuser_client, biscuit, lines, make_case):
    case = make_case(State.APPROVED)
    for url in [
        reverse("admin:factories_product_change", args=[biscuit.pk]),
        reverse("admin:factories_factory_change", args=[lines["KYU-3"].factory_id]),
        reverse("admin:factories_line_changelist"),
        reverse("admin:factories_investigation_change", args=[case.investigation.pk]),
        reverse("admin:factories_investigationversion_changelist"),
    ]:
        response = superuser_client.get(url)
        assert response.status_code == 200, url
    page = superuser_client.get(reverse("admin:factories_product_change", args=[biscuit.pk])).content.decode()
    assert "YYYY.MM.DD P L" in page and 'name="plant_codes-0-code"' in page


def test_admin_adds_plant_codes_inline_and_refuses_a_bad_lot_format(superuser_client, kyu):
    url = reverse("admin:factories_product_add")
    data = {"code": "WAFER", "name": "ウエハース", "jan": "", "lot_format": "YYMMDD P L", "default_factory": "",
            "plant_codes-TOTAL_FORMS": "1", "plant_codes-INITIAL_FORMS": "0",
            "plant_codes-0-code": "+ｋｙ", "plant_codes-0-factory": str(kyu.pk)}
    response = superuser_client.post(url, data)
    assert response.status_code == 302
    from factories.models import Product

    assert list(Product.objects.get(code="WAFER").plant_codes.values_list("code", flat=True)) == ["KY"]
    response = superuser_client.post(url, {**data, "code": "WAFER2", "lot_format": "YYMMDD L"})
    assert response.status_code == 200 and "lot_format" in response.context["adminform"].form.errors
