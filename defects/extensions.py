"""Where capabilities that watch cases (clocks, ...) add to what defects shows, without defects
importing them: filled in their AppConfig.ready().

- CASE_JSON[name] = fn(case) -> value: an extra key in one case's JSON (detail answers only, so a
  list never runs a query per row).
- CASE_ORDERINGS[name] = [order_by expressions]: `?ordering=<name>` on the case list.
- CASE_PANELS: templates included on the case page with {"case": case} in the context.
- CASE_INTAKE: fn(case) called on a new case before its first save (in the intake transaction), to
  fill fields a capability derives from the intake (safety: severity). Pure: no queries, no I/O.
- DEMO_STEPS: fn(stdout) run by `manage.py seed_demo` after the master data and users exist, so each
  capability seeds its own demo data without defects importing it.
"""

CASE_JSON: dict = {}
CASE_ORDERINGS: dict = {}
CASE_PANELS: list[str] = []
CASE_INTAKE: list = []
DEMO_STEPS: list = []
