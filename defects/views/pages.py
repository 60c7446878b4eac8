"""The case list (home and the queues live in queues.py)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import roles, selectors
from .forms import CaseFilterForm

PAGE_SIZE = 25


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
    if roles.sees_personal_data(user):
        cases = cases.select_related("consumer")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    if form.is_bound and not roles.sees_personal_data(user) and not page.paginator.count:
        form.forget_q()
    context = {"form": form, "page": page}
    # htmx live filtering swaps only the results; without JS the whole page comes back.
    template = "defects/_case_results.html" if request.htmx and request.htmx.target == "results" else "defects/case_list.html"
    return render(request, template, context, status=status)
