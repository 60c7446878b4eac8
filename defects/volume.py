"""Realistic cases in volume (`manage.py seed_volume`): what years of a hotline look like.

Cases are spread over several years, oldest first, with references numbered per year as intake
numbers them; a case's state follows its age (most are closed), and each carries the rows the
system would have written on the way: timeline events, a contact or two (some with a promise, some
of those overdue), the return parcel and the replacement, the letters, the factory's investigation.

Rows are built as plain dicts with explicit ids (so that children can point at parents without a
round trip) and written by `_Writer`: COPY on PostgreSQL, bulk_create on SQLite.
"""

from __future__ import annotations

import datetime
import json
import random
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from factories.models import Factory, Investigation, Line, Product, StaffProfile
from letters.models import Letter

from . import roles
from .models import Consumer, Contact, DefectCase, Event, ReferenceCounter, ReplacementItem, Shipment, State
from .references import format_case_reference, new_return_reference

from .search import compact, consumer_keys

EXTRA_FACTORIES = [
    ("HOK", "北海道工場", "0660000", "北海道千歳市泉沢1-1", "0123-00-0000", "品質保証課長 北村 誠"),
    ("KAN", "関西工場", "5900000", "大阪府堺市堺区戎島町1-1", "072-000-0000", "品質保証課長 西田 恵"),
    ("TOH", "東北工場", "9810000", "宮城県仙台市泉区明通1-1", "022-000-0000", "品質保証課長 東 健一"),
]
KINDS = ["ガム", "チョコレート", "ビスケット", "キャンディ", "グミ", "クッキー", "ウエハース", "ポテトチップス"]
FLAVOURS = ["ミント", "いちご", "ぶどう", "レモン", "ミルク", "抹茶", "塩", "キャラメル"]

FAMILY = [("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"),
          ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"),
          ("吉田", "ヨシダ"), ("山田", "ヤマダ"), ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"),
          ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
          ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"), ("阿部", "アベ"),
          ("石川", "イシカワ"), ("前田", "マエダ"), ("藤田", "フジタ"), ("後藤", "ゴトウ"), ("岡田", "オカダ")]
GIVEN = [("翔太", "ショウタ"), ("大輔", "ダイスケ"), ("健一", "ケンイチ"), ("誠", "マコト"), ("拓也", "タクヤ"),
         ("陽菜", "ヒナ"), ("美咲", "ミサキ"), ("さくら", "サクラ"), ("結衣", "ユイ"), ("花子", "ハナコ"),
         ("恵子", "ケイコ"), ("裕子", "ユウコ"), ("直樹", "ナオキ"), ("隆", "タカシ"), ("和子", "カズコ"),
         ("蓮", "レン"), ("湊", "ミナト"), ("葵", "アオイ"), ("凛", "リン"), ("優子", "ユウコ")]
# (postal code prefix, prefecture + city + town): the code and the address agree as Japan Post has them.
PLACES = [("810", "福岡県福岡市中央区天神"), ("812", "福岡県福岡市博多区博多駅前"), ("160", "東京都新宿区西新宿"),
          ("150", "東京都渋谷区神南"), ("530", "大阪府大阪市北区梅田"), ("460", "愛知県名古屋市中区栄"),
          ("060", "北海道札幌市中央区北一条西"), ("980", "宮城県仙台市青葉区中央"), ("730", "広島県広島市中区紙屋町"),
          ("220", "神奈川県横浜市西区みなとみらい"), ("600", "京都府京都市下京区四条通"), ("330", "埼玉県さいたま市大宮区桜木町")]
STORES = ["コンビニ天神店", "スーパー駅前店", "ドラッグストア本町店", "百貨店地下食品売場", "ネット通販", "駅売店"]
CATEGORIES = [("packaging", 40), ("foreign_matter", 15), ("taste_odor", 15), ("quantity", 12), ("labelling", 6),
              ("other", 12)]
