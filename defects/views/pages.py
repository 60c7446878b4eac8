"""The case list (home and the queues live in queues.py)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import keyset, personal_data, roles, selectors
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
    # Keyset pages (newer/older from a cursor) and a count capped at keyset.CAP: O(page size).
    # ?ordering=due (clocks): nearest due time first, keyset on that time.
    page = keyset.case_page(cases, after=request.GET.get("after"), before=request.GET.get("before"), size=PAGE_SIZE,
                            ordering=request.GET.get("ordering"))
    searched = form.is_bound and form.is_valid() and bool(form.cleaned_data.get("q"))
    page.count, page.count_capped = keyset.capped_count(keyset.count_order(cases, searched)) if page.object_list or page.newer else (0, False)
    if roles.sees_personal_data(user):
        # Every hit shows its consumer's name: one access record each, in one insert.
        personal_data.accessed(user, page.object_list, "case_list")
    if form.is_bound and not roles.sees_personal_data(user) and not page.count:
        form.forget_q()
    context = {"form": form, "page": page}
    # htmx live filtering swaps only the results; without JS the whole page comes back.
    template = "defects/_case_results.html" if request.htmx and request.htmx.target == "results" else "defects/case_list.html"
    return render(request, template, context, status=status)
