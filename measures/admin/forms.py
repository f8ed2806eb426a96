"""Forms for the Django admin. Each error says what to fix.

The services check the same domain rules again; these forms repeat the ones an
administrator can break, so that the admin shows them on the form instead of
failing on save.
"""

from django import forms
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures import permissions
from measures.models import (
    OPEN_PHASES,
    Goal,
    Measure,
    MeasurePartner,
    Phase,
    Plan,
    Source,
    StatusUpdate,
)
from measures.models.plans import (
    foreign_districts,
    foreign_partners,
    shared_slug_clashes,
)
from partners.admin import scoped
from partners.models import Partner


class PlanAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_year"), cleaned.get("end_year")
        if start is not None and end is not None and end < start:
            self.add_error(
                "end_year",
                _(
                    "Sluttåret (%(end)s) kan ikke være før startåret (%(start)s). "
                    "Rett ett av årene, eller la sluttåret stå tomt om planen ikke "
                    "har en fastsatt slutt."
                )
                % {"end": end, "start": start},
            )
        predecessor = cleaned.get("predecessor")
        if (
            predecessor is not None
            and self.instance.pk is not None
            and predecessor.pk == self.instance.pk
        ):
            self.add_error(
                "predecessor",
                _("En plan kan ikke være sin egen forløper. Velg en annen plan."),
            )
        self._check_sharing(cleaned)
        return cleaned

    def _check_sharing(self, cleaned) -> None:
        """Say in the form what the model refuses when the plan is shared
        (measures/models/plans.py, _refuse_sharing_a_taken_slug)."""
        shared = cleaned.get("shared_with")
        municipality = cleaned.get("municipality")
        if not shared or municipality is None:
            return
        plan = Plan(
            pk=self.instance.pk,
            municipality=municipality,
            slug=cleaned.get("slug") or self.instance.slug,
        )
        for other in shared:
            if other.pk == municipality.pk:
                self.add_error(
                    "shared_with",
                    _("En plan deles ikke med sin egen kommune. Fjern %(name)s.")
                    % {"name": other},
                )
                continue
            clashes = (
                shared_slug_clashes(plan, other)
                if plan.pk is not None
                else (
                    [plan.slug]
                    if Plan.objects.filter(
                        Q(municipality=other) | Q(shared_with=other), slug=plan.slug
                    ).exists()
                    else []
                )
            )
            if clashes:
                self.add_error(
                    "shared_with",
                    _(
                        "%(municipality)s bruker allerede nettadressenavnene "
                        "%(slugs)s. Planen kan ikke deles med kommunen før "
                        "nettadressenavnene er ulike."
                    )
                    % {"municipality": other, "slugs": ", ".join(clashes)},
                )


class GoalAdminForm(forms.ModelForm):
    """Used both on its own and as the goals inline of a plan."""

    def clean(self):
        cleaned = super().clean()
        plan, parent = cleaned.get("plan"), cleaned.get("parent")
        if parent is None or plan is None:
            return cleaned
        if parent.plan_id != plan.pk:
            self.add_error(
                "parent",
                _(
                    "Det overordnede målet må høre til samme plan. Velg et mål fra "
                    "«%(plan)s», eller la feltet stå tomt."
                )
                % {"plan": plan},
            )
            return cleaned
        node, seen = parent, set()
        while node is not None and node.pk not in seen:
            if self.instance.pk is not None and node.pk == self.instance.pk:
                self.add_error(
                    "parent",
                    _(
                        "Et mål kan ikke ligge under seg selv eller under et av sine "
                        "egne delmål. Velg et annet overordnet mål."
                    ),
                )
                break
            seen.add(node.pk)
            node = node.parent
        return cleaned


def _goal_with_plan(goal) -> str:
    """A goal named with its plan, so that a goal of another plan with the same
    title cannot be mistaken for the measure's own."""
    return f"{goal.plan.short_title or goal.plan.title}: {goal.title}"


