"""Every URL route, visited anonymously, is either public by design or sends you to log in.

The table below is the list of routes; a meta-test fails when a route exists that the table
does not name, so a new page cannot ship without someone deciding who may see it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

LOGIN = "login"
PUBLIC = "public"
GONE = "gone"  # answered with a clear "not usable" page (e.g. a made-up invitation key)
ADMIN = "admin"  # the Django admin: its own login, routed through allauth

# route name -> (sample kwargs, what an anonymous visitor gets)
ANONYMOUS = {
    "home": ({}, LOGIN),
    "healthz": ({}, PUBLIC),
    "floor": ({}, LOGIN),
    "accounts:invitation_accept": ({"key": "no-such-key"}, GONE),
    "accounts:invitation_list": ({}, LOGIN),
    "accounts:invitation_revoke": ({"invitation_id": 1}, LOGIN),
    "accounts:invitation_resend": ({"invitation_id": 1}, LOGIN),
    "accounts:profile": ({}, LOGIN),
    # the hire's journey: GET on the POST-only endpoints still asks for a login first
    "journey:item": ({"enrollment_id": 1, "item_id": 1}, LOGIN),
    "journey:block_check": ({"enrollment_id": 1, "item_id": 1}, LOGIN),
    "journey:resource_read": ({"enrollment_id": 1, "item_id": 1}, LOGIN),
    "journey:answer_save": ({"enrollment_id": 1, "item_id": 1}, LOGIN),
    "journey:reflection_save": ({"enrollment_id": 1, "item_id": 1}, LOGIN),
    "journey:item_complete": ({"enrollment_id": 1, "item_id": 1}, LOGIN),
    "journey:item_rate": ({"enrollment_id": 1, "item_id": 1}, LOGIN),
    "journey:meeting_request": ({"enrollment_id": 1, "item_id": 1}, LOGIN),
    "journey:resource_open": ({"enrollment_id": 1, "item_id": 1, "block_key": "resource-x"}, LOGIN),
    "journey:export_json": ({"enrollment_id": 1}, LOGIN),
    "journey:export_markdown": ({"enrollment_id": 1}, LOGIN),
    # the mentor's desk: every page, and every POST-only endpoint asked with GET
    "desk:dashboard": ({}, LOGIN),
    "desk:review_queue": ({}, LOGIN),
    "desk:review": ({"submission_id": 1}, LOGIN),
    "desk:review_comment": ({"submission_id": 1}, LOGIN),
    "desk:review_request_changes": ({"submission_id": 1}, LOGIN),
    "desk:review_accept": ({"submission_id": 1}, LOGIN),
    "desk:question_inbox": ({}, LOGIN),
    "desk:question": ({"question_id": 1}, LOGIN),
    "desk:question_answer": ({"question_id": 1}, LOGIN),
    "desk:question_resolve": ({"question_id": 1}, LOGIN),
    "desk:faq_promote": ({"question_id": 1}, LOGIN),
    "desk:faq_remove": ({"entry_id": 1}, LOGIN),
    "desk:question_ask": ({"enrollment_id": 1, "item_id": 1}, LOGIN),
    "desk:mentee": ({"enrollment_id": 1}, LOGIN),
    "desk:mentor_note_add": ({"enrollment_id": 1}, LOGIN),
    "desk:mentor_assign": ({"enrollment_id": 1}, LOGIN),
    "desk:mentor_unassign": ({"enrollment_id": 1}, LOGIN),
    # meetings: every page and POST-only endpoint; the signed answer link and the calendar feed
    # are public by design, keyed by a secret, and a made-up key is a clear 404
    "meetings:index": ({}, LOGIN),
    "meetings:arrange": ({"enrollment_id": 1}, LOGIN),
    "meetings:arrange_team": ({"enrollment_id": 1}, LOGIN),
    "meetings:detail": ({"meeting_id": 1}, LOGIN),
    "meetings:status": ({"meeting_id": 1}, LOGIN),
    "meetings:respond": ({"meeting_id": 1}, LOGIN),
    "meetings:reschedule": ({"meeting_id": 1}, LOGIN),
    "meetings:cancel": ({"meeting_id": 1}, LOGIN),
    "meetings:ics": ({"meeting_id": 1}, LOGIN),
    "meetings:link_answer": ({"token": "not-a-signed-token"}, GONE),
    "meetings:feed_settings": ({}, LOGIN),
    "meetings:feed_create": ({}, LOGIN),
    "meetings:feed_revoke": ({}, LOGIN),
    "meetings:feed": ({"token": "no-such-token"}, GONE),
    "meetings:client_teams": ({}, LOGIN),
    "meetings:client_team": ({"team_id": 1}, LOGIN),
    "meetings:client_teams_policy": ({"program_id": 1}, LOGIN),
    "meetings:client_team_delete": ({"team_id": 1}, LOGIN),
    "meetings:client_contact_add": ({"team_id": 1}, LOGIN),
    "meetings:client_contact_remove": ({"team_id": 1, "contact_id": 1}, LOGIN),
    # notifications: the list, mark read/open (POST-only, asked with GET), the admins' outbox log
    "notifications:list": ({}, LOGIN),
    "notifications:read": ({"notification_id": 1}, LOGIN),
    "notifications:open": ({"notification_id": 1}, LOGIN),
    "notifications:read_all": ({}, LOGIN),
    "notifications:outbox": ({}, LOGIN),
    # program admin pages (issue 8): every page and POST-only endpoint; 404 for non-admins
    "manage:dashboard": ({}, LOGIN),
    "manage:import": ({}, LOGIN),
    "manage:invite": ({}, LOGIN),
    "manage:person": ({"person_id": 1}, LOGIN),
    "manage:person_enroll": ({"person_id": 1}, LOGIN),
    "manage:enrollment": ({"enrollment_id": 1}, LOGIN),
    "manage:enrollment_state": ({"enrollment_id": 1}, LOGIN),
    "manage:enrollment_schedule": ({"enrollment_id": 1}, LOGIN),
    "manage:enrollment_mentor": ({"enrollment_id": 1}, LOGIN),
    "manage:move_index": ({}, LOGIN),
    "manage:move": ({"version_id": 1}, LOGIN),
    "manage:cohorts": ({}, LOGIN),
    "manage:cohort": ({"cohort_id": 1}, LOGIN),
    "manage:person_erase": ({"person_id": 1}, LOGIN),
    "manage:audit": ({}, LOGIN),
    "manage:analytics": ({}, LOGIN),
    **{
        f"manage:analytics_{name}{suffix}": ({}, LOGIN)
        for name in ("funnel", "time", "stuck", "mentors", "cohorts")
        for suffix in ("", "_csv")
    },
    "curriculum:asset_file": ({"asset_id": 1, "name": "x.gif"}, LOGIN),
    "curriculum:program_list": ({}, LOGIN),
    "curriculum:import_request_detail": ({"import_request_id": 1}, LOGIN),
    "curriculum:version_detail": ({"version_id": 1}, LOGIN),
    "curriculum:version_publish": ({"version_id": 1}, LOGIN),
    "curriculum:item_detail": ({"item_id": 1}, LOGIN),
    "curriculum:version_export": ({"version_id": 1}, LOGIN),
    "curriculum:version_structure": ({"version_id": 1}, LOGIN),
    "curriculum:program_draft": ({"program_id": 1}, LOGIN),
    "curriculum:item_edit": ({"item_id": 1}, LOGIN),
    "curriculum:item_edit_preview": ({"item_id": 1}, LOGIN),
    "curriculum:item_history": ({"item_id": 1}, LOGIN),
    "curriculum:item_hire_preview": ({"item_id": 1}, LOGIN),
}
# allauth's own pages: login, reset and friends are public by design; the rest need a login.
ALLAUTH_PUBLIC = {
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_inactive",
    "account_logout",
    "account_request_login_code",
    "account_confirm_login_code",
    "account_confirm_password_reset_code",
    "mfa_authenticate",
    "mfa_trust",
    "account_confirm_email_verification_code",
    "account_confirm_phone_verification_code",
    "account_login_by_passkey",
    "account_signup_by_passkey",
    "mfa_login_webauthn",
    "mfa_signup_webauthn",
}


def _named_routes(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.app_name == "admin":
                yield "admin:*", pattern
                continue
            yield from _named_routes(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def _is_allauth(pattern) -> bool:
    return getattr(pattern, "lookup_str", "").startswith("allauth.")


def _unnamed(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name != "admin":
                yield from _unnamed(pattern, prefix + str(pattern.pattern))
        elif not pattern.name:
            yield f"{prefix}{pattern.pattern}"


def _unlisted(resolver=None) -> list[str]:
    """Routes outside the admin that have no name (so no row can name them) or no row."""
    resolver = resolver or get_resolver()
    return [f"without a name: {route}" for route in _unnamed(resolver)] + [
        f"missing: {name}"
        for name, pattern in _named_routes(resolver)
        if name not in ANONYMOUS and name != "admin:*" and not _is_allauth(pattern)
    ]


def test_every_route_is_in_the_table():
    missing = _unlisted()
    assert not missing, f"routes missing from the access table: {missing}"


def test_a_route_without_a_name_or_a_row_is_reported():
    """The meta-test's negative case, in a throw-away URL conf beside the real routes."""
    from django.http import HttpResponse
    from django.urls import include, path
    from django.urls.resolvers import RegexPattern

    def page(request):
        return HttpResponse("")

    urlconf = type("urlconf", (), {})
    urlconf.urlpatterns = [
        path("", include(get_resolver().urlconf_name)),
        path("sneaky/", page),
        path("named/", page, name="not_in_the_table"),
    ]

    found = _unlisted(URLResolver(RegexPattern(r"^/"), urlconf))

    assert [gap for gap in found if gap not in _unlisted()] == [
        "without a name: sneaky/",
        "missing: not_in_the_table",
    ]


@pytest.mark.parametrize("name", sorted(ANONYMOUS))
def test_anonymous_visitor(client, name):
    kwargs, expected = ANONYMOUS[name]
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif expected == PUBLIC:
        assert response.status_code == 200
    elif expected == GONE:
        assert response.status_code in (404, 410)


def test_allauth_pages_that_need_a_login_redirect_anonymous_visitors(client):
    checked = 0
    for name, pattern in _named_routes():
        if not _is_allauth(pattern) or name in ALLAUTH_PUBLIC or pattern.pattern.converters:
            continue
        response = client.get(reverse(name))
        assert response.status_code in (302, 404), name
        if response.status_code == 302:
            assert "/accounts/" in response["Location"], name
        checked += 1
    assert checked >= 5


def test_django_admin_sends_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
