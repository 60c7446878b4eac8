"""One-off: personal data already written into append-only rows moves to erasable ones.

- an 'address_change' event's old and new values go to a ConsumerAddressHistory row; the event keeps
  {"changed": [...], "history": id};
- a contact's summary goes to its ContactSummary row; the contact's old column and the contact
  event's note (a copy of the summary) are emptied;
- withdrawn cases get withdrawn_at from their withdraw event (the retention counts from it).

This rewrites event and contact rows ONCE, which is why it must run before the PostgreSQL triggers
that refuse UPDATE on them (their migration depends on this one). From now on nothing writes personal
data there: the services write the history and summary rows. On a fresh database it does nothing.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Event = apps.get_model("defects", "Event")
    Contact = apps.get_model("defects", "Contact")
    ContactSummary = apps.get_model("defects", "ContactSummary")
    History = apps.get_model("defects", "ConsumerAddressHistory")
    DefectCase = apps.get_model("defects", "DefectCase")

    for event in Event.objects.filter(kind="address_change").order_by("id").iterator():
        data = event.data if isinstance(event.data, dict) else {}
        if "old" not in data and "new" not in data:
            continue
        history = History.objects.create(case_id=event.case_id, at=event.at, changed=data.get("changed", []),
                                         old=data.get("old") or {}, new=data.get("new") or {})
        kept = {k: v for k, v in data.items() if k not in ("old", "new")}
        Event.objects.filter(pk=event.pk).update(data={**kept, "history": history.pk})

    have_row = set(ContactSummary.objects.values_list("contact_id", flat=True))
    for contact in Contact.objects.exclude(legacy_summary="").order_by("id").iterator():
        if contact.pk not in have_row:
            ContactSummary.objects.create(contact_id=contact.pk, text=contact.legacy_summary)
    Contact.objects.exclude(legacy_summary="").update(legacy_summary="")
    Event.objects.filter(kind="contact", contact__isnull=False).exclude(note="").update(note="")

    for event in Event.objects.filter(kind="transition", transition="withdraw").order_by("id").iterator():
        DefectCase.objects.filter(pk=event.case_id, withdrawn_at__isnull=True).update(withdrawn_at=event.at)


class Migration(migrations.Migration):

    dependencies = [
        ("defects", "0008_personal_data_apart_from_timeline"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
