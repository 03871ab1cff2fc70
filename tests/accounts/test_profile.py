import pytest
from django.urls import reverse

from tests.support.refused import assert_refused_back

pytestmark = pytest.mark.django_db


def _profile(**overrides):
    data = {
        "display_name": "Hana",
        "time_zone": "America/Santiago",
        "working_hours_start": "08:30",
        "working_hours_end": "16:30",
        "working_days": ["0", "1", "2", "3", "6"],
        "notify_daily_item": "email",
        "notify_review": "both",
        "notify_questions": "in_app",
        "notify_meetings": "off",
    }
    data.update(overrides)
    return data


def test_hire_updates_their_profile(client, hire):
    client.force_login(hire)

    response = client.post(reverse("accounts:profile"), _profile())

    assert response.status_code == 302
    hire.refresh_from_db()
    assert hire.time_zone == "America/Santiago"
    assert hire.working_days == [0, 1, 2, 3, 6]
    assert hire.notification_preferences["daily_item"] == "email"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "is not a time zone we know"),
        (
            {"working_hours_start": "18:00", "working_hours_end": "09:00"},
            "must end after it starts",
        ),
        ({"working_hours_start": "25:99"}, "Enter a valid time"),
        ({"display_name": "a" * 500}, "at most 120 characters"),
        ({"display_name": "evil\u202egnp"}, "not allowed"),
        ({"working_days": []}, "This field is required"),
    ],
)
def test_bad_profile_input_gets_a_message_and_saves_nothing(client, hire, overrides, message):
    client.force_login(hire)

    page = reverse("accounts:profile")
    response = client.post(page, _profile(**overrides))

    # Post/redirect/get: back on the profile at the form, the message there once, and what was
    # typed kept (the zone they chose, not the saved one).
    html = assert_refused_back(client, response, page, "#profile-heading", message)
    assert 'value="America/Santiago"' in html
    hire.refresh_from_db()
    assert hire.time_zone == "UTC"


def test_times_are_shown_in_the_viewers_zone(client, hire):
    hire.time_zone = "Asia/Kolkata"
    hire.save()
    client.force_login(hire)
    assert "Times are shown in Asia/Kolkata" in client.get(reverse("home")).content.decode()


def test_days_away_are_saved_and_a_bad_date_is_named(client, hire):
    client.force_login(hire)

    response = client.post(
        reverse("accounts:profile"), _profile(days_away="2026-12-24, 2026-12-31\n2026-12-24")
    )
    assert response.status_code == 302
    hire.refresh_from_db()
    assert hire.days_away == ["2026-12-24", "2026-12-31"]

    response = client.post(reverse("accounts:profile"), _profile(days_away="2026-02-30"))
    page = reverse("accounts:profile")
    assert_refused_back(client, response, page, "#profile-heading", "is not a date")
    hire.refresh_from_db()
    assert hire.days_away == ["2026-12-24", "2026-12-31"]