DESCRIPTIONS = {
    "packaging": "個包装の一つが破れていて、中身が見えていました。",
    "foreign_matter": "食べている途中で硬い小さな異物が出てきました。",
    "taste_odor": "いつもと違う、薬品のような匂いがしました。",
    "quantity": "表示より一つ少なく入っていました。",
    "labelling": "賞味期限の印字がかすれて読めません。",
    "other": "袋を開けたところ、形が崩れていました。",
}
# (transition, from, to, days after intake when it happened)
WITH_SAMPLE = [("request_return", "received", "awaiting_return", 0.2),
               ("receive_sample", "awaiting_return", "sample_received", 7),
               ("start_investigation", "sample_received", "investigating", 8)]
WITHOUT_SAMPLE = [("investigate_without_sample", "received", "investigating", 1)]
TAIL = [("submit_report", "investigating", "report_review", 15), ("approve_report", "report_review", "approved", 17),
        ("ship_replacement", "approved", "replacement_shipped", 20), ("close", "replacement_shipped", "closed", 25)]
STAMP = {"request_return": "return_requested_at", "receive_sample": "sample_received_at",
         "submit_report": "report_submitted_at", "approve_report": "approved_at",
         "ship_replacement": "replacement_shipped_at", "close": "closed_at"}


def _state_for_age(days: float, rng: random.Random) -> str:
    """Where a case of this age usually is: most of the file is closed."""
    bands = [
        (3, [("received", 70), ("awaiting_return", 30)]),
        (10, [("received", 15), ("awaiting_return", 60), ("investigating", 25)]),
        (20, [("awaiting_return", 30), ("sample_received", 20), ("investigating", 50)]),
        (30, [("investigating", 40), ("report_review", 30), ("approved", 30)]),
        (45, [("approved", 20), ("replacement_shipped", 30), ("closed", 50)]),
        (float("inf"), [("closed", 94), ("withdrawn", 6)]),
    ]
    for limit, choices in bands:
        if days < limit:
            return rng.choices([c for c, _ in choices], [w for _, w in choices])[0]
    raise AssertionError


def consumer_row(pk: int, case_id: int, rng: random.Random) -> dict:
    """One consumer with a realistic Japanese name, kana, postal code, address and phone.

    The single place that builds Consumer rows in bulk: the search keys are added here."""
    family, family_kana = rng.choice(FAMILY)
    given, given_kana = rng.choice(GIVEN)
    prefix, place = rng.choice(PLACES)
    phone = (f"0{rng.choice('789')}0-{rng.randrange(10000):04d}-{rng.randrange(10000):04d}" if rng.random() < 0.7
             else f"0{rng.randrange(3, 99):d}-{rng.randrange(100, 1000)}-{rng.randrange(10000):04d}")
    email = f"user{case_id}@example.jp" if rng.random() < 0.4 else ""
    row = {
        "id": pk, "case_id": case_id, "name": f"{family}\u3000{given}", "name_kana": f"{family_kana}\u3000{given_kana}",
        "postal_code": f"{prefix}{rng.randrange(10000):04d}",
        "address": f"{place}{rng.randrange(1, 10)}-{rng.randrange(1, 30)}-{rng.randrange(1, 20)}",
        "phone": phone, "email": email, "language": "en" if rng.random() < 0.02 else "ja",
    }
    row.update(consumer_keys(name=row["name"], name_kana=row["name_kana"], address=row["address"],
                             email=row["email"], phone=row["phone"]))
    return row


def _master_data():
    """Five factories (the demo's two and three more), dozens of products, a QA user per factory."""
    factories = {f.code: f for f in Factory.objects.all()}
    for code, name, postal_code, address, phone, responsible in EXTRA_FACTORIES:
        factories[code], _ = Factory.objects.get_or_create(code=code, defaults=dict(
            name=name, postal_code=postal_code, address=address, phone=phone, responsible=responsible))
    codes = sorted(factories)
    for i, kind in enumerate(KINDS):
        for j, flavour in enumerate(FLAVOURS[:5]):
            Product.objects.get_or_create(code=f"V-{i:02d}{j:02d}", defaults=dict(
                name=f"{flavour}{kind}", jan=f"49{i:02d}{j:02d}00000{(i * 5 + j) % 10}",
                default_factory=factories[codes[(i + j) % len(codes)]]))
    qa_group = Group.objects.get(name=roles.FACTORY_QA)
    User = get_user_model()
    for code in codes:
        user, created = User.objects.get_or_create(username=f"qa_{code.lower()}")
        if created:
            user.set_unusable_password()
            user.save()
            user.groups.add(qa_group)
            StaffProfile.objects.update_or_create(user=user, defaults={"factory": factories[code]})
    users = {name: User.objects.get(username=name).pk for name in ("hotline", "qa_manager", "mailroom")}
    qa_by_factory = {factories[c].pk: User.objects.get(username=f"qa_{c.lower()}").pk for c in codes}
    products = [(p.pk, p.default_factory_id) for p in Product.objects.exclude(default_factory=None).order_by("pk")]
    lines = defaultdict(list)
    for line in Line.objects.all():
        lines[line.factory_id].append(line.pk)
    return users, qa_by_factory, products, lines


