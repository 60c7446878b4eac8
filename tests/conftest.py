"""The standard cast (hotline, qa_kyu, qa_sai, qa_manager, mailroom, admin) and cases at each state.

Cases are made and moved with the real services, so a fixture can never produce a case that the
application itself could not.
"""

import copy

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from defects import roles, selectors, services
from defects.forms import CaseIntakeForm
from defects.models import State
from factories.models import Factory, Investigation, Product, StaffProfile

PASSWORD = "test-pass-123"

# The path from `received` to each state, as (transition, which cast member runs it, payload).
PATH = [
    ("request_return", "hotline", {"carrier": "yamato"}),
    ("receive_sample", "qa", {"condition": "wrapper torn at one end"}),
    ("start_investigation", "qa", {}),
    ("submit_report", "qa", {}),
    ("approve_report", "qa_manager", {"comment": "clear"}),
    ("ship_replacement", "mailroom", {"carrier": "yamato", "tracking_number": "123456789013"}),
    ("close", "hotline", {"note": "consumer thanked us"}),
]
STATE_AFTER = {
    "request_return": State.AWAITING_RETURN,
    "receive_sample": State.SAMPLE_RECEIVED,
    "start_investigation": State.INVESTIGATING,
    "submit_report": State.REPORT_REVIEW,
    "approve_report": State.APPROVED,
    "ship_replacement": State.REPLACEMENT_SHIPPED,
    "close": State.CLOSED,
}

# A report that passes every submission rule (Investigation.submission_problems), countermeasures included:
# save_investigation accepts them inside the fields as "countermeasures".
COMPLETE_REPORT = {
    "sample_checks": "Wrapper seal, stick length and weight measured; compared with a retained pack of the lot.",
    "sample_findings": "One stick 2 mm short; its wrapper folded short at one end. The other eight sticks are normal.",
    "retained_samples_checked": 20,
    "retained_samples_result": "20 retained packs of the lot checked: no short stick, all wrappers sealed.",
    "manufacturing_process": "Gum sheets are cut, wrapped by machine W-3 and packed nine to a box.",
    "cause_of_occurrence": "A worn cutter blade left one stick 2 mm long, so the wrapper folded short.",
    "occurrence_category": "machine",
    "occurrence_whys": [
        {"why": "Why was the wrapper folded short?", "because": "The stick was 2 mm short."},
        {"why": "Why was the stick short?", "because": "The cutter blade was worn."},
        {"why": "Why was the worn blade not replaced?", "because": "Blade wear was checked monthly only."},
    ],
    "cause_of_escape": "The length check sampled one box in fifty.",
    "escape_category": "measurement",
    "escape_whys": [
        {"why": "Why was the short stick not caught?", "because": "The length check sampled one box in fifty."},
    ],
    "conclusion": "determined",
    "prevention": "Blade replaced; blade wear is now checked every shift and every box is checked for length.",
    "consumer_examined": "We examined the gum you kindly sent us, and the packs of the same lot we keep at the factory.",
    "consumer_process": "The gum is rolled into sheets, cut into sticks, wrapped one by one by machine and packed.",
    "consumer_cause": "A worn cutting blade made one stick slightly short, and its wrapper was folded incorrectly.",
    "consumer_escape": "Our length check looked at one box in fifty, so this box was not measured.",
    "consumer_prevention": "We replaced the blade, check it every shift, and now check the length of every box.",
    "countermeasures": [
        {"target": "occurrence", "action": "Replace the cutter blade; check blade wear every shift.",
         "owner": "製造課 田中", "due_date": "2026-12-01", "effectiveness_due": "2027-01-15"},
        {"target": "escape", "action": "Check stick length on every box instead of one in fifty.",
         "owner": "品質保証課 山田", "due_date": "2026-12-05", "effectiveness_due": "2027-01-15"},
    ],
}


@pytest.fixture(autouse=True)
def _english_outside_requests():
    # Services called directly speak the active language; tests match their English messages.
    # Requests still choose their own language through LocaleMiddleware (Japanese by default).
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _tasks_run_inline(request):
    """Every task runs inline, as in the demo, also in the PostgreSQL run where REDIS_URL is set;
    only the tests marked `worker` send tasks to the broker (tests/integration/conftest.py)."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # Photos and rendered PDFs go to a throwaway MEDIA_ROOT, never to var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_login_counters():
    """Every test starts with no throttle counts (Django's cache) and, through the rolled-back
    database, no failed-login records (django-axes): one test's logins never lock out the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness buys nothing in tests and would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def kyu(db):
    return Factory.objects.create(code="KYU", name="九州工場", postal_code="8410000", address="佐賀県鳥栖市立石町1-1",
                                  phone="0942-00-0000", responsible="品質保証課長 山田 太郎")


@pytest.fixture
def sai(db):
    return Factory.objects.create(code="SAI", name="埼玉工場", postal_code="3500000", address="埼玉県坂戸市千代田1-2-3",
                                  phone="049-000-0000", responsible="品質保証課長 佐藤 花子")


@pytest.fixture
def gum(kyu):
    return Product.objects.create(code="GUM-MINT-9", name="ミントガム 9枚", jan="4901234567894", default_factory=kyu)


@pytest.fixture
def chocolate(sai):
    return Product.objects.create(code="CHOCO-BAR", name="ミルクチョコレート", default_factory=sai)


def _user(username, role, factory=None):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get(name=role))
    StaffProfile.objects.create(user=user, factory=factory)
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def hotline(db):
    return _user("hotline", roles.HOTLINE)


@pytest.fixture
def qa_kyu(kyu):
    return _user("qa_kyu", roles.FACTORY_QA, kyu)


