"""axe-core (pinned in package-lock.json) finds no serious or critical WCAG 2 A/AA problems.

Every main page of each role is checked on the demo data, at phone and desktop width.
"""

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from curriculum.models import Item, ProgramVersion
from onboarding.demo import DEMO_HIRE_EMAIL, demo_people_seed
from onboarding.models import Enrollment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SIZES = [{"width": 390, "height": 844}, {"width": 1280, "height": 860}]


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe is injected as an inline script, which the app's CSP (rightly) forbids.
    return {**browser_context_args, "bypass_csp": True}


def _serious_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa']})"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def _log_in(page, live_server, user, mfa_passed):
    client = mfa_passed(Client(), user) if user.must_use_mfa else Client()
    if not user.must_use_mfa:
        client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _check(page, live_server, paths) -> dict[str, list]:
    found = {}
    for path in paths:
        for size in SIZES:
            page.set_viewport_size(size)
            response = page.goto(live_server.url + path)
            # The page asked for, not a redirect to the login page or an error page (which
            # would be scanned instead, and pass).
            assert response is not None and response.status == 200, (path, response)
            assert urlsplit(page.url).path == urlsplit(path).path, (path, page.url)
            problems = _serious_violations(page)
            if problems:
                found[f"{path} @ {size['width']}px"] = problems
    return found


def test_public_pages(page, live_server):
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: bin/test installs it with npm ci")
    found = _check(page, live_server, [reverse("account_login"), reverse("account_reset_password")])
    assert not found, json.dumps(found)


def test_every_role_s_main_pages(page, live_server, mfa_passed):
    demo_people_seed()
    from onboarding.demo import demo_journey_seed

    demo_journey_seed()
    hire = User.objects.get(email=DEMO_HIRE_EMAIL)
    enrollment = Enrollment.objects.get(hire=hire)
    version = ProgramVersion.objects.get(state="published")
    item = (
        Item.objects.filter(version=version, kind="day")
        .order_by("chapter__position", "position")
        .first()
    )
    found = {}

    _log_in(page, live_server, hire, mfa_passed)
    found |= _check(
        page,
        live_server,
        [
            reverse("home"),
            reverse("journey:item", args=[enrollment.pk, item.pk]),
            reverse("accounts:profile"),
        ],
    )
    mentor = User.objects.get(email="mentor@example.com")
    _log_in(page, live_server, mentor, mfa_passed)
    found |= _check(
        page,
        live_server,
        [
            reverse("home"),
            reverse("desk:dashboard"),
            reverse("desk:review_queue"),
            reverse("desk:question_inbox"),
            reverse("desk:mentee", args=[enrollment.pk]),
            reverse("meetings:index"),
            reverse("notifications:list"),
        ],
    )
    admin = User.objects.get(email="admin@example.com")
    _log_in(page, live_server, admin, mfa_passed)
    found |= _check(
        page,
        live_server,
        [
            reverse("home"),
            reverse("accounts:invitation_list"),
            reverse("manage:dashboard"),
            reverse("manage:invite"),
            reverse("manage:person", args=[enrollment.hire_id]),
            reverse("curriculum:program_list"),
            reverse("curriculum:version_detail", args=[version.pk]),
            reverse("curriculum:item_detail", args=[item.pk]),
            reverse("manage:audit"),
            reverse("manage:analytics_time"),
            reverse("manage:analytics_mentors"),
        ],
    )

    assert not found, json.dumps(found)