class _Writer:
    """Writes dict rows for a model: COPY on PostgreSQL, bulk_create elsewhere."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"

    def write(self, model, rows: list[dict]):
        if not rows:
            return
        if not self.postgres:
            model.objects.bulk_create([model(**row) for row in rows], batch_size=2000)
            return
        fields = [f for f in model._meta.concrete_fields]
        defaults = {f.attname: f.get_default() for f in fields}
        json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        names = [f.attname for f in fields]
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    values = []
                    for name in names:
                        value = row[name] if name in row else defaults[name]
                        if name in json_fields:
                            value = json.dumps(value, ensure_ascii=False)
                        values.append(value)
                    copy.write_row(values)

    def reset_sequences(self, model_list):
        if not self.postgres:
            return  # SQLite takes the next id after the largest
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), model_list):
                cursor.execute(sql)


MODELS = [DefectCase, Consumer, Contact, Event, Shipment, ReplacementItem, Letter, Investigation]


def seed(n: int, *, years: int = 4, seed: int = 1, chunk: int = 20000, progress=None) -> dict[str, int]:
    rng = random.Random(seed)
    users, qa_by_factory, products, lines = _master_data()
    now = timezone.now()
    next_id = {m: (m.objects.aggregate(m=Max("pk"))["m"] or 0) + 1 for m in MODELS}
    counters = dict(ReferenceCounter.objects.values_list("year", "last"))
    # On PostgreSQL intake numbers from a sequence per year (defects.services.intake): after those too.
    from .services.intake import last_reference_numbers

    for year, last in last_reference_numbers().items():
        counters[year] = max(counters.get(year, 0), last)
    # Oldest first, so that ids and per-year numbers rise with time as they do in real intake.
    ages = sorted((rng.random() ** 1.0 * years * 365 for _ in range(n)), reverse=True)
    totals = defaultdict(int)
    writer = _Writer()
    categories = [c for c, _ in CATEGORIES]
    weights = [w for _, w in CATEGORIES]
    for start in range(0, n, chunk):
        rows = defaultdict(list)
        for age in ages[start:start + chunk]:
            _one_case(rows, rng, now, age, next_id, counters, users, qa_by_factory, products, lines,
                      categories, weights)
        with transaction.atomic():
            for model in MODELS:
                writer.write(model, rows[model])
                totals[model._meta.model_name] += len(rows[model])
        if progress:
            progress(min(start + chunk, n))
    with transaction.atomic():
        writer.reset_sequences(MODELS)
        for year, last in counters.items():
            ReferenceCounter.objects.update_or_create(year=year, defaults={"last": last})
        _after_seed(counters)
    return {str(k): v for k, v in totals.items()}


def _after_seed(counters):
    """Keep whatever hands out reference numbers ahead of the numbers used here."""
    from .services import intake

    sync = getattr(intake, "sync_reference_sequences", None)
    if sync:
        sync(counters)


def _take(next_id, model) -> int:
    pk = next_id[model]
    next_id[model] = pk + 1
    return pk


def _one_case(rows, rng, now, age, next_id, counters, users, qa_by_factory, products, lines, categories, weights):
    received_at = now - datetime.timedelta(days=age, minutes=rng.randrange(600))
    year = timezone.localtime(received_at).year
    counters[year] = counters.get(year, 0) + 1
    state = _state_for_age(age, rng)
    with_sample = rng.random() < 0.7
    withdrawn = state == "withdrawn"
    path = WITH_SAMPLE + TAIL if with_sample else WITHOUT_SAMPLE + TAIL
    target = "awaiting_return" if withdrawn else state
    if withdrawn:
        path = WITH_SAMPLE[:1]
    elif not with_sample and state in ("awaiting_return", "sample_received"):
        path = WITH_SAMPLE + TAIL  # those states exist only with a sample
        with_sample = True
    steps = []
    for step in path:
        if target == "received":
            break
        steps.append(step)
        if step[2] == target:
            break
    product_id, factory_id = rng.choice(products)
    category = rng.choices(categories, weights)[0]
    case_id = _take(next_id, DefectCase)
    stamps = {}
    hotline, qa = users["hotline"], qa_by_factory[factory_id]
    actor_of = {"receive_sample": users["mailroom"], "start_investigation": qa, "submit_report": qa,
                "approve_report": users["qa_manager"], "ship_replacement": users["mailroom"]}

    def at(days):
        return min(received_at + datetime.timedelta(days=days, minutes=rng.randrange(240)),
                   now - datetime.timedelta(minutes=1))

    events = [{"id": _take(next_id, Event), "case_id": case_id, "at": received_at, "actor_id": hotline,
               "kind": "created", "to_state": "received",
               "data": {"channel": "phone", "urgent": False, "factory": None}}]
    for name, source, dest, days in steps:
        when = at(days)
        if name in STAMP:
            stamps[STAMP[name]] = when
        events.append({"id": _take(next_id, Event), "case_id": case_id, "at": when, "actor_id": actor_of.get(name, hotline),
                       "kind": "transition", "transition": name, "from_state": source, "to_state": dest, "data": {}})
    if withdrawn:
        when = at(16)
        events.append({"id": _take(next_id, Event), "case_id": case_id, "at": when, "actor_id": hotline,
                       "kind": "transition", "transition": "withdraw", "from_state": "awaiting_return",
                       "to_state": "withdrawn", "note": "お客様より取り下げのご連絡", "data": {}})
    closed = state in ("closed", "withdrawn")
    rows[DefectCase].append({
        "id": case_id, "reference": (reference := format_case_reference(year, counters[year])),
        "reference_key": compact(reference), "received_at": received_at,
        "channel": rng.choices(["phone", "mobile", "email", "web", "letter"], [50, 25, 10, 12, 3])[0],
        "product_id": product_id, "lot_code": f"{received_at:%Y.%m.%d} {rng.randrange(1, 4)}",
        "best_before": (received_at + datetime.timedelta(days=180)).date(), "store": rng.choice(STORES),
        "purchased_on": (received_at - datetime.timedelta(days=rng.randrange(1, 10))).date(),
        "category": category, "description": DESCRIPTIONS[category], "health_effect": False, "urgent": False,
        "factory_id": factory_id, "line_id": rng.choice(lines[factory_id]) if lines.get(factory_id) else None,
        "lot_key": "", "state": state, "created_by_id": hotline, "updated_at": events[-1]["at"],
        "withdrawn_reason": "お客様より取り下げのご連絡" if withdrawn else "",
        "withdrawn_by_id": hotline if withdrawn else None,
        "no_sample_reason": "" if with_sample else "現品は既に廃棄済みとのこと", **stamps,
    })
    rows[Consumer].append(consumer_row(_take(next_id, Consumer), case_id, rng))
    # A call back to the consumer on most cases; some promise a follow-up, some of those are late.
    for _ in range(rng.choices([0, 1, 2], [35, 50, 15])[0]):
        when = at(rng.uniform(0.1, 3))
        due = done = owner = None
        if rng.random() < 0.3:
            due, owner = when + datetime.timedelta(days=rng.uniform(0.5, 5)), hotline
            done = min(due, now) if (closed or rng.random() < 0.5) else None
        contact_id = _take(next_id, Contact)
        rows[Contact].append({"id": contact_id, "case_id": case_id, "at": when, "by_id": hotline,
                              "channel": "phone", "direction": "outbound",
                              "summary": "お詫びと現品返送のお願いをお伝えしました。", "follow_up_due": due,
                              "follow_up_owner_id": owner, "follow_up_done_at": done})
        data = {"channel": "phone", "direction": "outbound"}
        if due:
            data.update(follow_up_due=due.isoformat(), follow_up_owner="hotline")
        events.append({"id": _take(next_id, Event), "case_id": case_id, "at": when, "actor_id": hotline,
                       "kind": "contact", "note": "お詫びと現品返送のお願いをお伝えしました。", "data": data,
                       "contact_id": contact_id})
    rows[Event].extend(events)
    reached = {step[2] for step in steps}
    if with_sample and "awaiting_return" in reached:
        requested = stamps["return_requested_at"]
        arrived = stamps.get("sample_received_at")
        rows[Shipment].append({
            "id": _take(next_id, Shipment), "case_id": case_id, "direction": "return", "carrier": "yamato",
            "reference": new_return_reference(), "status": "received" if arrived else "expected",
            "payment": "cash_on_delivery", "created_at": requested,
            "expected_by": (requested + datetime.timedelta(days=14)).date(),
            "received_at": arrived, "received_by_id": users["mailroom"] if arrived else None,
        })
    if "approved" in reached:
        shipped = stamps.get("replacement_shipped_at")
        shipment_id = _take(next_id, Shipment)
        rows[Shipment].append({
            "id": shipment_id, "case_id": case_id, "direction": "replacement", "payment": "prepaid",
            "carrier": "yamato" if shipped else "", "tracking_number": f"{rng.randrange(10**11, 10**12)}" if shipped else "",
            "status": "delivered" if state == "closed" else ("shipped" if shipped else "preparing"),
            "created_at": stamps["approved_at"], "shipped_at": shipped,
            "shipped_by_id": users["mailroom"] if shipped else None,
            "delivered_at": stamps.get("closed_at"),
        })
        rows[ReplacementItem].append({"id": _take(next_id, ReplacementItem), "case_id": case_id,
                                      "shipment_id": shipment_id, "kind": "product", "product_id": product_id,
                                      "quantity": 1})
    _letters(rows, next_id, case_id, received_at, state, reached, stamps, now)
    if "investigating" in reached:
        rows[Investigation].append({
            "id": _take(next_id, Investigation), "case_id": case_id, "updated_at": events[-1]["at"], "updated_by_id": qa,
            "sample_checks": "現品の外観と包装の状態を確認しました。", "sample_findings": "包装のシール部に噛み込みがありました。",
            "manufacturing_process": "原料の計量、混合、成形、冷却、個包装、箱詰めの順に製造しています。",
            "cause_of_occurrence": "包装機のシール温度が一時的に低下していました。", "occurrence_category": "machine",
            "cause_of_escape": "シール強度の検査が抜き取りのみでした。", "escape_category": "method",
            "conclusion": rng.choice(["determined", "determined", "probable", "not_determined"]),
            "prevention": "シール温度の監視と全数検査を導入しました。",
            "consumer_process": "原料を混ぜ、形を整え、一つずつ包装しています。",
            "consumer_cause": "包装の際に、袋の閉じ目が十分に閉じていなかったと考えられます。",
            "consumer_prevention": "包装の温度を常に監視し、閉じ目をすべて検査するようにいたしました。",
        })


def _letters(rows, next_id, case_id, received_at, state, reached, stamps, now):
    old = now - received_at > datetime.timedelta(days=2)
    kinds = [("first_notice_postcard", received_at, "mailed" if old else "ready")]
    if "return_requested_at" in stamps:
        kinds.append(("return_kit", stamps["return_requested_at"], "mailed" if old else "ready"))
    if "approved" in reached:
        sent = "replacement_shipped" in reached
        for kind in ("apology_letter", "packing_slip"):
            kinds.append((kind, stamps["approved_at"], "mailed" if sent else "ready"))
    for kind, created, status in kinds:
        rows[Letter].append({"id": _take(next_id, Letter), "case_id": case_id, "kind": kind, "status": status,
                             "created_at": created, "rendered_at": created, "pdf_revision": None,
                             "printed_at": created if status == "mailed" else None,
                             "mailed_at": created if status == "mailed" else None})
