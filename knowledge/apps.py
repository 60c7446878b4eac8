from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = "Knowledge"

    def ready(self):
        from defects import outbox
        from defects.models import Event

        @outbox.subscribe("knowledge.index_case", kinds=[Event.Kind.CREATED])
        def index_case(event):
            # Idempotent: the case's keys are replaced, never added to.
            from .services import index_case as index

            index(event.case)

        from defects import extensions

        from .services import backfill_case_keys

        # seed_volume writes cases in bulk, past the timeline handler above.
        if backfill_case_keys not in extensions.BULK_BACKFILL:
            extensions.BULK_BACKFILL.append(backfill_case_keys)

        # The QA manager's "make an answer of this" button on an approved case.
        if "knowledge/_case_panel.html" not in extensions.CASE_PANELS:
            extensions.CASE_PANELS.append("knowledge/_case_panel.html")
