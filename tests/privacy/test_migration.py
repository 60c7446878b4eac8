"""0009 moves personal data already written into append-only rows (address-change events, contact
summaries and their events) into the erasable rows, once, before the database triggers."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

MOVE = ("defects", "0009_move_personal_data_out_of_timeline")
AFTER = [MOVE]


def before_the_move(graph) -> list[tuple[str, str]]:
    """Every defects migration except the move and what depends on it: sibling branches of the graph
    (search keys, triage, ...) stay applied, so the historical models match the table's NOT NULL columns."""
    after = set(graph.backwards_plan(MOVE))  # the move itself and everything that depends on it
    kept = {node for node in graph.nodes if node[0] == "defects" and node not in after}
    return sorted(node for node in kept if not any(child in kept for child in graph.node_map[node].children))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_address_changes_and_contact_summaries_move_out_of_the_timeline(cast, gum):
    try:
        executor = MigrationExecutor(connection)
        before = before_the_move(executor.loader.graph)
        targets = [("privacy", None)] + before
        # Django refuses one plan that goes both ways: unapply first, then apply what is missing.
        plan = executor.migration_plan(targets)
        if backwards := [step for step in plan if step[1]]:
            executor.migrate(targets, plan=backwards)
            executor = MigrationExecutor(connection)
        if forwards := [step for step in executor.migration_plan(targets) if not step[1]]:
            executor.migrate(targets, plan=forwards)
            executor = MigrationExecutor(connection)
        apps = executor.loader.project_state(before).apps
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
