"""Import of published indicator values (the admin's Indikatorverdier list):
IndicatorValueResource, by indicator and period."""

from django.core.exceptions import ValidationError
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
    parse_source_urls,
    parse_whole,
)
from measures.columns import INDICATOR_VALUE_COLUMNS
from measures.models import Indicator, IndicatorValue, PeriodType
from measures.numbers import parse_number
from measures.services import sources as source_services
from measures.services.indicator_values import indicator_value_record_published

VALUE_CONTENT = ("value", "qualifier", "note", "uncertainty")


class IndicatorValueResource(ServiceResource):
    """Published indicator values by indicator + period. A period without a value
    gets one; a changed value replaces the published one (the old one is kept as
    "replaced"); an unchanged row, or one with an empty value (a small number the
    public file hides), leaves the period alone."""

    columns = tuple(column.key for column in INDICATOR_VALUE_COLUMNS)
    required_columns = ("indicator", "year", "value")
    written_columns = VALUE_CONTENT
    preview_columns = (
        "plan",
        "indicator",
        "period_type",
        "year",
        "number",
        *VALUE_CONTENT,
        SOURCE_URLS,
    )
    # A value with no source at all: the row's column for sources is source_urls.
    error_columns = {**SOURCE_ERROR_COLUMNS, "sources": SOURCE_URLS}

    class Meta(ServiceResource.Meta):
        model = IndicatorValue

    def find(self, row):
        slug = cell_text(row.get("indicator", ""))
        candidates = Indicator.objects.select_related(
            "goal__plan", "measure__plan"
        ).filter(slug=slug)
        plan_slug = cell_text(row.get("plan", ""))
        if plan_slug and len(candidates) > 1:
            candidates = [c for c in candidates if c.plan.slug == plan_slug]
        indicator = self.resolve(
            row,
            candidates,
            column="indicator",
            slug=slug,
            not_found=ValidationError(
                {
                    "indicator": _(
                        "Fant ingen indikator «%(slug)s». Bruk indikatorens "
                        "nettadressenavn, som i kolonnen indicator i eksporten."
                    )
                    % {"slug": slug}
                }
            ),
        )
        check_plan(row, indicator.plan, _("Indikatoren «%(slug)s»") % {"slug": slug})
        errors: dict = {}
        raw_type = row.get("period_type", "")
        period_type = (
            collect_errors(
                errors,
                "period_type",
                lambda: parse_code(raw_type, "period_type", PeriodType.choices),
            )
            if raw_type != ""
            else PeriodType.YEAR
        )
        year = collect_errors(
            errors, "year", lambda: parse_whole(row.get("year", ""), "year", 1900, 2200)
        )
        if year is None and "year" not in errors:
            errors["year"] = [_("Skriv året, for eksempel 2020.")]
        number = (
            collect_errors(
                errors,
                "number",
                lambda: parse_whole(row.get("number", ""), "number", 1, 12),
            )
            or 1
        )
        if errors:
            raise ValidationError(errors)
        period = {"period_type": period_type, "year": year, "number": number}
        self.claim(
            ("value", indicator.pk, period_type, year, number),
            _("%(indicator)s, %(period)s")
            % {
                "indicator": slug,
                "period": IndicatorValue(**period).period_label,
            },
        )
        existing = (
            IndicatorValue.objects.select_related("indicator")
            .filter(indicator=indicator, state=IndicatorValue.State.PUBLISHED, **period)
            .first()
        )
        if existing is not None:
            existing.indicator = indicator
            return existing, False
        return IndicatorValue(indicator=indicator, **period), True

    def read(self, instance, row, errors):
        given = {c: row[c] for c in self.written_columns if c in row}
        content: dict = {}
        keep = given.get("value", "") == ""
        if not keep:
            content["value"] = collect_errors(
                errors, "value", lambda: parse_number(given["value"])
            )
        elif instance.pk is None:
            errors.setdefault("value", []).append(
                _("Verdien mangler. Skriv tallet for perioden, for eksempel 27.")
            )
        if "qualifier" in given:
            content["qualifier"] = collect_errors(
                errors,
                "qualifier",
                lambda: parse_code(
                    given["qualifier"],
                    "qualifier",
                    IndicatorValue.Qualifier.choices,
                    blank=True,
                ),
            )
        for name in ("note", "uncertainty"):
            if name in given:
                content[name] = cell_text(given[name])
        urls = collect_errors(
            errors, SOURCE_URLS, lambda: parse_source_urls(row.get(SOURCE_URLS, ""))
        )
        if errors:
            return
        instance._import_urls = urls
        if instance.pk is None:
            instance._import_content = content
            instance._import_changed = True
            return
        changed = [
            name
            for name, value in content.items()
            if differs(value, getattr(instance, name))
        ]
        if keep and changed:
            errors.setdefault("value", []).append(
                _(
                    "Verdien er tom (i den offentlige filen er små tall skjult), men "
                    "%(columns)s er endret. Skriv inn verdien for å rette perioden, "
                    "eller la raden være som den var."
                )
                % {"columns": ", ".join(changed)}
            )
            return
        if urls and set(urls) != cited_urls(instance):
            if not changed:
                errors.setdefault(SOURCE_URLS, []).append(
                    _(
                        "Verdien er publisert og endres ikke, og heller ikke kildene "
                        "dens ved import. Legg til kilder under Kilder i "
                        "administrasjonen, eller rett verdien for å erstatte den."
                    )
                )
                return
        elif changed:
            # A correction cites what the value it replaces cites, unless the row
            # names its own sources.
            instance._import_urls = sorted(cited_urls(instance))
        # A correction keeps what the row does not say from the value it replaces.
        instance._import_content = {
            name: getattr(instance, name) for name in VALUE_CONTENT
        } | content
        instance._import_changed = bool(changed)

    def write(self, instance, is_create, user):
        return indicator_value_record_published(
            indicator=instance.indicator,
            actor=user,
            period_type=instance.period_type,
            year=instance.year,
            number=instance.number,
            replaces=None if is_create else instance,
            new_sources=[
                source_services.source_from_url(url) for url in instance._import_urls
            ],
            **instance._import_content,
        )

    def permission_message(self, instance):
        return _(
            "Du har ikke rett til å publisere indikatorverdier i planen "
            "«%(plan)s». Import av indikatorverdier krever samme rett som å "
            "publisere dem: koordinator for planens eier eller administrator."
        ) % {"plan": instance.indicator.plan.slug}

    def preview_values(self, instance):
        if instance.pk is None:
            return [""] * len(self.preview_columns)
        indicator = instance.indicator
        return [
            preview_text(value)
            for value in (
                indicator.plan.slug,
                indicator.slug,
                instance.period_type,
                instance.year,
                instance.number,
                *(getattr(instance, name) for name in VALUE_CONTENT),
                " ".join(sorted(cited_urls(instance))),
            )
        ]
