from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy as _

from measures.data.loading.loader import load_plans
from measures.data.loading.reader import DEFAULT_DATA_FILE, LoadError
from measures.management.base import TranslatedHelpCommand


class Command(TranslatedHelpCommand):
    help = _(
        "Laster inn Bergen kommunes planer for rusfeltet med mål, tiltak, partnere, "
        "bydeler og daterte hendelser. Kan kjøres flere ganger; endringer en "
        "administrator har gjort, blir ikke overskrevet."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--file",
            type=Path,
            default=DEFAULT_DATA_FILE,
            help=_("YAML-filen som skal lastes inn (standard: Bergens planer)."),
        )

    def handle(self, *args, **options) -> None:
        try:
            report = load_plans(path=options["file"])
        except LoadError as error:
            raise CommandError(str(error)) from error
        for line in report.lines():
            self.stdout.write(line)
