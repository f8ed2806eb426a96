"""Loading plans with their goals and measures. A measure's dated events are
loaded by facts.py (load_event), as they are recorded as status updates."""

from django.utils.translation import gettext as _

from measures.data.loading.reader import (
    LoadError,
    as_date,
    as_text,
    check_keys,
    entry_list,
)
from measures.data.loading.rules import LOADER, LoaderBase
from measures.models import District, Goal, Measure, Plan
from measures.services.plans import (
    goal_create,
    goal_update,
    measure_create,
    measure_update,
    plan_create,
    plan_update,
)


class PlanLoading(LoaderBase):
    def load_plan(self, entry) -> None:
        where = _("plan «%(slug)s»") % {
            "slug": entry.get("slug") if isinstance(entry, dict) else "?"
        }
        check_keys(
            entry,
            where,
            required=("slug", "title", "start_year", "owner", "sources"),
            optional=(
                "field_sources",
                "uncertainty",
                "short_title",
                "end_year",
                "status",
                "adopted_on",
                "adopted_by",
                "adoption_note",
                "council_case_reference",
                "predecessor",
                "description",
                "goals",
                "measures",
            ),
        )
        slug = as_text(entry["slug"])
        cited = self.cited(entry, where)
        owner = self.partner_ref(entry["owner"], where)
        predecessor = None
        if entry.get("predecessor"):
            predecessor = self.reference(
                self.plans, Plan, entry["predecessor"], where, _("plan")
            )
        wanted = {
            "title": as_text(entry["title"]),
            "short_title": as_text(entry.get("short_title")),
            "description": as_text(entry.get("description")),
            "start_year": entry["start_year"],
            "end_year": entry.get("end_year"),
            "adopted_on": as_date(entry.get("adopted_on"), where),
            "adopted_by": as_text(entry.get("adopted_by")),
            "adoption_note": as_text(entry.get("adoption_note")),
            "council_case_reference": as_text(entry.get("council_case_reference")),
            # Without the key a plan is a draft (hidden); `status: ""` says the
            # sources do not give it ("Ikke oppgitt").
            "status": as_text(entry.get("status", Plan.Status.DRAFT)),
            "owner": owner,
            "predecessor": predecessor,
            "uncertainty": as_text(entry.get("uncertainty")),
        }
        here = {"municipality": self.municipality}
        if owner is None and not Plan.objects.filter(slug=slug, **here).exists():
            self.skip("plan", where)
            plan = None
        else:
            plan = self.sync(
                kind="plan",
                where=where,
                model=Plan,
                key={"slug": slug, **here},
                wanted=wanted,
                create=lambda: plan_create(actor=LOADER, slug=slug, **here, **wanted),
                update=lambda obj, changed: plan_update(
                    actor=LOADER, plan=obj, **changed
                ),
            )
        self.plans[slug] = plan
        self.cite(plan, cited, where)
        goals: dict[str, Goal | None] = {}
        for order, goal_entry in enumerate(entry_list(entry, "goals", where), start=1):
            self._goal(plan, goal_entry, order, goals, where)
        for goal_slug, goal in goals.items():
            self.goals[(slug, goal_slug)] = goal
        for measure_entry in entry_list(entry, "measures", where):
            self._measure(plan, measure_entry, goals)

    def _goal(
        self, plan: Plan | None, entry, order: int, goals: dict, plan_where: str
    ) -> None:
        """Load one goal and add it to `goals` (slug -> goal, None if deleted)."""
        where = _("%(plan)s, mål «%(slug)s»") % {
            "plan": plan_where,
            "slug": entry.get("slug") if isinstance(entry, dict) else "?",
        }
        check_keys(
            entry,
            where,
            required=("slug", "title", "sources"),
            optional=("parent", "order", "description", "field_sources", "uncertainty"),
        )
        slug = as_text(entry["slug"])
        cited = self.cited(entry, where)
        if plan is None:
            self.report.tallies["goal"].skipped += 1
            goals[slug] = None
            return
        parent = None
        if entry.get("parent"):
            if entry["parent"] not in goals:
                raise LoadError(
                    _("%(where)s: det overordnede målet «%(parent)s» må stå over.")
                    % {"where": where, "parent": entry["parent"]}
                )
            parent = goals[entry["parent"]]
        wanted = {
            "title": as_text(entry["title"]),
            "description": as_text(entry.get("description")),
            "order": entry.get("order", order),
            "parent": parent,
            "uncertainty": as_text(entry.get("uncertainty")),
        }
        goals[slug] = self.sync(
            kind="goal",
            where=where,
            model=Goal,
            key={"plan": plan, "slug": slug},
            wanted=wanted,
            create=lambda: goal_create(actor=LOADER, plan=plan, slug=slug, **wanted),
            update=lambda obj, changed: goal_update(actor=LOADER, goal=obj, **changed),
        )
        self.cite(goals[slug], cited, where)

    def _measure(self, plan: Plan | None, entry, goals: dict) -> None:
        where = _("tiltak «%(slug)s»") % {
            "slug": entry.get("slug") if isinstance(entry, dict) else "?"
        }
        check_keys(
            entry,
            where,
            required=("slug", "title", "lead", "sources"),
            optional=(
                "field_sources",
                "uncertainty",
                "category",
                "contributors",
                "goals",
                "districts",
                "continues",
                "identifier",
                "planned_start",
                "planned_end",
                "description",
                "events",
            ),
        )
        slug = as_text(entry["slug"])
        cited = self.cited(entry, where)
        if plan is None:
            self.measures[slug] = None
            self.report.tallies["measure"].skipped += 1
            return
        lead = self.partner_ref(entry["lead"], where)
        contributors = [
            self.partner_ref(ref, where) for ref in entry.get("contributors") or []
        ]
        districts = [
            self.reference(self.districts, District, ref, where, _("bydel"))
            for ref in entry.get("districts") or []
        ]
        measure_goals = []
        for ref in entry.get("goals") or []:
            if ref not in goals:
                raise LoadError(
                    _("%(where)s viser til målet «%(goal)s», som ikke finnes i planen.")
                    % {"where": where, "goal": ref}
                )
            measure_goals.append(goals[ref])
        continues = None
        if entry.get("continues"):
            continues = self.reference(
                self.measures, Measure, entry["continues"], where, _("tiltak")
            )
        wanted = {
            "plan": plan,
            "identifier": as_text(entry.get("identifier")),
            "title": as_text(entry["title"]),
            "description": as_text(entry.get("description")),
            "category": as_text(entry.get("category")) or "other",
            "planned_start": as_date(entry.get("planned_start"), where),
            "planned_end": as_date(entry.get("planned_end"), where),
            "continues": continues,
            "uncertainty": as_text(entry.get("uncertainty")),
        }
        here = {"municipality": self.municipality}
        if lead is None and not Measure.objects.filter(slug=slug, **here).exists():
            self.skip("measure", where)
            measure = None
        else:
            # Partners, goals and districts are set when the measure is created.
            # Their tables keep no history of their own, so the loader could not
            # tell an administrator's change from its own: later it leaves them be.
            measure = self.sync(
                kind="measure",
                where=where,
                model=Measure,
                key={"slug": slug, **here},
                wanted=wanted,
                create=lambda: measure_create(
                    actor=LOADER,
                    slug=slug,
                    lead=lead,
                    contributors=[p for p in contributors if p is not None],
                    goals=[g for g in measure_goals if g is not None],
                    districts=[d for d in districts if d is not None],
                    **wanted,
                ),
                update=lambda obj, changed: measure_update(
                    actor=LOADER, measure=obj, **changed
                ),
            )
        self.measures[slug] = measure
        self.cite(measure, cited, where)
        for event in entry_list(entry, "events", where):
            self.load_event(measure, event, where)
