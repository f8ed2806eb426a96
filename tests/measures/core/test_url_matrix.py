"""Every URL the project defines × every role × own and other's object.

The table below is the expected access for each URL name. The test fails on any
unexpected 2xx, on any expected access that does not give 2xx (for our own
views), and on any URL name missing from the table: a new URL must be added here
with its rule before the suite passes again.

Roles: anonymous, caseworker of partner A (alice), caseworker of partner B
(charlie), coordinator of the plan owner (olivia), staff admin (a platform
administrator: a superuser), and Bergen's municipal administrator. "own" objects
are partner A's measure in the coordinator's plan; "other" objects are partner
B's measure in a plan owned by partner B (see tests/support/worlds.py); all of
them in Bergen. "foreign" objects are another municipality's (Askøy's): no role of
Bergen's but the platform administrator may get a 2xx on their non-public pages,
and the admin test at the end walks every admin change, history and delete URL
of the other municipality's objects as Bergen's municipal administrator.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from measures.models import IndicatorValue, StatusUpdate
from partners.models import Partner
from tests.factories import (
    BudgetLineFactory,
    DistrictFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MeasureFactory,
    MembershipFactory,
    MunicipalityFactory,
    PartnerFactory,
    PlanFactory,
    PublishedIndicatorValueFactory,
    PublishedStatusUpdateFactory,
    StatusUpdateFactory,
    UserFactory,
)
from tests.support.municipalities import (
    SCOPED_ADMINS,
    build_two_municipalities,
    municipal_admin,
)
from tests.support.worlds import AS_OF, WorkflowWorld, build_workflow_world

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "caseworker_a",
    "caseworker_b",
    "coordinator",
    "staff",
    "municipal_admin",
)
WHICH = ("own", "other", "foreign")
SKIPPED_PREFIXES = ("admin/", "i18n/", "static/", "media/", "__debug__/")


def everyone(role, which):
    return True


def logged_in(role, which):
    return role != "anonymous"


def nobody(role, which):
    return False


def reporters(role, which):
    """may_edit_measure_status: the partner's caseworker, the owner's coordinator,
    staff (a municipal administrator: in their municipality only)."""
    if role == "staff":
        return True
    if role == "municipal_admin":
        return which != "foreign"
    if which == "own":
        return role in ("caseworker_a", "coordinator")
    if which == "other":
        return role == "caseworker_b"
    return False  # nobody of Bergen's reports on Askøy's measures


def reviewers(role, which):
    """can_review: the owner's coordinator and staff (a municipal administrator:
    in their municipality only)."""
    if role == "municipal_admin":
        return which != "foreign"
    return role == "staff" or (which == "own" and role == "coordinator")


def _in_municipality(world, which) -> dict:
    municipality = world.foreign.municipality if which == "foreign" else world.bergen
    return {"kommune": municipality.slug}


@dataclass(frozen=True)
class Rule:
    allowed: Callable[[str, str], bool]
    kwargs: Callable[[WorkflowWorld, str], dict] = lambda world, which: {}
    method: str = "GET"
    # Our own views must give 2xx where allowed; for Django's auth views we only
    # check that nobody gets an unexpected 2xx.
    strict: bool = True
    # A URL that cannot be reversed from kwargs (a regular expression).
    url: Callable[[WorkflowWorld, str], str] | None = None

    def address(self, name: str, world, which: str) -> str:
        if self.url is not None:
            return self.url(world, which)
        return reverse(name, kwargs=self.kwargs(world, which))


def _pick(own, other, foreign, *, municipal: bool = False):
    """kwargs for "own", "other" and "foreign" objects; `municipal`: with the
    kommune of the page (the object's municipality)."""

    def kwargs(world, which):
        made = {"own": own, "other": other, "foreign": foreign}[which](world)
        if municipal:
            made = _in_municipality(world, which) | made
        return made

    return kwargs


def _slug_of(name):
    """{"slug": ...} of world.<name>_a / _b / foreign.<name>."""
    return {
        "own": lambda w: {"slug": getattr(w, f"{name}_a").slug},
        "other": lambda w: {"slug": getattr(w, f"{name}_b").slug},
        "foreign": lambda w: {"slug": getattr(w.foreign, name).slug},
    }


PLAN = _pick(
    lambda w: {"slug": w.plan.slug},
    lambda w: {"slug": w.other_plan.slug},
    lambda w: {"slug": w.foreign.plan.slug},
    municipal=True,
)
API_PLAN = _pick(
    lambda w: {"slug": w.plan.slug},
    lambda w: {"slug": w.other_plan.slug},
    lambda w: {"slug": w.foreign.plan.slug},
)
MEASURE = _pick(**_slug_of("measure"), municipal=True)
API_MEASURE = _pick(**_slug_of("measure"))
PARTNER = _pick(**_slug_of("partner"), municipal=True)
API_PARTNER = _pick(**_slug_of("partner"))


def _regional_partner(slug, serves):
    partner = PartnerFactory(slug=slug, kind=Partner.Kind.POLICE_DISTRICT)
    partner.serves.add(serves)
    return {"slug": partner.slug}


# The national page of a partner is the page of a regional partner (a police
# district, a health trust); a municipality's own organisation and units answer
# 301 to their page in the municipality
# (test_a_municipal_partners_national_address_is_its_municipality_page).
REGIONAL_PARTNER = _pick(
    lambda w: _regional_partner("politi-a", w.bergen),
    lambda w: _regional_partner("politi-b", w.bergen),
    lambda w: _regional_partner("politi-askoy", w.foreign.municipality),
)
DISTRICT = _pick(
    lambda w: {"slug": w.district.slug},
    lambda w: {"slug": "finnes-ikke"},
    lambda w: {"slug": w.foreign.district.slug},
    municipal=True,
)
API_DISTRICT = _pick(
    lambda w: {"slug": w.district.slug},
    lambda w: {"slug": "finnes-ikke"},
    lambda w: {"slug": w.foreign.district.slug},
)
MUNICIPALITY = _in_municipality
SUBMITTED = _pick(
    lambda w: {"pk": w.submitted_a.pk},
    lambda w: {"pk": w.submitted_b.pk},
    lambda w: {"pk": w.foreign.submitted.pk},
)
DRAFT = _pick(
    lambda w: {"pk": w.draft_a.pk},
    lambda w: {"pk": w.draft_b.pk},
    lambda w: {"pk": w.foreign.draft.pk},
)
PUBLISHED = _pick(
    lambda w: {"pk": w.published_a.pk},
    lambda w: {"pk": w.published_b.pk},
    lambda w: {"pk": w.foreign.published.pk},
)
GOAL = _pick(
    lambda w: {"pk": GoalFactory(plan=w.plan).pk},
    lambda w: {"pk": GoalFactory(plan=w.other_plan).pk},
    lambda w: {"pk": GoalFactory(plan=w.foreign.plan).pk},
)
INDICATOR = _pick(
    lambda w: {"slug": IndicatorFactory(goal=None, measure=w.measure_a).slug},
    lambda w: {"slug": IndicatorFactory(goal=GoalFactory(plan=w.other_plan)).slug},
    lambda w: {"slug": IndicatorFactory(goal=GoalFactory(plan=w.foreign.plan)).slug},
)
INDICATOR_VALUE = _pick(
    lambda w: {"pk": PublishedIndicatorValueFactory(value=3).pk},
    lambda w: {"pk": PublishedIndicatorValueFactory(value=300).pk},
    lambda w: {
        "pk": PublishedIndicatorValueFactory(
            value=30, indicator=IndicatorFactory(goal=GoalFactory(plan=w.foreign.plan))
        ).pk
    },
)
# Indicator values recorded in the browser: output indicators of each partner's
# measure, so the rule is the one of status updates (reporters / reviewers).
OUTPUT_INDICATOR = _pick(
    lambda w: {"slug": IndicatorFactory(goal=None, measure=w.measure_a).slug},
    lambda w: {"slug": IndicatorFactory(goal=None, measure=w.measure_b).slug},
    lambda w: {"slug": IndicatorFactory(goal=None, measure=w.foreign.measure).slug},
)


def _output_value(state):
    def make(measure):
        indicator = IndicatorFactory(goal=None, measure=measure)
        return {"pk": IndicatorValueFactory(indicator=indicator, state=state).pk}

    return _pick(
        lambda w: make(w.measure_a),
        lambda w: make(w.measure_b),
        lambda w: make(w.foreign.measure),
    )


VALUE_SUBMITTED = _output_value(IndicatorValue.State.SUBMITTED)
VALUE_DRAFT = _output_value(IndicatorValue.State.DRAFT)
BUDGET_LINE = _pick(
    lambda w: {"pk": BudgetLineFactory(measure=w.measure_a).pk},
    lambda w: {"pk": BudgetLineFactory(measure=w.measure_b).pk},
    lambda w: {"pk": BudgetLineFactory(measure=w.foreign.measure).pk},
)


def _district_rule(role, which):
    return which != "other"  # the "other" district does not exist: 404 for all


TABLE: dict[str, Rule] = {
    # rusplan: site pages and authentication
    "home": Rule(everyone),
    "accessibility": Rule(everyone),
    "healthz": Rule(everyone),
    "login": Rule(everyone, strict=False),
    "logout": Rule(nobody, strict=False),  # POST only
    "password_change": Rule(logged_in, strict=False),
    "password_change_done": Rule(logged_in, strict=False),
    "password_reset": Rule(everyone, strict=False),
    "password_reset_done": Rule(everyone, strict=False),
    "password_reset_confirm": Rule(
        everyone, lambda w, which: {"uidb64": "MQ", "token": "ugyldig"}, strict=False
    ),
    "password_reset_complete": Rule(everyone, strict=False),
    # The second step of a login: the code page only for a login waiting for its
    # second factor; the enrolment page also for a logged-in user without an app
    # (tests/rusplan/test_second_factor.py). Everyone else is sent on.
    "second_factor_verify": Rule(nobody, strict=False),
    "second_factor_enrol": Rule(logged_in),
    "recovery_codes": Rule(logged_in),
    # public pages
    "municipality-home": Rule(everyone, MUNICIPALITY),
    "measures:old-address": Rule(nobody, url=lambda w, which: "/planer/eierplan/"),
    "measures:partner-national": Rule(everyone, REGIONAL_PARTNER),
    "measures:national-search": Rule(everyone),
    "measures:plan-detail": Rule(everyone, PLAN),
    "measures:measure-list": Rule(everyone, MUNICIPALITY),
    "measures:measure-detail": Rule(everyone, MEASURE),
    "measures:partner-detail": Rule(everyone, PARTNER),
    "measures:district-detail": Rule(_district_rule, DISTRICT),
    "measures:source-list": Rule(everyone, MUNICIPALITY),
    "measures:plan-sources": Rule(everyone, PLAN),
    "measures:plan-indicators": Rule(everyone, PLAN),
    # report "status per <date>" and exports (tests/measures/reporting/test_reports.py,
    # test_exports.py)
    "measures:plan-report": Rule(everyone, PLAN),
    "measures:plan-report-pdf": Rule(everyone, PLAN),
    "measures:plan-export-csv": Rule(everyone, PLAN),
    "measures:plan-export-xlsx": Rule(everyone, PLAN),
    "measures:plan-export-updates-csv": Rule(everyone, PLAN),
    "measures:plan-export-updates-xlsx": Rule(everyone, PLAN),
    "measures:export-measures-csv": Rule(everyone, MUNICIPALITY),
    "measures:export-updates-csv": Rule(everyone, MUNICIPALITY),
    "measures:plan-export-indicators-csv": Rule(everyone, PLAN),
    "measures:plan-export-indicators-xlsx": Rule(everyone, PLAN),
    "measures:export-indicators-csv": Rule(everyone, MUNICIPALITY),
    # open-data API: anyone reads, nobody writes (tests/measures/api/test_api.py)
    "api:root": Rule(everyone),
    "api:schema": Rule(everyone),
    "api:docs": Rule(everyone),
    "api:municipality-list": Rule(everyone),
    "api:municipality-detail": Rule(
        everyone, lambda w, which: {"slug": _in_municipality(w, which)["kommune"]}
    ),
    "api:plan-list": Rule(everyone),
    "api:plan-detail": Rule(everyone, API_PLAN),
    "api:goal-list": Rule(everyone),
    "api:goal-detail": Rule(everyone, GOAL),
    "api:measure-list": Rule(everyone),
    "api:measure-detail": Rule(everyone, API_MEASURE),
    "api:partner-list": Rule(everyone),
    "api:partner-detail": Rule(everyone, API_PARTNER),
    "api:district-list": Rule(everyone),
    "api:district-detail": Rule(_district_rule, API_DISTRICT),
    "api:status-update-list": Rule(everyone),
    "api:status-update-detail": Rule(everyone, PUBLISHED),
    "api:indicator-list": Rule(everyone),
    "api:indicator-detail": Rule(everyone, INDICATOR),
    "api:indicator-value-list": Rule(everyone),
    "api:indicator-value-detail": Rule(everyone, INDICATOR_VALUE),
    "api:budget-line-list": Rule(everyone),
    "api:budget-line-detail": Rule(everyone, BUDGET_LINE),
    "api:not-found": Rule(nobody, lambda w, which: {"rest": "finnes-ikke/"}),
    # caseworker and coordinator workflow
    "measures:my-measures": Rule(logged_in),
    "measures:measure-update": Rule(reporters, MEASURE),
    "measures:update-detail": Rule(reporters, SUBMITTED),
    "measures:update-edit": Rule(reporters, DRAFT),
    "measures:review-queue": Rule(
        lambda role, which: role in ("coordinator", "staff", "municipal_admin")
    ),
    "measures:update-publish": Rule(reviewers, SUBMITTED, method="POST"),
    "measures:update-return": Rule(reviewers, SUBMITTED, method="POST"),
    # indicator values (tests/measures/workflow/test_indicator_workflow.py)
    "measures:indicator-value-create": Rule(reporters, OUTPUT_INDICATOR),
    "measures:indicator-value-detail": Rule(reporters, VALUE_SUBMITTED),
    "measures:indicator-value-edit": Rule(reporters, VALUE_DRAFT),
    "measures:indicator-value-publish": Rule(reviewers, VALUE_SUBMITTED, method="POST"),
    "measures:indicator-value-return": Rule(reviewers, VALUE_SUBMITTED, method="POST"),
}


class TwoMunicipalities:
    """The workflow world (Bergen's) with another municipality's objects beside
    it (`foreign`: Askøy's plan, measure, partner, district and updates) and
    Bergen's municipal administrator."""

    def __init__(self, base: WorkflowWorld):
        self._base = base
        self.bergen = base.plan.municipality
        askoy = MunicipalityFactory(
            name="Askøy", number="4627", slug="askoy", county="Vestland"
        )
        unit = PartnerFactory(name="Askøy NAV", slug="askoy-nav", municipality=askoy)
        owner = PartnerFactory(
            name="Askøy kommune",
            slug="askoy-kommune",
            kind=Partner.Kind.MUNICIPALITY,
            municipality=askoy,
        )
        plan = PlanFactory(
            owner=owner, municipality=askoy, slug="askoyplan", start_year=2018
        )
        measure = MeasureFactory(plan=plan, slug="tiltak-askoy", lead=unit)
        author = UserFactory(username="askoy-saksbehandler")
        MembershipFactory(user=author, partner=unit)
        published = PublishedStatusUpdateFactory(measure=measure, as_of=AS_OF)
        self.foreign = SimpleNamespace(
            municipality=askoy,
            partner=unit,
            plan=plan,
            measure=measure,
            district=DistrictFactory(slug="kleppesto", municipality=askoy),
            published=published,
            submitted=StatusUpdateFactory(
                measure=measure,
                author=author,
                state=StatusUpdate.State.SUBMITTED,
                as_of=AS_OF,
            ),
            draft=StatusUpdateFactory(measure=measure, author=author, as_of=AS_OF),
        )
        self.municipal_admin = municipal_admin(self.bergen, "bergen-admin")

    def __getattr__(self, name):
        return getattr(self._base, name)

    def users(self) -> dict:
        return self._base.users() | {"municipal_admin": self.municipal_admin}


@pytest.fixture
def world(db):
    return TwoMunicipalities(build_workflow_world())


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if route.lstrip("^").startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from _walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and ":".join(filter(None, [namespace, pattern.name]))
            yield route, name


def project_url_names() -> dict[str, str]:
    return {name: route for route, name in _walk(get_resolver().url_patterns)}


def test_every_url_pattern_has_a_name_and_an_entry_in_the_table():
    routes = list(_walk(get_resolver().url_patterns))
    unnamed = [route for route, name in routes if not name]
    assert not unnamed, f"URL patterns without a name: {unnamed}"
    missing = sorted({name for _, name in routes} - set(TABLE))
    assert not missing, f"Add these URL names to TABLE with their rule: {missing}"


def test_table_has_no_stale_entries():
    stale = sorted(set(TABLE) - set(project_url_names()))
    assert not stale, f"TABLE names URLs that no longer exist: {stale}"


def _client(world, role):
    client = Client()
    user = world.users()[role]
    if user is not None:
        client.force_login(user)
    return client


_REVIEWED = {"update": StatusUpdate, "value": IndicatorValue}


def _states(world):
    return {
        (kind, pk): (state, version)
        for kind, model in _REVIEWED.items()
        for pk, state, version in model.objects.values_list("pk", "state", "version")
    }


@pytest.mark.parametrize("name", sorted(set(TABLE) & set(project_url_names())))
def test_url_access_matches_the_table(name, world):
    rule = TABLE[name]
    problems = []
    for which in WHICH:
        url = rule.address(name, world, which)
        for role in ROLES:
            client = _client(world, role)
            expected = rule.allowed(role, which)
            before = _states(world)
            got = client.get(url).status_code
            if rule.method == "POST":
                if got != 405:
                    problems.append(f"GET {url} as {role}: {got}, expected 405")
                got = client.post(url, {"version": 1, "comment": "Rett dette."})
                got = got.status_code
                if expected:
                    # Allowed: the action ran (a redirect back to the queue);
                    # put the world back for the next role.
                    if got != 302 or _states(world) == before:
                        problems.append(f"POST {url} as {role}: {got}, no change")
                    for (kind, pk), (state, version) in before.items():
                        _REVIEWED[kind].objects.filter(pk=pk).update(
                            state=state, version=version
                        )
                    continue
                if _states(world) != before:
                    problems.append(f"POST {url} as {role} changed data ({got})")
            if 200 <= got < 300 and not expected:
                problems.append(f"{rule.method} {url} as {role} ({which}): {got}")
            if expected and rule.strict and not 200 <= got < 300:
                problems.append(
                    f"{rule.method} {url} as {role} ({which}): {got}, expected 2xx"
                )
            if not expected and role != "anonymous" and got == 200:
                problems.append(f"{url} as {role}: 200")
    assert not problems, "\n".join(problems)


def test_a_municipal_partners_national_address_is_its_municipality_page(world):
    """/aktorer/<slug>/ of a municipality's own organisation or unit (Bergen's,
    Askøy's) answers 301 to its page in its municipality, for everyone."""
    for partner in (world.partner_a, world.partner_b, world.foreign.partner):
        url = reverse("measures:partner-national", kwargs={"slug": partner.slug})
        for role in ROLES:
            response = _client(world, role).get(url)
            assert response.status_code == 301, (url, role)
            assert response["Location"] == reverse(
                "measures:partner-detail",
                kwargs={"kommune": partner.municipality.slug, "slug": partner.slug},
            )


def test_a_session_without_its_second_factor_opens_nothing_behind_a_login(
    world, otp_required
):
    """With the second factor required (production), every URL above that is not
    public, as each logged-in role with a session that has not passed it
    (force_login): never 2xx, and the way on leads to the login page, never
    straight to the second step: such a session is logged out, so the password
    must be typed again (an old session on a stolen phone after an administrator's
    reset must not enrol an app of its own; rusplan/two_factor/middleware.py).
    Public pages stay public."""
    TOTPDevice.objects.create(user=world.olivia, name="Telefon", confirmed=True)
    urls = {
        name: (rule, rule.address(name, world, "own"))
        for name, rule in TABLE.items()
        if name not in ("second_factor_verify", "second_factor_enrol")
    }
    problems = []
    for role in ("caseworker_a", "coordinator", "staff"):
        client = Client()
        user = world.users()[role]
        for rule, url in urls.values():
            # Each request logs the unverified session out: a new one per URL.
            client.force_login(user)
            response = client.get(url)
            if rule.allowed("anonymous", "own"):
                if rule.strict and response.status_code != 200:
                    problems.append(f"{url} as {role}: {response.status_code}")
                continue
            if 200 <= response.status_code < 300:
                problems.append(f"GET {url} as {role}: {response.status_code}")
            if rule.method == "POST":
                client.force_login(user)
                response = client.post(url, {"version": 1, "comment": "Rett."})
                if response.status_code != 302:
                    problems.append(f"POST {url} as {role}: {response.status_code}")
        for url in (
            "/mine-tiltak/",
            "/admin/",
            "/gjennomgang/",
            reverse("second_factor_enrol"),
            reverse("second_factor_verify"),
        ):
            client.force_login(user)
            final = client.get(url, follow=True).redirect_chain[-1][0]
            # The admin has its own login form, which asks for the password too.
            if not final.startswith((reverse("login"), reverse("admin:login"))):
                problems.append(f"{url} as {role} ends at {final}")
            if "_auth_user_id" in client.session:
                problems.append(f"{url} as {role}: still logged in")
    assert not problems, "\n".join(problems)


# --- the admin, with two municipalities ---------------------------------------------

# Admins of records every municipality shares (or only platform administrators
# see): not scoped per municipality (decision 56).
SHARED_ADMINS = {
    "measures.source",  # public documents: cited by all, changed by platform admins
    "measures.remindersent",  # no municipal administrator permission
    "measures.importjob",
    "partners.municipalityadministrator",
    "auth.group",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "otp_totp.totpdevice",
    "otp_static.staticdevice",
}


def test_every_admin_is_scoped_or_named_shared():
    from django.contrib import admin

    scoped = {prefix.replace("_", ".", 1) for prefix, _attr in SCOPED_ADMINS}
    registered = {model._meta.label_lower for model in admin.site._registry}
    unknown = sorted(registered - scoped - SHARED_ADMINS)
    assert not unknown, (
        "Add these admins to SCOPED_ADMINS (tests/support/municipalities.py) with "
        f"an object per municipality, or to SHARED_ADMINS with a reason: {unknown}"
    )


@pytest.mark.parametrize(("prefix", "attr"), SCOPED_ADMINS)
def test_a_municipal_administrator_gets_no_2xx_on_another_municipalitys_admin_urls(
    db, otp_off, prefix, attr
):
    """Bergen's municipal administrator on every change, history and delete URL
    of Askøy's objects (GET and POST): never a 2xx, nothing changed; their own
    open."""
    two = build_two_municipalities()
    client = Client()
    client.force_login(two.bergen_admin)
    problems = []
    theirs = getattr(two.askoy, attr)
    own = getattr(two.bergen, attr)
    for view in ("change", "history", "delete"):
        url = reverse(f"admin:{prefix}_{view}", args=[theirs.pk])
        for method in ("get", "post"):
            got = getattr(client, method)(url).status_code
            if 200 <= got < 300 or got not in (403, 404):
                problems.append(f"{method.upper()} {url}: {got}")
        if view == "delete":
            continue  # some of their own are not theirs to delete (a municipality)
        got = client.get(reverse(f"admin:{prefix}_{view}", args=[own.pk]))
        if got.status_code != 200:
            problems.append(f"GET own {view} {prefix}: {got.status_code}")
    assert type(theirs)._default_manager.filter(pk=theirs.pk).exists()
    assert not problems, "\n".join(problems)
