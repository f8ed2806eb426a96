"""Create demo accounts for trying the workflow, on request only (never in
migrations or `make run` by default), and the training plan they work on.

The shipped Bergen plans are history: none of them takes status updates from the
demo users. So the command also creates (or brings up to date) an adopted
training plan, «Øvingsplan – ikke ekte data», with invented measures led by the
demo caseworkers' partners and owned by a partner the demo coordinator
coordinates. It is a Plan with is_training=True: the public pages, reports,
exports and the API never show it (measures.models.plan_hidden). See
docs/caseworker-guide.md and docs/admin-guide.md."""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from measures.models import Category, Goal, Measure, MeasurePartner, Plan
from measures.services.base import SystemActor
from measures.services.plans import (
    goal_create,
    measure_create,
    measure_set_partners,
    plan_create,
    plan_update,
)
from partners.models import Membership, Municipality, Partner

# The training plan is the command's own work, not a person's (decision 51).
COMMAND = SystemActor("create_demo_users")

ENV_VARIABLE = "RUSPLAN_DEMO_PASSWORD"
POLICE_SLUG = "vest-politidistrikt"

TRAINING_SLUG = "ovingsplan"
TRAINING_TITLE = "Øvingsplan – ikke ekte data"
TRAINING_DESCRIPTION = (
    "En oppdiktet plan for å øve på å rapportere status, gå gjennom og publisere. "
    "Ingenting i den er ekte, og den vises aldri for publikum: ikke på sidene, i "
    "rapporter, eksporter eller API-et."
)
TRAINING_GOAL = ("ovingsmal", "Øvingsmål: tryggere byrom (oppdiktet)")
# slug, identifier, title, category, lead ("police" or "unit"), contributors
TRAINING_MEASURES = [
    (
        "oving-felles-patruljering",
        "Ø1",
        "Øvingstiltak: felles patruljering i en oppdiktet park (bare for øving)",
        Category.POLICE_SAFETY,
        "police",
        ["unit"],
    ),
    (
        "oving-lavterskel-kafe",
        "Ø2",
        "Øvingstiltak: lavterskel kafé i et oppdiktet nærmiljø (bare for øving)",
        Category.USER_INVOLVEMENT,
        "unit",
        ["police"],
    ),
    (
        "oving-kartlegging-bolig",
        "Ø3",
        "Øvingstiltak: kartlegging av boligbehov, oppdiktet (bare for øving)",
        Category.HOUSING,
        "unit",
        [],
    ),
]


