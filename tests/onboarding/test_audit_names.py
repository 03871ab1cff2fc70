"""The audit log names the people in it (who acted, whom it was about) with their email beside
the name, instead of "person 1", and reads them with the events in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onboarding.models import AuditAction, AuditEvent
from tests.factories import HireFactory, MentorFactory

pytestmark = pytest.mark.django_db


def _events(n: int, start: int = 0) -> list:
    people = []
    for i in range(start, start + n):
        actor = MentorFactory(email=f"reader{i}@example.com", display_name=f"Reader {i}")
        subject = HireFactory(email=f"writer{i}@example.com", display_name=f"Writer {i}")
        AuditEvent.objects.create(
            actor=actor, subject=subject, action=AuditAction.READ, object_type="submission"
        )
        people.append((actor, subject))
    return people


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_audit_log_shows_names_and_emails_for_actor_and_subject(client, mfa_passed, admin):
    people = _events(2)
    mfa_passed(client, admin)
    html, _ = _get(client, reverse("manage:audit"))
    for actor, subject in people:
        for person in (actor, subject):
            assert person.display_name in html and person.email in html
            assert f"?person={person.pk}" in html  # each name narrows the log to that person
    assert "person " + str(people[0][1].pk) not in html


def test_the_audit_log_about_one_person_names_them_in_its_heading(client, mfa_passed, admin):
    (_, subject), _ = _events(2)
    mfa_passed(client, admin)
    html, _ = _get(client, reverse("manage:audit") + f"?person={subject.pk}")
    assert f"About {subject.display_name} ({subject.email})" in html
    assert "Writer 1" not in html


@pytest.mark.query_count("manage:audit")
def test_the_audit_log_query_count_is_flat_in_events_and_people(client, mfa_passed, admin):
    _events(2)
    mfa_passed(client, admin)
    _get(client, reverse("manage:audit"))  # the session's first request reads more
    _, few = _get(client, reverse("manage:audit"))
    _events(6, start=2)
    html, many = _get(client, reverse("manage:audit"))
    assert "Writer 7" in html
    assert few == many
