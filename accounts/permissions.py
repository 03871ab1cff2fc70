"""Role rules that depend only on the person: the one place each is written.

Every app may import this module (it imports nothing but Django and the User model), so the
curriculum, the admin, the selectors and the services all ask the same question the same way.
Rules that need an enrollment ("mentors this hire") live in `onboarding.permissions`.
"""

from django.contrib.auth.models import AnonymousUser

from .models import User


def is_program_admin(user: User | AnonymousUser) -> bool:
    """An active program admin or superuser: sees every hire's journey, runs the desk and the
    programs, and reads the curriculum's drafts. A deactivated account is no one."""
    return bool(
        user.is_authenticated and user.is_active and (user.is_superuser or user.is_program_admin)
    )


def is_active_mentor(user: User | AnonymousUser) -> bool:
    """An active person with the mentor role (whether they mentor a given hire is
    `onboarding.permissions.mentors`)."""
    return bool(user.is_authenticated and user.is_active and user.is_mentor)
