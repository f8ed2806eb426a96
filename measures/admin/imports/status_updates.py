"""Import of published status updates (the admin's Statusoppdateringer list):
StatusUpdateResource, by external_id."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from measures.admin.imports.base import ServiceResource, preview_text
from measures.admin.imports.cells import (
    SOURCE_ERROR_COLUMNS,
    SOURCE_URLS,
    cell_text,
    check_plan,
    cited_urls,
    collect_errors,
    differs,
    parse_code,
    parse_date,
    parse_source_urls,
    parse_whole,
)
from measures.columns import UPDATE_COLUMNS
from measures.models import Health, Measure, Phase, StatusUpdate
from measures.services import sources as source_services
from measures.services.status_updates import status_update_import
from partners.scope import may_administer

UPDATE_CONTENT = (
    "as_of",
    "phase",
    "health",
    "progress",
    "summary",
    "uncertainty",
)


def _measure(slug: str, plan_slug: str) -> Measure | None:
    """The measure `slug`: measure slugs are unique only within a municipality,
    so where several municipalities have one, the row's plan column tells them
    apart."""
    measures = Measure.objects.select_related("plan").filter(slug=slug)
    found = list(measures[:2])
    if len(found) > 1 and plan_slug:
        found = list(measures.filter(plan__slug=plan_slug)[:2])
    if len(found) > 1:
        raise ValidationError(
            {
                "measure": _(
                    "Flere kommuner har et tiltak «%(slug)s», så importen kan ikke "
                    "vite hvilket raden gjelder."
                )
                % {"slug": slug}
            }
        )
    return found[0] if found else None


class StatusUpdateResource(ServiceResource):
    """Published status updates. A row whose update exists (by external_id, or by
    id for this installation's own rows) must be unchanged: a published update is
    never edited. A new row adds a published update with the importing user as
    author and reviewer, and needs an external_id."""

    columns = tuple(column.key for column in UPDATE_COLUMNS)
    required_columns = ("external_id", "measure", "as_of", "phase", "summary")
    written_columns = UPDATE_CONTENT
    preview_columns = (
        "id",
        "external_id",
        "plan",
        "measure",
        *UPDATE_CONTENT,
        SOURCE_URLS,
    )
    error_columns = SOURCE_ERROR_COLUMNS

    class Meta(ServiceResource.Meta):
        model = StatusUpdate

    def find(self, row):
        external_id = cell_text(row.get("external_id", ""))
        pk = parse_whole(row.get("id", ""), "id", 1, 2**63 - 1)
        slug = cell_text(row.get("measure", ""))
        candidates = Measure.objects.select_related("plan").filter(slug=slug)
        plan_slug = cell_text(row.get("plan", ""))
        if plan_slug and len(candidates) > 1:
            # Slugs are unique within a municipality; the plan column tells
            # measures of the same slug in several municipalities apart.
            candidates = candidates.filter(plan__slug=plan_slug)
        measure = self.resolve(
            row,
            candidates,
            column="measure",
            slug=slug,
            not_found=ValidationError(
                {
                    "measure": _(
                        "Fant ikke tiltaket «%(slug)s». Bruk tiltakets "
                        "nettadressenavn, som i /<kommune>/tiltak/<tiltak>/."
                    )
                    % {"slug": slug}
                }
            ),
        )
        check_plan(row, measure.plan, _("Tiltaket «%(slug)s»") % {"slug": slug})
        existing = None
        updates = StatusUpdate.objects.select_related("measure__plan")
        if external_id:
            existing = updates.filter(external_id=external_id).first()
            if existing is None and pk is not None and updates.filter(pk=pk).exists():
                raise ValidationError(
                    {
                        "id": _(
                            "id %(id)s er en annen oppdatering enn external_id "
                            "«%(external_id)s». Tøm id for å legge til en ny "
                            "oppdatering."
                        )
                        % {"id": pk, "external_id": external_id}
                    }
                )
            if existing is not None and pk is not None and existing.pk != pk:
                raise ValidationError(
                    {
                        "id": _(
                            "external_id «%(external_id)s» er oppdatering "
                            "%(other)s, ikke %(id)s. Rett eller tøm id."
                        )
                        % {"external_id": external_id, "other": existing.pk, "id": pk}
                    }
                )
        elif pk is not None:
            existing = updates.filter(pk=pk).first()
            if existing is None:
                raise ValidationError(
                    {
                        "id": _(
                            "Fant ingen statusoppdatering med id %(id)s. For en ny "
                            "oppdatering: tøm id og gi raden en external_id."
                        )
                        % {"id": pk}
                    }
                )
        else:
            raise ValidationError(
                {
                    "external_id": _(
                        "En ny oppdatering må ha en ekstern nøkkel i kolonnen "
                        "external_id, for eksempel «2024-t1-lar-1». Med den kan "
                        "filen importeres på nytt uten at oppdateringen legges inn "
                        "to ganger."
                    )
                }
            )
        key = existing.pk if existing is not None else external_id
        self.claim(
            ("update", key),
            _("oppdateringen «%(key)s»") % {"key": external_id or pk},
        )
        if existing is None:
            return StatusUpdate(measure=measure, external_id=external_id), True
        if not may_administer(self.user, existing.measure.municipality_id):
            raise ValidationError(
                {"id": _("Oppdateringen hører til en annen kommune.")}
            )
        if existing.measure_id != measure.pk:
            raise ValidationError(
                {
                    "measure": _(
                        "Oppdateringen hører til tiltaket «%(slug)s». En "
                        "oppdatering kan ikke flyttes til et annet tiltak."
                    )
                    % {"slug": existing.measure.slug}
                }
            )
        return existing, False

    def read(self, instance, row, errors):
        given = {c: row[c] for c in self.written_columns if c in row}
        content: dict = {}
        if "as_of" in given:
            content["as_of"] = collect_errors(
                errors, "as_of", lambda: parse_date(given["as_of"], "as_of")
            )
            if given["as_of"] == "":
                errors.setdefault("as_of", []).append(
                    _("Skriv datoen statusen gjelder, for eksempel 2020-12-31.")
                )
        if "phase" in given:
            content["phase"] = collect_errors(
                errors,
                "phase",
                lambda: parse_code(given["phase"], "phase", Phase.choices),
            )
        if "health" in given:
            content["health"] = collect_errors(
                errors,
                "health",
                lambda: parse_code(
                    given["health"], "health", Health.choices, blank=True
                ),
            )
        if "progress" in given:
            content["progress"] = collect_errors(
                errors,
                "progress",
                lambda: parse_whole(given["progress"], "progress", 0, 100),
            )
        for name in ("summary", "uncertainty"):
            if name in given:
                content[name] = cell_text(given[name])
        if "summary" in given and not content["summary"]:
            errors.setdefault("summary", []).append(_("Skriv et sammendrag av status."))
        urls = collect_errors(
            errors, SOURCE_URLS, lambda: parse_source_urls(row.get(SOURCE_URLS, ""))
        )
        if errors:
            return
        if instance.pk is None:
            instance._import_content = content
            instance._import_urls = urls
            instance._import_changed = True
            return
        changed = [
            name
            for name, value in content.items()
            if differs(value, getattr(instance, name))
        ]
        if urls and set(urls) != cited_urls(instance):
            changed.append(SOURCE_URLS)
        if changed:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _(
                    "Statusoppdatering %(id)s finnes og endres aldri ved import "
                    "(endret: %(columns)s). For å rette den: legg til en ny rad med "
                    "tom id og en ny external_id."
                )
                % {
                    "id": instance.external_id or instance.pk,
                    "columns": ", ".join(changed),
                }
            )
            return
        instance._import_changed = False

    def write(self, instance, is_create, user):
        return status_update_import(
            measure=instance.measure,
            actor=user,
            external_id=instance.external_id,
            new_sources=[
                source_services.source_from_url(url) for url in instance._import_urls
            ],
            **instance._import_content,
        )

    def permission_message(self, instance):
        return _(
            "Du har ikke rett til å publisere statusoppdateringer i planen "
            "«%(plan)s». Import av statusoppdateringer krever samme rett som å "
            "publisere: koordinator for planens eier eller administrator."
        ) % {"plan": instance.measure.plan.slug}

    def preview_values(self, instance):
        if instance.pk is None:
            return [""] * len(self.preview_columns)
        measure = instance.measure
        return [
            preview_text(value)
            for value in (
                instance.pk,
                instance.external_id,
                measure.plan.slug,
                measure.slug,
                *(getattr(instance, name) for name in UPDATE_CONTENT),
                " ".join(sorted(cited_urls(instance))),
            )
        ]
