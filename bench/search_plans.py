"""EXPLAIN ANALYZE of `q=` searches as the case list runs them (first page of 50), on the database in
DATABASE_URL. Pick the values from the data: a name, a family name, kana, 4 phone digits, an address,
an e-mail, a whole and a partial reference, a return reference.

    DEBUG=1 DATABASE_URL=postgres://.../h_search_vol .venv/bin/python manage.py shell < bench/search_plans.py

Prints per query: median execution time of 3 runs, rows, and the scans on the big tables. With
OLD=<commit>, also the selectors of that commit on the same database (before/after a change).
"""

import importlib.util
import os
import re
import statistics
import subprocess

from django.contrib.auth import get_user_model

from defects import selectors
from defects.models import Consumer, Shipment

modules = {"now": selectors}
if os.environ.get("OLD"):
    source = subprocess.run(["git", "show", os.environ["OLD"] + ":defects/selectors.py"], capture_output=True,
                            text=True, check=True).stdout
    old = importlib.util.module_from_spec(importlib.util.spec_from_loader("defects.selectors_old", loader=None))
    old.__package__ = "defects"
    exec(compile(source, "selectors_old.py", "exec"), old.__dict__)
    modules = {"old": old, **modules}

user = get_user_model().objects.get(username="hotline")
consumer = Consumer.objects.exclude(email="").order_by("-id")[1234:1235].get()
returned = Shipment.objects.filter(direction="return").exclude(reference="").order_by("-id").first()
queries = {
    "name": consumer.name,
    "family name (2 characters)": consumer.name.split("\u3000")[0],
    "kana, half-width, common": "ﾔﾏﾀﾞ",
    "kana": consumer.name_kana,
    "phone, 4 digits": consumer.phone[-4:],
    "phone": consumer.phone,
    "address": consumer.address.split("\u3000")[0][-8:],
    "e-mail": consumer.email.split("@")[0],
    "reference": consumer.case.reference,
    "reference, last 6": consumer.case.reference[-6:],
    "return reference": returned.reference,
}
BIG = r"(?:defects_\w+|consumer_\w+|case_\w+|unique_\w+)"
for label, q in queries.items():
    print(f"{label}: {q}")
    for name, module in modules.items():
        queryset = module.search(selectors.cases_for(user), user, q).order_by("-received_at", "-id")[:50]
        times = []
        for _ in range(3):
            plan = queryset.explain(analyze=True)
            times.append(float(re.search(r"Execution Time: ([0-9.]+) ms", plan).group(1)))
        scan_re = rf"(Seq Scan on {BIG}|Bitmap Index Scan on {BIG}|Index Scan(?: Backward)? using {BIG})"
        scans = sorted(set(re.findall(scan_re, plan)))
        print(f"  {name}: {statistics.median(times):8.2f} ms, {len(list(queryset))} rows; {'; '.join(scans)}")
