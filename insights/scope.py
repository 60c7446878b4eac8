"""Which cases a reader's figures count, and the dashboard's filters (period, plant, product)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from defects import roles, selectors
from factories.models import Factory, Product

# Roles with a dashboard. The print room has its own queue and no figures to review.
DASHBOARD_ROLES = (roles.QA_MANAGER, roles.ADMIN, roles.FACTORY_QA, roles.HOTLINE)


def may_see(user) -> bool:
    return roles.has_role(user, *DASHBOARD_ROLES)


def hotline_only(user) -> bool:
    """The hotline sees its own numbers: the cases it opened, not every plant's."""
    user_roles = roles.roles_of(user)
    return roles.HOTLINE in user_roles and not (user_roles & {roles.QA_MANAGER, roles.ADMIN})


def cases(user):
    visible = selectors.cases_for(user)
    if hotline_only(user):
        visible = visible.filter(created_by=user)
    return visible


class InsightFilter(forms.Form):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD&factory=CODE&product=CODE (all optional; dates in TIME_ZONE, inclusive)."""

    from_ = forms.DateField(label=_("From"), required=False)
    to = forms.DateField(label=_("To"), required=False)
    factory = forms.CharField(label=_("Plant"), required=False, max_length=16)
    product = forms.CharField(label=_("Product"), required=False, max_length=32)

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:  # "from" is a Python keyword: the field is from_, the parameter from
            data = data.copy()
            if "from" in data:
                data["from_"] = data.get("from")
        super().__init__(data, *args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            self.add_error("to", _("The end of the period is before its start."))
        return data

    def apply(self, cases):
        data = self.cleaned_data
        tz = timezone.get_default_timezone()
        if data.get("from_"):
            cases = cases.filter(received_at__gte=datetime.datetime.combine(data["from_"], datetime.time(), tz))
        if data.get("to"):
            end = datetime.datetime.combine(data["to"] + datetime.timedelta(days=1), datetime.time(), tz)
            cases = cases.filter(received_at__lt=end)
        if data.get("factory"):
            cases = cases.filter(factory__code=data["factory"])
        if data.get("product"):
            cases = cases.filter(product__code=data["product"])
        return cases

    def errors_by_parameter(self) -> dict:
        return {("from" if name == "from_" else name): [str(e) for e in errs] for name, errs in self.errors.items()}


def factory_choices(user):
    if roles.is_factory_only(user):
        return Factory.objects.filter(pk=roles.factory_id_of(user))
    return Factory.objects.order_by("code")


def product_choices():
    return Product.objects.order_by("code")
