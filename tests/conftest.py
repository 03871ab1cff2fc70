"""Personas and shared fixtures. Tests read like stories: `hire`, `mentor`, `admin` log in and act."""

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # playwright's sync API runs a loop

from tests.factories import HireFactory, MentorFactory, ProgramAdminFactory

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"


@pytest.fixture
def shared_curriculum() -> Path:
    """The real sample program in ../shared: skipped where absent, a failure in CI."""
    path = SHARED / "curriculum"
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing, and CI must test against the real sample curriculum")
        pytest.skip(f"{path} is not on this machine (the shared sample curriculum)")
    return path


@pytest.fixture
def hire(db):
    return HireFactory(email="hire@example.com", display_name="Hana Hire")


@pytest.fixture
def other_hire(db):
    return HireFactory(email="other.hire@example.com", display_name="Omer Other")


@pytest.fixture
def mentor(db):
    return MentorFactory(email="mentor@example.com", display_name="Mira Mentor")


@pytest.fixture
def other_mentor(db):
    return MentorFactory(email="other.mentor@example.com", display_name="Otto Other")


@pytest.fixture
def admin(db):
    return ProgramAdminFactory(email="admin@example.com", display_name="Ada Admin")


def mfa_login(client, user):
    """Log a mentor or admin in as if they had enrolled TOTP (for tests that aren't about MFA).

    A plain function too, for fixtures wider than one test (tests/access_world.py)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    return client


@pytest.fixture
def mfa_passed():
    return mfa_login


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def screenshot_dir() -> Path:
    # Not test-results/: pytest-playwright empties that folder at the start of every run.
    path = REPO_ROOT / "test-output" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
