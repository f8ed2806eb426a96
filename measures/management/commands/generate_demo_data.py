"""Fill the database with fake, deterministic scale data for benchmarks. See
measures/data/demo/ for what it makes and docs/benchmarks.md for how it is used."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from measures.data.demo.delete import demo_data_delete
from measures.data.demo.generate import DemoDataConflict, demo_data_generate
from measures.data.demo.size import FIRST_NUMBER, MAX_MUNICIPALITIES, DemoSize
from measures.management.base import TranslatedHelpCommand


class Command(TranslatedHelpCommand):
    help = gettext_lazy(
        "Fyller databasen med fiktive, deterministiske demodata for ytelsestester "
        "(kommuner, planer, mål, partnere, bydeler, tiltak, statusoppdateringer og "
        "indikatorer). Alt har nettadressenavn som begynner med «demo-», "
        "demokommunene har kommunenummer fra 9101, og ingenting blandes med ekte "
        "planer. Kjøres kommandoen igjen med de samme parametrene, gjør den "
        "ingenting; --delete fjerner demodataene."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--measures", type=int, help=gettext_lazy("Antall tiltak."))
        parser.add_argument(
            "--updates-per-measure",
            type=int,
            default=10,
            help=gettext_lazy("Publiserte statusoppdateringer per tiltak (10)."),
        )
        parser.add_argument(
            "--plans",
            type=int,
            default=0,
            help=gettext_lazy(
                "Antall planer, minst én per kommune (standard: én per kommune "
                "med --municipalities, ellers én per 400 tiltak)."
            ),
        )
        parser.add_argument(
            "--municipalities",
            type=int,
            default=0,
            help=gettext_lazy(
                "Antall demokommuner, høyst %(max)s (standard: én per plan)."
            )
            % {"max": MAX_MUNICIPALITIES},
        )
        parser.add_argument(
            "--indicators",
            type=int,
            default=0,
            help=gettext_lazy("Antall indikatorer."),
        )
        parser.add_argument(
            "--values-per-indicator",
            type=int,
            default=20,
            help=gettext_lazy("Verdier per indikator (20)."),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help=gettext_lazy("Frø for tilfeldighet (1)."),
        )
        parser.add_argument(
            "--delete",
            action="store_true",
            help=gettext_lazy("Fjern alle demodata og lag ingen nye."),
        )

    def handle(self, *args, **options) -> None:
        if options["delete"]:
            deleted = demo_data_delete()
            self.stdout.write(
                _("Demodata fjernet: %(counts)s") % {"counts": _counts(deleted)}
            )
            return
        if options["measures"] is None:
            raise CommandError(_("Oppgi --measures (eller --delete)."))
        names = ("measures", "updates_per_measure", "plans", "municipalities")
        for name in (*names, "indicators"):
            if options[name] < 0:
                raise CommandError(
                    _("--%(name)s kan ikke være negativ.")
                    % {"name": name.replace("_", "-")}
                )
        if options["values_per_indicator"] < 0:
            raise CommandError(_("--values-per-indicator kan ikke være negativ."))
        if options["municipalities"] > MAX_MUNICIPALITIES:
            raise CommandError(
                _(
                    "Høyst %(max)s demokommuner: de får kommunenummer "
                    "%(first)s–%(last)s, som ingen ekte kommune har."
                )
                % {
                    "max": MAX_MUNICIPALITIES,
                    "first": FIRST_NUMBER,
                    "last": FIRST_NUMBER + MAX_MUNICIPALITIES - 1,
                }
            )
        if 0 < options["plans"] < options["municipalities"]:
            raise CommandError(
                _(
                    "Hver demokommune trenger en plan: --plans kan ikke være mindre "
                    "enn --municipalities."
                )
            )
        size = DemoSize(
            measures=options["measures"],
            updates_per_measure=options["updates_per_measure"],
            plans=options["plans"],
            municipalities=options["municipalities"],
            indicators=options["indicators"],
            values_per_indicator=options["values_per_indicator"],
            seed=options["seed"],
        )
        verbose = options["verbosity"] > 1
        try:
            report = demo_data_generate(
                size=size, log=self.stdout.write if verbose else lambda message: None
            )
        except DemoDataConflict as error:
            raise CommandError(
                _("Demodataene ble ikke laget: %(error)s") % {"error": error}
            ) from error
        if not report.created:
            self.stdout.write(
                _("Demodata med de samme parametrene finnes allerede (%(size)s).")
                % {"size": size.record()}
            )
            return
        if report.deleted:
            self.stdout.write(
                _("Tidligere demodata fjernet: %(counts)s")
                % {"counts": _counts(report.deleted)}
            )
        self.stdout.write(
            _("Demodata laget på %(seconds).1f s: %(counts)s")
            % {"seconds": report.seconds, "counts": _counts(report.counts)}
        )


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {number}" for name, number in counts.items())
