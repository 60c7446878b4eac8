"""The in-Django half of bench/scale.py, run against one database (DATABASE_URL) per call:

    scale_helper.py prepare | queries | sweeps | surge_check | explain  '<json payload>'

Prints one JSON line. Not a test and not for production: it logs users in and runs sweeps.
"""

import base64
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib import admin  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from accounts.models import ApiToken  # noqa: E402

from defects import followups, keyset, queues  # noqa: E402
from defects.models import Consumer, Contact, DefectCase, Shipment  # noqa: E402
from defects.views import pages, routing  # noqa: E402

USERS = ("hotline", "qa_manager", "mailroom", "qa_kyu", "admin")
QUEUE_USERS = (("urgent", "hotline"), ("promises", "hotline"), ("new", "hotline"), ("late_returns", "hotline"),
               ("delivered", "hotline"), ("to_ship", "mailroom"), ("returns_in", "mailroom"),
               ("samples", "qa_kyu"), ("investigations", "qa_kyu"), ("countermeasures", "qa_kyu"),
               ("review", "qa_manager"), ("unrouted", "qa_manager"))


def drf_cursor(position) -> str:
    return base64.b64encode(urlencode({"p": str(position)}).encode()).decode()


def prepare(_payload):
    User = get_user_model()
    tokens, sessions = {}, {}
    for name in USERS:
        user = User.objects.get(username=name)
        tokens[name] = ApiToken.objects.create(user)[1]  # knox: (instance, the token in clear)
        client = Client()
        client.force_login(user)
        sessions[name] = client.cookies["sessionid"].value
    n = DefectCase.objects.count()
    middle = DefectCase.objects.order_by("-received_at", "-id").values("pk", "reference", "received_at")[n // 2]
    returned = Shipment.objects.filter(direction="return").exclude(reference="").order_by("-id").first()
    consumer = Consumer.objects.order_by("-id").first()
    digits = "".join(ch for ch in consumer.phone if ch.isdigit())
    # A consumer in the middle of the table: a name that is neither the newest nor unique.
    someone = Consumer.objects.filter(case_id=middle["pk"]).first() or consumer
    name, kana = quote(someone.name), quote(someone.name_kana or someone.name)
    ref = middle["reference"]
    api, page, adm, one = "api", "page", "admin", "none"
    rows = [
        ("API cases, first page", "/api/cases/?", "hotline", api),
        ("API cases, middle page (cursor)", f"/api/cases/?cursor={drf_cursor(middle['received_at'])}&", "hotline", api),
        ("API cases ?state=investigating", "/api/cases/?state=investigating&", "hotline", api),
        ("API cases ?category=foreign_matter", "/api/cases/?category=foreign_matter&", "hotline", api),
        ("API cases ?factory=SAI", "/api/cases/?factory=SAI&", "hotline", api),
        ("API cases, factory QA (own factory)", "/api/cases/?", "qa_kyu", api),
        ("API search: case reference", f"/api/cases/?q={ref}&", "hotline", api),
        ("API search: return reference", f"/api/cases/?q={returned.reference}&", "hotline", api),
        ("API search: phone digits (trigram: lead)", f"/api/cases/?q={digits}&", "hotline", api),
        ("API search: name", f"/api/cases/?q={name}&", "hotline", api),
        ("API search: kana", f"/api/cases/?q={kana}&", "hotline", api),
        ("API search: phone, last 4 digits", f"/api/cases/?q={digits[-4:]}&", "hotline", api),
        ("API cases ?ordering=due", "/api/cases/?ordering=due&", "hotline", api),
        ("API overdue countermeasures", "/api/countermeasures/?overdue=true&", "qa_manager", one),
        ("API safety reviews", "/api/safety-reviews/?", "qa_manager", one),
        ("API lot alerts", "/api/lot-alerts/?", "qa_manager", one),
        ("API notifications", "/api/notifications/?", "hotline", one),
        ("API unrouted (QA manager)", "/api/cases/unrouted/?", "qa_manager", one),
        ("API timeline of a case", f"/api/cases/{ref}/events/?", "hotline", one),
        ("API contacts of a case", f"/api/cases/{ref}/contacts/?", "hotline", one),
        ("page: case list", "/cases/?", "hotline", page),
        ("page: case list, middle (cursor)",
         f"/cases/?after={keyset.encode_cursor(middle['received_at'], middle['pk'])}&", "hotline", page),
        ("page: case list ?state=open", "/cases/?state=open&", "hotline", page),
        ("page: case list ?category=foreign_matter", "/cases/?category=foreign_matter&", "hotline", page),
        ("page: case list, search reference", f"/cases/?q={ref}&", "hotline", page),
        ("page: case list, search name", f"/cases/?q={name}&", "hotline", page),
        ("page: case list, search phone 4 digits", f"/cases/?q={digits[-4:]}&", "hotline", page),
        ("page: case list ?ordering=due", "/cases/?ordering=due&", "hotline", page),
        *[(f"page: queue {queue}", f"/queues/{queue}/?", who, page) for queue, who in QUEUE_USERS],
        ("page: queue urgent ?ordering=due", "/queues/urgent/?ordering=due&", "hotline", page),
        ("page: safety reviews", "/safety/?", "qa_manager", one),
        ("page: lot alerts", "/safety/lot-alerts/?", "qa_manager", one),
        ("page: recall register", "/safety/recalls/?", "qa_manager", one),
        ("page: notifications", "/notifications/?", "hotline", one),
        ("page: unrouted (QA manager)", "/unrouted/?", "qa_manager", page),
        ("page: home, hotline", "/?", "hotline", page),
        ("page: home, QA manager", "/?", "qa_manager", page),
        ("page: home, mail room", "/?", "mailroom", page),
        ("page: home, factory QA", "/?", "qa_kyu", page),
        ("page: print room", "/print-room/?", "mailroom", one),
        ("page: redirects", "/redirects/?", "mailroom", one),
        ("page: case detail", f"/cases/{ref}/?", "hotline", one),
        ("admin: cases", "/admin/defects/defectcase/?", "admin", adm),
        ("admin: timeline events", "/admin/defects/event/?", "admin", adm),
        ("admin: letters", "/admin/letters/letter/?", "admin", adm),
        ("admin: contacts", "/admin/defects/contact/?", "admin", adm),
        ("admin: shipments", "/admin/defects/shipment/?", "admin", adm),
    ]
    targets = []
    for name, path, who, kind in rows:
        target = {"name": name, "path": path.rstrip("?&") if kind != api else path + "page_size=25",
                  "base": path, "who": who, "kind": kind}
        if path.startswith("/api/"):
            target["token"] = tokens[who]
        else:
            target["session"] = sessions[who]
        targets.append(target)
    return {"targets": targets, "hotline_token": tokens["hotline"], "cases": n}


def _sized(size):
    pages.PAGE_SIZE = size
    queues.PAGE_SIZE = size
    queues.HOME_ROWS = size
    routing.UNROUTED_LIMIT = size
    for model_admin in admin.site._registry.values():
        model_admin.list_per_page = size


def queries(payload):
    User = get_user_model()
    out = []
    for target in payload["targets"]:
        client = Client()
        client.force_login(User.objects.get(username=target["who"]))
        headers = {"HTTP_AUTHORIZATION": f"Token {target['token']}"} if target.get("token") else {}
        counts = []
        for size in (10, 50):
            _sized(size)
            path = target["base"] + f"page_size={size}" if target["kind"] == "api" else target["path"]
            client.get(path, **headers)
            with CaptureQueriesContext(connection) as captured:
                client.get(path, **headers)
            counts.append(len(captured))
        out.append(counts)
    return out


def _median_ms(fn, repeat=5):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def sweeps(_payload):
    """Each sweep: with nothing due (a date before any data: the cost that must not grow with the
    closed cases), and in its steady state after a first run flagged what was due. The number of
    rows due is reported too: the steady state may grow with them, never with the closed cases."""
    import datetime

    from django.utils import timezone

    long_ago = timezone.make_aware(datetime.datetime(2001, 1, 1))
    due_promises = followups.overdue_follow_ups().count()
    due_returns = followups.overdue_returns().count()
    followups.flag_overdue_follow_ups()
    followups.flag_overdue_returns()
    open_promises = Contact.objects.filter(follow_up_due__lt=timezone.now(), follow_up_done_at__isnull=True).count()
    return {
        "follow-ups, nothing due": _median_ms(lambda: followups.flag_overdue_follow_ups(now=long_ago)),
        "late returns, nothing due": _median_ms(lambda: followups.flag_overdue_returns(today=long_ago.date())),
        f"follow-ups, steady ({open_promises} overdue, {due_promises} new)":
            _median_ms(followups.flag_overdue_follow_ups),
        f"late returns, steady ({due_returns} new)": _median_ms(followups.flag_overdue_returns),
    }


def surge_check(payload):
    run = payload["run"]
    mine = DefectCase.objects.filter(description__startswith=run + "-")
    duplicates = mine.values("description").annotate(n=Count("id")).filter(n__gt=1).count()
    return {"stored": mine.count(), "duplicates": duplicates}


def explain(_payload):
    n = DefectCase.objects.count()
    middle = DefectCase.objects.order_by("-received_at", "-id").values("pk", "received_at")[n // 2]
    returned = Shipment.objects.filter(direction="return").exclude(reference="").order_by("-id").first()
    ref = DefectCase.objects.get(pk=middle["pk"]).reference
    at, pk = middle["received_at"], middle["pk"]
    from defects import selectors

    hotline = get_user_model().objects.get(username="hotline")
    someone = Consumer.objects.filter(case_id=pk).first() or Consumer.objects.order_by("-id").first()
    searches = (("name", someone.name), ("kana", someone.name_kana or someone.name),
                ("phone, last 4 digits", "".join(c for c in someone.phone if c.isdigit())[-4:]),
                ("part of a reference", ref[-6:]))
    base = DefectCase.objects.select_related("product", "factory", "line", "consumer")
    plans = {
        "case list, first page": base.order_by("-received_at", "-id")[:26],
        "case list, middle page (keyset)": base.filter(received_at__lte=at).filter(Q(received_at__lt=at) | Q(pk__lt=pk))
        .order_by("-received_at", "-id")[:26],
        "case list ?category=foreign_matter": base.filter(category="foreign_matter").order_by("-received_at", "-id")[:26],
        "case list ?state=investigating": base.filter(state="investigating").order_by("-received_at", "-id")[:26],
        "capped count": DefectCase.objects.order_by()[:1001],
        "search: case reference": base.filter(selectors.exact_reference_filter(ref))[:26],
        "search: return reference": base.filter(selectors.exact_reference_filter(returned.reference))[:26],
        **{f"search: {what}": selectors.search(selectors.cases_for(hotline), hotline, q).order_by(
            "-received_at", "-id")[:26] for what, q in searches},
        "sweep: late returns": followups.overdue_returns(),
        "sweep: overdue follow-ups": followups.overdue_follow_ups(),
    }
    out = {}
    for name, queryset in plans.items():
        sql, params = queryset.query.sql_with_params()
        if name == "capped count":
            sql = f"SELECT COUNT(*) FROM ({sql}) sub"
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
            lines = [row[0] for row in cursor.fetchall()]
        out[name] = "\n".join(lines[:18])
    return out


if __name__ == "__main__":
    what, payload = sys.argv[1], json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}")
    print(json.dumps({"prepare": prepare, "queries": queries, "sweeps": sweeps, "surge_check": surge_check,
                      "explain": explain}[what](payload), default=str))
