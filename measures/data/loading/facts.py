"""Loading the dated facts: a measure's events (published status updates),
indicators with their values, and budget lines. Events and indicator values are
recorded once with their citations and never changed afterwards; indicators and
budget lines follow the loader's rule (rules.LoaderBase.sync)."""

from django.utils.translation import gettext as _

from measures.data.loading.reader import (
    LoadError,
    as_date,
    as_decimal,
    as_text,
    check_keys,
    entry_list,
)
from measures.data.loading.rules import (
    LOADER,
    LoaderBase,
    deleted_by_someone_else,
    save_entry,
)
from measures.models import (
    BudgetLine,
    Goal,
    Indicator,
    IndicatorValue,
    Measure,
    Plan,
    StatusUpdate,
)
from measures.services import shipped_records
from measures.services.budgets import budget_line_create, budget_line_update
from measures.services.indicators import indicator_create, indicator_update


class FactLoading(LoaderBase):
    def load_event(self, measure: Measure | None, entry, measure_where: str) -> None:
        where = _("%(measure)s, hendelse «%(id)s»") % {
            "measure": measure_where,
            "id": entry.get("id") if isinstance(entry, dict) else "?",
        }
        check_keys(
            entry,
            where,
            required=("id", "date", "phase", "summary", "sources"),
            optional=("health", "progress", "uncertainty", "field_sources"),
        )
        external_id = as_text(entry["id"])
        cited = self.cited(entry, where)
        tally = self.report.tallies["update"]
        if measure is None:
            tally.skipped += 1
            return
        # Published updates are append-only: an existing one is never changed, but
        # its citations follow the file (they are evidence, not content).
        existing = StatusUpdate.objects.filter(external_id=external_id).first()
        if existing is not None:
            tally.unchanged += 1
            self.cite(existing, cited, where)
            return
        if deleted_by_someone_else(StatusUpdate, {"external_id": external_id}):
            tally.skipped += 1
            self.report.notes.append(
                _("Ikke gjenopprettet, slettet av en administrator: %(where)s")
                % {"where": where}
            )
            return
        as_of = as_date(entry["date"], where)
        save_entry(
            where,
            lambda: shipped_records.status_update_record_cited(
                actor=LOADER,
                measure=measure,
                as_of=as_of,
                phase=as_text(entry["phase"]),
                summary=as_text(entry["summary"]),
                health=as_text(entry.get("health")),
                progress=entry.get("progress"),
                uncertainty=as_text(entry.get("uncertainty")),
                external_id=external_id,
                cited=self._live(cited),
            ),
        )
        tally.created += 1
        self.report.tallies["citation"].created += len(self._live(cited))

    def _live(self, cited: list) -> list:
        """The cited pairs whose source still exists."""
        return [(source, name) for source, name in cited if source is not None]

    # Indicators and budgets (docs/shipped-data.md, "Indicators and budgets").

    def _indicator_owner(self, entry, where: str) -> tuple[bool, dict]:
        """(found, {"goal": ..., "measure": ...}): found is False when what the
        indicator belongs to was deleted by an administrator."""
        if bool(entry.get("goal")) == bool(entry.get("measure")):
            raise LoadError(
                _("%(where)s: oppgi enten «plan» og «goal», eller «measure».")
                % {"where": where}
            )
        if entry.get("measure"):
            measure = self.reference(
                self.measures, Measure, entry["measure"], where, _("tiltak")
            )
            return measure is not None, {"goal": None, "measure": measure}
        plan_slug, goal_slug = as_text(entry.get("plan")), as_text(entry["goal"])
        key = (plan_slug, goal_slug)
        if key not in self.goals:
            here = {"municipality": self.municipality}
            self.goals[key] = Goal.objects.filter(
                plan__slug=plan_slug,
                plan__municipality=self.municipality,
                slug=goal_slug,
            ).first()
            if (
                self.goals[key] is None
                and not Plan.objects.filter(slug=plan_slug, **here).exists()
            ):
                raise LoadError(
                    _(
                        "%(where)s viser til målet «%(goal)s» i planen «%(plan)s», "
                        "som ikke finnes."
                    )
                    % {"where": where, "goal": goal_slug, "plan": plan_slug}
                )
        goal = self.goals[key]
        return goal is not None, {"goal": goal, "measure": None}

    def load_indicator(self, entry, order: int) -> None:
        where = _("indikator «%(slug)s»") % {
            "slug": entry.get("slug") if isinstance(entry, dict) else "?"
        }
        check_keys(
            entry,
            where,
            required=("slug", "title", "kind", "sources"),
            optional=(
                "field_sources",
                "uncertainty",
                "plan",
                "goal",
                "measure",
                "unit",
                "direction",
                "source_organisation",
                "description",
                "baseline",
                "target",
                "small_number_threshold",
                "order",
                "values",
            ),
        )
        slug = as_text(entry["slug"])
        cited = self.cited(entry, where)
        found, owner = self._indicator_owner(entry, where)
        baseline = self._value_and_year(entry.get("baseline"), where, "baseline")
        target = self._value_and_year(entry.get("target"), where, "target")
        wanted = {
            "title": as_text(entry["title"]),
            "unit": as_text(entry.get("unit")),
            "kind": as_text(entry["kind"]),
            "source_organisation": as_text(entry.get("source_organisation")),
            "description": as_text(entry.get("description")),
            "direction": as_text(entry.get("direction")) or Indicator.Direction.NONE,
            "baseline_value": baseline[0],
            "baseline_year": baseline[1],
            "target_value": target[0],
            "target_year": target[1],
            **owner,
            "small_number_threshold": entry.get("small_number_threshold", 5),
            "order": entry.get("order", order),
            "uncertainty": as_text(entry.get("uncertainty")),
        }
        if not found and not Indicator.objects.filter(slug=slug).exists():
            self.skip("indicator", where)
            indicator = None
        else:
            indicator = self.sync(
                kind="indicator",
                where=where,
                model=Indicator,
                key={"slug": slug},
                wanted=wanted,
                create=lambda: indicator_create(actor=LOADER, slug=slug, **wanted),
                update=lambda obj, changed: indicator_update(
                    actor=LOADER, indicator=obj, **changed
                ),
            )
        self.cite(indicator, cited, where)
        for value_entry in entry_list(entry, "values", where):
            self._indicator_value(indicator, value_entry, where)

    def _value_and_year(self, entry, where: str, name: str) -> tuple:
        if entry is None:
            return None, None
        where = f"{where}, {name}"
        check_keys(entry, where, required=("value", "year"), optional=())
        return as_decimal(entry["value"], where), entry["year"]

    def _indicator_value(self, indicator: Indicator | None, entry, ind_where) -> None:
        where = _("%(indicator)s, verdi for %(year)s") % {
            "indicator": ind_where,
            "year": entry.get("year") if isinstance(entry, dict) else "?",
        }
        check_keys(
            entry,
            where,
            required=("year", "value", "sources"),
            optional=(
                "period",
                "number",
                "qualifier",
                "note",
                "uncertainty",
                "field_sources",
            ),
        )
        cited = self.cited(entry, where)
        tally = self.report.tallies["indicator_value"]
        if indicator is None:
            tally.skipped += 1
            return
        key = {
            "indicator": indicator,
            "period_type": as_text(entry.get("period")) or "year",
            "year": entry["year"],
            "number": entry.get("number", 1),
        }
        # Published values are never changed: a correction is an administrator's
        # replacement, which the loader then leaves alone. Citations follow the file.
        existing = IndicatorValue.objects.filter(**key).order_by("pk").first()
        if existing is not None:
            tally.unchanged += 1
            if existing.state == IndicatorValue.State.PUBLISHED and (
                existing.author_id is None
            ):
                self.cite(existing, cited, where)
            return
        if deleted_by_someone_else(IndicatorValue, key):
            tally.skipped += 1
            self.report.notes.append(
                _("Ikke gjenopprettet, slettet av en administrator: %(where)s")
                % {"where": where}
            )
            return
        save_entry(
            where,
            lambda: shipped_records.indicator_value_record_cited(
                actor=LOADER,
                indicator=indicator,
                period_type=key["period_type"],
                year=key["year"],
                number=key["number"],
                value=as_decimal(entry["value"], where),
                qualifier=as_text(entry.get("qualifier")),
                note=as_text(entry.get("note")),
                uncertainty=as_text(entry.get("uncertainty")),
                cited=self._live(cited),
            ),
        )
        tally.created += 1
        self.report.tallies["citation"].created += len(self._live(cited))

    def load_budget(self, entry) -> None:
        where = _("budsjettlinje «%(measure)s» %(year)s %(kind)s") % {
            "measure": entry.get("measure") if isinstance(entry, dict) else "?",
            "year": entry.get("year") if isinstance(entry, dict) else "?",
            "kind": entry.get("kind", "") if isinstance(entry, dict) else "",
        }
        check_keys(
            entry,
            where,
            required=("measure", "year", "allocated_nok", "sources"),
            optional=(
                "kind",
                "end_year",
                "spent_nok",
                "council_decision_reference",
                "note",
                "uncertainty",
                "field_sources",
            ),
        )
        cited = self.cited(entry, where)
        measure = self.reference(
            self.measures, Measure, entry["measure"], where, _("tiltak")
        )
        if measure is None:
            self.skip("budget", where)
            return
        year = entry["year"]
        kind = as_text(entry.get("kind"))
        wanted = {
            "end_year": entry.get("end_year"),
            "allocated_nok": entry["allocated_nok"],
            "spent_nok": entry.get("spent_nok"),
            "council_decision_reference": as_text(
                entry.get("council_decision_reference")
            ),
            "note": as_text(entry.get("note")),
            "uncertainty": as_text(entry.get("uncertainty")),
        }
        line = self.sync(
            kind="budget",
            where=where,
            model=BudgetLine,
            key={"measure": measure, "year": year, "kind": kind},
            wanted=wanted,
            create=lambda: budget_line_create(
                actor=LOADER, measure=measure, year=year, kind=kind, **wanted
            ),
            update=lambda obj, changed: budget_line_update(
                actor=LOADER, budget_line=obj, **changed
            ),
        )
        self.cite(line, cited, where)
