"""Every URL the project defines × every role × own and other's object.

The table below is the expected access for each URL name. The test fails on any
unexpected 2xx, on any expected access that does not give 2xx (for our own
views), and on any URL name missing from the table: a new URL must be added here
with its rule before the suite passes again.

Roles: anonymous, caseworker of partner A (alice), caseworker of partner B
(charlie), coordinator of the plan owner (olivia), staff admin. "own" objects are
partner A's measure in the coordinator's plan; "other" objects are partner B's
measure in a plan owned by partner B (see tests/support/worlds.py).
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from measures.models import IndicatorValue, StatusUpdate
from tests.factories import (
    BudgetLineFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    PublishedIndicatorValueFactory,
)
from tests.support.worlds import WorkflowWorld

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "caseworker_a", "caseworker_b", "coordinator", "staff")
WHICH = ("own", "other")
SKIPPED_PREFIXES = ("admin/", "i18n/", "static/", "media/", "__debug__/")


def everyone(role, which):
    return True


def logged_in(role, which):
    return role != "anonymous"


def nobody(role, which):
    return False


def reporters(role, which):
    """may_edit_measure_status: the partner's caseworker, the owner's coordinator."""
    if role == "staff":
        return True
    if which == "own":
        return role in ("caseworker_a", "coordinator")
    return role == "caseworker_b"


def reviewers(role, which):
    """can_review: the owner's coordinator and staff."""
    return role == "staff" or (which == "own" and role == "coordinator")


@dataclass(frozen=True)
class Rule:
    allowed: Callable[[str, str], bool]
    kwargs: Callable[[WorkflowWorld, str], dict] = lambda world, which: {}
    method: str = "GET"
    # Our own views must give 2xx where allowed; for Django's auth views we only
    # check that nobody gets an unexpected 2xx.
    strict: bool = True


def _pick(own, other):
    return lambda world, which: (own if which == "own" else other)(world)


PLAN = _pick(lambda w: {"slug": w.plan.slug}, lambda w: {"slug": w.other_plan.slug})
MEASURE = _pick(
    lambda w: {"slug": w.measure_a.slug}, lambda w: {"slug": w.measure_b.slug}
)
PARTNER = _pick(
    lambda w: {"slug": w.partner_a.slug}, lambda w: {"slug": w.partner_b.slug}
)
DISTRICT = _pick(lambda w: {"slug": w.district.slug}, lambda w: {"slug": "finnes-ikke"})
SUBMITTED = _pick(
    lambda w: {"pk": w.submitted_a.pk}, lambda w: {"pk": w.submitted_b.pk}
)
DRAFT = _pick(lambda w: {"pk": w.draft_a.pk}, lambda w: {"pk": w.draft_b.pk})
PUBLISHED = _pick(
    lambda w: {"pk": w.published_a.pk}, lambda w: {"pk": w.published_b.pk}
)
GOAL = _pick(
    lambda w: {"pk": GoalFactory(plan=w.plan).pk},
    lambda w: {"pk": GoalFactory(plan=w.other_plan).pk},
)
INDICATOR = _pick(
    lambda w: {"slug": IndicatorFactory(goal=None, measure=w.measure_a).slug},
    lambda w: {"slug": IndicatorFactory(goal=GoalFactory(plan=w.other_plan)).slug},
)
INDICATOR_VALUE = _pick(
    lambda w: {"pk": PublishedIndicatorValueFactory(value=3).pk},
    lambda w: {"pk": PublishedIndicatorValueFactory(value=300).pk},
)
# Indicator values recorded in the browser: output indicators of each partner's
# measure, so the rule is the one of status updates (reporters / reviewers).
OUTPUT_INDICATOR = _pick(
    lambda w: {"slug": IndicatorFactory(goal=None, measure=w.measure_a).slug},
    lambda w: {"slug": IndicatorFactory(goal=None, measure=w.measure_b).slug},
)


def _output_value(state):
    def make(measure):
        indicator = IndicatorFactory(goal=None, measure=measure)
        return {"pk": IndicatorValueFactory(indicator=indicator, state=state).pk}

    return _pick(lambda w: make(w.measure_a), lambda w: make(w.measure_b))


VALUE_SUBMITTED = _output_value(IndicatorValue.State.SUBMITTED)
VALUE_DRAFT = _output_value(IndicatorValue.State.DRAFT)
BUDGET_LINE = _pick(
    lambda w: {"pk": BudgetLineFactory(measure=w.measure_a).pk},
    lambda w: {"pk": BudgetLineFactory(measure=w.measure_b).pk},
)


def _district_rule(role, which):
    return which == "own"  # the "other" district does not exist: 404 for all


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
    "measures:plan-detail": Rule(everyone, PLAN),
    "measures:measure-list": Rule(everyone),
    "measures:measure-detail": Rule(everyone, MEASURE),
    "measures:partner-detail": Rule(everyone, PARTNER),
    "measures:district-detail": Rule(_district_rule, DISTRICT),
    "measures:source-list": Rule(everyone),
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
    "measures:export-measures-csv": Rule(everyone),
    "measures:export-updates-csv": Rule(everyone),
    "measures:plan-export-indicators-csv": Rule(everyone, PLAN),
    "measures:plan-export-indicators-xlsx": Rule(everyone, PLAN),
    "measures:export-indicators-csv": Rule(everyone),
    # open-data API: anyone reads, nobody writes (tests/measures/api/test_api.py)
    "api:root": Rule(everyone),
    "api:schema": Rule(everyone),
    "api:docs": Rule(everyone),
    "api:plan-list": Rule(everyone),
    "api:plan-detail": Rule(everyone, PLAN),
    "api:goal-list": Rule(everyone),
    "api:goal-detail": Rule(everyone, GOAL),
    "api:measure-list": Rule(everyone),
    "api:measure-detail": Rule(everyone, MEASURE),
    "api:partner-list": Rule(everyone),
    "api:partner-detail": Rule(everyone, PARTNER),
    "api:district-list": Rule(everyone),
    "api:district-detail": Rule(_district_rule, DISTRICT),
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
    "measures:review-queue": Rule(lambda role, which: role in ("coordinator", "staff")),
    "measures:update-publish": Rule(reviewers, SUBMITTED, method="POST"),
    "measures:update-return": Rule(reviewers, SUBMITTED, method="POST"),
    # indicator values (tests/measures/workflow/test_indicator_workflow.py)
    "measures:indicator-value-create": Rule(reporters, OUTPUT_INDICATOR),
    "measures:indicator-value-detail": Rule(reporters, VALUE_SUBMITTED),
    "measures:indicator-value-edit": Rule(reporters, VALUE_DRAFT),
    "measures:indicator-value-publish": Rule(reviewers, VALUE_SUBMITTED, method="POST"),
    "measures:indicator-value-return": Rule(reviewers, VALUE_SUBMITTED, method="POST"),
}


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
        url = reverse(name, kwargs=rule.kwargs(world, which))
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
        name: (rule, reverse(name, kwargs=rule.kwargs(world, "own")))
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
