"""Home (the user's queue and late promises) and the case list."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import extensions, roles, selectors, services
from .forms import CaseFilterForm
from .labels import in_flow_order

QUEUE_LIMIT = 100
PAGE_SIZE = 25


@require_GET
@login_required
def home(request):
    user = request.user
    queue = list(selectors.queue_for(user).select_related("product", "factory")[: QUEUE_LIMIT + 1])
    for case in queue:
        # The queue says what *this* user can do next, so nobody opens a case to find out.
        case.next_steps = in_flow_order(services.available_transitions(case, user))
    # Late promises go to the people who can call the consumer back (factory QA cannot).
    overdue = selectors.overdue_follow_ups(user) if roles.sees_personal_data(user) else []
    return render(request, "defects/home.html", {
        "late_returns": selectors.late_returns(user)[:QUEUE_LIMIT],
        "queue": queue[:QUEUE_LIMIT],
        "queue_truncated": len(queue) > QUEUE_LIMIT,
        "overdue": overdue,
        "is_factory_only": roles.is_factory_only(user),
    })


@require_GET
@login_required
def case_list(request):
    user = request.user
    form = CaseFilterForm(request.GET or None, user=user)
    cases = selectors.cases_for(user)
    status = 200
    if form.is_bound:
        if form.is_valid():
            cases = selectors.search(form.apply(cases), user, form.cleaned_data.get("q"))
        else:
            cases, status = cases.none(), 400
    if request.GET.get("ordering") in extensions.CASE_ORDERINGS:  # ?ordering=due (clocks)
        cases = cases.order_by(*extensions.CASE_ORDERINGS[request.GET["ordering"]])
    if roles.sees_personal_data(user):
        cases = cases.select_related("consumer")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    if form.is_bound and not roles.sees_personal_data(user) and not page.paginator.count:
        form.forget_q()
    context = {"form": form, "page": page}
    # htmx live filtering swaps only the results; without JS the whole page comes back.
    template = "defects/_case_results.html" if request.htmx and request.htmx.target == "results" else "defects/case_list.html"
    return render(request, template, context, status=status)
