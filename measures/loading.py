"""Load sources, partners, districts, plans, goals, measures, dated events,
indicators and budget lines from a YAML file, every fact with its citations.

This backs `manage.py load_bergen_plans`. It may be run any number of times:

- every object has a stable key in the file (a slug; `id` for events; the partner
  and the name for a former name; the URL for a source; the fact, the source and
  the field for a citation);
- the whole load is one transaction, so a failure halfway leaves nothing behind;
- the loader marks its own history rows (history_change_reason = CHANGE_REASON) and
  only updates an object whose fields still equal what the loader last wrote. An
  object someone else changed is kept as it is; one someone else deleted is not
  re-created; published status updates are never touched. Citations follow the
  same rule: one the file no longer has is removed only if the loader wrote it.

docs/shipped-data.md describes the rule and the file format.
"""

import contextvars
import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.dispatch import receiver
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.signals import pre_create_historical_record

from measures.models import (
    CITING_MODELS,
    BudgetLine,
    Citation,
    District,
    Goal,
    Indicator,
    IndicatorValue,
    Measure,
    Plan,
    Source,
    StatusUpdate,
)
from measures.numbers import parse_number
from measures.services import shipped_records as loading_services
from measures.services.budgets import budget_line_create, budget_line_update
from measures.services.indicators import indicator_create, indicator_update
from measures.services.plans import (
    district_create,
    district_update,
    goal_create,
    goal_update,
    measure_create,
    measure_update,
    plan_create,
    plan_update,
)
from partners import services as partner_services
from partners.models import Partner, PartnerName

CHANGE_REASON = "load_bergen_plans"
DEFAULT_DATA_FILE = Path(__file__).resolve().parent / "data" / "bergen_plans.yaml"

