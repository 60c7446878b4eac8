"""What the case page shows, built for one user: the timeline as they may read it, the actions with
what blocks them, the parcels, the factory's report (or the version under review) and the routing.

Personal data is decided here once: notes and event data go through selectors.event_note_for /
event_data_for, the consumer and the contact log only reach roles that see personal data.
"""

from django.utils.translation import gettext_lazy as _

from factories.models import Investigation, InvestigationVersion
from factories.versions import changes_since_rejection, diff, snapshot

from .. import roles, selectors, services
from ..forms import PAYLOAD_FORMS, ShipmentEventForm
from ..models import Event, Shipment, State
from .forms import assign_form, offer_corrections
from .labels import (
    WAITING_ON_LABELS, CAUTION_TRANSITIONS, LETTER_ACTIONS_WITHOUT_NOTE, TRANSITION_HELP, TRANSITION_LABELS, in_flow_order,
)

# Who logs calls and letters with the consumer, and marks promised follow-ups done. Factory QA never
# talk to the consumer directly.
CONTACT_ROLES = (roles.HOTLINE, roles.QA_MANAGER, roles.MAILROOM)

# Actions the services may still refuse for a reason of their own (letters not printed, parcel not
# delivered): the page says why next to the button, before anyone clicks.
BLOCKABLE = ("ship_replacement", "close")

# The report in the order the factory writes it, section by section (8D: D2 describe, D3 contain,
# D4 root cause and escape point, D5-D7 actions).
REPORT_SECTIONS = [
    ("examination", _("Examination of the sample"), ("sample_checks", "sample_findings")),
    ("containment", _("Containment"), ("retained_samples_checked", "retained_samples_result")),
    ("process", _("Manufacturing process"), ("manufacturing_process",)),
    ("occurrence", _("Cause of occurrence"), ("cause_of_occurrence", "occurrence_category", "occurrence_whys")),
    ("escape", _("Cause of escape"), ("cause_of_escape", "escape_category", "escape_whys")),
    ("conclusion", _("Conclusion and prevention"), ("conclusion", "prevention")),
    ("countermeasures", _("Prevention measures"), ("countermeasures",)),
    ("consumer", _("For the consumer's letter"), Investigation.CONSUMER_FIELDS),
]


def payload_form(name, data=None, initial=None):
    # Each form gets its own id prefix: several transitions share field names (comment, reason).
    return PAYLOAD_FORMS[name](data=data, initial=initial, auto_id=f"id_{name}_%s", label_suffix="")


def may_log_contact(user) -> bool:
    return roles.has_role(user, *CONTACT_ROLES)


def may_edit_report(case, user) -> bool:
    return roles.factory_qa_of_case(case, user) and case.state in services.EDITABLE_REPORT_STATES


def report_sections(data: dict | None) -> list[dict]:
    """A report snapshot (factories.versions.snapshot) as labelled sections for the template."""
    from factories.models import CauseCategory, Conclusion, Countermeasure
    from factories.versions import label_of

    data = data or {}
    choices = {"occurrence_category": CauseCategory, "escape_category": CauseCategory, "conclusion": Conclusion}
    sections = []
    for key, title, names in REPORT_SECTIONS:
        rows = []
        for name in names:
            value = data.get(name)
            if name in choices and value:
                try:
                    value = choices[name](value).label
                except ValueError:
                    pass
            if name == "countermeasures":
                value = [dict(m, target_label=_label(Countermeasure.Target, m.get("target"))) for m in value or []]
            rows.append({"name": name, "label": label_of(name), "value": value,
                         "kind": "whys" if name.endswith("_whys") else "list" if name == "countermeasures" else "text"})
        sections.append({"key": key, "title": title, "rows": rows})
    return sections


def _label(choices, value):
    try:
        return choices(value).label
    except ValueError:
        return value or ""


def _review(case, user, investigation):
    """The report as the reader should see it: the version under review (with what changed since it was
    last sent back) or, while the factory works, the current draft."""
    if investigation is None:
        return {}
    versions = list(investigation.versions.select_related("submitted_by", "decided_by").order_by("number"))
    latest = versions[-1] if versions else None
    in_review = case.state in (State.REPORT_REVIEW, State.APPROVED, State.REPLACEMENT_SHIPPED, State.CLOSED)
    shown = latest.snapshot if (latest and in_review) else snapshot(investigation)
    changes = changes_since_rejection(investigation) if (latest and in_review) else None
    rejected = next((v for v in reversed(versions[:-1]) if v.decision == InvestigationVersion.Decision.REJECTED),
                    None) if latest else None
    return {
        "versions": versions, "latest_version": latest if in_review else None, "shown_is_draft": not in_review,
        "sections": report_sections(shown), "changes": changes, "rejected_version": rejected,
        "photos": shown.get("photos", []),
        "missing": investigation.submission_problems() if case.state == State.INVESTIGATING else {},
    }


