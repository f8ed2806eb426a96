"""The rules every load of the shipped data follows (docs/shipped-data.md, "How the
loader decides"), shared by the loader's parts (sources, partners,
plans, facts):

- the loader signs its history rows (history_change_reason = CHANGE_REASON);
- an object the file names is created if missing, updated only while its fields
  still equal what the loader last wrote, kept if someone else changed it, and not
  re-created if someone else deleted it (LoaderBase.sync);
- citations follow the same rule: one the file no longer has is removed only if the
  loader wrote it (LoaderBase.cite);
- a reference is a slug, found first among what this load made, then in the
  database (LoaderBase.reference).
"""

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import models
from django.dispatch import receiver
from django.utils.translation import gettext as _
from simple_history.signals import pre_create_historical_record

from measures.data.loading.reader import LoadError, as_text
from measures.data.loading.report import LoadReport
from measures.models import (
    CITING_MODELS,
    Citation,
    District,
    Goal,
    Measure,
    Plan,
    Source,
)
from measures.services import shipped_records
from measures.services.base import SystemActor
from partners.models import Municipality, Partner

CHANGE_REASON = "load_bergen_plans"

# Who the loader's writes are by: the command, never a person (decision 51).
LOADER = SystemActor(CHANGE_REASON)

_loading = contextvars.ContextVar("rusplan_loading_shipped_data", default=False)


@receiver(
    pre_create_historical_record,
    dispatch_uid="measures.data.loading.rules.mark_history",
)
def _mark_history_row(sender, history_instance, **kwargs) -> None:
    # Services create the instances themselves, so the reason cannot be set on the
    # instance beforehand; every history row written during a load is the loader's.
    if _loading.get():
        history_instance.history_change_reason = CHANGE_REASON


@contextmanager
def history_marked_as_loader() -> Iterator[None]:
    """Within this block every history row written is signed as the loader's."""
    token = _loading.set(True)
    try:
        yield
    finally:
        _loading.reset(token)


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


def deleted_by_someone_else(model: type[models.Model], key: dict) -> bool:
    """The object with `key` was deleted, last, by someone other than the loader
    (so the loader must not make it again)."""
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


def save_entry(where: str, write: Callable):
    """Run `write`; a value the model rejects becomes a LoadError naming `where`."""
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
        key = (shipped_records.citation_target_name(target), target.pk)
        return dict(self._read().get(key, {}))

    def written_by_loader(self, citation: Citation) -> bool:
        self._read()
        return self._last_reason.get(citation.pk) == CHANGE_REASON

    def deleted_by_someone_else(self, target, source: Source, field: str) -> bool:
        self._read()
        name = shipped_records.citation_target_name(target)
        return (name, target.pk, source.pk, field) in self._deleted


class LoaderBase:
    """What every part of the loader shares: the report, the objects loaded so
    far by their keys in the file, and the rules above."""

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
        # The file's municipality (load_municipality); plans, districts and
        # measures are looked up and created in it.
        self.municipality: Municipality | None = None
        self.citations = _CitationIndex()

    # The one rule for every object but status updates (docs/shipped-data.md).
    def sync(
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
            if deleted_by_someone_else(model, key):
                tally.skipped += 1
                self.report.notes.append(
                    _("Ikke gjenopprettet, slettet av en administrator: %(where)s")
                    % {"where": where}
                )
                return None
            obj = save_entry(where, create)
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
        obj = save_entry(where, lambda: update(obj, changed))
        tally.updated += 1
        return obj

    def cited(self, entry: dict, where: str) -> list[tuple[Source | None, str]]:
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
            pairs += [(ref, as_text(field_name)) for ref in refs or []]
        cited = []
        for ref, field_name in pairs:
            ref = as_text(ref)
            if ref not in self.sources:
                raise LoadError(
                    _("%(where)s viser til kilden «%(ref)s», som mangler i «sources».")
                    % {"where": where, "ref": ref}
                )
            pair = (self.sources[ref], field_name)
            if pair not in cited:
                cited.append(pair)
        return cited

    def cite(self, target, cited: list, where: str) -> None:
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
                shipped_records.citation_update(
                    actor=LOADER, citation=citation, position=position
                )
                tally.updated += 1
            else:
                tally.kept += 1
        for citation in existing.values():
            # Gone from the file: removed if the loader added it, kept if not.
            if self.citations.written_by_loader(citation):
                shipped_records.citation_remove(actor=LOADER, citation=citation)
                tally.updated += 1
            else:
                tally.kept += 1

    def _add_citation(self, target, source, field_name, position, where) -> None:
        tally = self.report.tallies["citation"]
        if self.citations.deleted_by_someone_else(target, source, field_name):
            tally.skipped += 1
            return
        save_entry(
            where,
            lambda: shipped_records.citation_add(
                actor=LOADER,
                target=target,
                source=source,
                field=field_name,
                position=position,
            ),
        )
        tally.created += 1

    def in_municipality(self, model) -> dict:
        """The lookup that keeps a municipality's objects apart: plans, measures
        and districts have slugs unique within their municipality only."""
        if any(field.name == "municipality" for field in model._meta.fields) and (
            model is not Partner
        ):
            return {"municipality": self.municipality}
        return {}

    def reference(self, loaded: dict, model, slug, where: str, what: str):
        """Resolve a slug: first what this file loaded, then what the database holds
        (another file or an administrator may have made it)."""
        if slug in loaded:
            return loaded[slug]
        found = model.objects.filter(slug=slug, **self.in_municipality(model)).first()
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

    def partner_ref(self, slug, where: str) -> Partner | None:
        if not slug:
            return None
        return self.reference(self.partners, Partner, slug, where, _("partner"))

    def skip(self, kind: str, where: str) -> None:
        self.report.tallies[kind].skipped += 1
        self.report.notes.append(
            _("Hoppet over fordi noe den viser til er slettet: %(where)s")
            % {"where": where}
        )
