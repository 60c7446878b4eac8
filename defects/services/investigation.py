"""The factory's report: drafts, photos, and which factory a case belongs to."""


from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from factories.models import Factory, Investigation, InvestigationPhoto

from .. import roles
from ..models import DefectCase, Event, State
from ..selectors import open_states
from ..timeline import record as _log
from ._base import TransitionConflict, _locked


EDITABLE_REPORT_STATES = {State.SAMPLE_RECEIVED, State.INVESTIGATING}


MAX_PHOTOS_PER_REPORT = 20


def _editable_investigation(case, by):
    """Lock the case, check that `by` is its factory's QA and the report is not frozen; get the report.

    A report is frozen from submission on: while in review (report_review) and once approved.
    """

    case = _locked(case)
    if not roles.factory_qa_of_case(case, by):
        raise PermissionDenied(_("Only the factory's QA may edit this report."))
    if case.state not in EDITABLE_REPORT_STATES:
        raise TransitionConflict(_("The report cannot be edited while the case is '%(state)s'.") % {"state": case.state})
    investigation, _created = Investigation.objects.get_or_create(case=case)
    return case, investigation


def save_investigation(case, by, fields: dict, countermeasures=None) -> Investigation:
    """Save the factory's report as a draft (it may be incomplete); only while the case is with the factory.

    `fields`: any of Investigation.REPORT_FIELDS (others are refused), validated with
    factories.forms.InvestigationForm; fields not given keep their value. `countermeasures`: None
    keeps them, a list of dicts (CountermeasureForm fields) replaces them all, in order; it may also
    come as fields["countermeasures"]. Errors name the field ('countermeasures[0].target').
    """
    from factories.forms import InvestigationForm, clean_countermeasures

    fields = dict(fields or {})
    in_fields = fields.pop("countermeasures", None)
    if countermeasures is None:
        countermeasures = in_fields
    with transaction.atomic():
        case, investigation = _editable_investigation(case, by)
        errors: dict[str, list[str]] = {
            name: [_("Unknown field.")] for name in fields if name not in Investigation.REPORT_FIELDS
        }
        data = {name: getattr(investigation, name) for name in Investigation.REPORT_FIELDS}
        data.update({name: value for name, value in fields.items() if name in data})
        data = {name: "" if value is None else value for name, value in data.items()}
        form = InvestigationForm(data=data, instance=investigation)
        if not form.is_valid():
            errors.update({name: [str(m) for m in messages] for name, messages in form.errors.items()})
        rows = None
        if countermeasures is not None:
            try:
                rows = clean_countermeasures(countermeasures)
            except ValidationError as error:
                errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        investigation = form.save(commit=False)
        investigation.updated_by = by
        investigation.save()
        if rows is not None:
            investigation.countermeasures.all().delete()
            investigation.countermeasures.bulk_create([
                investigation.countermeasures.model(investigation=investigation, position=position, **row)
                for position, row in enumerate(rows)
            ])
    return investigation


def add_photo(case, by, uploaded_file, caption="") -> InvestigationPhoto:
    """Attach a photo of the sample to the report; JPEG/PNG checked by content, size-limited."""
    from factories.forms import PhotoForm

    with transaction.atomic():
        case, investigation = _editable_investigation(case, by)
        form = PhotoForm(data={"caption": caption or ""}, files={"file": uploaded_file} if uploaded_file else {})
        if not form.is_valid():
            raise ValidationError({name: [str(m) for m in messages] for name, messages in form.errors.items()})
        if investigation.photos.count() >= MAX_PHOTOS_PER_REPORT:
            raise ValidationError({"file": [_("A report holds at most %(max)s photos.") % {"max": MAX_PHOTOS_PER_REPORT}]})
        photo = InvestigationPhoto(investigation=investigation, content_type=form.content_type,
                                   size=uploaded_file.size, caption=form.cleaned_data["caption"], uploaded_by=by)
        photo.file.save("photo", uploaded_file, save=False)
        name = photo.file.name
        try:  # a row that cannot be written leaves no file behind
            photo.save()
        except Exception:
            photo.file.storage.delete(name)
            raise
    return photo


def remove_photo(case, by, photo_id) -> None:
    """Remove a photo from a draft report; the file is deleted once the removal is committed."""
    from django.http import Http404

    with transaction.atomic():
        case, investigation = _editable_investigation(case, by)
        photo = investigation.photos.filter(pk=photo_id).first()
        if photo is None:
            raise Http404("No such photo on this report.")
        storage, name = photo.file.storage, photo.file.name
        photo.delete()
        transaction.on_commit(lambda: storage.delete(name))


# A routed case may be moved to another factory until that factory starts its investigation; from
# then on the report is theirs. An unrouted case may be assigned in any open state (it can reach
# awaiting_return, sample_received via the mail room, or investigating without a sample).
REASSIGNABLE_STATES = {State.RECEIVED, State.AWAITING_RETURN, State.SAMPLE_RECEIVED}


def assign_factory(case, by, factory, note="") -> DefectCase:
    """The QA manager assigns (or corrects) the factory of a case; a timeline 'assignment' event says so."""

    with transaction.atomic():
        case = _locked(case)
        if not roles.qa_manager(case, by):
            raise PermissionDenied(_("Only a QA manager may assign a case to a factory."))
        if isinstance(factory, str):
            factory = Factory.objects.filter(code=factory.strip().upper()).first()
        if not isinstance(factory, Factory):
            raise ValidationError({"factory": [_("Choose a factory.")]})
        if case.state not in open_states() or (case.factory_id is not None and case.state not in REASSIGNABLE_STATES):
            raise TransitionConflict(
                _("The factory cannot be changed while the case is '%(state)s'.") % {"state": case.state}
            )
        if case.factory_id == factory.pk:
            raise ValidationError({"factory": [_("The case is already with %(code)s.") % {"code": factory.code}]})
        previous = case.factory
        case.factory = factory
        if case.line_id and case.line.factory_id != factory.pk:
            case.line = None
        case.save(update_fields=["factory", "line", "updated_at"])
        _log(case, by, Event.Kind.ASSIGNMENT, note=note or "",
             data={"from": previous.code if previous else None, "to": factory.code})
    return case
