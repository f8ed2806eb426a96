"""Load sources, partners, districts, plans, goals, measures, dated events,
indicators and budget lines from a YAML file, every fact with its citations.

This backs `manage.py load_bergen_plans`. It may be run any number of times:

- every object has a stable key in the file (a slug; `id` for events; the partner
  and the name for a former name; the URL for a source; the fact, the source and
  the field for a citation);
- the whole load is one transaction, so a failure halfway leaves nothing behind;
  the page cache is told once, at its end, that every page may have changed;
- the loader marks its own history rows (history_change_reason = CHANGE_REASON) and
  only updates an object whose fields still equal what the loader last wrote. An
  object someone else changed is kept as it is; one someone else deleted is not
  re-created; published status updates are never touched. Citations follow the
  same rule: one the file no longer has is removed only if the loader wrote it.

A file is one municipality's (`municipality:` at the top); its plans, districts
and municipal units are that municipality's, and its other partners serve it.

The loader is one class made of a part per concern: reader (the file),
rules (the rule above), sources, partners, plans (with goals and
measures) and facts (events, indicators, budgets); report counts what it did.
docs/shipped-data.md describes the rule and the file format.
"""

from pathlib import Path

from django.db import transaction

from measures.data.loading.facts import FactLoading
from measures.data.loading.partners import PartnerLoading
from measures.data.loading.plans import PlanLoading
from measures.data.loading.reader import (
    DEFAULT_DATA_FILE,
    as_text,
    entry_list,
    read_data_file,
)
from measures.data.loading.report import LoadReport
from measures.data.loading.rules import history_marked_as_loader
from measures.data.loading.sources import SourceLoading
from measures.signals import written_in_bulk


class Loader(SourceLoading, PartnerLoading, PlanLoading, FactLoading):
    """The whole file, in the order its parts refer to each other: sources first
    (every fact cites them), then partners, districts, plans with their goals and
    measures, indicators and budget lines."""

    def run(self, data: dict) -> None:
        self.namespace = as_text(data.get("namespace"))
        self.load_municipality(data.get("municipality"))
        for entry in entry_list(data, "sources", "sources"):
            self.load_source(entry)
        for entry in entry_list(data, "partners", "partners"):
            self.load_partner(entry)
        for entry in entry_list(data, "districts", "districts"):
            self.load_district(entry)
        for entry in entry_list(data, "plans", "plans"):
            self.load_plan(entry)
        for order, entry in enumerate(entry_list(data, "indicators", "indicators")):
            self.load_indicator(entry, order + 1)
        for entry in entry_list(data, "budgets", "budgets"):
            self.load_budget(entry)


def load_plans(*, path: Path = DEFAULT_DATA_FILE) -> LoadReport:
    """Load the data file at `path` in one transaction and report what happened.
    Cached public pages are made stale once, at the end (written_in_bulk)."""
    data = read_data_file(path)
    report = LoadReport()
    with (
        transaction.atomic(),
        history_marked_as_loader(),
        written_in_bulk(sender=__name__),
    ):
        Loader(report).run(data)
    return report
