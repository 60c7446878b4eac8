"""Where capabilities that watch cases (clocks, ...) add to what defects shows, without defects
importing them: filled in their AppConfig.ready().

- CASE_JSON[name] = fn(case) -> value: an extra key in one case's JSON (detail answers only, so a
  list never runs a query per row).
- CASE_ORDERINGS[name] = [order_by expressions]: `?ordering=<name>` on the case list.
- CASE_PANELS: templates included on the case page with {"case": case} in the context.
- CASE_INTAKE: fn(case) called on a new case before its first save (in the intake transaction), to
  fill fields a capability derives from the intake (safety: severity). Pure: no queries, no I/O.
- HOME_PANELS: fn(user) -> (template name, context dict) or None: a section on the user's home page
  (safety: open safety reviews and lot alerts). Each must cost a fixed number of queries (first few
  rows and a capped count), never one per row.
- BULK_BACKFILL: fn(stdout) run by `manage.py seed_volume` after rows were written in bulk (COPY or
  bulk_create, so no timeline event was dispatched): each capability fills what its outbox handler
  would have written (knowledge: the cases' search keys).
- DEMO_STEPS: fn(stdout) run by `manage.py seed_demo` after the master data and users exist, so each
  capability seeds its own demo data without defects importing it.
"""

CASE_JSON: dict = {}
CASE_ORDERINGS: dict = {}
CASE_PANELS: list[str] = []
CASE_INTAKE: list = []
DEMO_STEPS: list = []
HOME_PANELS: list = []
BULK_BACKFILL: list = []
