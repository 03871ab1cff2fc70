"""GET /floor, the load benchmark's floor: one row by primary key, behind the usual login."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.query_count("floor")
def test_floor_reads_only_the_viewers_own_row(client, hire, django_assert_num_queries):
    client.force_login(hire)
    client.get(reverse("floor"))  # the first request starts the session's absolute timer
    # session, user (login), the row itself, then the session saved again for the idle
    # timeout: an UPDATE inside a savepoint (three statements)
    with django_assert_num_queries(6):
        response = client.get(reverse("floor"))
    assert response.status_code == 200
    assert response.content.decode() == hire.email
    assert "no-store" in response["Cache-Control"]


def test_floor_asks_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("floor"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_floor_is_get_only(client, hire):
    client.force_login(hire)
    assert client.post(reverse("floor")).status_code == 405
