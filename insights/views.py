"""The dashboard: tables readable without JavaScript, charts drawn from the same figures by
static/js/insights-charts.js (Chart.js, vendored) out of a <script type="application/json"> block."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from defects import roles

from . import queries, scope

PARETO_TITLES = {
    "category": lambda: _("Cases by category"),
    "occurrence_category": lambda: _("Cases by cause of occurrence (4M)"),
    "escape_category": lambda: _("Cases by cause of escape (4M)"),
    "product": lambda: _("Cases by product"),
    "factory": lambda: _("Cases by plant"),
}


@login_required
def dashboard(request):
    user = request.user
    if not scope.may_see(user):
        raise PermissionDenied(_("Your role has no figures to see here."))
    form = scope.InsightFilter(request.GET)
    status = 200
    if form.is_valid():
        cases = form.apply(scope.cases(user))
    else:
        cases, status = scope.cases(user).none(), 400
    hotline_only = scope.hotline_only(user)
    dimensions = ["category", "product"] if hotline_only else list(queries.PARETO_BY)
    if roles.is_factory_only(user):
        dimensions.remove("factory")  # one plant: nothing to compare
    paretos = [{"by": by, "title": PARETO_TITLES[by](), "rows": queries.pareto(cases, by)} for by in dimensions]
    months, plants = queries.trend_by_factory(cases)
    clocks = queries.clock_compliance(cases)
    if hotline_only:  # the stages the hotline owns
        clocks = [c for c in clocks if c["stage"] in ("first_notice", "replacement", "resolution")]
    counter = None if hotline_only else queries.countermeasures(cases)
    chart_data = {
        "paretos": [{"id": f"pareto-{p['by']}", "labels": [r["label"] for r in p["rows"]],
                     "counts": [r["count"] for r in p["rows"]],
                     "shares": [round(r["cumulative_share"] * 100, 1) for r in p["rows"]]} for p in paretos],
        "trend": {"id": "trend", "months": months,
                  "series": [{"label": p["label"], "counts": p["counts"]} for p in plants]},
        "clocks": {"id": "clocks", "labels": [c["label"] for c in clocks],
                   "met": [c["met"] for c in clocks], "breached": [c["breached"] for c in clocks]},
        "words": {"cases": _("Number of cases"), "share": _("Cumulative share (%)"), "met": _("Met"),
                  "breached": _("Breached")},
    }
    context = {
        "form": form, "total": cases.count(), "paretos": paretos, "months": months, "plants": plants,
        "clocks": clocks, "countermeasures": counter, "chart_data": chart_data, "hotline_only": hotline_only,
        "factories": scope.factory_choices(user), "products": scope.product_choices(),
        "factory_only": roles.is_factory_only(user),
    }
    return render(request, "insights/dashboard.html", context, status=status)
