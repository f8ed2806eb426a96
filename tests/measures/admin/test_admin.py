import datetime
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from measures.models import (
    BudgetLine,
    District,
    Goal,
    Indicator,
    IndicatorValue,
    Measure,
    MeasurePartner,
    Phase,
    Plan,
    ReminderSent,
    Source,
    StatusUpdate,
)
from measures.services.plans import measure_sync_current_status, measure_update
from measures.services.status_updates import status_update_edit
from tests.factories import (
    SYSTEM,
    BudgetLineFactory,
    DistrictFactory,
    GoalFactory,
    IndicatorFactory,
    MeasureFactory,
    MunicipalityFactory,
    PartnerFactory,
    PlanFactory,
    PublishedIndicatorValueFactory,
    PublishedStatusUpdateFactory,
    SourceFactory,
    StatusUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _user():
    # "!" is an unusable password: no slow hashing for users that never log in.
    return UserFactory(password="!")


def _make_plan():
    plan = PlanFactory()
    MeasureFactory(plan=plan)
    return plan


def _make_goal():
    parent = GoalFactory()
    return GoalFactory(plan=parent.plan, parent=parent)


def _make_measure():
    measure = MeasureFactory(
        current_phase=Phase.IN_PROGRESS, current_health="on_track", current_progress=40
    )
    MeasurePartner.objects.create(
        measure=measure, partner=PartnerFactory(), role=MeasurePartner.Role.CONTRIBUTOR
    )
    measure.districts.add(DistrictFactory())
    return measure


def _make_reminder():
    return ReminderSent.objects.create(user=_user(), period_key="tertial:2025-1")


MAKERS = {
    District: lambda: DistrictFactory(municipality=MunicipalityFactory()),
    Plan: _make_plan,
    Goal: _make_goal,
    Measure: _make_measure,
    MeasurePartner: lambda: MeasureFactory().partner_roles.get(),
    StatusUpdate: lambda: StatusUpdateFactory(author=_user()),
    ReminderSent: _make_reminder,
    Source: SourceFactory,
    Indicator: lambda: PublishedIndicatorValueFactory().indicator,
    IndicatorValue: lambda: PublishedIndicatorValueFactory(
        indicator=IndicatorFactory(goal=None, measure=MeasureFactory())
    ),
    BudgetLine: BudgetLineFactory,
}


def _url(model, view, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def test_every_registered_measures_model_is_covered_here():
    registered = {
        model for model in admin.site._registry if model._meta.app_label == "measures"
    }
    assert registered == set(MAKERS)


@pytest.mark.parametrize("model", list(MAKERS), ids=lambda m: m.__name__)
def test_admin_pages_open_for_superuser(admin_client, rf, superuser, model):
    obj = MAKERS[model]()
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = superuser

    assert admin_client.get(_url(model, "changelist")).status_code == 200
    add = admin_client.get(_url(model, "add"))
    assert add.status_code == (200 if model_admin.has_add_permission(request) else 403)
    assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200
    assert admin_client.get(_url(model, "history", obj.pk)).status_code == 200


def test_measure_history_lists_each_change(admin_client):
    measure = MeasureFactory(title="Før")
    measure_update(actor=SYSTEM, measure=measure, title="Etter")

    response = admin_client.get(_url(Measure, "history", measure.pk))

    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 2
    assert "Etter" in response.content.decode()


def test_anonymous_user_is_sent_to_admin_login(client):
    url = _url(Measure, "changelist")
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_caseworker_without_staff_status_cannot_open_admin(client, alice):
    client.force_login(alice)
    response = client.get(_url(Measure, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def _changelist_queries(client, model) -> tuple[int, int]:
    url = _url(model, "changelist")
    client.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    # The list shows its rows (each links to its change page), not only counts them.
    rows = response.context["cl"].result_list
    assert rows
    for row in rows:
        assert _url(model, "change", row.pk) in response.text, row
    return len(queries), response.context["cl"].result_count


@pytest.mark.parametrize("model", list(MAKERS), ids=lambda m: m.__name__)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, model):
    for _ in range(3):
        MAKERS[model]()
    few, few_rows = _changelist_queries(admin_client, model)
    for _ in range(27):
        MAKERS[model]()
    many, many_rows = _changelist_queries(admin_client, model)

    assert many_rows > few_rows >= 3
    assert many == few


def test_measure_changelist_shows_lead_partner_and_current_status(admin_client):
    lead = PartnerFactory(name="Etat for sosiale tjenester")
    MeasureFactory(lead=lead, current_phase=Phase.IN_PROGRESS, current_progress=40)

    content = admin_client.get(_url(Measure, "changelist")).content.decode()

    assert "Etat for sosiale tjenester" in content
    assert "40 %" in content
    assert "Pågår" in content


def test_plan_changelist_counts_measures(admin_client):
    plan = PlanFactory()
    MeasureFactory.create_batch(2, plan=plan)

    response = admin_client.get(_url(Plan, "changelist"))

    assert response.context["cl"].result_list.get(pk=plan.pk).measure_count == 2


# --- plans -----------------------------------------------------------------------


def _management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _plan_data(owner, **overrides) -> dict:
    data = {
        "municipality": str(owner.municipality_id),
        "title": "Ruspolitisk handlingsplan",
        "slug": "ruspolitisk-handlingsplan",
        "status": Plan.Status.DRAFT,
        "start_year": "2018",
        "end_year": "2022",
        "owner": str(owner.pk),
        "reporting_interval": Plan.ReportingInterval.TERTIAL,
        "requires_review": "on",
        **_management("goals", 0),
        **_management("citations", 0),
    }
    data.update(overrides)
    return data


def test_plan_with_end_year_before_start_year_is_refused(admin_client):
    owner = PartnerFactory()

    response = admin_client.post(
        _url(Plan, "add"), _plan_data(owner, start_year="2022", end_year="2018")
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "Sluttåret (2018) kan ikke være før startåret (2022)" in str(
        form.errors["end_year"]
    )
    assert not form.non_field_errors()
    assert not Plan.objects.exists()


def test_plan_change_with_end_year_before_start_year_changes_nothing(admin_client):
    plan = PlanFactory(start_year=2018, end_year=2022)

    response = admin_client.post(
        _url(Plan, "change", plan.pk),
        _plan_data(plan.owner, slug=plan.slug, start_year="2018", end_year="2010"),
    )

    assert "kan ikke være før startåret" in response.content.decode()
    plan.refresh_from_db()
    assert plan.end_year == 2022


def test_no_help_text_holds_something_the_admin_would_read_as_a_tag():
    """The admin prints help texts unescaped, so "/planer/<navn>/" showed as
    "/planer//": a placeholder is written «navn»."""
    tag = re.compile(r"<[A-Za-z/!]")
    for model in apps.get_models():
        if model._meta.app_label not in ("measures", "partners"):
            continue
        for field in model._meta.get_fields():
            text = str(getattr(field, "help_text", "") or "")
            assert not tag.search(text), f"{model.__name__}.{field.name}: {text}"


@pytest.mark.parametrize(
    ("url_name", "shown"),
    [
        ("admin:measures_plan_add", "/planer/«navn»/"),
        ("admin:measures_measure_add", "/tiltak/«navn»/"),
        ("admin:partners_partner_add", "/partnere/«navn»/"),
    ],
)
def test_slug_help_text_shows_its_placeholder(admin_client, url_name, shown):
    response = admin_client.get(reverse(url_name))

    content = response.content.decode()
    assert shown in content
    assert "//." not in content


def test_plan_is_added_with_goals(admin_client):
    owner = PartnerFactory()
    data = _plan_data(owner, **_management("goals", 1))
    data.update(
        {"goals-0-title": "Trygg by", "goals-0-slug": "trygg-by", "goals-0-order": "1"}
    )

    response = admin_client.post(_url(Plan, "add"), data)

    assert response.status_code == 302
    plan = Plan.objects.get()
    assert list(plan.goals.values_list("title", flat=True)) == ["Trygg by"]


def test_goal_parent_from_another_plan_is_refused(admin_client):
    goal = GoalFactory()
    other = GoalFactory()

    response = admin_client.post(
        _url(Goal, "change", goal.pk),
        {
            "plan": str(goal.plan_id),
            "parent": str(other.pk),
            "title": goal.title,
            "slug": goal.slug,
            "order": "0",
        },
    )

    assert "Det overordnede målet må høre til samme plan" in response.content.decode()
    goal.refresh_from_db()
    assert goal.parent is None


# --- measures --------------------------------------------------------------------


def _measure_data(measure_or_plan, roles, *, initial: int = 0, **overrides) -> dict:
    """POST data for the measure form; `roles` is a list of (partner, role, id)."""
    if isinstance(measure_or_plan, Measure):
        measure, plan = measure_or_plan, measure_or_plan.plan
    else:
        measure, plan = None, measure_or_plan
    data = {
        "plan": str(plan.pk),
        "title": measure.title if measure else "Nytt tiltak",
        "slug": measure.slug if measure else "nytt-tiltak",
        "category": "other",
        "weight": "1",
        **_management("partner_roles", len(roles), initial),
        **_management("updates", 0),
        **_management("citations", 0),
    }
    for index, (partner, role, role_id) in enumerate(roles):
        prefix = f"partner_roles-{index}"
        data[f"{prefix}-partner"] = str(partner.pk)
        data[f"{prefix}-role"] = role
        if role_id is not None:
            data[f"{prefix}-id"] = str(role_id)
            data[f"{prefix}-measure"] = str(measure.pk)
    data.update(overrides)
    return data


LEAD = MeasurePartner.Role.LEAD
CONTRIBUTOR = MeasurePartner.Role.CONTRIBUTOR


def _roles(measure):
    return sorted(measure.partner_roles.values_list("partner__name", "role"))


def test_measure_with_two_leads_is_refused_and_unchanged(admin_client):
    lead = PartnerFactory(name="Etat A")
    other = PartnerFactory(name="Etat B")
    measure = MeasureFactory(lead=lead, title="Uendret")
    role = measure.partner_roles.get()
    before = _roles(measure)

    response = admin_client.post(
        _url(Measure, "change", measure.pk),
        _measure_data(
            measure,
            [(lead, LEAD, role.pk), (other, LEAD, None)],
            initial=1,
            title="Endret",
        ),
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Velg nøyaktig én ansvarlig partner: nå er 2 valgt" in content
    assert "Etat A, Etat B" in content
    measure.refresh_from_db()
    assert measure.title == "Uendret"
    assert _roles(measure) == before


def test_measure_with_no_lead_is_refused_and_unchanged(admin_client):
    lead = PartnerFactory()
    measure = MeasureFactory(lead=lead, title="Uendret")
    role = measure.partner_roles.get()

    response = admin_client.post(
        _url(Measure, "change", measure.pk),
        _measure_data(measure, [(lead, CONTRIBUTOR, role.pk)], initial=1, title="X"),
    )

    assert "Velg nøyaktig én ansvarlig partner: tiltaket har ingen" in (
        response.content.decode()
    )
    measure.refresh_from_db()
    assert measure.title == "Uendret"
    assert measure.partner_roles.get().role == LEAD


def test_measure_whose_lead_is_deleted_is_refused(admin_client):
    lead = PartnerFactory()
    measure = MeasureFactory(lead=lead)
    role = measure.partner_roles.get()
    data = _measure_data(measure, [(lead, LEAD, role.pk)], initial=1)
    data["partner_roles-0-DELETE"] = "on"

    response = admin_client.post(_url(Measure, "change", measure.pk), data)

    assert "tiltaket har ingen" in response.content.decode()
    assert measure.partner_roles.filter(role=LEAD).exists()


def test_new_measure_without_lead_is_refused(admin_client):
    plan = PlanFactory()
    partner = PartnerFactory()

    response = admin_client.post(
        _url(Measure, "add"), _measure_data(plan, [(partner, CONTRIBUTOR, None)])
    )

    assert "Velg nøyaktig én ansvarlig partner" in response.content.decode()
    assert not Measure.objects.exists()


def test_measure_is_added_with_lead_and_contributor(admin_client):
    plan = PlanFactory()
    lead, contributor = PartnerFactory(name="A"), PartnerFactory(name="B")

    response = admin_client.post(
        _url(Measure, "add"),
        _measure_data(plan, [(lead, LEAD, None), (contributor, CONTRIBUTOR, None)]),
    )

    assert response.status_code == 302
    measure = Measure.objects.get()
    assert _roles(measure) == [("A", LEAD), ("B", CONTRIBUTOR)]


def test_lead_can_be_handed_over_in_one_save(admin_client):
    old, new = PartnerFactory(name="Gammel"), PartnerFactory(name="Ny")
    measure = MeasureFactory(lead=old)
    old_role = measure.partner_roles.get()
    new_role = MeasurePartner.objects.create(
        measure=measure, partner=new, role=CONTRIBUTOR
    )

    response = admin_client.post(
        _url(Measure, "change", measure.pk),
        _measure_data(
            measure,
            [(old, CONTRIBUTOR, old_role.pk), (new, LEAD, new_role.pk)],
            initial=2,
        ),
    )

    assert response.status_code == 302
    assert _roles(measure) == [("Gammel", CONTRIBUTOR), ("Ny", LEAD)]


def test_same_partner_twice_is_refused(admin_client):
    plan = PlanFactory()
    partner = PartnerFactory()

    response = admin_client.post(
        _url(Measure, "add"),
        _measure_data(plan, [(partner, LEAD, None), (partner, CONTRIBUTOR, None)]),
    )

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert not Measure.objects.exists()


def test_duplicate_measure_slug_is_refused(admin_client):
    MeasureFactory(slug="mo-senter")
    plan = PlanFactory()

    response = admin_client.post(
        _url(Measure, "add"),
        _measure_data(plan, [(PartnerFactory(), LEAD, None)], slug="mo-senter"),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["slug"]
    assert "Et tiltak med dette nettadressenavnet finnes allerede" in str(errors)
    assert Measure.objects.count() == 1


def test_goal_of_another_plan_is_refused_on_a_measure(admin_client):
    measure = MeasureFactory()
    foreign = GoalFactory(title="Fremmed mål")
    role = measure.partner_roles.get()

    response = admin_client.post(
        _url(Measure, "change", measure.pk),
        _measure_data(
            measure, [(role.partner, LEAD, role.pk)], initial=1, goals=[foreign.pk]
        ),
    )

    assert "Målene må høre til tiltakets plan" in response.content.decode()
    assert not measure.goals.exists()


def test_goal_picker_on_a_measure_offers_only_its_plans_goals(admin_client):
    measure = MeasureFactory()
    own = GoalFactory(plan=measure.plan, title="Eget mål")
    GoalFactory(title="Fremmed mål")

    response = admin_client.get(_url(Measure, "change", measure.pk))

    goals = response.context["adminform"].form.fields["goals"]
    assert list(goals.queryset) == [own]
    assert "Fremmed mål" not in response.content.decode()


def test_goal_picker_on_a_new_measure_names_each_goals_plan(admin_client):
    GoalFactory(plan=PlanFactory(title="Rusplan 2018", short_title=""), title="Bolig")
    GoalFactory(plan=PlanFactory(title="Rusplan 2024", short_title=""), title="Bolig")

    response = admin_client.get(reverse("admin:measures_measure_add"))

    content = response.content.decode()
    assert "Rusplan 2018: Bolig" in content
    assert "Rusplan 2024: Bolig" in content


def test_editing_a_measure_keeps_current_status_and_bumps_version(admin_client):
    measure = MeasureFactory()
    update = PublishedStatusUpdateFactory(measure=measure, progress=70)
    measure_sync_current_status(actor=SYSTEM, measure=measure)
    measure.refresh_from_db()
    version = measure.version
    role = measure.partner_roles.get()

    response = admin_client.post(
        _url(Measure, "change", measure.pk),
        _measure_data(measure, [(role.partner, LEAD, role.pk)], initial=1, title="Ny"),
    )

    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.title == "Ny"
    assert measure.current_update == update
    assert measure.current_progress == 70
    assert measure.version > version


def test_measure_partner_admin_is_read_only(admin_client):
    role = MeasureFactory().partner_roles.get()

    assert admin_client.get(_url(MeasurePartner, "add")).status_code == 403
    response = admin_client.post(
        _url(MeasurePartner, "change", role.pk),
        {"measure": role.measure_id, "partner": role.partner_id, "role": CONTRIBUTOR},
    )
    assert response.status_code == 403
    role.refresh_from_db()
    assert role.role == LEAD


# --- status updates --------------------------------------------------------------


def _published_update():
    measure = MeasureFactory()
    update = PublishedStatusUpdateFactory(measure=measure, summary="Som publisert")
    measure_sync_current_status(actor=SYSTEM, measure=measure)
    return update


def _update_data(update, **overrides) -> dict:
    data = {
        "as_of": update.as_of.strftime("%d.%m.%Y"),
        "phase": update.phase,
        "health": update.health,
        "progress": str(update.progress),
        "summary": "Endret sammendrag",
        "expected_version": str(update.version),
        **_management("citations", 0),
    }
    data.update(overrides)
    return data


def test_published_update_change_page_is_read_only(admin_client):
    update = _published_update()

    response = admin_client.get(_url(StatusUpdate, "change", update.pk))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert response.context["has_delete_permission"] is False


def test_published_update_cannot_be_changed(admin_client):
    update = _published_update()

    response = admin_client.post(
        _url(StatusUpdate, "change", update.pk), _update_data(update)
    )

    assert response.status_code == 403
    update.refresh_from_db()
    assert update.summary == "Som publisert"


def test_published_update_cannot_be_deleted(admin_client):
    update = _published_update()
    url = _url(StatusUpdate, "delete", update.pk)

    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert StatusUpdate.objects.filter(pk=update.pk).exists()


def test_published_update_cannot_be_reverted_from_history(admin_client):
    update = _published_update()
    version = update.history.earliest()

    response = admin_client.post(
        reverse(
            "admin:measures_statusupdate_simple_history",
            args=[update.pk, version.history_id],
        ),
        _update_data(update),
    )

    assert response.status_code == 403
    update.refresh_from_db()
    assert update.summary == "Som publisert"


def test_bulk_delete_is_not_offered_for_status_updates(admin_client):
    _published_update()

    response = admin_client.get(_url(StatusUpdate, "changelist"))

    assert (
        "delete_selected"
        not in response.context["action_form"].fields["action"].choices.__repr__()
    )


def _add_update_data(measure, record_as, **overrides) -> dict:
    data = {
        "record_as": record_as,
        "measure": str(measure.pk),
        "as_of": "01.03.2021",
        "phase": Phase.IN_PROGRESS,
        "health": "at_risk",
        "progress": "30",
        "summary": "Oppstart forsinket.",
        "external_id": "",
    }
    data.update(overrides)
    return data


def test_published_update_added_in_admin_becomes_current_status(admin_client):
    measure = MeasureFactory()
    source = SourceFactory(title="Årsmelding 2021")

    response = admin_client.post(
        _url(StatusUpdate, "add"),
        _add_update_data(measure, "published", sources=[str(source.pk)]),
    )

    assert response.status_code == 302
    update = StatusUpdate.objects.get()
    assert update.state == StatusUpdate.State.PUBLISHED
    assert update.citations.get().source == source
    assert update.author is None
    measure.refresh_from_db()
    assert measure.current_update == update
    assert measure.current_health == "at_risk"
    assert measure.current_progress == 30
    assert measure.current_as_of == datetime.date(2021, 3, 1)


def test_published_update_without_source_is_refused(admin_client):
    measure = MeasureFactory()

    response = admin_client.post(
        _url(StatusUpdate, "add"), _add_update_data(measure, "published")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["sources"]
    assert "En publisert opplysning må ha en kilde" in str(errors)
    assert not StatusUpdate.objects.exists()


def test_draft_added_in_admin_does_not_change_current_status(admin_client, superuser):
    measure = MeasureFactory()

    response = admin_client.post(
        _url(StatusUpdate, "add"), _add_update_data(measure, "draft")
    )

    assert response.status_code == 302
    update = StatusUpdate.objects.get()
    assert update.state == StatusUpdate.State.DRAFT
    assert update.author == superuser
    measure.refresh_from_db()
    assert measure.current_update is None
    assert measure.current_progress is None


def test_update_dated_in_the_future_is_refused(admin_client):
    measure = MeasureFactory()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = admin_client.post(
        _url(StatusUpdate, "add"),
        _add_update_data(
            measure,
            "published",
            as_of=tomorrow.isoformat(),
            sources=[str(SourceFactory().pk)],
        ),
    )

    assert "Datoen kan ikke være fram i tid" in response.content.decode()
    assert not StatusUpdate.objects.exists()


def test_draft_on_completed_measure_is_refused(admin_client):
    measure = MeasureFactory(current_phase=Phase.COMPLETED)

    response = admin_client.post(
        _url(StatusUpdate, "add"), _add_update_data(measure, "draft")
    )

    assert "tar ikke imot nye utkast" in response.content.decode()
    assert not StatusUpdate.objects.exists()


def test_draft_is_changed_through_the_service(admin_client):
    update = StatusUpdateFactory(author=_user())

    response = admin_client.post(
        _url(StatusUpdate, "change", update.pk), _update_data(update, progress="60")
    )

    assert response.status_code == 302
    update.refresh_from_db()
    assert update.summary == "Endret sammendrag"
    assert update.progress == 60
    assert update.version == 2


def test_stale_draft_edit_is_refused_and_changes_nothing(admin_client):
    update = StatusUpdateFactory(author=_user(), summary="Kollegas tekst")
    data = _update_data(update)
    status_update_edit(
        actor=SYSTEM,
        update=update,
        expected_version=update.version,
        summary="Kollegas nye tekst",
    )

    response = admin_client.post(_url(StatusUpdate, "change", update.pk), data)

    assert response.status_code == 302
    update.refresh_from_db()
    assert update.summary == "Kollegas nye tekst"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Ingenting er lagret" in message for message in messages)


def test_draft_can_be_deleted(admin_client):
    update = StatusUpdateFactory()

    response = admin_client.post(
        _url(StatusUpdate, "delete", update.pk), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not StatusUpdate.objects.exists()


def test_submitted_update_is_read_only_but_can_be_published(admin_client, superuser):
    measure = MeasureFactory()
    update = StatusUpdateFactory(
        measure=measure,
        author=_user(),
        state=StatusUpdate.State.SUBMITTED,
        progress=80,
    )
    assert (
        admin_client.post(
            _url(StatusUpdate, "change", update.pk), _update_data(update)
        ).status_code
        == 403
    )

    response = admin_client.post(
        _url(StatusUpdate, "changelist"),
        {"action": "publish_submitted", "_selected_action": [update.pk]},
    )

    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == StatusUpdate.State.PUBLISHED
    assert update.reviewer == superuser
    measure.refresh_from_db()
    assert measure.current_update == update
    assert measure.current_progress == 80


def test_reverting_a_measure_keeps_its_current_status(admin_client):
    measure = MeasureFactory(title="Første tittel")
    measure_update(actor=SYSTEM, measure=measure, title="Andre tittel")
    first = measure.history.earliest()
    update = PublishedStatusUpdateFactory(measure=measure, progress=90)
    measure_sync_current_status(actor=SYSTEM, measure=measure)
    role = measure.partner_roles.get()
    measure.refresh_from_db()

    response = admin_client.post(
        reverse(
            "admin:measures_measure_simple_history", args=[measure.pk, first.history_id]
        ),
        _measure_data(
            measure, [(role.partner, LEAD, role.pk)], initial=1, title="Første tittel"
        ),
    )

    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.title == "Første tittel"
    assert measure.current_update == update
    assert measure.current_progress == 90


def _autocomplete_fields():
    """(model, field) for every autocomplete field in our admins and their inlines."""
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("measures", "partners", "auth"):
            continue
        for field in model_admin.autocomplete_fields:
            yield model, field
        for inline in model_admin.inlines:
            for field in inline.autocomplete_fields:
                yield inline.model, field


@pytest.mark.parametrize(
    ("model", "field"),
    list(_autocomplete_fields()),
    ids=lambda value: getattr(value, "__name__", value),
)
def test_autocomplete_fields_answer(admin_client, model, field):
    MeasureFactory(title="Oppsøkende tjeneste")

    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": model._meta.app_label,
            "model_name": model._meta.model_name,
            "field_name": field,
            "term": "o",
        },
    )

    assert response.status_code == 200
    assert "results" in response.json()
