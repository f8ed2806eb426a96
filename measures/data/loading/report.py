"""What a load of the shipped data did, per kind of object: created, updated,
unchanged, kept (an administrator's change) or skipped, with notes naming the
entries kept or skipped. `manage.py load_bergen_plans` prints its lines."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

KIND_LABELS = {
    "source": gettext_lazy("Kilder"),
    "partner": gettext_lazy("Partnere"),
    "partner_name": gettext_lazy("Tidligere navn"),
    "municipality": gettext_lazy("Kommuner"),
    "district": gettext_lazy("Bydeler"),
    "plan": gettext_lazy("Planer"),
    "goal": gettext_lazy("Mål"),
    "measure": gettext_lazy("Tiltak"),
    "update": gettext_lazy("Statusoppdateringer"),
    "indicator": gettext_lazy("Indikatorer"),
    "indicator_value": gettext_lazy("Indikatorverdier"),
    "budget": gettext_lazy("Budsjettlinjer"),
    "citation": gettext_lazy("Kildehenvisninger"),
}


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0
    skipped: int = 0


@dataclass
class LoadReport:
    tallies: dict[str, Tally] = field(
        default_factory=lambda: {kind: Tally() for kind in KIND_LABELS}
    )
    notes: list[str] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(tally.created for tally in self.tallies.values())

    @property
    def updated(self) -> int:
        return sum(tally.updated for tally in self.tallies.values())

    def lines(self) -> list[str]:
        lines = [
            _(
                "%(kind)s: %(created)s opprettet, %(updated)s oppdatert, "
                "%(unchanged)s uendret, %(kept)s med administrators endring beholdt, "
                "%(skipped)s hoppet over"
            )
            % {
                "kind": KIND_LABELS[kind],
                "created": tally.created,
                "updated": tally.updated,
                "unchanged": tally.unchanged,
                "kept": tally.kept,
                "skipped": tally.skipped,
            }
            for kind, tally in self.tallies.items()
        ]
        lines += self.notes
        lines.append(
            _("Totalt: %(created)s opprettet, %(updated)s oppdatert.")
            % {"created": self.created, "updated": self.updated}
        )
        return lines
