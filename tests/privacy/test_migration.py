"""0009 moves personal data already written into append-only rows (address-change events, contact
summaries and their events) into the erasable rows, once, before the database triggers."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# The search keys (a sibling branch of the graph) stay in place: DefectCase.reference_key is NOT NULL.
BEFORE = [("defects", "0008_personal_data_apart_from_timeline"), ("defects", "0009_fill_search_keys")]
AFTER = [("defects", "0009_move_personal_data_out_of_timeline")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_address_changes_and_contact_summaries_move_out_of_the_timeline(cast, gum):
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([("privacy", None)] + BEFORE)
        apps = executor.loader.project_state(BEFORE).apps
        Case, Event, Contact = (apps.get_model("defects", n) for n in ("DefectCase", "Event", "Contact"))
        case = Case.objects.create(reference="D-2025-000001", reference_key="D2025000001", channel="phone", product_id=gum.pk, category="packaging",
                                   description="torn", state="withdrawn")
        moved = Event.objects.create(case=case, kind="address_change", data={
            "changed": ["address"], "old": {"address": "天神9-8-7"}, "new": {"address": "博多1-1-1"}})
        contact = Contact.objects.create(case=case, by_id=cast["hotline"].pk, channel="phone", direction="inbound",
                                         legacy_summary="電話 092-555-0123")
        said = Event.objects.create(case=case, kind="contact", note="電話 092-555-0123", contact=contact)
        withdrawn = Event.objects.create(case=case, kind="transition", transition="withdraw", at=timezone.now())

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        apps = executor.loader.project_state(AFTER).apps
        Event, Contact = apps.get_model("defects", "Event"), apps.get_model("defects", "Contact")
        History, Summary = apps.get_model("defects", "ConsumerAddressHistory"), apps.get_model("defects", "ContactSummary")
        history = History.objects.get(case_id=case.pk)
        assert (history.old, history.new) == ({"address": "天神9-8-7"}, {"address": "博多1-1-1"})
        assert Event.objects.get(pk=moved.pk).data == {"changed": ["address"], "history": history.pk}
        assert Summary.objects.get(contact_id=contact.pk).text == "電話 092-555-0123"
        assert Contact.objects.get(pk=contact.pk).legacy_summary == ""
        assert Event.objects.get(pk=said.pk).note == ""
        assert apps.get_model("defects", "DefectCase").objects.get(pk=case.pk).withdrawn_at == \
            Event.objects.get(pk=withdrawn.pk).at
    finally:
        # Back to the latest schema, whatever happened, for the tests that follow.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
