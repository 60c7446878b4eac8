"""Between JSON and the Django forms in defects.forms.

The forms are the single authority on input rules (lengths, required fields, control characters,
postal codes, unknown products ...). A form fed a raw JSON value would quietly turn a list or an
object into its string form, and turn "maybe" into True, so the API checks JSON *types* first
with DRF fields derived from the very same form fields (also giving the OpenAPI schema its shape),
then hands the typed values to the form for the rules.
"""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

NON_FIELD = "non_field_errors"


def drf_field(form_field: forms.Field, **overrides) -> serializers.Field:
    """A DRF field that accepts the JSON types the form field understands, nothing more."""
    required = form_field.required
    common = {"required": required, "help_text": str(form_field.label or "") or None}
    if not required:
        common["allow_null"] = True  # null means "not given", as in the form
    if isinstance(form_field, forms.BooleanField):
        common.pop("allow_null", None)
        field = serializers.BooleanField
        common["default"] = False
        common["required"] = False
    elif isinstance(form_field, forms.ModelChoiceField):
        # Master data is referred to by its code; the form looks it up and names unknown codes.
        field = serializers.CharField
        common.update(allow_blank=not required, max_length=100)
    elif isinstance(form_field, forms.ChoiceField):
        field = serializers.ChoiceField
        common.update(choices=[(k, v) for k, v in form_field.choices if k != ""], allow_blank=not required)
    elif isinstance(form_field, forms.IntegerField):
        # Whole numbers only ("3", 3.5 and true are refused); the form keeps its own bounds.
        field = serializers.IntegerField
        common.update(min_value=form_field.min_value, max_value=form_field.max_value)
    elif isinstance(form_field, forms.DateTimeField):
        field = serializers.DateTimeField
    elif isinstance(form_field, forms.DateField):
        # Text: the form reads '2026-01-31', '2026/1/31', '20260131', full-width digits (factories.dates).
        field = serializers.CharField
        common.update(allow_blank=True, trim_whitespace=False, max_length=40)
        common["help_text"] = f"{common['help_text'] or ''} (2026-01-31, 2026/1/31 or 20260131)".strip()
    elif isinstance(form_field, forms.CharField):
        # Blank and whitespace are the form's call ("This field is required." after stripping);
        # DRF still refuses NUL characters and over-long values, with the form's own limit.
        field = serializers.CharField
        common.update(allow_blank=True, trim_whitespace=False, max_length=form_field.max_length)
    else:  # pragma: no cover - a new form field type must be mapped deliberately
        raise TypeError(f"No JSON mapping for {type(form_field).__name__}")
    common.update(overrides)
    if common.get("default", serializers.empty) is not serializers.empty:
        common["required"] = False
    return field(**common)


def serializer_from_form(form_class, name: str, *, prefix: str = "", skip_prefix: str = "",
                         overrides: dict | None = None, base=serializers.Serializer) -> type:
    """A Serializer class with one typed field per form field (optionally those under `prefix`).

    The class is named after the form so the schema components read like the forms they mirror.
    """
    attrs = {"__module__": __name__, "__doc__": (form_class.__doc__ or "").strip() or None}
    for form_name, form_field in form_class.base_fields.items():
        if prefix and not form_name.startswith(prefix):
            continue
        if skip_prefix and form_name.startswith(skip_prefix):
            continue
        attrs[form_name[len(prefix):]] = drf_field(form_field, **(overrides or {}).get(form_name[len(prefix):], {}))
    return type(name, (base,), attrs)


def run_form(form_class, data: dict, error_key=lambda name: (name,), **form_kwargs):
    """Validate typed values with the form; its errors become DRF errors under the API's names.

    `error_key(form_field_name)` gives the path of the error in the answer, e.g. ("consumer", "name");
    `form_kwargs` go to the form (e.g. partial=True for ConsumerForm).
    """
    form = form_class(data={k: v for k, v in data.items() if v is not None}, **form_kwargs)
    if form.is_valid():
        return form.cleaned_data
    errors: dict = {}
    for name, error_list in form.errors.as_data().items():
        details = [ErrorDetail(message, code=error.code or "invalid")
                   for error in error_list for message in error.messages]
        path = error_key(NON_FIELD if name == NON_FIELD_ERRORS else name)
        target = errors
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target.setdefault(path[-1], []).extend(details)
    raise serializers.ValidationError(errors)
