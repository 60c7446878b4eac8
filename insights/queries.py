"""Counts for the dashboard and the insight API, each one GROUP BY in the database.

Every function takes the cases the reader may see (insights.scope.cases), already filtered, so a
factory's QA counts only its plant's cases and the figures of the page and the API agree.
"""

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from clocks.models import Clock, Name as ClockName, State as ClockState
from defects.models import Category
from factories.models import CauseCategory, Countermeasure

# by -> (the column grouped on, the column that names a group (None: a choices label)).
PARETO_BY = {
    "category": ("category", None),
    "occurrence_category": ("investigation__occurrence_category", None),
    "escape_category": ("investigation__escape_category", None),
    "product": ("product__code", "product__name"),
    "factory": ("factory__code", "factory__name"),
}
CHOICE_LABELS = {"category": Category, "occurrence_category": CauseCategory, "escape_category": CauseCategory}


def _none_label(by: str) -> str:
    if by == "factory":
        return _("Not routed yet")
    if by in ("occurrence_category", "escape_category"):
        return _("Not investigated yet")
    return _("None")


def pareto(cases, by: str) -> list[dict]:
    """[{key, label, count, cumulative_share}] by count, largest first; the counts add up to the
    number of cases (cases without a value form their own group, key "")."""
    column, label_column = PARETO_BY[by]
    values = [column] + ([label_column] if label_column else [])
    rows = list(cases.order_by().values(*values).annotate(count=Count("id", distinct=True))
                .order_by("-count", column))
    # Cases without an investigation and those with a blank category are one group, not two.
    merged: dict[str, dict] = {}
    for row in rows:
        key = row[column] or ""
        if key in merged:
            merged[key]["count"] += row["count"]
            continue
        if not key:
            label = _none_label(by)
        elif label_column:
            label = row[label_column]
        else:
            choices = CHOICE_LABELS[by]
            label = str(choices(key).label) if key in choices.values else key
        merged[key] = {"key": key, "label": label, "count": row["count"]}
    ordered = sorted(merged.values(), key=lambda r: (-r["count"], r["key"]))
    total = sum(r["count"] for r in ordered)
    running = 0
    for row in ordered:
        running += row["count"]
        row["cumulative_share"] = round(running / total, 4) if total else 0.0
    return ordered


def trend(cases) -> list[dict]:
    """[{month: 'YYYY-MM', count}] oldest first, months in TIME_ZONE."""
    rows = (cases.order_by().annotate(m=TruncMonth("received_at", tzinfo=timezone.get_default_timezone()))
            .values("m").annotate(count=Count("id")).order_by("m"))
    return [{"month": r["m"].strftime("%Y-%m"), "count": r["count"]} for r in rows]


def trend_by_factory(cases) -> tuple[list[str], list[dict]]:
    """Months (oldest first) and [{factory, label, counts: [per month]}]: the table of cases per month per plant."""
    rows = list(cases.order_by().annotate(m=TruncMonth("received_at", tzinfo=timezone.get_default_timezone()))
                .values("m", "factory__code", "factory__name").annotate(count=Count("id")).order_by("m"))
    months = sorted({r["m"].strftime("%Y-%m") for r in rows})
    plants: dict[str, dict] = {}
    for r in rows:
        code = r["factory__code"] or ""
        plant = plants.setdefault(code, {"factory": code, "label": r["factory__name"] or _("Not routed yet"),
                                         "counts": dict.fromkeys(months, 0)})
        plant["counts"][r["m"].strftime("%Y-%m")] += r["count"]
    series = [{**p, "counts": [p["counts"][m] for m in months]} for p in sorted(plants.values(), key=lambda p: p["factory"] or "~")]
    return months, series


def clock_compliance(cases, now=None) -> list[dict]:
    """Per stage: clocks met, breached (finished late, or running past due), still running in time."""
    now = now or timezone.now()
    late_running = Q(outcome=ClockState.RUNNING, due_at__lt=now)
    rows = (Clock.objects.filter(case__in=cases.order_by().values("pk")).values("name")
            .annotate(met=Count("id", filter=Q(outcome=ClockState.MET)),
                      breached=Count("id", filter=Q(outcome=ClockState.BREACHED) | late_running),
                      running=Count("id", filter=Q(outcome__in=[ClockState.RUNNING, ClockState.PAUSED])
                                    & ~late_running)))
    by_name = {r["name"]: r for r in rows}
    result = []
    for name in ClockName:  # every stage, in the order a case meets them
        r = by_name.get(name.value, {"met": 0, "breached": 0, "running": 0})
        finished = r["met"] + r["breached"]
        result.append({"stage": name.value, "label": str(name.label), "met": r["met"], "breached": r["breached"],
                       "running": r["running"], "met_share": round(r["met"] / finished, 4) if finished else None})
    return result


def countermeasures(cases, today=None) -> dict:
    today = today or timezone.localdate()
    return (Countermeasure.objects.filter(investigation__case__in=cases.order_by().values("pk"))
            .aggregate(total=Count("id"),
                       open=Count("id", filter=Q(done_date__isnull=True)),
                       overdue=Count("id", filter=Q(done_date__isnull=True, due_date__lt=today)),
                       effective=Count("id", filter=~Q(effectiveness_result=""))))



