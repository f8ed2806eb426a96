"""Onboarding a municipality (docs/admin-guide.md, "En ny kommune"): the
municipality, its own partner, its first administrator and its training plan, in
one transaction. Used by `manage.py create_municipality` (as
SystemActor("create_municipality")) and the admin's «Ny kommune» page (as the
platform administrator who fills it in)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from measures.models import Category, Plan
from measures.services.plans import goal_create, measure_create, plan_create
from partners import services as partner_services
from partners.models import Municipality, Partner

TRAINING_SLUG = "ovingsplan"
TRAINING_TITLE = "Øvingsplan – ikke ekte data"
TRAINING_DESCRIPTION = (
    "En oppdiktet plan for å øve på å rapportere status, gå gjennom og publisere. "
    "Ingenting i den er ekte, og den vises aldri for publikum: ikke på sidene, i "
    "rapporter, eksporter eller API-et."
)
TRAINING_GOAL = ("ovingsmal", "Øvingsmål: tryggere byrom (oppdiktet)")
# slug, identifier, title, category
TRAINING_MEASURES = [
    (
        "oving-lavterskel-kafe",
        "Ø1",
        "Øvingstiltak: lavterskel kafé i et oppdiktet nærmiljø (bare for øving)",
        Category.USER_INVOLVEMENT,
    ),
    (
        "oving-kartlegging-bolig",
        "Ø2",
        "Øvingstiltak: kartlegging av boligbehov, oppdiktet (bare for øving)",
        Category.HOUSING,
    ),
]


@dataclass(frozen=True)
class Onboarded:
    municipality: Municipality
    partner: Partner
    administrator: object  # the User
    training_plan: Plan


@transaction.atomic
def municipality_onboard(
    *,
    actor,
    name: str,
    number: str,
    slug: str,
    county: str = "",
    admin_username: str,
    admin_email: str,
    domain: str,
    use_https: bool = True,
    **fields,
) -> Onboarded:
    """Create a municipality with everything it needs to start: its own partner
    («<name> kommune», which owns its plans), its first municipal administrator
    (a mail lets them set a password) and its training plan. Refuses (and
    creates nothing) when the number, name or slug is taken: onboarding is done
    once; what follows is the administrators' work in the admin."""
    municipality = partner_services.municipality_create(
        actor=actor, name=name, number=number, slug=slug, county=county, **fields
    )
    partner_slug = f"{slug}-kommune"
    if Partner.objects.filter(slug=partner_slug).exists():
        partner_slug = f"{slug}-kommune-{number}"
    partner = partner_services.partner_create(
        actor=actor,
        name=_("%(name)s kommune") % {"name": name},
        slug=partner_slug,
        kind=Partner.Kind.MUNICIPALITY,
        municipality=municipality,
    )
    administrator = partner_services.municipality_administrator_invite(
        actor=actor,
        municipality=municipality,
        username=admin_username,
        email=admin_email,
        domain=domain,
        use_https=use_https,
    )
    plan = training_plan_create(actor=actor, municipality=municipality, owner=partner)
    return Onboarded(municipality, partner, administrator, plan)


@transaction.atomic
def training_plan_create(*, actor, municipality: Municipality, owner: Partner) -> Plan:
    """The municipality's training plan (Plan.is_training: never public), with
    invented measures led by `owner`, for its people to practise reporting on."""
    if Plan.objects.filter(municipality=municipality, slug=TRAINING_SLUG).exists():
        raise ValidationError(
            {"slug": _("Kommunen har allerede en øvingsplan.")}, code="exists"
        )
    year = timezone.localdate().year
    plan = plan_create(
        actor=actor,
        municipality=municipality,
        slug=TRAINING_SLUG,
        title=TRAINING_TITLE,
        short_title="Øvingsplan",
        description=TRAINING_DESCRIPTION,
        start_year=year - 1,
        end_year=year + 1,
        status=Plan.Status.ADOPTED,
        is_training=True,
        reporting_interval=Plan.ReportingInterval.TERTIAL,
        requires_review=True,
        owner=owner,
    )
    goal_slug, goal_title = TRAINING_GOAL
    goal = goal_create(actor=actor, plan=plan, title=goal_title, slug=goal_slug)
    for slug, identifier, title, category in TRAINING_MEASURES:
        measure_create(
            actor=actor,
            plan=plan,
            title=title,
            slug=slug,
            identifier=identifier,
            category=category,
            description=TRAINING_DESCRIPTION,
            lead=owner,
            goals=[goal],
        )
    return plan
