"""Import of measures (the admin's Tiltak list): MeasureResource, by plan and slug."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.utils.translation import gettext as _

from measures import permissions
from measures.admin.imports.base import ServiceResource, preview_text
from measures.admin.imports.cells import (
    SOURCE_URLS,
    cell_text,
    cited_urls,
    collect_errors,
    differs,
    parse_code,
    parse_date,
    parse_slugs,
    parse_source_urls,
    parse_whole,
)
from measures.columns import LIST_SEPARATOR, MEASURE_COLUMNS
from measures.models import Category, District, Goal, Measure, MeasurePartner, Plan
from measures.models.plans import foreign_partners, plan_municipality_ids
from measures.services import sources as source_services
from measures.services.plans import (
    measure_create,
    measure_set_goals,
    measure_set_partners,
    measure_update,
)
from partners.models import Partner


def _joined(values) -> str:
    return LIST_SEPARATOR.join(sorted(values))


def _plan(resource, row) -> Plan:
    slug = cell_text(row.get("plan", ""))
    return resource.resolve(
        row,
        Plan.objects.select_related("owner", "municipality").filter(slug=slug),
        column="plan",
        slug=slug,
        not_found=ValidationError(
            {
                "plan": _(
                    "Fant ingen plan «%(slug)s». Bruk planens nettadressenavn, som "
                    "i /<kommune>/planer/<plan>/."
                )
                % {"slug": slug}
            }
        ),
    )


class MeasureResource(ServiceResource):
    """Measures by plan + slug: a new slug adds a measure to the plan, a known
    one changes it. Partners, goals and districts are given by slug. The current
    status columns are ignored: status changes only through status updates."""

    columns = tuple(column.key for column in MEASURE_COLUMNS)
    required_columns = ("plan", "slug")
    written_columns = (
        "identifier",
        "title",
        "description",
        "category",
        "goals",
        "lead",
        "contributors",
        "districts",
        "planned_start",
        "planned_end",
        "weight",
        "continues",
        "uncertainty",
        SOURCE_URLS,
    )
    preview_columns = ("plan", "slug", *written_columns)
    error_columns = {"partners": "lead"}

    class Meta(ServiceResource.Meta):
        model = Measure

    def find(self, row):
        plan = _plan(self, row)
        slug = cell_text(row.get("slug", ""))
        try:
            validate_slug(slug)
        except ValidationError as error:
            raise ValidationError(
                {
                    "slug": _(
                        "«%(slug)s» er ikke et nettadressenavn: bruk små bokstaver, "
                        "tall og bindestrek, som i /tiltak/<tiltak>/."
                    )
                    % {"slug": slug}
                }
            ) from error
        self.claim(("measure", slug), _("tiltaket «%(slug)s»") % {"slug": slug})
        # Slugs are unique within a municipality: the plan's.
        measure = (
            Measure.objects.select_related("plan", "continues__plan")
            .filter(municipality_id=plan.municipality_id, slug=slug)
            .first()
        )
        if measure is None:
            return Measure(plan=plan, slug=slug), True
        if measure.plan_id != plan.pk:
            raise ValidationError(
                {
                    "plan": _(
                        "Tiltaket «%(slug)s» hører til planen «%(plan)s». Et tiltak "
                        "kan ikke flyttes til en annen plan; bruk et nytt "
                        "nettadressenavn for et nytt tiltak."
                    )
                    % {"slug": slug, "plan": measure.plan.slug}
                }
            )
        return measure, False

    def read(self, instance, row, errors):
        new = instance.pk is None
        given = {c: row[c] for c in self.written_columns if c in row}
        fields: dict = {}
        for name in ("identifier", "title", "description", "uncertainty"):
            if name in given:
                fields[name] = cell_text(given[name])
        urls = None
        if SOURCE_URLS in given:
            urls = collect_errors(
                errors, SOURCE_URLS, lambda: parse_source_urls(given[SOURCE_URLS])
            )
            if urls is not None and not new and set(urls) == cited_urls(instance):
                urls = None  # cites these already
        instance._import_urls = urls
        if "category" in given:
            if new and given["category"] == "":
                fields["category"] = Category.OTHER
            else:
                fields["category"] = collect_errors(
                    errors,
                    "category",
                    lambda: parse_code(given["category"], "category", Category.choices),
                )
        for name in ("planned_start", "planned_end"):
            if name in given:
                fields[name] = collect_errors(
                    errors, name, lambda name=name: parse_date(given[name], name)
                )
        if "weight" in given:
            if new and given["weight"] == "":
                fields["weight"] = 1
            else:
                fields["weight"] = collect_errors(
                    errors,
                    "weight",
                    lambda: parse_whole(given["weight"], "weight", 1, 100),
                )
                if fields["weight"] is None and "weight" not in errors:
                    errors["weight"] = [_("Skriv vekten, et helt tall fra 1 til 100.")]
        if "continues" in given:
            fields["continues"] = collect_errors(
                errors, "continues", lambda: self._continues(instance, given)
            )
        if new and not fields.get("title"):
            errors.setdefault("title", []).append(_("Et nytt tiltak må ha en tittel."))
        plan = instance.plan
        goals = districts = lead = contributors = None
        if "goals" in given:
            goals = collect_errors(
                errors, "goals", lambda: self._goals(plan, given["goals"])
            )
        if "districts" in given:
            districts = collect_errors(
                errors, "districts", lambda: self._districts(plan, given["districts"])
            )
        if "lead" in given:
            lead = collect_errors(
                errors, "lead", lambda: self._lead(plan, given["lead"])
            )
        elif new:
            errors.setdefault("lead", []).append(
                _("Et nytt tiltak må ha en ansvarlig partner (kolonnen lead).")
            )
        if "contributors" in given:
            contributors = collect_errors(
                errors,
                "contributors",
                lambda: self._partners(plan, given["contributors"], "contributors"),
            )
        if errors:
            return
        if not new:
            fields = {
                name: value
                for name, value in fields.items()
                if differs(value, getattr(instance, name))
            }
            if goals is not None and {g.pk for g in goals} == set(
                instance.goals.values_list("pk", flat=True)
            ):
                goals = None
            if districts is not None and {d.pk for d in districts} == set(
                instance.districts.values_list("pk", flat=True)
            ):
                districts = None
            if lead is not None or contributors is not None:
                roles = list(instance.partner_roles.select_related("partner"))
                old_lead = next(
                    (r.partner for r in roles if r.role == MeasurePartner.Role.LEAD),
                    None,
                )
                old_contributors = [
                    r.partner for r in roles if r.role != MeasurePartner.Role.LEAD
                ]
                lead = lead if lead is not None else old_lead
                contributors = (
                    contributors if contributors is not None else old_contributors
                )
                if lead == old_lead and {p.pk for p in contributors} == {
                    p.pk for p in old_contributors
                }:
                    lead = contributors = None
        instance._import_fields = fields
        instance._import_goals = goals
        instance._import_districts = districts
        instance._import_partners = (
            None if lead is None and contributors is None else (lead, contributors)
        )
        instance._import_changed = bool(
            fields
            or goals is not None
            or districts is not None
            or instance._import_partners is not None
            or instance._import_urls is not None
        )

    def _continues(self, instance, given):
        slug = cell_text(given["continues"])
        current = instance.continues if instance.pk else None
        if not slug:
            # The public file leaves out a link to a measure of a draft plan;
            # an empty cell must not remove it.
            if current is not None and not current.plan.is_public:
                return current
            return None
        measure = (
            Measure.objects.select_related("plan")
            .filter(municipality_id=instance.plan.municipality_id, slug=slug)
            .first()
        )
        if measure is None:
            if Measure.objects.filter(slug=slug).exists():
                raise ValidationError(
                    _(
                        "Tiltaket «%(slug)s» hører til en annen kommune enn planen. "
                        "«Videreført fra» er et tiltak i samme kommune."
                    )
                    % {"slug": slug}
                )
            raise ValidationError(
                _("Fant ikke tiltaket «%(slug)s» som dette tiltaket viderefører.")
                % {"slug": slug}
            )
        if measure.plan_id == instance.plan.pk:
            raise ValidationError(
                _(
                    "«Videreført fra» må være et tiltak i en annen plan, normalt "
                    "forløperplanen."
                )
            )
        return measure

    def _goals(self, plan, value) -> list[Goal]:
        slugs = parse_slugs(value)
        goals = list(Goal.objects.filter(plan=plan, slug__in=slugs))
        unknown = sorted(set(slugs) - {goal.slug for goal in goals})
        if unknown:
            raise ValidationError(
                _("Planen «%(plan)s» har ingen mål med nettadressenavn %(slugs)s.")
                % {"plan": plan.slug, "slugs": ", ".join(unknown)}
            )
        return goals

    def _districts(self, plan, value) -> list[District]:
        slugs = parse_slugs(value)
        districts = list(
            District.objects.filter(
                municipality__in=plan_municipality_ids(plan), slug__in=slugs
            )
        )
        unknown = sorted(set(slugs) - {d.slug for d in districts})
        elsewhere = sorted(
            set(
                District.objects.filter(slug__in=unknown).values_list("slug", flat=True)
            )
        )
        if elsewhere:
            raise ValidationError(
                _(
                    "Bydelene %(slugs)s hører til en annen kommune enn planen "
                    "(%(municipality)s)."
                )
                % {"slugs": ", ".join(elsewhere), "municipality": plan.municipality}
            )
        if unknown:
            raise ValidationError(
                _("Fant ingen bydel med nettadressenavn %(slugs)s.")
                % {"slugs": ", ".join(unknown)}
            )
        return districts

    def _partners(self, plan, value, column) -> list[Partner]:
        slugs = parse_slugs(value)
        partners = {p.slug: p for p in Partner.objects.filter(slug__in=slugs)}
        foreign = foreign_partners(plan, partners.values())
        if foreign:
            raise ValidationError(
                _(
                    "%(partners)s hører til en annen kommune enn planen "
                    "(%(municipality)s). Bruk enheter i planens kommune, eller "
                    "regionale partnere."
                )
                % {
                    "partners": ", ".join(sorted(p.slug for p in foreign)),
                    "municipality": plan.municipality,
                }
            )
        unknown = sorted(set(slugs) - set(partners))
        if unknown:
            raise ValidationError(
                _(
                    "Fant ingen partner med nettadressenavn %(slugs)s. Bruk "
                    "nettadressenavnet, som i /partnere/<partner>/."
                )
                % {"slugs": ", ".join(unknown)}
            )
        return [partners[slug] for slug in slugs]

    def _lead(self, plan, value) -> Partner:
        partners = self._partners(plan, value, "lead")
        if len(partners) != 1:
            raise ValidationError(
                _("Oppgi nøyaktig én ansvarlig partner (nettadressenavn).")
            )
        return partners[0]

    def write(self, instance, is_create, user):
        if not permissions.can_admin(user, "add" if is_create else "change", instance):
            raise PermissionDenied
        fields = dict(instance._import_fields)
        if is_create:
            lead, contributors = instance._import_partners or (None, [])
            measure = measure_create(
                actor=user,
                plan=instance.plan,
                slug=instance.slug,
                title=fields.pop("title"),
                lead=lead,
                contributors=contributors or [],
                goals=instance._import_goals or [],
                districts=instance._import_districts or [],
                **fields,
            )
            self._cite(measure, instance._import_urls, user)
            return measure
        # Always through measure_update, also when only relations change: the
        # measure's one history row (and version bump) records the import.
        measure = measure_update(actor=user, measure=instance, **fields)
        if instance._import_goals is not None:
            measure_set_goals(actor=user, measure=measure, goals=instance._import_goals)
        if instance._import_districts is not None:
            measure.districts.set(instance._import_districts)
        if instance._import_partners is not None:
            lead, contributors = instance._import_partners
            measure_set_partners(
                actor=user, measure=measure, lead=lead, contributors=contributors
            )
        self._cite(measure, instance._import_urls, user)
        return measure

    def _cite(self, measure, urls, user) -> None:
        """The measure cites the row's links (found or created as sources)."""
        if urls is None:
            return
        sources = source_services.resolve_sources(
            actor=user,
            new_sources=[source_services.source_from_url(url) for url in urls],
            field_prefix="source_urls:",
            permission_checked=True,
        )
        source_services.citations_set(actor=user, target=measure, sources=sources)

    def permission_message(self, instance):
        return _(
            "Du har ikke rett til å legge til eller endre tiltak. Import av tiltak "
            "krever samme rett som å endre tiltak i administrasjonen."
        )

    def preview_values(self, instance):
        if instance.pk is None:
            return [""] * len(self.preview_columns)
        roles = list(instance.partner_roles.select_related("partner"))
        lead = next((r for r in roles if r.role == MeasurePartner.Role.LEAD), None)
        return [
            preview_text(value)
            for value in (
                instance.plan.slug,
                instance.slug,
                instance.identifier,
                instance.title,
                instance.description,
                instance.category,
                _joined(instance.goals.values_list("slug", flat=True)),
                lead.partner.slug if lead else "",
                _joined(r.partner.slug for r in roles if r is not lead),
                _joined(instance.districts.values_list("slug", flat=True)),
                instance.planned_start,
                instance.planned_end,
                instance.weight,
                instance.continues.slug if instance.continues_id else "",
                instance.uncertainty,
                " ".join(sorted(cited_urls(instance))),
            )
        ]
