"""The admin's import (django-import-export) of measures, status updates and
indicator values, from the files the public exports make
(measures/reporting/exports.py): the same column keys, so an export can be edited
and imported back. The format and the rules are in docs/exports.md ("Import").

- mixin: ServiceImportMixin for a ModelAdmin: the import pages, form and report
- formats: how CSV and XLSX files are read
- base: ServiceResource, the base of every resource below, and the preview's cells
- cells: reading a row's cells (text, dates, numbers, codes, slugs, source links)
- measures, status_updates, indicator_values: one resource per kind

Rows are keyed by stable identifiers, never by database ids alone:

- a measure by its slug (unique across plans), in the plan named by `plan`;
- a status update by `external_id`; `id` finds an update of this installation
  that has none (a row of its own export). A new update must have an external id,
  so a file imported twice adds nothing the second time;
- an indicator value by indicator slug + period (`period_type`, `year`,
  `number`): there is at most one published value per indicator and period.

Every row is parsed by its resource and written through the services with the
importing user as actor, so the permission checks, validation and history of a
form write apply (one history row per changed object). import-export's own field
machinery is not used for importing; its hooks are: find the row's object
(get_or_init_instance), read the row (import_instance), skip unchanged rows
(skip_row), write through a service (save_instance).

All or nothing: every import runs in one transaction that is rolled back when any
row has an error, also on the confirmed (second) run. The dry run writes inside
the transaction too, so the preview has run every service check.
"""
