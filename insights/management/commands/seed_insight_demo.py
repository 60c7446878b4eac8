"""Demo history for the dashboard and the knowledge base: six months of cases through the real
services (some investigated and approved with their 4M causes), and published answers.
Called by seed_demo; safe to run twice (it does nothing once its cases exist)."""

import copy
import datetime
import random

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from defects import services
from defects.forms import CaseIntakeForm
from defects.models import DefectCase
from knowledge import services as knowledge
from knowledge.models import Article

MARK = "デモ履歴"
FAMILY = ["見本", "試験", "例示", "架空", "仮名", "模擬", "想定"]  # fictitious demo consumers
GIVEN = ["花子", "太郎", "次郎", "桜", "一郎"]  # in the store field of the cases this command makes

DESCRIPTIONS = {
    "packaging": ["包装が破れていた", "ガムの包み紙が破れて中身が見えていた", "袋の端が開いていた", "外箱がつぶれていた"],
    "foreign_matter": ["髪の毛が混入していた", "黒い粒が入っていた", "ビスケットに虫のようなものが付いていた"],
    "taste_odor": ["いつもと味が違う", "変なにおいがした", "チョコレートに白い粉が付いていた"],
    "quantity": ["9枚入りなのに8枚しか入っていなかった", "ビスケットが割れていた"],
    "labelling": ["賞味期限の印字がかすれて読めない"],
}
WEIGHTS = {"packaging": 9, "foreign_matter": 4, "taste_odor": 4, "quantity": 3, "labelling": 1}
PRODUCTS = ["GUM-MINT-9", "GUM-MINT-9", "GUM-GRAPE-9", "CHOCO-BAR", "CANDY-LEMON", "BISCUIT-12"]
CAUSES = [("machine", "measurement"), ("machine", "method"), ("man", "method"), ("material", "measurement"),
          ("method", "man"), ("machine", "measurement")]

REPORT = {
    "sample_checks": "ご返送品の包装の状態、重量、同一ロットの保管品を確認しました。",
    "sample_findings": "包装のシール部に幅2mmのずれがありました。保管品20個に異常はありません。",
    "retained_samples_checked": 20,
    "retained_samples_result": "同一ロットの保管品20個を確認し、異常はありませんでした。",
    "manufacturing_process": "生地を成形・カットし、包装機で1個ずつ包装して箱詰めします。",
    "cause_of_occurrence": "包装機のシールローラーの摩耗により、シール位置がずれました。",
    "occurrence_whys": [{"why": "なぜシールがずれたか", "because": "ローラーが摩耗していた"}],
    "cause_of_escape": "外観検査が50箱に1箱の抜き取りでした。",
    "escape_whys": [{"why": "なぜ見逃したか", "because": "抜き取り検査だった"}],
    "conclusion": "determined",
    "prevention": "ローラーを交換し、摩耗点検を毎直に、外観検査を全数にしました。",
    "consumer_examined": "お送りいただいた商品と、同じロットの保管品を調べました。",
    "consumer_process": "商品は機械で1個ずつ包装し、箱に詰めています。",
    "consumer_cause": "包装機の部品がすり減り、包装の閉じ目がずれて破れやすくなっていました。",
    "consumer_escape": "包装の検査が抜き取りだったため、この商品を見つけられませんでした。",
    "consumer_prevention": "部品を交換し、毎日点検するとともに、すべての商品の包装を検査するようにしました。",
}

ARTICLES = [
    ("包装の破れ・開き", "packaging", None,
     "お詫びを申し上げ、商品の着払いでのご返送をお願いしてください。工場で包装機の状態と同じロットの保管品を調べ、"
     "原因と対策を書面でお知らせし、代品をお送りします。お客様の開け方を問うような言い方はしないでください。"),
    ("チョコレートの表面の白い粉（ブルーム）", "taste_odor", "CHOCO-BAR",
     "温度の変化でカカオバターや砂糖が表面に出る現象（ブルーム）の可能性があります。召し上がっても健康に害はありませんが、"
     "風味が落ちます。お詫びのうえ、ご希望があれば商品のご返送をお願いし、代品をお送りします。"),
    ("髪の毛・虫などの異物", "foreign_matter", None,
     "お体に異常がないかを最初に伺ってください。異常があれば至急扱いにします。商品は捨てずに、袋ごと着払いでご返送を"
     "お願いしてください。異物は工場で分析し、結果をお知らせします。"),
]


