"""Every write to public data, one module per concept (as Zulip's actions).

Each service is keyword-only, takes the acting user (`actor`, required: request.user,
or a SystemActor naming the command that loads shipped data), checks the permission
in measures/permissions.py, validates with full_clean() and runs in one transaction;
django-simple-history records each save. Import the function from its module:

- base: ConflictError, check() and require(), validated_save(), SystemActor
- review: submit, publish and return, once for status updates and indicator values
- plans: districts, plans, goals, measures and their partners
- status_updates, indicators, indicator_values, budgets, sources (and citations)
- reminders: the reminder digests
- shipped_records: the shipped Bergen data's cited records (measures/data/)
"""
