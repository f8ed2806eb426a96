"""Admin import (django-import-export) of measures, status updates and indicator
values, from the files the public exports make (measures/exports.py): the same
column keys, so an export can be edited and imported back. The format and the
rules are in docs/exports.md ("Import").

Rows are keyed by stable identifiers, never by database ids alone:

- a measure by its slug (unique across plans), in the plan named by `plan`;
- a status update by `external_id`; `id` finds an update of this installation
  that has none (a row of its own export). A new update must have an external id,
  so a file imported twice adds nothing the second time;
- an indicator value by indicator slug + period (`period_type`, `year`,
  `number`): there is at most one published value per indicator and period.

Every row is parsed here and written through the services with the importing
user as actor, so the permission checks, validation and history of a form write
apply (one history row per changed object). import-export's own field machinery
is not used for importing; its hooks are: find the row's object
(get_or_init_instance), read the row (import_instance), skip unchanged rows
(skip_row), write through a service (save_instance).

All or nothing: every import runs in one transaction that is rolled back when any
row has an error, also on the confirmed (second) run. The dry run writes inside
the transaction too, so the preview has run every service check.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from import_export import resources

from measures.columns import (
    INDICATOR_VALUE_COLUMNS,
    LIST_SEPARATOR,
    MEASURE_COLUMNS,
    UPDATE_COLUMNS,
    csv_cell,
)
from measures.models import (
    Category,
    District,
    Goal,
    Health,
    Indicator,
    IndicatorValue,
    Measure,
    MeasurePartner,
    PeriodType,
    Phase,
    Plan,
    StatusUpdate,
)
from measures.numbers import parse_number
from measures.services import sources as source_services
from measures.services.indicator_values import indicator_value_record_published
from measures.services.plans import measure_create, measure_set_partners, measure_update
from measures.services.status_updates import status_update_import
from partners.models import Partner

PREVIEW_CHARS = 120  # long texts are cut in the preview table


# --- reading cells ----------------------------------------------------------------


def _cell(value):
    """A cell as read from CSV (text) or XLSX (typed): empty is "", text is
    stripped, numbers, dates and times are kept."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return value


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").strip()


def _date(value, column: str) -> datetime.date | None:
    if value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    raise ValidationError(
        {
            column: _(
                "«%(value)s» er ikke en dato. Skriv datoen som ÅÅÅÅ-MM-DD, for "
                "eksempel 2020-12-31."
            )
            % {"value": text}
        }
    )


def _whole(value, column: str, low: int, high: int) -> int | None:
    """A whole number from low to high, or None for an empty cell."""
    if value == "":
        return None
    number = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str | Decimal):
        try:
            parsed = parse_number(value)
        except ValidationError:
            parsed = None
        if parsed is not None and parsed == parsed.to_integral_value():
            number = int(parsed)
    if number is None or not low <= number <= high:
        raise ValidationError(
            {
                column: _(
                    "«%(value)s» går ikke: skriv et helt tall fra %(low)s til %(high)s."
                )
                % {"value": _text(value), "low": low, "high": high}
            }
        )
    return number


def _code(value, column: str, choices, *, blank: bool = False) -> str:
    """A code of `choices`; the label in the active language is accepted too."""
    text = _text(value)
    if text == "" and blank:
        return ""
    codes = {code for code, _label in choices if code}
    if text in codes:
        return text
    by_label = {str(label).casefold(): code for code, label in choices}
    if text.casefold() in by_label and by_label[text.casefold()]:
        return by_label[text.casefold()]
    if text == "":
        message = _("Kolonnen må fylles ut. Bruk en av: %(codes)s.")
    else:
        message = _("«%(value)s» er ikke en gyldig kode. Bruk en av: %(codes)s.")
    raise ValidationError(
        {column: message % {"value": text, "codes": ", ".join(sorted(codes))}}
    )


def _slugs(value) -> list[str]:
    return [part.strip() for part in _text(value).split("|") if part.strip()]