KIND_LABELS = {
    "source": gettext_lazy("Kilder"),
    "partner": gettext_lazy("Partnere"),
    "partner_name": gettext_lazy("Tidligere navn"),
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

# The fields the loader owns on each model. Anything else (a plan's reporting
# interval, a measure's weight, relations of an existing measure) is left to the
# administrator.
PARTNER_FIELDS = ("name", "short_name", "kind", "parent", "website", "description")
PARTNER_NAME_FIELDS = ("valid_from", "valid_until", "dates_approximate")
SOURCE_FIELDS = (
    "publisher",
    "title",
    "kind",
    "published_on",
    "date_precision",
    "date_note",
    "external_id",
)
DISTRICT_FIELDS = ("name", "municipality")
PLAN_FIELDS = (
    "title",
    "short_title",
    "description",
    "start_year",
    "end_year",
    "adopted_on",
    "adopted_by",
    "adoption_note",
    "council_case_reference",
    "status",
    "owner",
    "predecessor",
    "uncertainty",
)
GOAL_FIELDS = (
    "title",
    "description",
    "order",
    "parent",
    "uncertainty",
)
MEASURE_FIELDS = (
    "plan",
    "identifier",
    "title",
    "description",
    "category",
    "planned_start",
    "planned_end",
    "continues",
    "uncertainty",
)
INDICATOR_FIELDS = (
    "title",
    "unit",
    "kind",
    "source_organisation",
    "description",
    "direction",
    "baseline_value",
    "baseline_year",
    "target_value",
    "target_year",
    "goal",
    "measure",
    "small_number_threshold",
    "order",
    "uncertainty",
)
BUDGET_FIELDS = (
    "end_year",
    "allocated_nok",
    "spent_nok",
    "council_decision_reference",
    "note",
    "uncertainty",
)
# Every fact entry cites its sources with these keys (docs/shipped-data.md).
CITING_KEYS = ("sources", "field_sources")

_loading = contextvars.ContextVar("rusplan_loading_shipped_data", default=False)


@receiver(pre_create_historical_record, dispatch_uid="measures.loading.mark_history")
def _mark_history_row(sender, history_instance, **kwargs) -> None:
    # Services create the instances themselves, so the reason cannot be set on the
    # instance beforehand; every history row written during a load is the loader's.
    if _loading.get():
        history_instance.history_change_reason = CHANGE_REASON


@contextmanager
def _history_marked_as_loader() -> Iterator[None]:
    token = _loading.set(True)
    try:
        yield
    finally:
        _loading.reset(token)


class LoadError(Exception):
    """The data file is unreadable or one of its entries cannot be saved."""


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


def load_plans(*, path: Path = DEFAULT_DATA_FILE) -> LoadReport:
    """Load the data file at `path` in one transaction and report what happened."""
    data = _read(path)
    report = LoadReport()
    with transaction.atomic(), _history_marked_as_loader():
        _Loader(report).run(data)
    return report


def _read(path: Path) -> dict:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise LoadError(
            _("Kunne ikke lese %(path)s: %(error)s") % {"path": path, "error": error}
        ) from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise LoadError(
            _("%(path)s er ikke gyldig YAML: %(error)s")
            % {"path": path, "error": error}
        ) from error
    if not isinstance(data, dict):
        raise LoadError(
            _("%(path)s må inneholde delene partners, districts og plans.")
            % {"path": path}
        )
    _check_keys(
        data,
        str(path),
        required=(),
        optional=(
            "namespace",
            "sources",
            "partners",
            "districts",
            "plans",
            "indicators",
            "budgets",
        ),
    )
    return data


def _check_keys(entry, where: str, *, required, optional) -> None:
    if not isinstance(entry, dict):
        raise LoadError(
            _("%(where)s: oppføringen er ikke en liste med felt.") % {"where": where}
        )
    # Unknown fields first: a misspelt key is also a missing one, and the typo is
    # the more useful thing to report.
    for key in entry:
        if key not in required and key not in optional:
            raise LoadError(
                _("%(where)s har et ukjent felt «%(key)s».")
                % {"where": where, "key": key}
            )
    for key in required:
        if key not in entry:
            raise LoadError(
                _("%(where)s mangler feltet «%(key)s».") % {"where": where, "key": key}
            )


def _entries(data: dict, key: str, where: str) -> list:
    entries = data.get(key) or []
    if not isinstance(entries, list):
        raise LoadError(
            _("%(where)s: «%(key)s» må være en liste.") % {"where": where, "key": key}
        )
    return entries


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _date(value, where: str) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError as error:
        raise LoadError(
            _("%(where)s: «%(value)s» er ikke en dato. Skriv ÅÅÅÅ-MM-DD.")
            % {"where": where, "value": value}
        ) from error


def _db_values(model: type[models.Model], names, source) -> dict:
    """The stored values of `names` on `source` (an object or a history row), with
    foreign keys as ids so that objects and history rows compare equal."""
    return {
        model._meta.get_field(name).attname: getattr(
            source, model._meta.get_field(name).attname
        )
        for name in names
    }


def _wanted_values(model: type[models.Model], wanted: dict) -> dict:
    values = {}
    for name, value in wanted.items():
        model_field = model._meta.get_field(name)
        if model_field.is_relation:
            value = value.pk if value is not None else None
        values[model_field.attname] = value
    return values


def _deleted_by_someone_else(model: type[models.Model], key: dict) -> bool:
    latest = (
        model.history.filter(**_wanted_values(model, key))
        .order_by("-history_date", "-history_id")
        .first()
    )
    return (
        latest is not None
        and latest.history_type == "-"
        and latest.history_change_reason != CHANGE_REASON
    )


def _saving(where: str, write: Callable):
    try:
        return write()
    except ValidationError as error:
        messages = "; ".join(error.messages)
        raise LoadError(
            _("%(where)s: %(messages)s") % {"where": where, "messages": messages}
        ) from error


def _citation_key(row) -> tuple[str, int]:
    """(target field name, target id) of a citation or a citation history row."""
    for name in CITING_MODELS:
        target_id = getattr(row, f"{name}_id")
        if target_id is not None:
            return name, target_id
    raise LoadError(_("En kildehenvisning mangler det den belegger."))


class _CitationIndex:
    """The citations already in the database, read once per load (two queries
    instead of several per fact): by fact, who wrote each one last, and which
    ones someone other than the loader deleted."""

    def __init__(self) -> None:
        self._by_target: dict[tuple[str, int], dict] | None = None
        self._last_reason: dict[int, str] = {}
        self._deleted: set[tuple] = set()

    def _read(self) -> dict[tuple[str, int], dict]:
        if self._by_target is None:
            self._by_target = {}
            for citation in Citation.objects.all():
                self._by_target.setdefault(_citation_key(citation), {})[
                    (citation.source_id, citation.field)
                ] = citation
            rows = Citation.history.order_by("history_date", "history_id")
            for row in rows:
                self._last_reason[row.id] = row.history_change_reason or ""
                key = (*_citation_key(row), row.source_id, row.field)
                if row.history_type == "-" and (
                    row.history_change_reason != CHANGE_REASON
                ):
                    self._deleted.add(key)
                else:
                    self._deleted.discard(key)
        return self._by_target

    def of(self, target) -> dict:
        """A copy of `target`'s citations by (source id, field)."""
        key = (loading_services.citation_target_name(target), target.pk)
        return dict(self._read().get(key, {}))

    def written_by_loader(self, citation: Citation) -> bool:
        self._read()
        return self._last_reason.get(citation.pk) == CHANGE_REASON

    def deleted_by_someone_else(self, target, source: Source, field: str) -> bool:
        self._read()
        name = loading_services.citation_target_name(target)
        return (name, target.pk, source.pk, field) in self._deleted


class _Loader:
    def __init__(self, report: LoadReport) -> None:
        self.report = report
        # slug -> object, or None when an administrator deleted it.
        self.partners: dict[str, Partner | None] = {}
        self.districts: dict[str, District | None] = {}
        self.plans: dict[str, Plan | None] = {}
        self.measures: dict[str, Measure | None] = {}
        # (plan slug, goal slug) -> goal, or None when deleted.
        self.goals: dict[tuple[str, str], Goal | None] = {}
        # The file's source id ("S1") -> source, or None when deleted.
        self.sources: dict[str, Source | None] = {}
        self.namespace = ""
        self.citations = _CitationIndex()

    def run(self, data: dict) -> None:
        self.namespace = _text(data.get("namespace"))
        for entry in _entries(data, "sources", "sources"):
            self._source(entry)
        for entry in _entries(data, "partners", "partners"):
            self._partner(entry)
        for entry in _entries(data, "districts", "districts"):
            self._district(entry)
        for entry in _entries(data, "plans", "plans"):
            self._plan(entry)
        for order, entry in enumerate(_entries(data, "indicators", "indicators")):
            self._indicator(entry, order + 1)
        for entry in _entries(data, "budgets", "budgets"):
            self._budget(entry)

    # The one rule for every object but status updates (docs/shipped-data.md).
    def _sync(
        self,
        *,
        kind: str,
        where: str,
        model: type[models.Model],
        key: dict,
        wanted: dict,
        create: Callable[[], models.Model],
        update: Callable[[models.Model, dict], models.Model],
    ):
        tally = self.report.tallies[kind]
        obj = model.objects.filter(**key).first()
        if obj is None:
            if _deleted_by_someone_else(model, key):
                tally.skipped += 1
                self.report.notes.append(
                    _("Ikke gjenopprettet, slettet av en administrator: %(where)s")
                    % {"where": where}
                )
                return None
            obj = _saving(where, create)
            tally.created += 1
            return obj
        current = _db_values(model, wanted, obj)
        target = _wanted_values(model, wanted)
        if current == target:
            tally.unchanged += 1
            return obj
        last_loaded = (
            obj.history.filter(history_change_reason=CHANGE_REASON)
            .order_by("-history_date", "-history_id")
            .first()
        )
        if last_loaded is None or _db_values(model, wanted, last_loaded) != current:
            tally.kept += 1
            self.report.notes.append(
                _("Beholdt administratorens endring: %(where)s") % {"where": where}
            )
            return obj
        changed = {
            name: value
            for name, value in wanted.items()
            if current[model._meta.get_field(name).attname]
            != target[model._meta.get_field(name).attname]
        }
        obj = _saving(where, lambda: update(obj, changed))
        tally.updated += 1
        return obj

    def _source(self, entry) -> None:
        where = _("kilde «%(id)s»") % {
            "id": entry.get("id") if isinstance(entry, dict) else "?"
        }
        _check_keys(
            entry,
            where,
            required=("id", "publisher", "title", "url", "kind"),
            optional=("published_on", "precision", "date_note"),
        )
        source_id = _text(entry["id"])
        if source_id in self.sources:
            raise LoadError(_("%(where)s står to ganger i filen.") % {"where": where})
        url = _text(entry["url"])
        wanted = {
            "publisher": _text(entry["publisher"]),
            "title": _text(entry["title"]),
            "kind": _text(entry["kind"]),
            "published_on": _date(entry.get("published_on"), where),
            "date_precision": _text(entry.get("precision")) or Source.DatePrecision.DAY,
            "date_note": _text(entry.get("date_note")),
            "external_id": (f"{self.namespace}:{source_id}" if self.namespace else ""),
        }
        self.sources[source_id] = self._sync(
            kind="source",
            where=where,
            model=Source,
            key={"url": url},
            wanted=wanted,
            create=lambda: loading_services.source_create(url=url, **wanted),
            update=lambda obj, changed: loading_services.source_update(
                source=obj, **changed
            ),
        )

    def _cited(self, entry: dict, where: str) -> list[tuple[Source | None, str]]:
        """The (source, field) pairs an entry cites, in the file's order. A fact
        must cite at least one source for the whole of it."""
        ids = entry.get("sources")
        if not isinstance(ids, list) or not ids:
            raise LoadError(
                _("%(where)s: oppgi kildene som en liste, for eksempel [S1, S2].")
                % {"where": where}
            )
        pairs = [(ref, "") for ref in ids]
        field_sources = entry.get("field_sources") or {}
        if not isinstance(field_sources, dict):
            raise LoadError(
                _("%(where)s: «field_sources» må ha feltnavn med kildelister.")
                % {"where": where}
            )
        for field_name, refs in field_sources.items():
            pairs += [(ref, _text(field_name)) for ref in refs or []]
        cited = []
        for ref, field_name in pairs:
            ref = _text(ref)
            if ref not in self.sources:
                raise LoadError(
                    _("%(where)s viser til kilden «%(ref)s», som mangler i «sources».")
                    % {"where": where, "ref": ref}
                )
            pair = (self.sources[ref], field_name)
            if pair not in cited:
                cited.append(pair)
        return cited

    def _cite(self, target, cited: list, where: str) -> None:
        """Make `target`'s citations from this loader match `cited` (the rule of
        docs/shipped-data.md: what others added or changed is kept)."""
        if target is None:
            return
        tally = self.report.tallies["citation"]
        existing = self.citations.of(target)
        position = 0
        for source, field_name in cited:
            if source is None:  # an administrator deleted the source
                tally.skipped += 1
                continue
            position += 1
            citation = existing.pop((source.pk, field_name), None)
            if citation is None:
                self._add_citation(target, source, field_name, position, where)
            elif citation.position == position:
                tally.unchanged += 1
            elif self.citations.written_by_loader(citation):
                loading_services.citation_update(citation=citation, position=position)
                tally.updated += 1
            else:
                tally.kept += 1
        for citation in existing.values():
            # Gone from the file: removed if the loader added it, kept if not.
            if self.citations.written_by_loader(citation):
                loading_services.citation_remove(citation=citation)
                tally.updated += 1
            else:
                tally.kept += 1

    def _add_citation(self, target, source, field_name, position, where) -> None:
        tally = self.report.tallies["citation"]
        if self.citations.deleted_by_someone_else(target, source, field_name):
            tally.skipped += 1
            return
        _saving(
            where,
            lambda: loading_services.citation_add(
                target=target, source=source, field=field_name, position=position
            ),
        )
        tally.created += 1

    def _reference(self, loaded: dict, model, slug, where: str, what: str):
        """Resolve a slug: first what this file loaded, then what the database holds
        (another file or an administrator may have made it)."""
        if slug in loaded:
            return loaded[slug]
        found = model.objects.filter(slug=slug).first()
        if found is None:
            raise LoadError(
                _(
                    "%(where)s viser til %(what)s «%(slug)s», som ikke finnes (den må "
                    "stå lenger opp i filen)."
                )
                % {"where": where, "what": what, "slug": slug}
            )
        loaded[slug] = found
        return found

    def _partner_ref(self, slug, where: str) -> Partner | None:
        if not slug:
            return None
        return self._reference(self.partners, Partner, slug, where, _("partner"))

    def _partner(self, entry) -> None:
        where = _("partner «%(slug)s»") % {
            "slug": entry.get("slug") if isinstance(entry, dict) else "?"
        }
        _check_keys(
            entry,
            where,
            required=("slug", "name", "kind", "sources"),
            optional=(
                "short_name",
                "parent",
                "website",
                "description",
                "former_names",
                "field_sources",
            ),
        )
        slug = _text(entry["slug"])
        cited = self._cited(entry, where)
        wanted = {
            "name": _text(entry["name"]),
            "short_name": _text(entry.get("short_name")),
            "kind": _text(entry["kind"]),
            "parent": self._partner_ref(entry.get("parent"), where),
            "website": _text(entry.get("website")),
            "description": _text(entry.get("description")),
        }
        partner = self._sync(
            kind="partner",
            where=where,
            model=Partner,
            key={"slug": slug},
            wanted=wanted,
            create=lambda: partner_services.partner_create(slug=slug, **wanted),
            update=lambda obj, changed: partner_services.partner_update(
                partner=obj, **changed
            ),
        )
        self.partners[slug] = partner
        self._cite(partner, cited, where)
        for former in _entries(entry, "former_names", where):
            self._former_name(partner, former, where)

    def _former_name(self, partner: Partner | None, entry, partner_where: str) -> None:
        where = _("%(partner)s, tidligere navn «%(name)s»") % {
            "partner": partner_where,
            "name": entry.get("name") if isinstance(entry, dict) else "?",
        }
        _check_keys(
            entry,
            where,
            required=("name", "sources"),
            optional=(
                "valid_from",
                "valid_until",
                "dates_approximate",
                "field_sources",
            ),
        )
        cited = self._cited(entry, where)
        if partner is None:
            self.report.tallies["partner_name"].skipped += 1
            return
        name = _text(entry["name"])
        wanted = {
            "valid_from": _date(entry.get("valid_from"), where),
            "valid_until": _date(entry.get("valid_until"), where),
            "dates_approximate": bool(entry.get("dates_approximate", False)),
        }
        former = self._sync(
            kind="partner_name",
            where=where,
            model=PartnerName,
            key={"partner": partner, "name": name},
            wanted=wanted,
            create=lambda: partner_services.partner_name_add(
                partner=partner, name=name, **wanted
            ),
            update=lambda obj, changed: partner_services.partner_name_update(
                former=obj, **changed
            ),
        )
        self._cite(former, cited, where)

    def _district(self, entry) -> None:
        where = _("bydel «%(slug)s»") % {
            "slug": entry.get("slug") if isinstance(entry, dict) else "?"
        }
        _check_keys(entry, where, required=("slug", "name"), optional=("municipality",))
        slug = _text(entry["slug"])
        wanted = {
            "name": _text(entry["name"]),
            "municipality": self._partner_ref(entry.get("municipality"), where),
        }
        self.districts[slug] = self._sync(
            kind="district",
            where=where,
            model=District,
            key={"slug": slug},
            wanted=wanted,
            create=lambda: district_create(slug=slug, **wanted),
            update=lambda obj, changed: district_update(district=obj, **changed),
        )

    def _plan(self, entry) -> None:
        where = _("plan «%(slug)s»") % {
            "slug": entry.get("slug") if isinstance(entry, dict) else "?"
        }
        _check_keys(
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
        slug = _text(entry["slug"])
        cited = self._cited(entry, where)
        owner = self._partner_ref(entry["owner"], where)
        predecessor = None
        if entry.get("predecessor"):
            predecessor = self._reference(
                self.plans, Plan, entry["predecessor"], where, _("plan")
            )
        wanted = {
            "title": _text(entry["title"]),
            "short_title": _text(entry.get("short_title")),
            "description": _text(entry.get("description")),
            "start_year": entry["start_year"],
            "end_year": entry.get("end_year"),
            "adopted_on": _date(entry.get("adopted_on"), where),
            "adopted_by": _text(entry.get("adopted_by")),
            "adoption_note": _text(entry.get("adoption_note")),
            "council_case_reference": _text(entry.get("council_case_reference")),
            # Without the key a plan is a draft (hidden); `status: ""` says the
            # sources do not give it ("Ikke oppgitt").
            "status": _text(entry.get("status", Plan.Status.DRAFT)),
            "owner": owner,
            "predecessor": predecessor,
            "uncertainty": _text(entry.get("uncertainty")),
        }
        if owner is None and not Plan.objects.filter(slug=slug).exists():
            self._skip("plan", where)
            plan = None
        else:
            plan = self._sync(
                kind="plan",
                where=where,
                model=Plan,
                key={"slug": slug},
                wanted=wanted,
                create=lambda: plan_create(slug=slug, **wanted),
                update=lambda obj, changed: plan_update(plan=obj, **changed),
            )
        self.plans[slug] = plan
        self._cite(plan, cited, where)
        goals: dict[str, Goal | None] = {}
        for order, goal_entry in enumerate(_entries(entry, "goals", where), start=1):
            self._goal(plan, goal_entry, order, goals, where)
        for goal_slug, goal in goals.items():
            self.goals[(slug, goal_slug)] = goal
        for measure_entry in _entries(entry, "measures", where):
            self._measure(plan, measure_entry, goals)

    def _skip(self, kind: str, where: str) -> None:
        self.report.tallies[kind].skipped += 1
        self.report.notes.append(
            _("Hoppet over fordi noe den viser til er slettet: %(where)s")
            % {"where": where}
        )

    def _goal(
        self, plan: Plan | None, entry, order: int, goals: dict, plan_where: str
    ) -> None:
        """Load one goal and add it to `goals` (slug -> goal, None if deleted)."""
        where = _("%(plan)s, mål «%(slug)s»") % {
            "plan": plan_where,
            "slug": entry.get("slug") if isinstance(entry, dict) else "?",
        }
        _check_keys(
            entry,
            where,
            required=("slug", "title", "sources"),
            optional=("parent", "order", "description", "field_sources", "uncertainty"),
        )
        slug = _text(entry["slug"])
        cited = self._cited(entry, where)
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
            "title": _text(entry["title"]),
            "description": _text(entry.get("description")),
            "order": entry.get("order", order),
            "parent": parent,
            "uncertainty": _text(entry.get("uncertainty")),
        }
        goals[slug] = self._sync(
            kind="goal",
            where=where,
            model=Goal,
            key={"plan": plan, "slug": slug},
            wanted=wanted,
            create=lambda: goal_create(plan=plan, slug=slug, **wanted),
            update=lambda obj, changed: goal_update(goal=obj, **changed),
        )
        self._cite(goals[slug], cited, where)

    def _measure(self, plan: Plan | None, entry, goals: dict) -> None:
        where = _("tiltak «%(slug)s»") % {
            "slug": entry.get("slug") if isinstance(entry, dict) else "?"
        }
        _check_keys(
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
        slug = _text(entry["slug"])
        cited = self._cited(entry, where)
        if plan is None:
            self.measures[slug] = None
            self.report.tallies["measure"].skipped += 1
            return
        lead = self._partner_ref(entry["lead"], where)
        contributors = [
            self._partner_ref(ref, where) for ref in entry.get("contributors") or []
        ]
        districts = [
            self._reference(self.districts, District, ref, where, _("bydel"))
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
            continues = self._reference(
                self.measures, Measure, entry["continues"], where, _("tiltak")
            )
        wanted = {
            "plan": plan,
            "identifier": _text(entry.get("identifier")),
            "title": _text(entry["title"]),
            "description": _text(entry.get("description")),
            "category": _text(entry.get("category")) or "other",
            "planned_start": _date(entry.get("planned_start"), where),
            "planned_end": _date(entry.get("planned_end"), where),
            "continues": continues,
            "uncertainty": _text(entry.get("uncertainty")),
        }
        if lead is None and not Measure.objects.filter(slug=slug).exists():
            self._skip("measure", where)
            measure = None
        else:
            # Partners, goals and districts are set when the measure is created.
            # Their tables keep no history of their own, so the loader could not
            # tell an administrator's change from its own: later it leaves them be.
            measure = self._sync(
                kind="measure",
                where=where,
                model=Measure,
                key={"slug": slug},
                wanted=wanted,
                create=lambda: measure_create(
                    slug=slug,
                    lead=lead,
                    contributors=[p for p in contributors if p is not None],
                    goals=[g for g in measure_goals if g is not None],
                    districts=[d for d in districts if d is not None],
                    **wanted,
                ),
                update=lambda obj, changed: measure_update(measure=obj, **changed),
            )
        self.measures[slug] = measure
        self._cite(measure, cited, where)
        for event in _entries(entry, "events", where):
            self._event(measure, event, where)

    def _event(self, measure: Measure | None, entry, measure_where: str) -> None:
        where = _("%(measure)s, hendelse «%(id)s»") % {
            "measure": measure_where,
            "id": entry.get("id") if isinstance(entry, dict) else "?",
        }
        _check_keys(
            entry,
            where,
            required=("id", "date", "phase", "summary", "sources"),
            optional=("health", "progress", "uncertainty", "field_sources"),
        )
        external_id = _text(entry["id"])
        cited = self._cited(entry, where)
        tally = self.report.tallies["update"]
        if measure is None:
            tally.skipped += 1
            return
        # Published updates are append-only: an existing one is never changed, but
        # its citations follow the file (they are evidence, not content).
        existing = StatusUpdate.objects.filter(external_id=external_id).first()
        if existing is not None:
            tally.unchanged += 1
            self._cite(existing, cited, where)
            return
        if _deleted_by_someone_else(StatusUpdate, {"external_id": external_id}):
            tally.skipped += 1
            self.report.notes.append(
                _("Ikke gjenopprettet, slettet av en administrator: %(where)s")
                % {"where": where}
            )
            return
        as_of = _date(entry["date"], where)
        _saving(
            where,
            lambda: loading_services.status_update_record_cited(
                measure=measure,
                as_of=as_of,
                phase=_text(entry["phase"]),
                summary=_text(entry["summary"]),
                health=_text(entry.get("health")),
                progress=entry.get("progress"),
                uncertainty=_text(entry.get("uncertainty")),
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
            measure = self._reference(
                self.measures, Measure, entry["measure"], where, _("tiltak")
            )
            return measure is not None, {"goal": None, "measure": measure}
        plan_slug, goal_slug = _text(entry.get("plan")), _text(entry["goal"])
        key = (plan_slug, goal_slug)
        if key not in self.goals:
            self.goals[key] = Goal.objects.filter(
                plan__slug=plan_slug, slug=goal_slug
            ).first()
            if (
                self.goals[key] is None
                and not Plan.objects.filter(slug=plan_slug).exists()
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

    def _indicator(self, entry, order: int) -> None:
        where = _("indikator «%(slug)s»") % {
            "slug": entry.get("slug") if isinstance(entry, dict) else "?"
        }
        _check_keys(
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
        slug = _text(entry["slug"])
        cited = self._cited(entry, where)
        found, owner = self._indicator_owner(entry, where)
        baseline = self._value_and_year(entry.get("baseline"), where, "baseline")
        target = self._value_and_year(entry.get("target"), where, "target")
        wanted = {
            "title": _text(entry["title"]),
            "unit": _text(entry.get("unit")),
            "kind": _text(entry["kind"]),
            "source_organisation": _text(entry.get("source_organisation")),
            "description": _text(entry.get("description")),
            "direction": _text(entry.get("direction")) or Indicator.Direction.NONE,
            "baseline_value": baseline[0],
            "baseline_year": baseline[1],
            "target_value": target[0],
            "target_year": target[1],
            **owner,
            "small_number_threshold": entry.get("small_number_threshold", 5),
            "order": entry.get("order", order),
            "uncertainty": _text(entry.get("uncertainty")),
        }
        if not found and not Indicator.objects.filter(slug=slug).exists():
            self._skip("indicator", where)
            indicator = None
        else:
            indicator = self._sync(
                kind="indicator",
                where=where,
                model=Indicator,
                key={"slug": slug},
                wanted=wanted,
                create=lambda: indicator_create(slug=slug, **wanted),
                update=lambda obj, changed: indicator_update(indicator=obj, **changed),
            )
        self._cite(indicator, cited, where)
        for value_entry in _entries(entry, "values", where):
            self._indicator_value(indicator, value_entry, where)

    def _value_and_year(self, entry, where: str, name: str) -> tuple:
        if entry is None:
            return None, None
        where = f"{where}, {name}"
        _check_keys(entry, where, required=("value", "year"), optional=())
        return _decimal(entry["value"], where), entry["year"]

    def _indicator_value(self, indicator: Indicator | None, entry, ind_where) -> None:
        where = _("%(indicator)s, verdi for %(year)s") % {
            "indicator": ind_where,
            "year": entry.get("year") if isinstance(entry, dict) else "?",
        }
        _check_keys(
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
        cited = self._cited(entry, where)
        tally = self.report.tallies["indicator_value"]
        if indicator is None:
            tally.skipped += 1
            return
        key = {
            "indicator": indicator,
            "period_type": _text(entry.get("period")) or "year",
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
                self._cite(existing, cited, where)
            return
        if _deleted_by_someone_else(IndicatorValue, key):
            tally.skipped += 1
            self.report.notes.append(
                _("Ikke gjenopprettet, slettet av en administrator: %(where)s")
                % {"where": where}
            )
            return
        _saving(
            where,
            lambda: loading_services.indicator_value_record_cited(
                indicator=indicator,
                period_type=key["period_type"],
                year=key["year"],
                number=key["number"],
                value=_decimal(entry["value"], where),
                qualifier=_text(entry.get("qualifier")),
                note=_text(entry.get("note")),
                uncertainty=_text(entry.get("uncertainty")),
                cited=self._live(cited),
            ),
        )
        tally.created += 1
        self.report.tallies["citation"].created += len(self._live(cited))

    def _budget(self, entry) -> None:
        where = _("budsjettlinje «%(measure)s» %(year)s %(kind)s") % {
            "measure": entry.get("measure") if isinstance(entry, dict) else "?",
            "year": entry.get("year") if isinstance(entry, dict) else "?",
            "kind": entry.get("kind", "") if isinstance(entry, dict) else "",
        }
        _check_keys(
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
        cited = self._cited(entry, where)
        measure = self._reference(
            self.measures, Measure, entry["measure"], where, _("tiltak")
        )
        if measure is None:
            self._skip("budget", where)
            return
        year = entry["year"]
        kind = _text(entry.get("kind"))
        wanted = {
            "end_year": entry.get("end_year"),
            "allocated_nok": entry["allocated_nok"],
            "spent_nok": entry.get("spent_nok"),
            "council_decision_reference": _text(
                entry.get("council_decision_reference")
            ),
            "note": _text(entry.get("note")),
            "uncertainty": _text(entry.get("uncertainty")),
        }
        line = self._sync(
            kind="budget",
            where=where,
            model=BudgetLine,
            key={"measure": measure, "year": year, "kind": kind},
            wanted=wanted,
            create=lambda: budget_line_create(
                measure=measure, year=year, kind=kind, **wanted
            ),
            update=lambda obj, changed: budget_line_update(budget_line=obj, **changed),
        )
        self._cite(line, cited, where)


def _decimal(value, where: str) -> Decimal:
    try:
        return parse_number(value)
    except ValidationError as error:
        raise LoadError(
            _("%(where)s: «%(value)s» er ikke et tall.")
            % {"where": where, "value": value}
        ) from error
