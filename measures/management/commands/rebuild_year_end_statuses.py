"""Bring every measure's year-end statuses in line with its published updates
(services.plans.year_ends_rebuild()). They are kept by the services that publish;
this is for after a rolling upgrade in which servers of the release before them
published updates (docs/deploy.md, "Upgrading"), and for checking: a second run
changes nothing."""

from django.core.management.base import BaseCommand

from measures.services.base import SystemActor
from measures.services.plans import year_ends_rebuild

COMMAND = SystemActor("rebuild_year_end_statuses")


class Command(BaseCommand):
    help = (
        "Regn ut på nytt hvor hvert tiltak sto ved hvert årsskifte, fra de "
        "publiserte statusoppdateringene (etter en oppgradering med flere servere)."
    )

    def handle(self, *args, **options):
        changed = year_ends_rebuild(actor=COMMAND)
        self.stdout.write(f"Tiltak rettet: {changed}")