class MeasureAdminForm(forms.ModelForm):
    # The user the admin shows the form to (set by MeasureAdmin.get_form): a
    # municipal administrator is offered only their municipalities' goals.
    user = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        goals = self.fields.get("goals")
        if goals is None:
            return
        # Only the measure's own plan's goals are offered once it has a plan; a new
        # measure sees every goal labelled with its plan, and clean() refuses one
        # from another plan.
        queryset = Goal.objects.select_related("plan").order_by(
            "plan__start_year", "plan__title", "order", "pk"
        )
        if self.instance.pk is not None:
            queryset = queryset.filter(plan_id=self.instance.plan_id)
            goals.error_messages["invalid_choice"] = _(
                "Målene må høre til tiltakets plan («%(plan)s»). Velg bare mål fra "
                "listen."
            ) % {"plan": self.instance.plan}
        goals.queryset = scoped(queryset, self.user)
        goals.label_from_instance = _goal_with_plan

    def clean(self):
        cleaned = super().clean()
        plan = cleaned.get("plan")
        if plan is None:
            return cleaned
        self._check_slug_unique_in_municipality(plan, cleaned.get("slug"))
        goals = cleaned.get("goals") or []
        foreign = [goal for goal in goals if goal.plan_id != plan.pk]
        if foreign:
            self.add_error(
                "goals",
                _("Målene må høre til tiltakets plan («%(plan)s»). Fjern: %(goals)s.")
                % {"plan": plan, "goals": ", ".join(str(goal) for goal in foreign)},
            )
        districts = cleaned.get("districts") or []
        foreign = foreign_districts(plan, districts)
        if foreign:
            self.add_error(
                "districts",
                _(
                    "Bydelene må høre til planens kommune (%(municipality)s). "
                    "Fjern: %(districts)s."
                )
                % {
                    "municipality": plan.municipality,
                    "districts": ", ".join(str(d) for d in foreign),
                },
            )
        continues = cleaned.get("continues")
        if continues is not None and (
            continues.plan_id == plan.pk
            or (self.instance.pk is not None and continues.pk == self.instance.pk)
        ):
            self.add_error(
                "continues",
                _(
                    "«Videreført fra» må være et tiltak i en annen plan, normalt "
                    "forløperplanen. Velg et annet tiltak, eller la feltet stå tomt."
                ),
            )
        return cleaned

    def _check_slug_unique_in_municipality(self, plan, slug) -> None:
        """The form leaves out the measure's municipality (it follows the plan),
        so the model's unique (municipality, slug) is not checked by the form and
        a taken slug failed on save with a server error."""
        if not slug:
            return
        taken = (
            Measure.objects.filter(municipality_id=plan.municipality_id, slug=slug)
            .exclude(pk=self.instance.pk)
            .exists()
        )
        if taken:
            constraint = next(
                c
                for c in Measure._meta.constraints
                if c.name == "measure_slug_unique_per_municipality"
            )
            self.add_error("slug", constraint.violation_error_message)


