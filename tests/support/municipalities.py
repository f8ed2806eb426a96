"""Two municipalities with their own data, a shared police district, and an
administrator of each kind: the world of the municipal administrator tests
(decision 56)."""

from types import SimpleNamespace

from measures.models import MeasurePartner
from partners.models import Partner
from partners.services import municipality_administrator_add
from tests.factories import (
    SYSTEM,
    BudgetLineFactory,
    DistrictFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MeasureFactory,
    MembershipFactory,
    MunicipalityFactory,
    PartnerFactory,
    PartnerNameFactory,
    PlanFactory,
    StatusUpdateFactory,
    UserFactory,
    bergen,
)

# Words that appear only in Bergen's data: no page an Askøy administrator opens
# may contain them.
BERGEN_SECRET = "Bergenhemmelig"


def _municipality_data(w, key: str, municipality, marker: str):
    unit = PartnerFactory(
        name=f"{marker} etat", slug=f"{key}-etat", municipality=municipality
    )
    PartnerNameFactory(partner=unit, name=f"{marker} gammel etat")
    owner = PartnerFactory(
        name=f"{marker} kommune",
        slug=f"{key}-kommune",
        kind=Partner.Kind.MUNICIPALITY,
        municipality=municipality,
    )
    plan = PlanFactory(
        title=f"{marker} plan",
        slug="rusplan",  # the same slug in both municipalities
        municipality=municipality,
        owner=owner,
        status="draft",
    )
    goal = GoalFactory(plan=plan, title=f"{marker} mål", slug="trygg-by")
    district = DistrictFactory(
        name=f"{marker} bydel", slug="sentrum", municipality=municipality
    )
    measure = MeasureFactory(
        plan=plan, title=f"{marker} tiltak", slug="mo-senter", lead=unit
    )
    MeasurePartner.objects.create(
        measure=measure, partner=w.police, role=MeasurePartner.Role.CONTRIBUTOR
    )
    measure.goals.add(goal)
    measure.districts.add(district)
    indicator = IndicatorFactory(goal=goal, title=f"{marker} indikator")
    value = IndicatorValueFactory(indicator=indicator, note=f"{marker} merknad")
    line = BudgetLineFactory(measure=measure, note=f"{marker} budsjett")
    update = StatusUpdateFactory(measure=measure, summary=f"{marker} oppdatering")
    caseworker = UserFactory(username=f"{key}-saksbehandler", first_name=marker)
    membership = MembershipFactory(user=caseworker, partner=unit)
    return SimpleNamespace(
        municipality=municipality,
        unit=unit,
        owner=owner,
        plan=plan,
        goal=goal,
        district=district,
        measure=measure,
        indicator=indicator,
        value=value,
        budget_line=line,
        update=update,
        caseworker=caseworker,
        membership=membership,
        partner_name=unit.former_names.get(),
        measure_partner=measure.partner_roles.get(partner=unit),
    )


def municipal_admin(municipality, username: str):
    user = UserFactory(username=username)
    municipality_administrator_add(actor=SYSTEM, user=user, municipality=municipality)
    user.refresh_from_db()
    return user


def build_two_municipalities():
    w = SimpleNamespace()
    w.police = PartnerFactory(
        name="Vest politidistrikt",
        slug="vest-politidistrikt",
        kind=Partner.Kind.POLICE_DISTRICT,
    )
    bergen_municipality = bergen()
    askoy_municipality = MunicipalityFactory(
        name="Askøy", number="4627", slug="askoy", county="Vestland"
    )
    w.police.serves.add(bergen_municipality, askoy_municipality)
    w.bergen = _municipality_data(w, "bergen", bergen_municipality, BERGEN_SECRET)
    w.askoy = _municipality_data(w, "askoy", askoy_municipality, "Askøy")
    w.askoy_admin = municipal_admin(askoy_municipality, "askoy-admin")
    w.bergen_admin = municipal_admin(bergen_municipality, "bergen-admin")
    return w


# (admin URL name prefix, attribute of a municipality's data) for every admin a
# municipal administrator works in.
SCOPED_ADMINS = [
    ("measures_plan", "plan"),
    ("measures_goal", "goal"),
    ("measures_measure", "measure"),
    ("measures_district", "district"),
    ("measures_measurepartner", "measure_partner"),
    ("measures_indicator", "indicator"),
    ("measures_indicatorvalue", "value"),
    ("measures_budgetline", "budget_line"),
    ("measures_statusupdate", "update"),
    ("partners_partner", "unit"),
    ("partners_partnername", "partner_name"),
    ("partners_membership", "membership"),
    ("partners_municipality", "municipality"),
    ("auth_user", "caseworker"),
]
