"""Input forms for the factory's report, shared by the web pages and the API.

- InvestigationForm: the report's own fields (Investigation.REPORT_FIELDS). A draft may be incomplete,
  so no field is required here; completeness is Investigation.missing_for_submission().
- CountermeasureForm / CountermeasureFormSet (prefix 'countermeasures'): one row per action.
  `clean_countermeasures(rows)` validates a JSON list of dicts with the same form and names errors
  'countermeasures[<index>].<field>' (or 'countermeasures' for the list itself).
- PhotoForm: file + caption; the file is checked by content (factories.photos.validate_photo).
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .dates import FlexibleDateField
from .models import Countermeasure, Investigation
from .models.investigation import MAX_WHYS, clean_whys
from .photos import validate_photo

MAX_COUNTERMEASURES = 30
MAX_TEXT_LENGTH = 8000


def _reject_control_characters(value):
    # Same rule as defects.forms.reject_control_characters (factories does not import defects).
    if isinstance(value, str) and any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        raise ValidationError(_("Contains control characters."), code="control_characters")
    return value


class _CleanTextMixin:
    """Every text field: stripped (Django's default), no control characters."""

    def _clean_fields(self):
        super()._clean_fields()
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField) and name in self.cleaned_data:
                try:
                    _reject_control_characters(self.cleaned_data[name])
                except ValidationError as error:
                    self.add_error(name, error)


class WhysField(forms.JSONField):
    """A 5-Whys chain as JSON: [{"why": "...", "because": "..."}, ...], at most five levels."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _('Up to %(max)s levels of {"why": ..., "because": ...}.') % {"max": MAX_WHYS})
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        cleaned = clean_whys(value)
        for row in cleaned:
            for text in row.values():
                _reject_control_characters(text)
        return cleaned


class InvestigationForm(_CleanTextMixin, forms.ModelForm):
    occurrence_whys = WhysField(label=_("5-Whys of the occurrence"))
    escape_whys = WhysField(label=_("5-Whys of the escape"))

    class Meta:
        model = Investigation
        fields = Investigation.REPORT_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in Investigation.REPORT_FIELDS
            if name not in ("retained_samples_checked", "occurrence_category", "escape_category", "conclusion",
                            "occurrence_whys", "escape_whys")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            if isinstance(field, forms.CharField) and field.max_length is None:
                # A TextField has no limit of its own; a report section longer than this is a paste accident.
                field.max_length = MAX_TEXT_LENGTH
                field.validators.append(MaxLengthValidator(MAX_TEXT_LENGTH))


class CountermeasureForm(_CleanTextMixin, forms.Form):
    target = forms.ChoiceField(label=_("Against"), choices=Countermeasure.Target.choices,
                               error_messages={"required": _("Say whether the action is against the occurrence or the escape.")})
    action = forms.CharField(label=_("Action"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.CharField(label=_("Owner"), max_length=100, required=False)
    due_date = FlexibleDateField(label=_("Due date"), required=False)
    done_date = FlexibleDateField(label=_("Done on"), required=False)
    effectiveness_due = FlexibleDateField(label=_("Effectiveness check due"), required=False)
    effectiveness_result = forms.CharField(label=_("Effectiveness check result"), max_length=2000, required=False,
                                           widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        due, done, check = data.get("due_date"), data.get("done_date"), data.get("effectiveness_due")
        if done and done > today:
            self.add_error("done_date", _("An action cannot be done in the future; leave it empty until it is."))
        if check and due and check < due:
            self.add_error("effectiveness_due", _("The effectiveness check cannot be due before the action is."))
        if check and done and check < done:
            self.add_error("effectiveness_due", _("The effectiveness check cannot be due before the action was done."))
        if data.get("effectiveness_result") and not done:
            self.add_error("effectiveness_result", _("An effectiveness result needs the action done first."))
        return data


class _BaseCountermeasureFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if len([f for f in self.forms if f.has_changed()]) > MAX_COUNTERMEASURES:
            raise ValidationError(_("At most %(max)s actions.") % {"max": MAX_COUNTERMEASURES})

    def rows(self) -> list[dict]:
        """The valid rows, in order, without the empty extra forms a page may add."""
        return [f.cleaned_data for f in self.forms if f.has_changed() and f.cleaned_data]


CountermeasureFormSet = forms.formset_factory(
    CountermeasureForm, formset=_BaseCountermeasureFormSet, extra=0, max_num=MAX_COUNTERMEASURES,
    validate_max=True,
)


def clean_countermeasures(rows) -> list[dict]:
    """Validate a list of countermeasure dicts (JSON); return the cleaned rows in order.

    Raises ValidationError({'countermeasures[1].target': [...], ...}) naming each bad field.
    """
    if rows is None:
        return []
    if not isinstance(rows, list | tuple):
        raise ValidationError({"countermeasures": [_("Countermeasures are a list of actions.")]})
    if len(rows) > MAX_COUNTERMEASURES:
        raise ValidationError({"countermeasures": [_("At most %(max)s actions.") % {"max": MAX_COUNTERMEASURES}]})
    errors: dict[str, list[str]] = {}
    cleaned = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            errors[f"countermeasures[{index}]"] = [str(_("Each action is an object with its fields."))]
            continue
        unknown = set(row) - set(CountermeasureForm.base_fields) - {"id", "position"}
        if unknown:
            errors[f"countermeasures[{index}]"] = [
                str(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))})
            ]
            continue
        form = CountermeasureForm(data={k: ("" if v is None else v) for k, v in row.items()})
        if form.is_valid():
            cleaned.append(form.cleaned_data)
        else:
            for field, messages in form.errors.items():
                errors[f"countermeasures[{index}].{field}"] = [str(m) for m in messages]
    if errors:
        raise ValidationError(errors)
    return cleaned


class PhotoForm(_CleanTextMixin, forms.Form):
    file = forms.FileField(label=_("Photo (JPEG or PNG)"))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.content_type = validate_photo(uploaded)
        return uploaded
