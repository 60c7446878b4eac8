import django_filters

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
                  "address and phone (any 4 or more consecutive digits).",
    )

    class Meta:
        model = DefectCase
        fields = ["state", "factory", "category", "urgent", "q"]

    def search(self, queryset, name, value):
        # selectors.search decides which columns this user may search (never personal data for factories).
        return selectors.search(queryset, self.request.user, value)
