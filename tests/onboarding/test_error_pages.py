"""What a person sees when the server fails: a 503 with Retry-After when the database is down,
the 500 page otherwise; neither needs the database to render."""

import pytest
from django.db import OperationalError
from django.urls import reverse

import onboarding.views.home as home_views

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_home(monkeypatch):
    def fail_with(error: Exception) -> None:
        def raise_it(**kwargs):
            raise error

        monkeypatch.setattr(home_views.selectors, "enrollment_current_for_hire", raise_it)

    return fail_with


def test_a_database_outage_is_a_503_that_says_nothing_was_half_saved(client, hire, failing_home):
    failing_home(OperationalError("connection refused"))
    client.force_login(hire)
    client.raise_request_exception = False

    response = client.get(reverse("home"))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Nothing was half-saved" in response.content.decode()


def test_any_other_failure_is_the_500_page(client, hire, failing_home):
    failing_home(RuntimeError("a bug"))
    client.force_login(hire)
    client.raise_request_exception = False

    response = client.get(reverse("home"))

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert "Retry-After" not in response
