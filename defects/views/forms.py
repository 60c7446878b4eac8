"""Forms that belong to the pages only (list filters) and the widget
tuning that makes the shared forms quick to fill in by keyboard. Validation rules stay in
defects.forms, shared with the API."""

import unicodedata

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from factories.models import Factory

from .. import roles
from ..forms import CleanTextForm
from ..models import Category, State

OPEN = "open"


class CaseFilterForm(CleanTextForm):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("All states")), (OPEN, _("Open cases"))] + State.choices)
    factory = forms.ModelChoiceField(label=_("Factory"), queryset=Factory.objects.all(), to_field_name="code",
                                     required=False, empty_label=_("All factories"))
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All categories"))] + Category.choices)
    urgent = forms.BooleanField(label=_("Urgent only"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.sees_personal_data = roles.sees_personal_data(user)
        q = self.fields["q"]
        if self.sees_personal_data:
            q.widget.attrs["placeholder"] = _("Reference, name, kana, phone, address or product")
        else:
            # Factory users search what is not personal (selectors.search ignores the consumer for them).
            q.label = _("Reference, product or lot")
            q.widget.attrs["placeholder"] = "D-2026-000123"
            del self.fields["factory"]  # they only ever see their own factory
        q.widget.attrs.update(type="search", autocomplete="off")

    def clean_q(self):
        q = self.cleaned_data["q"]
        if not self.sees_personal_data:
            q = unicodedata.normalize("NFKC", q).strip().upper()  # 'ｄ－２０２６' is typed too
        return q

    def forget_q(self):
        """Blank the search box: a factory user's query that found nothing is not echoed back,
        so a consumer's name or phone typed into it never appears on their page."""
        self.data = self.data.copy()
        self.data["q"] = ""

    def apply(self, cases):
        data = self.cleaned_data
        if data.get("state") == OPEN:
            cases = cases.exclude(state__in=[State.CLOSED, State.WITHDRAWN])
        elif data.get("state"):
            cases = cases.filter(state=data["state"])
        if data.get("factory"):
            cases = cases.filter(factory=data["factory"])
        if data.get("category"):
            cases = cases.filter(category=data["category"])
        if data.get("urgent"):
            cases = cases.filter(urgent=True)
        return cases


def tune_intake_form(form):
    """Keyboard-first: the cursor starts on the name, inputs get the right phone keypads."""
    form.label_suffix = ""
    f = form.fields
    f["consumer_name"].widget.attrs.update(autofocus=True, autocomplete="off")
    f["consumer_name_kana"].widget.attrs.update(autocomplete="off")
    f["consumer_phone"].widget.attrs.update(inputmode="tel", autocomplete="off", placeholder="090-1234-5678")
    f["consumer_postal_code"].widget.attrs.update(inputmode="numeric", autocomplete="off", placeholder="8100001")
    f["consumer_email"].widget.attrs.update(autocomplete="off")
    f["description"].widget.attrs.update(rows=5)
    today = timezone.localdate().isoformat()
    f["purchased_on"].widget.attrs.update(max=today)
    f["product"].empty_label = _("Choose the product (code and name)")
    f["factory"].empty_label = _("From the product (default)")
    f["factory"].help_text = _("Only when the plant code on the package says otherwise.")
    f["health_effect"].help_text = _("Marks the case urgent.")
    return form


def tune_contact_form(form, user):
    """The owner is picked from the people who can call back, the current user first."""
    usernames = list(
        get_user_model().objects.filter(is_active=True, groups__name__in=[roles.HOTLINE, roles.QA_MANAGER, roles.MAILROOM])
        .order_by("username").values_list("username", flat=True).distinct()
    )
    if user.username in usernames:
        usernames.remove(user.username)
        usernames.insert(0, user.username)
    form.label_suffix = ""
    form.fields["follow_up_owner"].widget = forms.Select(choices=[("", "---")] + [(u, u) for u in usernames])
    if not form.is_bound:
        form.initial.setdefault("follow_up_owner", user.username)
        form.initial.setdefault("channel", "phone")
        form.initial.setdefault("direction", "outbound")
    return form


def offer_corrections(form, contacts):
    """A correction names the contact it corrects: a choice of the case's own contacts, newest first."""
    form.fields["corrects"].widget = forms.Select(choices=[("", "---")] + [
        (c.pk, f"{timezone.localtime(c.at):%Y-%m-%d %H:%M} {c.get_channel_display()} {c.by.get_username()}")
        for c in reversed(contacts)])
    return form


class AssignFactoryForm(CleanTextForm):
    factory = forms.ModelChoiceField(label=_("Factory"), queryset=Factory.objects.all(),
                                     to_field_name="code", empty_label="---",
                                     error_messages={"invalid_choice": _("Unknown factory."),
                                                     "required": _("Choose a factory.")})
    note = forms.CharField(label=_("Why (for the timeline)"), max_length=2000, required=False)


def assign_form(case=None, data=None):
    prefix = f"assign-{case.pk}" if case else None
    return AssignFactoryForm(data=data, prefix=prefix, label_suffix="")