# Import-only column of status updates and indicator values: the links the row
# cites (docs/exports.md, "source_urls").
SOURCE_URLS = "source_urls"


# Errors on a source made from a link (source_services.resolve_sources) belong to
# the column the link came from.
SOURCE_ERROR_COLUMNS = {
    f"source_urls:{field}": SOURCE_URLS
    for field in ("url", "publisher", "title", "kind", "published_on", "date_note")
}


def _source_urls(value) -> list[str]:
    """One or more http(s) links separated by white space or ';', without
    repeats; a link of another kind is an error that names it."""
    urls = []
    for part in _text(value).replace(";", " ").split():
        try:
            url = source_services.check_url(part)
        except ValidationError:
            raise ValidationError(
                _(
                    "«%(url)s» er ikke en nettadresse som begynner med http:// eller "
                    "https://. Skriv én eller flere lenker, skilt med mellomrom "
                    "eller semikolon."
                )
                % {"url": Truncator(part).chars(80)}
            ) from None
        if url not in urls:
            urls.append(url)
    return urls


def _cited_urls(instance) -> set[str]:
    return set(instance.citations.values_list("source__url", flat=True))


def _differs(new, old) -> bool:
    """Whether a value read from a row differs from the stored one; text is
    compared without surrounding white space and with one kind of line break."""
    if isinstance(new, str) and isinstance(old, str):
        return new.replace("\r\n", "\n").strip() != old.replace("\r\n", "\n").strip()
    return new != old


def _joined(values) -> str:
    return LIST_SEPARATOR.join(sorted(values))


def _collect(errors: dict, column: str, read):
    """Run read(); file its ValidationError under `column` and return None."""
    try:
        return read()
    except ValidationError as error:
        messages = error.message_dict if hasattr(error, "error_dict") else None
        if messages:
            for key, texts in messages.items():
                errors.setdefault(column if key == NON_FIELD_ERRORS else key, [])
                errors[column if key == NON_FIELD_ERRORS else key] += texts
        else:
            errors.setdefault(column, []).extend(error.messages)
        return None


# --- the preview ------------------------------------------------------------------


class ImportDiff(resources.Diff):
    """The preview's cells: a changed cell shows the old content deleted and the
    new inserted, whole (a character diff of "31" to "30" reads badly), with
    <del> and <ins> but no inline style: diff_match_patch's prettyHtml, which
    import-export uses, writes style attributes that the admin's CSP blocks."""

    def __init__(self, resource, instance, new):
        self.left = resource.preview_values(instance)
        self.right = []
        self.new = new

    def compare_with(self, resource, instance):
        self.right = resource.preview_values(instance)

    def as_html(self):
        cells = []
        for before, after in zip(self.left, self.right, strict=False):
            if self.new:
                before = ""
            if before == after:
                cells.append(_html(after))
                continue
            parts = []
            if before:
                parts.append(f"<del>{_html(before)}</del>")
            if after:
                parts.append(f"<ins>{_html(after)}</ins>")
            cells.append(mark_safe(" ".join(parts)))  # noqa: S308 - escaped
        return cells


def _html(text: str) -> str:
    return mark_safe(escape(text).replace("\n", "<br>"))  # noqa: S308 - escaped


def _preview_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return csv_cell(value)
    return Truncator(str(value)).chars(PREVIEW_CHARS)


# --- the base resource ------------------------------------------------------------