class Command(BaseCommand):
    help = "Six months of demo cases for the dashboard and published answers for the intake suggestions."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=36, help="How many cases of history (default 36).")

    def handle(self, *args, **options):
        if DefectCase.objects.filter(store=MARK).exists():
            self.stdout.write("Insight demo history already there.")
            return
        User = get_user_model()
        users = {u.username: u for u in User.objects.filter(
            username__in=["hotline", "qa_kyu", "qa_sai", "qa_manager"])}
        rng = random.Random(2611)  # the same history every time
        now = timezone.now()
        approved = []
        categories = [c for c, w in WEIGHTS.items() for _ in range(w)]
        for i in range(options["cases"]):
            received_at = now - datetime.timedelta(days=rng.randint(3, 180), hours=rng.randint(0, 8))
            category = rng.choice(categories)
            product = rng.choice(PRODUCTS)
            lot = f"{(received_at - datetime.timedelta(days=20)):%Y.%m.%d} {'KY' if rng.random() < .6 else 'SA'}3" \
                if product == "BISCUIT-12" else f"L{rng.randint(1000, 9999)}"
            form = CaseIntakeForm(data={
                "channel": rng.choice(["phone", "phone", "email", "web"]),
                "consumer_name": f"{FAMILY[i % len(FAMILY)]}\u3000{GIVEN[i % len(GIVEN)]}",
                "consumer_phone": f"03-5555-{1000 + i}", "consumer_language": "ja", "product": product,
                "lot_code": lot, "store": MARK, "category": category,
                "description": rng.choice(DESCRIPTIONS[category]), "health_effect": False,
            })
            if not form.is_valid():
                self.stderr.write(f"skipped a demo case: {form.errors.as_json()}")
                continue
            case = services.open_case(users["hotline"], {**form.cleaned_data, "received_at": received_at})
            if case.factory is None or received_at > now - datetime.timedelta(days=20) or rng.random() < .35:
                continue  # recent or unrouted cases stay open
            approved.append(self._investigate(case, users, rng))
        for title, category, product_code, answer in ARTICLES:
            from factories.models import Product

            if Article.objects.filter(title=title).exists():
                continue
            article = knowledge.save_article(users["qa_manager"], title=title, answer=answer, category=category,
                                             product=Product.objects.filter(code=product_code).first())
            knowledge.publish(users["qa_manager"], article)
        self._settle_clocks(now, rng)
        drafted = next((c for c in approved if c is not None and c.category == "packaging"), None)
        if drafted is not None:  # one draft from a case, waiting for review (never suggested)
            knowledge.draft_from_case(users["qa_manager"], drafted)
        self.stdout.write(self.style.SUCCESS(
            f"Insight demo: {DefectCase.objects.filter(store=MARK).count()} cases over six months, "
            f"{sum(1 for c in approved if c)} approved, {Article.objects.count()} answers."))

    def _settle_clocks(self, now, rng):
        """The history is played out today, so every stage of a case received months ago finished (or
        still runs) months past its target, and the dashboard's service targets read all red. Give
        the stages each old case has passed a plausible pace: most in time, some late. Resolution is
        left as it is: an old case still open really is past its target."""
        from clocks import services as clocks
        from clocks.models import Clock, Name, State

        old = now - datetime.timedelta(days=20)
        settled = (Clock.objects.filter(case__store=MARK, started_at__lt=old, due_at__isnull=False)
                   .exclude(name__in=[Name.RESOLUTION, Name.SAFETY_REVIEW])
                   .filter(Q(outcome=State.BREACHED) | Q(outcome=State.RUNNING, due_at__lt=now))
                   .select_related("case").order_by("pk"))
        for clock in settled:
            late = rng.random() < .15
            at = clock.started_at + (clock.due_at - clock.started_at) * (rng.uniform(1.05, 1.5) if late
                                                                          else rng.uniform(.3, .95))
            with transaction.atomic():
                if clock.outcome == State.RUNNING:
                    clocks.stop(clock.case, clock.name, at)
                else:
                    Clock.objects.filter(pk=clock.pk).update(
                        stopped_at=at, outcome=State.BREACHED if late else State.MET,
                        breached_at=clock.breached_at if late else None)
                    clocks.refresh_due(clock.case)

    def _investigate(self, case, users, rng):
        qa = users["qa_kyu"] if case.factory.code == "KYU" else users["qa_sai"]
        occurrence, escape = rng.choice(CAUSES)
        report = copy.deepcopy(REPORT)
        report.update(occurrence_category=occurrence, escape_category=escape)
        today = timezone.localdate()
        done = rng.random() < .5
        report["countermeasures"] = [
            {"target": "occurrence", "action": "シールローラーを交換し、摩耗点検を毎直にする", "owner": "製造課",
             "due_date": str(today + datetime.timedelta(days=rng.randint(-30, 30))),
             "done_date": str(today - datetime.timedelta(days=3)) if done else "",
             "effectiveness_due": str(today + datetime.timedelta(days=45))},
            {"target": "escape", "action": "包装の外観検査を全数にする", "owner": "品質保証課",
             "due_date": str(today + datetime.timedelta(days=rng.randint(-20, 40))),
             "effectiveness_due": str(today + datetime.timedelta(days=60))},
        ]
        with transaction.atomic():
            case = services.perform(case, "request_return", users["hotline"], {"carrier": "yamato"})
            case = services.perform(case, "receive_sample", qa, {"condition": "包装の端が破れている"})
            case = services.perform(case, "start_investigation", qa, {})
            services.save_investigation(case, qa, report)
            case = services.perform(case, "submit_report", qa, {})
            return services.perform(case, "approve_report", users["qa_manager"], {"comment": "確認しました"})