class Command(BaseCommand):
    help = (
        "Lag demobrukere: en saksbehandler i Vest politidistrikt, en saksbehandler "
        "i en kommunal enhet og en koordinator for planenes eiere. Passordet hentes "
        f"fra {ENV_VARIABLE} eller lages og skrives ut."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--unit",
            default="",
            help="Slug for den kommunale enheten (standard: enheten som er "
            "ansvarlig for flest tiltak).",
        )
        parser.add_argument(
            "--police",
            default=POLICE_SLUG,
            help=f"Slug for politidistriktet (standard: {POLICE_SLUG}).",
        )

    def handle(self, *args, **options):
        # Run by hand in a terminal: the output (role names included) is in the
        # site's language, Bokmål, whatever language the caller had active.
        with translation.override(settings.LANGUAGE_CODE):
            self._create(**options)

    @transaction.atomic
    def _create(self, *, unit="", police=POLICE_SLUG, **options):
        owners = list(
            Partner.objects.filter(
                owned_plans__is_training=False,
                owned_plans__status__in=[
                    status for status in Plan.Status.values if status != "draft"
                ],
            )
            .annotate(n_plans=Count("owned_plans", distinct=True))
            .order_by("-n_plans", "name")
            .distinct()
        )
        # A real plan's owner before a demo data one (generate_demo_data), so that
        # the training plan is in a real municipality: Bergen's with the shipped
        # plans.
        owners.sort(key=lambda partner: partner.slug.startswith("demo-"))
        if not owners:
            raise CommandError(
                "Fant ingen planer. Last inn planene først: manage.py load_bergen_plans"
            )
        police_partner = Partner.objects.filter(slug=police).first()
        if police_partner is None:
            raise CommandError(f"Fant ingen partner med slug «{police}».")
        municipality = self._municipality(owners[0])
        unit_partner = self._unit(unit, municipality)
        password = os.environ.get(ENV_VARIABLE) or secrets.token_urlsafe(12)
        accounts = [
            ("demo-politi", "Demo", "Politi", [(police_partner, "caseworker")]),
            ("demo-kommune", "Demo", "Kommune", [(unit_partner, "caseworker")]),
            (
                "demo-koordinator",
                "Demo",
                "Koordinator",
                [(owner, "coordinator") for owner in owners],
            ),
        ]
        user_model = get_user_model()
        for username, first, last, roles in accounts:
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.invalid",
                },
            )
            user.set_password(password)
            user.is_active = True
            user.save()
            for partner, role in roles:
                Membership.objects.update_or_create(
                    user=user, partner=partner, defaults={"role": role}
                )
            where = ", ".join(
                f"{p.name} ({Membership.Role(r).label.lower()})" for p, r in roles
            )
            line = (
                _("Opprettet %(username)s: %(roles)s")
                if created
                else _("Oppdaterte %(username)s: %(roles)s")
            )
            self.stdout.write(line % {"username": username, "roles": where})
        plan = self._training_plan(
            owner=owners[0],
            municipality=municipality,
            partners={"police": police_partner, "unit": unit_partner},
        )
        self.stdout.write(
            _(
                "Øvingsplan: «%(title)s» med %(count)s oppdiktede tiltak. "
                "Demobrukerne finner dem under Mine tiltak (/mine-tiltak/); "
                "planen vises aldri for publikum."
            )
            % {"title": plan.title, "count": plan.measures.count()}
        )
        if os.environ.get(ENV_VARIABLE):
            self.stdout.write(
                _("Passord: fra miljøvariabelen %(name)s.") % {"name": ENV_VARIABLE}
            )
        else:
            self.stdout.write(
                _("Passord for alle demobrukerne: %(password)s")
                % {"password": password}
            )

    def _training_plan(
        self, *, owner: Partner, municipality: Municipality, partners: dict
    ) -> Plan:
        """Create the training plan, or bring it back to what the demo needs
        (adopted, hidden, reporting by tertial, the demo partners on its
        measures). Updates written on it are kept."""
        year = timezone.localdate().year
        fields = {
            "title": TRAINING_TITLE,
            "short_title": "Øvingsplan",
            "description": TRAINING_DESCRIPTION,
            "start_year": year - 1,
            "end_year": year + 1,
            "status": Plan.Status.ADOPTED,
            "is_training": True,
            "reporting_interval": Plan.ReportingInterval.TERTIAL,
            "requires_review": True,
            "owner": owner,
        }
        plan = Plan.objects.filter(
            slug=TRAINING_SLUG, municipality=municipality
        ).first()
        if plan is None:
            plan = plan_create(
                actor=COMMAND, slug=TRAINING_SLUG, municipality=municipality, **fields
            )
        elif any(getattr(plan, name) != value for name, value in fields.items()):
            plan = plan_update(actor=COMMAND, plan=plan, **fields)
        goal_slug, goal_title = TRAINING_GOAL
        goal = Goal.objects.filter(plan=plan, slug=goal_slug).first()
        if goal is None:
            goal = goal_create(
                actor=COMMAND, plan=plan, title=goal_title, slug=goal_slug
            )
        for slug, identifier, title, category, lead, helpers in TRAINING_MEASURES:
            contributors = [partners[name] for name in helpers]
            measure = Measure.objects.filter(
                slug=slug, municipality=municipality
            ).first()
            if measure is None:
                measure_create(
                    actor=COMMAND,
                    plan=plan,
                    title=title,
                    slug=slug,
                    identifier=identifier,
                    category=category,
                    description=TRAINING_DESCRIPTION,
                    lead=partners[lead],
                    contributors=contributors,
                    goals=[goal],
                )
            else:
                if measure.plan_id != plan.pk:
                    raise CommandError(
                        f"Tiltaket «{slug}» finnes i en annen plan enn øvingsplanen."
                    )
                wanted = {(partners[lead].pk, MeasurePartner.Role.LEAD)} | {
                    (partner.pk, MeasurePartner.Role.CONTRIBUTOR)
                    for partner in contributors
                }
                if set(measure.partner_roles.values_list("partner", "role")) != wanted:
                    measure_set_partners(
                        actor=COMMAND,
                        measure=measure,
                        lead=partners[lead],
                        contributors=contributors,
                    )
        return plan

    def _municipality(self, owner: Partner) -> Municipality:
        """The training plan's municipality: its owner's (Bergen with the shipped
        plans), or, for an owner that belongs to none, that of the newest plan it
        owns."""
        if owner.municipality_id is not None:
            return owner.municipality
        plan = (
            owner.owned_plans.filter(is_training=False)
            .select_related("municipality")
            .order_by("-start_year", "pk")
            .first()
        )
        return plan.municipality

    def _unit(self, slug: str, municipality: Municipality) -> Partner:
        if slug:
            partner = Partner.objects.filter(slug=slug).first()
            if partner is None:
                raise CommandError(f"Fant ingen partner med slug «{slug}».")
            return partner
        partner = (
            # The training plan's municipality's: not a demo data unit.
            Partner.objects.filter(
                kind=Partner.Kind.MUNICIPAL_UNIT, municipality=municipality
            )
            .annotate(
                n_lead=Count(
                    "measure_roles",
                    filter=Q(measure_roles__role=MeasurePartner.Role.LEAD),
                )
            )
            .filter(n_lead__gt=0)
            .order_by("-n_lead", "name")
            .first()
        )
        if partner is None:
            raise CommandError("Fant ingen kommunal enhet med tiltak. Bruk --unit.")
        return partner
