"""Demo data for safety (run by `manage.py seed_demo` through extensions.DEMO_STEPS): a lot alert
with three cases, a critical case waiting for its safety review, and a recall decision."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from defects import outbox, services
from defects.forms import CaseIntakeForm

from . import services as safety
from .models import LotAlert, SafetyReview

CONSUMERS = [
    {"consumer_name": "田中 一郎", "consumer_name_kana": "タナカ イチロウ", "consumer_postal_code": "8100001",
     "consumer_address": "福岡県福岡市中央区天神1-1-1", "consumer_phone": "092-555-0101"},
    {"consumer_name": "鈴木 美咲", "consumer_name_kana": "スズキ ミサキ", "consumer_postal_code": "1000005",
     "consumer_address": "東京都千代田区丸の内1-2-3", "consumer_phone": "03-5555-0102"},
    {"consumer_name": "高橋 健", "consumer_name_kana": "タカハシ ケン", "consumer_postal_code": "3300063",
     "consumer_address": "埼玉県さいたま市浦和区高砂1-1-1", "consumer_phone": "048-555-0103"},
    {"consumer_name": "伊藤 由美", "consumer_name_kana": "イトウ ユミ", "consumer_postal_code": "8100001",
     "consumer_address": "福岡県福岡市中央区天神2-2-2", "consumer_phone": "092-555-0104"},
    {"consumer_name": "渡辺 翔", "consumer_name_kana": "ワタナベ ショウ", "consumer_postal_code": "1000005",
     "consumer_address": "東京都千代田区丸の内3-3-3", "consumer_phone": "03-5555-0105"},
]


def _open(hotline, consumer, received_at, **fields):
    data = {"channel": "phone", "consumer_language": "ja", **consumer, **fields}
    form = CaseIntakeForm(data=data)
    if not form.is_valid():
        raise ValueError(form.errors.as_json())
    cleaned = {**form.cleaned_data, "received_at": received_at}
    return services.open_case(hotline, cleaned)


def seed(stdout=None) -> None:
    if LotAlert.objects.filter(product__code="GUM-GRAPE-9", lot_key="KY2611A").exists():
        return  # seeded before
    User = get_user_model()
    hotline, manager = User.objects.get(username="hotline"), User.objects.get(username="qa_manager")
    now = timezone.now()
    # Three reports on one lot, spelled three ways: one lot alert.
    for i, spelling in enumerate(("ＫＹ２６１１Ａ", "ky2611a", "KY 2611A")):
        _open(hotline, CONSUMERS[i], now - datetime.timedelta(days=6 - 2 * i), product="GUM-GRAPE-9",
              lot_code=spelling, category="packaging", store="スーパー天神店",
              description="個包装の端が開いていて、ガムが湿っていました。")
    # A critical case waiting for its safety review.
    _open(hotline, CONSUMERS[3], now - datetime.timedelta(minutes=40), product="CHOCO-BAR", lot_code="SA2611C",
          category="foreign_matter", foreign_matter_kind="metal", hazard="injury", health_effect=True,
          description="チョコレートに細い金属片が入っていて、口の中を少し切りました。")
    # A recall decision: an allergen missing from the label.
    recall_case = _open(hotline, CONSUMERS[4], now - datetime.timedelta(days=1), product="CANDY-LEMON",
                        lot_code="SA2610L", category="labelling", undeclared_allergen=True, hazard="allergic_reaction",
                        description="原材料表示に乳成分の記載がありませんが、子どもが食べてじんましんが出ました。")
    outbox.redispatch_undelivered(now + datetime.timedelta(days=1))  # run the handlers now, not after commit
    review = SafetyReview.objects.get(case=recall_case)
    safety.decide(review.pk, manager, {
        "decision": "recall", "recall_class": "class_1", "lots": ["SA2610L"],
        "rationale": "乳成分の表示漏れ。同一ロットの包材がすべて旧版のため、ロット全体を回収する。",
        "authority_notified_at": now - datetime.timedelta(hours=20), "authority_reference": "埼玉県-2026-0107"})
    outbox.redispatch_undelivered(now + datetime.timedelta(days=1))
    if stdout:
        stdout.write("Safety demo: a lot alert with three cases, a safety review waiting, a recall decision.")
