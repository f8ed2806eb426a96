"""Schemathesis against /api/schema/: every operation, called in-process through
the WSGI application with generated parameters, must answer as the schema says:
no server error, a documented status and content type, a body that matches the
schema, 405 for every method the schema does not list, and never a trace of
unpublished data or of the people who wrote updates.

The number of generated examples is bounded (MAX_EXAMPLES per operation) so the
run stays well under two minutes; it runs in `make test`, so on SQLite and
PostgreSQL in CI (.ci/run)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from measures.api.selectors import public_indicators
from measures.models import (
    BudgetLine,
    District,
    Goal,
    IndicatorValue,
    Measure,
    Plan,
    StatusUpdate,
)
from partners.models import Municipality, Partner
from rusplan.wsgi import application
from tests.support.worlds import (
    AUTHOR_EMAIL,
    AUTHOR_NAME,
    DRAFT_PLAN_TITLE,
    REVIEW_COMMENT,
    SECRET_DRAFT,
)

MAX_EXAMPLES = 30
SECRETS = (AUTHOR_EMAIL, AUTHOR_NAME, DRAFT_PLAN_TITLE, SECRET_DRAFT, REVIEW_COMMENT)


@schemathesis.check
def no_unpublished_or_personal_data(ctx, response, case):
    """Nothing from a draft plan or an unpublished update, and no author."""
    body = response.text
    leaked = [secret for secret in SECRETS if secret in body]
    if leaked:
        raise AssertionError(f"{case.method} {case.formatted_path}: leaks {leaked}")
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    unsupported_method,
    no_unpublished_or_personal_data,
]


@pytest.fixture
def in_process_requests():
    # Django's test client does the same: a request must not close the test's
    # database connection, which holds the test transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def unthrottled_api_world(api_world, settings, in_process_requests):
    """api_world, with no limit on requests and requests in-process."""
    # Thousands of requests from one address: throttling is tested in test_api.py.
    settings.RUSPLAN_API_ANON_RATE = "1000000/min"
    return api_world


# Loaded from the application when the module is imported: the schema view reads
# no database. (schemathesis.pytest.from_fixture does not run on pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, unthrottled_api_world):
    case.call_and_validate(checks=CHECKS)


def _existing_objects() -> list[tuple[str, dict]]:
    """A path and its parameters for every object of each kind (generated
    parameters rarely hit a real slug)."""
    first = {
        "/api/v1/municipalities/{slug}/": {"slug": Municipality.objects.all()},
        "/api/v1/plans/{slug}/": {"slug": Plan.objects.exclude(status="draft")},
        "/api/v1/measures/{slug}/": {
            "slug": Measure.objects.exclude(plan__status="draft")
        },
        "/api/v1/partners/{slug}/": {"slug": Partner.objects.all()},
        "/api/v1/districts/{slug}/": {"slug": District.objects.all()},
        "/api/v1/goals/{id}/": {"id": Goal.objects.exclude(plan__status="draft")},
        "/api/v1/status-updates/{id}/": {
            "id": StatusUpdate.objects.filter(state="published").exclude(
                measure__plan__status="draft"
            )
        },
        "/api/v1/indicators/{slug}/": {"slug": public_indicators()},
        "/api/v1/indicator-values/{id}/": {
            "id": IndicatorValue.objects.filter(
                state="published", indicator__in=public_indicators()
            )
        },
        "/api/v1/budgets/{id}/": {
            "id": BudgetLine.objects.exclude(measure__plan__status="draft")
        },
    }
    found = []
    for path, parameters in first.items():
        ((name, queryset),) = parameters.items()
        field = "slug" if name == "slug" else "pk"
        for value in queryset.values_list(field, flat=True):
            found.append((path, {name: value}))
    return found


def test_every_existing_object_conforms_to_the_schema(unthrottled_api_world):
    calls = _existing_objects()
    assert len(calls) == 28

    for path, parameters in calls:
        case = schema[path]["GET"].Case(path_parameters=parameters)
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code == 200, (path, parameters)
