"""A program can relax the completion rule; item_complete and the item page honour it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from curriculum.models import Item
from onboarding.models import CompletionPolicy, ProgressState
from onboarding.services.journey import completion_policy_set, enrollment_create, item_complete
from tests.onboarding.journey_support import demo_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(db):
    return demo_version()


@pytest.fixture
def enrollment(hire, version):
    return enrollment_create(hire=hire, version=version, start_date=datetime.date(2026, 11, 2))


@pytest.fixture
def day1(version):
    return Item.objects.get(version=version, source_path="chapter_00/day_01.md")


def test_by_default_action_items_and_the_reflection_are_required(enrollment, hire, day1):
    with pytest.raises(ValidationError, match="action item") as error:
        item_complete(enrollment=enrollment, by=hire, item=day1)
    assert "Submit your reflection." in str(error.value)


def test_relaxing_action_items_still_requires_the_reflection(
    enrollment, hire, admin, version, day1
):
    completion_policy_set(
        program=version.program, by=admin, require_action_items=False, require_reflection=True
    )
    with pytest.raises(ValidationError) as error:
        item_complete(enrollment=enrollment, by=hire, item=day1)
    assert "action item" not in str(error.value)
    assert "Submit your reflection." in str(error.value)


def test_relaxing_both_lets_the_hire_complete_at_once(enrollment, hire, admin, version, day1):
    completion_policy_set(
        program=version.program, by=admin, require_action_items=False, require_reflection=False
    )
    progress = item_complete(enrollment=enrollment, by=hire, item=day1)
    assert progress.state == ProgressState.DONE


def test_the_item_page_follows_the_policy(client, enrollment, hire, admin, version, day1):
    page = reverse("journey:item", kwargs={"enrollment_id": enrollment.pk, "item_id": day1.pk})
    client.force_login(hire)
    assert "Check your action items" in client.get(page).content.decode()
    completion_policy_set(
        program=version.program, by=admin, require_action_items=False, require_reflection=False
    )
    html = client.get(page).content.decode()
    assert "Check your action items" not in html and "Submit your reflection." not in html
    assert "Everything it asks for is in place." in html


def test_only_program_admins_set_the_policy(hire, mentor, version):
    for person in (hire, mentor):
        with pytest.raises(PermissionDenied):
            completion_policy_set(
                program=version.program,
                by=person,
                require_action_items=False,
                require_reflection=False,
            )
    assert not CompletionPolicy.objects.exists()


def test_the_policy_is_edited_in_the_django_admin_through_the_service(client, version):
    from tests.factories import ProgramAdminFactory

    staff = ProgramAdminFactory(email="staff.admin@example.com")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)
    response = client.post(
        reverse("admin:onboarding_completionpolicy_add"),
        {"program": version.program.pk, "require_reflection": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = CompletionPolicy.objects.get()
    assert (policy.require_action_items, policy.require_reflection) == (False, True)
    assert policy.updated_by == staff
