"""The arrange form's days: filled in (the organiser's next working day, two weeks to choose
from), a clear message when missing or reversed, and a banner that says what happened."""

import datetime

import pytest
from django.urls import reverse

from onboarding.models import Meeting
from onboarding.services.meetings import arrange_window_default
from tests.onboarding.meetings_support import enroll

UTC = datetime.UTC


@pytest.fixture
def enrollment(hire, mentor):
    return enroll(hire, mentor)


def _form(**overrides) -> dict:
    form = {
        "title": "Meet the team",
        "duration_minutes": "30",
        "buffer_minutes": "0",
        "min_notice_hours": "0",
        **overrides,
    }
    return {key: value for key, value in form.items() if value is not None}


@pytest.mark.django_db
def test_the_default_window_starts_on_the_organisers_next_working_day(mentor):
    friday_evening = datetime.datetime(2026, 12, 4, 23, 30, tzinfo=UTC)  # Saturday in Tokyo
    mentor.working_days = [0, 1, 2, 3, 4]
    mentor.days_away = ["2026-12-07"]
    assert arrange_window_default(organiser=mentor, now=friday_evening) == (
        datetime.date(2026, 12, 8),  # Monday is a day away, so Tuesday
        datetime.date(2026, 12, 22),
    )
    mentor.time_zone = "Asia/Tokyo"
    mentor.working_days = [5]  # works Saturdays only; it is Saturday already there
    mentor.days_away = []
    assert arrange_window_default(organiser=mentor, now=friday_evening)[0] == datetime.date(
        2026, 12, 12
    )


@pytest.mark.django_db
def test_the_arrange_page_offers_the_default_days(client, enrollment, mentor, mfa_passed):
    mfa_passed(client, mentor)
    earliest, latest = arrange_window_default(organiser=mentor)
    html = client.get(reverse("meetings:arrange", args=[enrollment.pk])).content.decode()
    assert f'name="earliest" value="{earliest.isoformat()}"' in html
    assert f'name="latest" value="{latest.isoformat()}"' in html


@pytest.mark.django_db
def test_missing_or_reversed_days_are_refused_with_a_message(
    client, enrollment, mentor, mfa_passed
):
    mfa_passed(client, mentor)
    url = reverse("meetings:arrange", args=[enrollment.pk])
    earliest, latest = arrange_window_default(organiser=mentor)
    for form, message in (
        (_form(latest=latest.isoformat()), "Give the earliest day the meeting may be on."),
        (_form(earliest=earliest.isoformat(), latest=""), "Give the latest day the meeting"),
        (
            _form(earliest=latest.isoformat(), latest=earliest.isoformat()),
            "The latest day is before the earliest day.",
        ),
    ):
        response = client.post(url, form)
        assert response.status_code == 302 and response["Location"] == url
        assert message in client.get(url).content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_meeting_booked_in_process_says_so(client, enrollment, mentor, mfa_passed):
    """Tasks run eagerly on commit (as on the embedded default): booked before the redirect."""
    mfa_passed(client, mentor)
    earliest, latest = arrange_window_default(organiser=mentor)
    url = reverse("meetings:arrange", args=[enrollment.pk])
    response = client.post(
        url, _form(earliest=earliest.isoformat(), latest=latest.isoformat()), follow=True
    )
    assert Meeting.objects.get().state == "booked"
    html = response.content.decode()
    assert "Arranged and booked. Everyone has been sent an invite." in html
    assert "as soon as a time is booked" not in html
