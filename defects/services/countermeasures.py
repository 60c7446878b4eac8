"""Countermeasures live on after approval: the factory marks each done and records its effectiveness
check (result, by whom, when), each change a timeline event. Only the Countermeasure row changes:
the approved report's version snapshot (factories.versions) keeps the text as it was approved."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from factories.models import Countermeasure

from .. import roles
from ..models import Event, State
from ..timeline import record as _record
from ._base import TransitionConflict

# After the QA manager approved the report the countermeasures are settled and followed through.
FOLLOW_THROUGH_STATES = (State.APPROVED, State.REPLACEMENT_SHIPPED, State.CLOSED)


def visible_countermeasures(user) -> QuerySet[Countermeasure]:
    from .. import selectors

    return (Countermeasure.objects.filter(investigation__case__in=selectors.cases_for(user))
            .select_related("investigation__case", "responsible"))


def overdue(queryset: QuerySet[Countermeasure], today: datetime.date | None = None) -> QuerySet[Countermeasure]:
    """Not done by its due date, or its effectiveness not checked by the check's date, on a case
    whose report is approved (before, they are still a draft)."""
    today = today or timezone.localdate()
    return queryset.filter(investigation__case__state__in=FOLLOW_THROUGH_STATES).filter(
        Q(done_date__isnull=True, due_date__lt=today) | Q(effectiveness_result="", effectiveness_due__lt=today))


def follow_through(countermeasure_id: int, by, cleaned: dict) -> Countermeasure:
    """cleaned: any of done_date (date), effectiveness_result (text), responsible (a username), and note
    (text, added to each timeline event this call writes). The factory's QA (or a QA manager) of the
    case, after approval; each change one timeline event. The case page's form and the API both call it."""
    extra = (cleaned.get("note") or "").strip()

    def record(case, by, kind, note, data):
        _record(case, by, kind, note=f"{note}\n{extra}" if extra else note, data=data)

    with transaction.atomic():
        cm = Countermeasure.objects.select_for_update(of=("self",)).select_related("investigation__case").get(
            pk=countermeasure_id)
        case = cm.investigation.case
        if not (roles.factory_qa_of_case(case, by) or roles.has_role(by, roles.QA_MANAGER)):
            raise PermissionDenied(_("Only the factory's QA or a QA manager follows a countermeasure through."))
        if case.state not in FOLLOW_THROUGH_STATES:
            raise TransitionConflict(_("Countermeasures are followed through once the report is approved."))
        today = timezone.localdate()
        if "done_date" in cleaned:
            done = cleaned["done_date"]
            if done is not None and done > today:
                raise ValidationError({"done_date": [_("The date cannot be in the future.")]})
            if done != cm.done_date:
                cm.done_date = done
                cm.save(update_fields=["done_date"])
                record(case, by, Event.Kind.NOTE,
                       note=(_("Countermeasure done on %(date)s: %(action)s") % {"date": done, "action": cm.action[:80]}
                             if done else _("Countermeasure marked not done: %(action)s") % {"action": cm.action[:80]}),
                       data={"countermeasure": cm.pk, "action": "done", "done_date": done.isoformat() if done else None})
        if cleaned.get("responsible"):
            from django.contrib.auth import get_user_model

            person = get_user_model().objects.filter(username=cleaned["responsible"], is_active=True).first()
            if person is None or not (roles.factory_qa_of_case(case, person) or roles.has_role(person, roles.QA_MANAGER)):
                raise ValidationError({"responsible": [_("Choose a QA member of this factory or a QA manager.")]})
            if person.pk != cm.responsible_id:
                cm.responsible = person
                cm.save(update_fields=["responsible"])
                record(case, by, Event.Kind.NOTE,
                       note=_("Countermeasure now with %(person)s: %(action)s") % {
                           "person": person.get_username(), "action": cm.action[:80]},
                       data={"countermeasure": cm.pk, "action": "responsible", "responsible": person.get_username()})
        if "effectiveness_result" in cleaned:
            result = (cleaned["effectiveness_result"] or "").strip()
            if not result:
                raise ValidationError({"effectiveness_result": [_("Say what the check found.")]})
            if result != cm.effectiveness_result:
                cm.effectiveness_result = result
                cm.effectiveness_checked_by = by
                cm.effectiveness_checked_at = timezone.now()
                cm.save(update_fields=["effectiveness_result", "effectiveness_checked_by", "effectiveness_checked_at"])
                record(case, by, Event.Kind.NOTE,
                       note=_("Effectiveness checked: %(result)s") % {"result": result},
                       data={"countermeasure": cm.pk, "action": "effectiveness_checked"})
    return cm