@pytest.fixture
def qa_sai(sai):
    return _user("qa_sai", roles.FACTORY_QA, sai)


@pytest.fixture
def qa_manager(db):
    return _user("qa_manager", roles.QA_MANAGER)


@pytest.fixture
def mailroom(db):
    return _user("mailroom", roles.MAILROOM)


@pytest.fixture
def admin_user(db):
    return _user("admin", roles.ADMIN)


@pytest.fixture
def cast(hotline, qa_kyu, qa_sai, qa_manager, mailroom, admin_user):
    return {"hotline": hotline, "qa_kyu": qa_kyu, "qa_sai": qa_sai, "qa_manager": qa_manager,
            "mailroom": mailroom, "admin": admin_user}


# Written as intake stores them (defects.addressing: one ideographic space between name parts and
# words of a Japanese address), so a test that looks for these exact strings in a page, a letter or
# an API answer (or makes sure they are absent) compares against what is really stored.
DISTINCTIVE_CONSUMER = {
    "consumer_name": "蒼井\u3000紫苑",
    "consumer_name_kana": "アオイ\u3000シオン",
    "consumer_postal_code": "8100001",
    "consumer_address": "福岡県福岡市中央区天神9-8-7\u3000ひとつぶハイツ305",
    "consumer_phone": "092-555-0123",
    "consumer_email": "shion.aoi@example.jp",
}


def intake_data(product, **overrides):
    data = {
        "channel": "phone",
        **DISTINCTIVE_CONSUMER,
        "consumer_language": "ja",
        "product": product.code,
        "lot_code": "2026.11.20 KY3",
        "best_before": "2027-05-20",
        "store": "コンビニ天神店",
        "purchased_on": "2026-11-18",
        "category": "packaging",
        "description": "One stick in the pack was wrapped crookedly and the gum was exposed.",
        "health_effect": False,
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_case(cast, gum):
    """make_case(state=State.INVESTIGATING, product=..., **intake overrides) -> DefectCase."""

    def make(state=State.RECEIVED, product=None, qa=None, **overrides):
        form = CaseIntakeForm(data=intake_data(product or gum, **overrides))
        assert form.is_valid(), form.errors
        case = services.open_case(cast["hotline"], form.cleaned_data)
        qa = qa or (cast["qa_kyu"] if case.factory and case.factory.code == "KYU" else cast["qa_sai"])
        for name, who, payload in PATH:
            if case.state == state:
                break
            if name == "submit_report":
                services.save_investigation(case, qa, copy.deepcopy(COMPLETE_REPORT))
            if name == "ship_replacement":
                # The parcel leaves only with its apology letter and packing slip printed.
                print_letters(case, cast["mailroom"])
            if name == "close":
                # A case closes only once the replacement is confirmed delivered.
                deliver_replacement(case, cast["mailroom"])
            actor = qa if who == "qa" else cast[who]
            case = services.perform(case, name, actor, payload)
            assert case.state == STATE_AFTER[name]
        assert case.state == state, f"cannot reach {state} by the happy path"
        return case

    return make


@pytest.fixture
def complete_report():
    return copy.deepcopy(COMPLETE_REPORT)


def fill_report(case, user):
    return services.save_investigation(case, user, copy.deepcopy(COMPLETE_REPORT))


PARCEL_LETTERS = ("apology_letter", "packing_slip")


def print_letters(case, by, kinds=PARCEL_LETTERS):
    """Print the case's letters of these kinds through a print batch, as the print room would.

    The printing step is real (letters.services.mark_printed: status 'printed' and the 'printed'
    timeline rows); the two rendering steps are not: rendering (letters.pdf, WeasyPrint) runs in tasks
    after commit, which never happens inside a test's transaction, so this helper stands in for it by
    moving the letter queued -> ready and its one-letter batch to ready with queryset updates.
    A printed letter flagged needs_reprint is reprinted (letters.services.reprint_letter) first.
    """
    from letters import services as letters
    from letters.models import Letter, PrintBatch

    now = timezone.now()
    printed = []
    for kind in kinds:
        letter = Letter.objects.exclude(status=Letter.Status.CANCELLED).get(case=case, kind=kind)
        if letter.status in (Letter.Status.PRINTED, Letter.Status.MAILED):
            if not letter.needs_reprint:
                continue
            letter = letters.reprint_letter(letter, by)
        batch = PrintBatch.objects.create(kind=kind, created_by=by, count=1, status=PrintBatch.Status.READY,
                                          progress=1.0, finished_at=now)
        Letter.objects.filter(pk=letter.pk).update(status=Letter.Status.BATCHED, batch=batch, rendered_at=now)
        letters.mark_printed(batch, by)
        printed.append(Letter.objects.get(pk=letter.pk))
    return printed


def deliver_replacement(case, by, **kwargs):
    """Record the replacement parcel's delivery (as the mail room or a carrier integration would)."""
    shipment = selectors.replacement_shipment(case)
    return services.record_shipment_event(shipment, by, "delivered", **kwargs)


__all__ = ["PASSWORD", "PATH", "DISTINCTIVE_CONSUMER", "COMPLETE_REPORT", "Investigation", "fill_report", "intake_data", "print_letters",
           "deliver_replacement", "PARCEL_LETTERS"]


def pytest_collection_modifyitems(config, items):
    """Every transactional test keeps serialized_rollback=True. A transactional test without it
    re-creates the content types when its flush re-runs post_migrate; the next serialized test on
    that process then loads its saved content types on top of them and fails with a duplicate key
    (twelve errors in one CI run, depending on which tests xdist put together)."""
    offenders = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            offenders.append(item.nodeid)
    if offenders:
        raise pytest.UsageError("django_db(transaction=True) needs serialized_rollback=True: " + ", ".join(offenders))