def shipment_panels(case, user) -> list[dict]:
    """Each parcel of the case with its events and, for the mail room and hotline, the form to record
    what happened to it (a replacement once it left; a return only 'in transit')."""
    may_record = roles.has_role(user, *services.SHIPMENT_EVENT_ROLES)
    panels = []
    for shipment in selectors.shipments_for(user, case):
        open_replacement = (shipment.direction == Shipment.Direction.REPLACEMENT and shipment.shipped_at
                            and shipment.status not in (Shipment.Status.DELIVERED, Shipment.Status.RETURNED_TO_SENDER))
        open_return = shipment.direction == Shipment.Direction.RETURN and shipment.status == Shipment.Status.EXPECTED
        form = None
        if may_record and (open_replacement or open_return):
            form = ShipmentEventForm(auto_id=f"id_ship{shipment.pk}_%s", label_suffix="",
                                     initial={"kind": "delivered" if open_replacement else "in_transit"})
            del form.fields["source"], form.fields["external_id"]  # staff enter manual events only
            if open_return:
                form.fields["kind"].choices = [c for c in form.fields["kind"].choices if c[0] == "in_transit"]
        panels.append({"shipment": shipment, "items": list(shipment.items.all()), "events": list(shipment.events.all()),
                       "event_form": form})
    return panels


def actions_for(case, user, payload_forms=None, receive_ready=False):
    payload_forms = payload_forms or {}
    actions = []
    for name in in_flow_order(services.available_transitions(case, user)):
        form = payload_forms.get(name)
        if form is None:
            form = payload_form(name)
            if name == "receive_sample" and receive_ready:
                form.fields["condition"].widget.attrs.update(autofocus=True)
        actions.append({
            "name": name, "label": TRANSITION_LABELS[name], "help": TRANSITION_HELP[name],
            "caution": name in CAUTION_TRANSITIONS, "form": form,
            "open": name in payload_forms or (name == "receive_sample" and receive_ready),
        })
        blockers = [str(b) for b in services.blockers(case, name)] if name in BLOCKABLE else []
        intro = blockers.pop(0) if blockers and blockers[0].rstrip().endswith((":", "：")) else ""
        actions[-1].update(blockers=blockers, blockers_intro=intro)
    return actions


def case_header(case, user) -> dict:
    """Who owes what, at the top of the case: the stage, whose move it is, the next promise to the
    consumer (its due time and owner), the case's owner and its age. The promise is a conversation
    with the consumer: factory users get the header without it."""
    waiting = selectors.waiting_on(case)
    may_assign = services.may_assign(user) and case.state not in (State.CLOSED, State.WITHDRAWN)
    return {
        "waiting_on": waiting,
        "waiting_on_label": WAITING_ON_LABELS[waiting],
        "promise": selectors.next_promise(case) if roles.sees_personal_data(user) else None,
        "owner": case.owner,
        "may_take": may_assign and case.owner_id != user.pk,
        "owners": list(services.eligible_owners()) if may_assign else [],
    }


def case_context(request, case, *, payload_forms=None, contact_form=None, receive_ready=False,
                 countermeasure_forms=None) -> dict:
    from .countermeasures import follow_through_rows

    user = request.user
    personal = roles.sees_personal_data(user)
    events = list(case.events.select_related("actor", "contact__summary_row"))
    if personal:
        selectors.attach_address_history(events)
    for event in events:
        event.visible_note = selectors.event_note_for(user, event)
        if event.kind == Event.Kind.LETTER and event.data.get("action") in LETTER_ACTIONS_WITHOUT_NOTE:
            event.visible_note = ""
        event.visible_data = selectors.event_data_for(user, event)
    investigation = Investigation.objects.filter(case=case).first()
    contacts = list(case.contacts.select_related("by", "follow_up_owner", "corrects", "summary_row")
                    .prefetch_related("corrections")) if personal else []
    if contact_form is not None and contacts:
        offer_corrections(contact_form, contacts)
    return {
        "case": case,
        # The case's free text as this reader may read it (masked for factory users).
        "case_text": selectors.case_texts_for(user, case),
        "header": case_header(case, user),
        # Not even hidden: a factory user's page is built without the consumer at all.
        "consumer": getattr(case, "consumer", None) if personal else None,
        "may_edit_consumer": roles.hotline(case, user),
        "events": events,
        "contacts": contacts,
        "may_mark_follow_up": may_log_contact(user),
        "shipments": shipment_panels(case, user),
        "may_edit_replacement": case.state == State.APPROVED and roles.hotline_or_mailroom(case, user),
        "investigation": investigation,
        "report": _review(case, user, investigation),
        # After approval: the countermeasures as they are now, with a form per row for who may change them.
        "follow_through": follow_through_rows(case, user, investigation, countermeasure_forms),
        # The people who write or judge the report read it open; everyone else unfolds it.
        "report_open": roles.has_role(user, roles.FACTORY_QA, roles.QA_MANAGER),
        "may_edit_report": may_edit_report(case, user),
        "assign_form": assign_form(case) if roles.qa_manager(case, user) and case.state in selectors.open_states()
        and (case.factory_id is None or case.state in services.REASSIGNABLE_STATES) else None,
        "actions": actions_for(case, user, payload_forms, receive_ready),
        "contact_form": contact_form if may_log_contact(user) else None,
        "withdrawn_reason": case.withdrawn_reason if personal else "",
    }


__all__ = ["case_context", "diff", "may_edit_report", "may_log_contact", "payload_form", "report_sections"]
