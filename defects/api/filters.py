import django_filters
from django.utils.translation import gettext as _

from .. import selectors
from ..models import Category, DefectCase, State


class CaseFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=State.choices)
    # By code; an unknown code simply matches nothing (codes are not secret, see /api/factories/).
    factory = django_filters.CharFilter(field_name="factory__code", max_length=16)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    urgent = django_filters.BooleanFilter()
    q = django_filters.CharFilter(
        method="search", max_length=100,
        help_text="Forgiving search (any width, spaces, kana, case): reference, return reference, product code "
                  "or name, lot code; for roles that see personal data also the consumer's name, kana, e-mail, "
                  "address and phone (any 4 or more consecutive digits). Three or more characters match anywhere "
                  "in these; one or two match a name or kana at its start or end (a family or given name), a "
                  "whole lot code, or a product's code or name.",
    )

    ordering = django_filters.CharFilter(
        method="order", max_length=20,
        help_text="`due`: the nearest due time of the case's running clocks first (cases without one last).",
    )

    class Meta:
        model = DefectCase
        fields = ["state", "factory", "category", "urgent", "q", "ordering"]

    def order(self, queryset, name, value):
        from django.core.exceptions import ValidationError

        from .. import extensions

        if value not in extensions.CASE_ORDERINGS:
            raise ValidationError({"ordering": [_("Unknown ordering.")]})
        return queryset.order_by(*extensions.CASE_ORDERINGS[value])

    def search(self, queryset, name, value):
        # selectors.search decides which columns this user may search (never personal data for factories).
        return selectors.search(queryset, self.request.user, value)
