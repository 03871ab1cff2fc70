"""The role rules every app asks (`accounts.permissions`) and the links it hands out."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings

from accounts.links import absolute_url
from accounts.permissions import is_active_mentor, is_program_admin
from tests.factories import HireFactory, MentorFactory, ProgramAdminFactory

pytestmark = pytest.mark.django_db


def test_program_admins_and_superusers_run_programs_while_active():
    admin = ProgramAdminFactory()
    superuser = HireFactory()
    superuser.is_superuser = True
    assert is_program_admin(admin)
    assert is_program_admin(superuser)
    admin.is_active = False
    superuser.is_active = False
    assert not is_program_admin(admin)
    assert not is_program_admin(superuser)


def test_hires_mentors_and_anonymous_visitors_do_not_run_programs():
    assert not is_program_admin(HireFactory())
    assert not is_program_admin(MentorFactory())
    assert not is_program_admin(AnonymousUser())


def test_the_mentor_role_counts_only_while_active():
    mentor = MentorFactory()
    assert is_active_mentor(mentor)
    mentor.is_active = False
    assert not is_active_mentor(mentor)
    assert not is_active_mentor(HireFactory())
    assert not is_active_mentor(ProgramAdminFactory())
    assert not is_active_mentor(AnonymousUser())


@override_settings(SITE_URL="https://onboarding.example.com/")
def test_absolute_url_puts_the_path_under_site_url_once():
    assert absolute_url("/desk/") == "https://onboarding.example.com/desk/"
    assert absolute_url("/a/?b=1#c") == "https://onboarding.example.com/a/?b=1#c"
    assert absolute_url("") == "https://onboarding.example.com/"


@override_settings(SITE_URL="https://onboarding.example.com")
def test_absolute_url_without_a_trailing_slash_in_site_url():
    assert absolute_url("/desk/") == "https://onboarding.example.com/desk/"