class ServiceResource(resources.ModelResource):
    """Parses rows itself and writes them through the services (see the module
    docstring). Subclasses name their columns and implement find(), read(),
    write() and preview_values()."""

    #: every column of the export, in its order (exports.py)
    columns: tuple[str, ...] = ()
    #: columns the header must have
    required_columns: tuple[str, ...] = ()
    #: the key columns and the columns an import writes, shown in the preview
    preview_columns: tuple[str, ...] = ()
    #: columns an import writes (the rest of `columns` is read-only information)
    written_columns: tuple[str, ...] = ()

    class Meta:
        fields = ()
        use_transactions = True
        skip_unchanged = True
        report_skipped = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._seen: dict = {}
        self._header_problem = False
        self._row_number = 0

    @classmethod
    def get_diff_class(cls):
        return ImportDiff

    def get_diff_headers(self):
        return list(self.preview_columns)

    # import-export's hooks ----------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        # All or nothing, whoever calls: one transaction, rolled back on any
        # error, validation errors included.
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        self._seen = {}
        self._header_problem = False
        return super().import_data(
            dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs
        )

    def before_import(self, dataset, **kwargs):
        headers = [
            "" if header is None else str(header).strip().lower()
            for header in (dataset.headers or [])
        ]
        if headers:
            dataset.headers = headers
        problems = []
        unknown = [h for h in headers if h and h not in self.columns]
        if unknown:
            problems.append(
                _(
                    "Ukjente kolonner: %(unknown)s. Rett overskriften eller fjern "
                    "kolonnen. Kolonnene filen kan ha er: %(known)s."
                )
                % {"unknown": ", ".join(unknown), "known": ", ".join(self.columns)}
            )
        twice = sorted({h for h in headers if h and headers.count(h) > 1})
        if twice:
            problems.append(
                _("Kolonnene %(columns)s står flere ganger. Behold én av hver.")
                % {"columns": ", ".join(twice)}
            )
        missing = [c for c in self.required_columns if c not in headers]
        if missing:
            problems.append(
                _(
                    "Filen mangler kolonnene %(missing)s. Den første raden må ha "
                    "kolonnenavnene fra eksporten."
                )
                % {"missing": ", ".join(missing)}
            )
        for index, header in enumerate(headers):
            if not header and any(_cell(row[index]) != "" for row in dataset):
                problems.append(
                    _("Kolonne nr. %(number)s har verdier, men ingen overskrift.")
                    % {"number": index + 1}
                )
        if problems:
            self._header_problem = True
            raise ValidationError(problems)

    def import_row(self, row, instance_loader, **kwargs):
        row = {key: _cell(value) for key, value in row.items() if key}
        if self._header_problem or all(value == "" for value in row.values()):
            # Nothing to do: the file's header is wrong (reported once), or the
            # row is blank (spreadsheets keep empty rows). No import type: not
            # counted, not shown, not logged.
            return self.get_row_result_class()()
        self._row_number = kwargs.get("row_number", 0)
        return super().import_row(row, instance_loader, **kwargs)

    def get_or_init_instance(self, instance_loader, row):
        return self.find(row)

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        self.read(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance.pk is None:
            return False
        return not instance._import_changed

    def validate_instance(
        self, instance, import_validation_errors=None, validate_unique=True
    ):
        if import_validation_errors:
            raise ValidationError(import_validation_errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        user = kwargs.get("user")
        if user is None or not user.is_active:
            raise ValidationError(_("En import må gjøres av en innlogget bruker."))
        try:
            saved = self.write(instance, is_create, user)
        except PermissionDenied as error:
            raise ValidationError(self.permission_message(instance)) from error
        except ValidationError as error:
            raise self._with_columns(error) from error
        for field in type(saved)._meta.concrete_fields:
            setattr(instance, field.attname, getattr(saved, field.attname))
        instance._state.adding = False
        instance._state.db = saved._state.db

    def save_m2m(self, instance, row, **kwargs):
        """The services save relations themselves."""

    # for subclasses ------------------------------------------------------------

    #: service error keys that are called something else in the file
    error_columns: dict[str, str] = {}

    def find(self, row) -> tuple:
        raise NotImplementedError

    def read(self, instance, row, errors: dict) -> None:
        raise NotImplementedError

    def write(self, instance, is_create: bool, user):
        raise NotImplementedError

    def preview_values(self, instance) -> list[str]:
        raise NotImplementedError

    def permission_message(self, instance) -> str:
        raise NotImplementedError

    # helpers ---------------------------------------------------------------------

    @property
    def spreadsheet_row(self) -> int:
        """The row as a spreadsheet numbers it: the header is row 1."""
        return self._row_number + 1

    def claim(self, key, what: str) -> None:
        """Refuse a second row for the same object."""
        first = self._seen.setdefault(key, self.spreadsheet_row)
        if first != self.spreadsheet_row:
            raise ValidationError(
                _(
                    "Rad %(row)s gjelder det samme som rad %(first)s (%(what)s). "
                    "Hver ting kan stå på bare én rad: slett eller rett den ene."
                )
                % {"row": self.spreadsheet_row, "first": first, "what": what}
            )

    def _with_columns(self, error: ValidationError) -> ValidationError:
        if not hasattr(error, "error_dict"):
            return error
        renamed: dict = {}
        for key, texts in error.message_dict.items():
            renamed.setdefault(self.error_columns.get(key, key), []).extend(texts)
        return ValidationError(renamed)


def _plan(row) -> Plan:
    slug = _text(row.get("plan", ""))
    plan = Plan.objects.select_related("owner").filter(slug=slug).first()
    if plan is None:
        raise ValidationError(
            {
                "plan": _(
                    "Fant ingen plan «%(slug)s». Bruk planens nettadressenavn, som "
                    "i /planer/<plan>/."
                )
                % {"slug": slug}
            }
        )
    return plan


def _check_plan(row, plan: Plan, what: str) -> None:
    """The optional `plan` column must agree with the object's plan."""
    given = _text(row.get("plan", ""))
    if given and given != plan.slug:
        raise ValidationError(
            {
                "plan": _(
                    "%(what)s hører til planen «%(plan)s», ikke «%(given)s». Rett "
                    "kolonnen plan."
                )
                % {"what": what, "plan": plan.slug, "given": given}
            }
        )


# --- measures ---------------------------------------------------------------------


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
        plan = _plan(row)
        slug = _text(row.get("slug", ""))
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
        measure = (
            Measure.objects.select_related("plan", "continues__plan")
            .filter(slug=slug)
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
                fields[name] = _text(given[name])
        urls = None
        if SOURCE_URLS in given:
            urls = _collect(
                errors, SOURCE_URLS, lambda: _source_urls(given[SOURCE_URLS])
            )
            if urls is not None and not new and set(urls) == _cited_urls(instance):
                urls = None  # cites these already
        instance._import_urls = urls
        if "category" in given:
            if new and given["category"] == "":
                fields["category"] = Category.OTHER
            else:
                fields["category"] = _collect(
                    errors,
                    "category",
                    lambda: _code(given["category"], "category", Category.choices),
                )
        for name in ("planned_start", "planned_end"):
            if name in given:
                fields[name] = _collect(
                    errors, name, lambda name=name: _date(given[name], name)
                )
        if "weight" in given:
            if new and given["weight"] == "":
                fields["weight"] = 1
            else:
                fields["weight"] = _collect(
                    errors, "weight", lambda: _whole(given["weight"], "weight", 1, 100)
                )
                if fields["weight"] is None and "weight" not in errors:
                    errors["weight"] = [_("Skriv vekten, et helt tall fra 1 til 100.")]
        if "continues" in given:
            fields["continues"] = _collect(
                errors, "continues", lambda: self._continues(instance, given)
            )
        if new and not fields.get("title"):
            errors.setdefault("title", []).append(_("Et nytt tiltak må ha en tittel."))
        plan = instance.plan
        goals = districts = lead = contributors = None
        if "goals" in given:
            goals = _collect(errors, "goals", lambda: self._goals(plan, given["goals"]))
        if "districts" in given:
            districts = _collect(
                errors, "districts", lambda: self._districts(given["districts"])
            )
        if "lead" in given:
            lead = _collect(errors, "lead", lambda: self._lead(given["lead"]))
        elif new:
            errors.setdefault("lead", []).append(
                _("Et nytt tiltak må ha en ansvarlig partner (kolonnen lead).")
            )
        if "contributors" in given:
            contributors = _collect(
                errors,
                "contributors",
                lambda: self._partners(given["contributors"], "contributors"),
            )
        if errors:
            return
        if not new:
            fields = {
                name: value
                for name, value in fields.items()
                if _differs(value, getattr(instance, name))
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
        slug = _text(given["continues"])
        current = instance.continues if instance.pk else None
        if not slug:
            # The public file leaves out a link to a measure of a draft plan;
            # an empty cell must not remove it.
            if current is not None and not current.plan.is_public:
                return current
            return None
        measure = Measure.objects.select_related("plan").filter(slug=slug).first()
        if measure is None:
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
        slugs = _slugs(value)
        goals = list(Goal.objects.filter(plan=plan, slug__in=slugs))
        unknown = sorted(set(slugs) - {goal.slug for goal in goals})
        if unknown:
            raise ValidationError(
                _("Planen «%(plan)s» har ingen mål med nettadressenavn %(slugs)s.")
                % {"plan": plan.slug, "slugs": ", ".join(unknown)}
            )
        return goals

    def _districts(self, value) -> list[District]:
        slugs = _slugs(value)
        districts = list(District.objects.filter(slug__in=slugs))
        unknown = sorted(set(slugs) - {d.slug for d in districts})
        if unknown:
            raise ValidationError(
                _("Fant ingen bydel med nettadressenavn %(slugs)s.")
                % {"slugs": ", ".join(unknown)}
            )
        return districts

    def _partners(self, value, column) -> list[Partner]:
        slugs = _slugs(value)
        partners = {p.slug: p for p in Partner.objects.filter(slug__in=slugs)}
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

    def _lead(self, value) -> Partner:
        partners = self._partners(value, "lead")
        if len(partners) != 1:
            raise ValidationError(
                _("Oppgi nøyaktig én ansvarlig partner (nettadressenavn).")
            )
        return partners[0]

    def write(self, instance, is_create, user):
        codename = "add_measure" if is_create else "change_measure"
        if not (user.is_staff and user.has_perm(f"measures.{codename}")):
            raise PermissionDenied
        fields = dict(instance._import_fields)
        if is_create:
            lead, contributors = instance._import_partners or (None, [])
            measure = measure_create(
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
        measure = measure_update(measure=instance, **fields)
        if instance._import_goals is not None:
            measure.goals.set(instance._import_goals)
        if instance._import_districts is not None:
            measure.districts.set(instance._import_districts)
        if instance._import_partners is not None:
            lead, contributors = instance._import_partners
            measure_set_partners(measure=measure, lead=lead, contributors=contributors)
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
            _preview_text(value)
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
                " ".join(sorted(_cited_urls(instance))),
            )
        ]


# --- status updates ---------------------------------------------------------------

UPDATE_CONTENT = (
    "as_of",
    "phase",
    "health",
    "progress",
    "summary",
    "uncertainty",
)


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
        external_id = _text(row.get("external_id", ""))
        pk = _whole(row.get("id", ""), "id", 1, 2**63 - 1)
        slug = _text(row.get("measure", ""))
        measure = Measure.objects.select_related("plan").filter(slug=slug).first()
        if measure is None:
            raise ValidationError(
                {
                    "measure": _(
                        "Fant ikke tiltaket «%(slug)s». Bruk tiltakets "
                        "nettadressenavn, som i /tiltak/<tiltak>/."
                    )
                    % {"slug": slug}
                }
            )
        _check_plan(row, measure.plan, _("Tiltaket «%(slug)s»") % {"slug": slug})
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
            content["as_of"] = _collect(
                errors, "as_of", lambda: _date(given["as_of"], "as_of")
            )
            if given["as_of"] == "":
                errors.setdefault("as_of", []).append(
                    _("Skriv datoen statusen gjelder, for eksempel 2020-12-31.")
                )
        if "phase" in given:
            content["phase"] = _collect(
                errors, "phase", lambda: _code(given["phase"], "phase", Phase.choices)
            )
        if "health" in given:
            content["health"] = _collect(
                errors,
                "health",
                lambda: _code(given["health"], "health", Health.choices, blank=True),
            )
        if "progress" in given:
            content["progress"] = _collect(
                errors,
                "progress",
                lambda: _whole(given["progress"], "progress", 0, 100),
            )
        for name in ("summary", "uncertainty"):
            if name in given:
                content[name] = _text(given[name])
        if "summary" in given and not content["summary"]:
            errors.setdefault("summary", []).append(_("Skriv et sammendrag av status."))
        urls = _collect(
            errors, SOURCE_URLS, lambda: _source_urls(row.get(SOURCE_URLS, ""))
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
            if _differs(value, getattr(instance, name))
        ]
        if urls and set(urls) != _cited_urls(instance):
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
            _preview_text(value)
            for value in (
                instance.pk,
                instance.external_id,
                measure.plan.slug,
                measure.slug,
                *(getattr(instance, name) for name in UPDATE_CONTENT),
                " ".join(sorted(_cited_urls(instance))),
            )
        ]


# --- indicator values -------------------------------------------------------------

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
        slug = _text(row.get("indicator", ""))
        indicator = (
            Indicator.objects.select_related("goal__plan", "measure__plan")
            .filter(slug=slug)
            .first()
        )
        if indicator is None:
            raise ValidationError(
                {
                    "indicator": _(
                        "Fant ingen indikator «%(slug)s». Bruk indikatorens "
                        "nettadressenavn, som i kolonnen indicator i eksporten."
                    )
                    % {"slug": slug}
                }
            )
        _check_plan(row, indicator.plan, _("Indikatoren «%(slug)s»") % {"slug": slug})
        errors: dict = {}
        raw_type = row.get("period_type", "")
        period_type = (
            _collect(
                errors,
                "period_type",
                lambda: _code(raw_type, "period_type", PeriodType.choices),
            )
            if raw_type != ""
            else PeriodType.YEAR
        )
        year = _collect(
            errors, "year", lambda: _whole(row.get("year", ""), "year", 1900, 2200)
        )
        if year is None and "year" not in errors:
            errors["year"] = [_("Skriv året, for eksempel 2020.")]
        number = (
            _collect(
                errors, "number", lambda: _whole(row.get("number", ""), "number", 1, 12)
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
            content["value"] = _collect(
                errors, "value", lambda: parse_number(given["value"])
            )
        elif instance.pk is None:
            errors.setdefault("value", []).append(
                _("Verdien mangler. Skriv tallet for perioden, for eksempel 27.")
            )
        if "qualifier" in given:
            content["qualifier"] = _collect(
                errors,
                "qualifier",
                lambda: _code(
                    given["qualifier"],
                    "qualifier",
                    IndicatorValue.Qualifier.choices,
                    blank=True,
                ),
            )
        for name in ("note", "uncertainty"):
            if name in given:
                content[name] = _text(given[name])
        urls = _collect(
            errors, SOURCE_URLS, lambda: _source_urls(row.get(SOURCE_URLS, ""))
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
            if _differs(value, getattr(instance, name))
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
        if urls and set(urls) != _cited_urls(instance):
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
            instance._import_urls = sorted(_cited_urls(instance))
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
            _preview_text(value)
            for value in (
                indicator.plan.slug,
                indicator.slug,
                instance.period_type,
                instance.year,
                instance.number,
                *(getattr(instance, name) for name in VALUE_CONTENT),
                " ".join(sorted(_cited_urls(instance))),
            )
        ]