class MeasurePartnerFormSet(BaseInlineFormSet):
    """A measure's partners: exactly one lead, any number of contributors."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        leads = [
            form.cleaned_data["partner"]
            for form in self.forms
            if form.cleaned_data
            and not self._should_delete_form(form)
            and form.cleaned_data.get("role") == MeasurePartner.Role.LEAD
        ]
        if not leads:
            raise forms.ValidationError(
                _(
                    "Velg nøyaktig én ansvarlig partner: tiltaket har ingen nå. "
                    "Sett rollen «Ansvarlig» på én partner under «Ansvar for "
                    "tiltak»."
                ),
                code="no_lead",
            )
        plan = getattr(self.instance, "plan", None) if self.instance else None
        if plan is not None and plan.municipality_id is not None:
            chosen = [
                form.cleaned_data["partner"]
                for form in self.forms
                if form.cleaned_data
                and not self._should_delete_form(form)
                # A read-only inline (no right to change it) gives the pk.
                and isinstance(form.cleaned_data.get("partner"), Partner)
            ]
            foreign = foreign_partners(plan, chosen)
            if foreign:
                raise forms.ValidationError(
                    _(
                        "%(partners)s hører til en annen kommune enn planen "
                        "«%(plan)s». Velg enheter i planens kommune, eller "
                        "regionale partnere."
                    ),
                    params={
                        "partners": ", ".join(str(p) for p in foreign),
                        "plan": plan,
                    },
                    code="foreign_partner",
                )
        if len(leads) > 1:
            raise forms.ValidationError(
                _(
                    "Velg nøyaktig én ansvarlig partner: nå er %(count)s valgt "
                    "(%(partners)s). Gi de andre rollen «Bidragsyter»."
                ),
                params={
                    "count": len(leads),
                    "partners": ", ".join(str(partner) for partner in leads),
                },
                code="several_leads",
            )


# What an update says; the rest of a StatusUpdate is its record (who, when, state).
UPDATE_CONTENT = [
    "as_of",
    "phase",
    "health",
    "progress",
    "summary",
    "uncertainty",
]


def published_sources_field() -> forms.ModelMultipleChoiceField:
    """The sources a published fact recorded in the admin cites (at least one)."""
    return forms.ModelMultipleChoiceField(
        label=_("Kilder"),
        queryset=Source.objects.all(),
        required=False,
        help_text=_(
            "Kildene opplysningen bygger på. Hold Ctrl (Cmd på Mac) for å velge "
            "flere. Finnes ikke kilden, legg den til under «Kilder» først."
        ),
    )


def _check_as_of(as_of, measure: Measure | None) -> None:
    if as_of > timezone.localdate():
        raise forms.ValidationError(
            {"as_of": _("Datoen kan ikke være fram i tid. Velg dagens dato eller før.")}
        )
    if measure is not None and as_of.year < measure.plan.start_year:
        raise forms.ValidationError(
            {
                "as_of": _("Datoen kan ikke være før planen startet (%(year)s).")
                % {"year": measure.plan.start_year}
            }
        )


class StatusUpdateAddForm(forms.ModelForm):
    """A new update from the admin: a draft by the administrator, or an already
    public fact recorded as published, with its source."""

    DRAFT = "draft"
    PUBLISHED = "published"

    record_as = forms.ChoiceField(
        label=_("Lagre som"),
        choices=[
            (DRAFT, _("Utkast (du står som forfatter; sendes inn på vanlig måte)")),
            (
                PUBLISHED,
                _("Publisert opplysning med kilde (blir tiltakets gjeldende status)"),
            ),
        ],
        initial=DRAFT,
        widget=forms.RadioSelect,
        help_text=_(
            "Velg «Publisert» bare for opplysninger som allerede er offentlige, "
            "for eksempel fra en rapport eller et vedtak. Velg da minst én kilde."
        ),
    )
    sources = published_sources_field()

    class Meta:
        model = StatusUpdate
        fields = [
            "measure",
            "as_of",
            "phase",
            "health",
            "progress",
            "summary",
            "uncertainty",
            "external_id",
        ]

    # The user the admin shows the form to (set by StatusUpdateAdmin.get_form):
    # «Publisert» is offered only to someone who may publish, as through review.
    user = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not permissions.can_publish_some_updates(self.user):
            field = self.fields["record_as"]
            field.choices = [c for c in field.choices if c[0] == self.DRAFT]

    def clean_summary(self):
        return self.cleaned_data.get("summary", "").strip()

    def clean(self):
        cleaned = super().clean()
        measure, as_of = cleaned.get("measure"), cleaned.get("as_of")
        if as_of is not None:
            _check_as_of(as_of, measure)
        if cleaned.get("record_as") == self.PUBLISHED:
            if measure is not None and not permissions.can_review(
                self.user, measure.plan
            ):
                self.add_error(
                    "record_as",
                    _(
                        "Du har ikke rett til å publisere oppdateringer i planen "
                        "«%(plan)s». Lagre som utkast og send det til godkjenning."
                    )
                    % {"plan": measure.plan},
                )
            if not cleaned.get("sources") and "sources" not in self.errors:
                self.add_error(
                    "sources",
                    _(
                        "En publisert opplysning må ha en kilde. Velg minst én kilde "
                        "under «Kilder», eller lagre som utkast."
                    ),
                )
        elif measure is not None and measure.current_phase not in OPEN_PHASES:
            self.add_error(
                "measure",
                _(
                    "Tiltaket har status «%(phase)s» og tar ikke imot nye utkast. "
                    "Registrer en publisert opplysning med kilde om statusen er feil."
                )
                % {"phase": Phase(measure.current_phase).label},
            )
        return cleaned


class StatusUpdateChangeForm(forms.ModelForm):
    """Changes to a draft or returned update; saved through status_update_edit
    with the version the form was loaded with, so no one's work is overwritten."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = StatusUpdate
        fields = UPDATE_CONTENT

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["expected_version"].initial = self.instance.version

    def clean_summary(self):
        return self.cleaned_data.get("summary", "").strip()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("as_of") is not None:
            _check_as_of(cleaned["as_of"], self.instance.measure)
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in UPDATE_CONTENT}
