"""The permission rules, one by one, straight against measures.permissions."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission

from measures import permissions
from measures.models import MeasurePartner, Plan, StatusUpdate
from partners.models import Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_caseworker_may_report_on_own_partners_measure_only(world):
    assert permissions.can_edit_measure_status(world.alice, world.measure_a)
    assert not permissions.can_edit_measure_status(world.alice, world.measure_b)
    assert permissions.can_edit_measure_status(world.charlie, world.measure_b)
    assert not permissions.can_edit_measure_status(world.charlie, world.measure_a)


def test_contributor_partners_caseworker_may_report(world):
    MeasurePartner.objects.create(
        measure=world.measure_a,
        partner=world.partner_b,
        role=MeasurePartner.Role.CONTRIBUTOR,
    )
    assert permissions.can_edit_measure_status(world.charlie, world.measure_a)


def test_coordinator_may_report_on_every_measure_of_owned_plan_only(world):
    assert permissions.can_edit_measure_status(world.olivia, world.measure_a)
    assert not permissions.can_edit_measure_status(world.olivia, world.measure_b)


def test_coordinator_role_at_a_lead_partner_that_does_not_own_the_plan_grants_nothing(
    world,
):
    user = UserFactory()
    MembershipFactory(user=user, partner=world.partner_a, role="coordinator")
    assert not permissions.can_edit_measure_status(user, world.measure_a)
    assert not permissions.can_review(user, world.plan)


def test_anonymous_and_inactive_users_may_do_nothing(world):
    anonymous = AnonymousUser()
    world.alice.is_active = False
    for user in (anonymous, world.alice, None):
        assert not permissions.can_edit_measure_status(user, world.measure_a)
        assert not permissions.can_review(user, world.plan)
        assert not permissions.can_view_update(user, world.draft_a)
        assert not permissions.can_use_review_queue(user)


def test_user_without_membership_may_do_nothing(world):
    nobody = UserFactory()
    assert not permissions.can_edit_measure_status(nobody, world.measure_a)
    assert not permissions.can_view_update(nobody, world.submitted_a)
    assert not permissions.can_review(nobody, world.plan)
    assert permissions.can_use_workspace(nobody)


def test_only_coordinator_of_owner_and_staff_may_review(world):
    assert permissions.can_review(world.olivia, world.plan)
    assert not permissions.can_review(world.olivia, world.other_plan)
    assert not permissions.can_review(world.alice, world.plan)
    assert permissions.can_review(world.admin, world.plan)
    assert permissions.can_review(world.admin, world.other_plan)


def test_staff_needs_the_model_permission_to_review(world):
    staff = UserFactory(is_staff=True)
    assert not permissions.can_review(staff, world.plan)
    assert not permissions.can_edit_measure_status(staff, world.measure_a)
    staff.user_permissions.add(
        Permission.objects.get(codename="change_statusupdate"),
        Permission.objects.get(codename="add_statusupdate"),
    )
    staff = type(staff).objects.get(pk=staff.pk)  # drop the permission cache
    assert permissions.can_review(staff, world.plan)
    assert permissions.can_edit_measure_status(staff, world.measure_a)


def test_published_updates_are_public(world):
    assert permissions.can_view_update(AnonymousUser(), world.published_a)
    assert permissions.can_view_update(world.charlie, world.published_a)


def test_published_update_of_a_draft_plan_is_not_public(world):
    Plan.objects.filter(pk=world.plan.pk).update(status=Plan.Status.DRAFT)
    world.published_a.measure.plan.refresh_from_db()
    assert not permissions.can_view_update(AnonymousUser(), world.published_a)
    assert permissions.can_view_update(world.alice, world.published_a)


def test_unpublished_updates_are_visible_to_their_partner_coordinator_and_staff(
    world,
):
    for update in (world.draft_a, world.submitted_a):
        assert permissions.can_view_update(world.alice, update)
        assert permissions.can_view_update(world.olivia, update)
        assert permissions.can_view_update(world.admin, update)
        assert not permissions.can_view_update(world.charlie, update)


def test_only_drafts_and_returned_updates_can_be_edited(world):
    assert permissions.can_edit_update(world.alice, world.draft_a)
    assert not permissions.can_edit_update(world.alice, world.submitted_a)
    assert not permissions.can_edit_update(world.alice, world.published_a)
    assert not permissions.can_edit_update(world.charlie, world.draft_a)
    world.submitted_a.state = StatusUpdate.State.RETURNED
    assert permissions.can_edit_update(world.alice, world.submitted_a)


def test_memberships_are_read_once_per_user(world, django_assert_num_queries):
    user = world.alice
    permissions.forget_memberships(user)
    with django_assert_num_queries(1):
        for _ in range(5):
            caseworker_of = permissions.caseworker_partner_ids(user)
            coordinator_of = permissions.coordinator_partner_ids(user)

    # The memberships read once are the right ones.
    assert set(caseworker_of) == {world.partner_a.pk}
    assert set(coordinator_of) == set()


def test_review_queue_is_for_coordinators_and_staff(world):
    assert permissions.can_use_review_queue(world.olivia)
    assert permissions.can_use_review_queue(world.admin)
    assert not permissions.can_use_review_queue(world.alice)
    user = UserFactory()
    MembershipFactory(
        user=user, partner=world.partner_a, role=Membership.Role.CASEWORKER
    )
    assert not permissions.can_use_review_queue(user)
