"""Calendar-feed tokens are stored hashed; the address is shown once, when it is made (with
copy, webcal:// and "add to Google/Outlook" links), built from SITE_URL, and can be rotated."""

import hashlib
import importlib
from urllib.parse import quote

import pytest
from django.apps import apps
from django.test import override_settings
from django.urls import reverse

from onboarding.models import CalendarFeed
from onboarding.services.meetings import calendar_feed_create

pytestmark = pytest.mark.django_db

SITE = "https://onboarding.example.com"


def _token_on(page: str) -> str:
    return page.split("/meetings/calendar/", 1)[1].split(".ics", 1)[0]


def test_only_the_tokens_hash_is_stored(hire):
    feed = calendar_feed_create(user=hire)

    stored = CalendarFeed.objects.filter(pk=feed.pk).values().get()
    assert stored["token_hash"] == hashlib.sha256(feed.token.encode()).hexdigest()
    assert feed.token not in {str(value) for value in stored.values()}
    assert CalendarFeed.objects.get(pk=feed.pk).token == ""  # a row read back has no token


@override_settings(SITE_URL=SITE, ALLOWED_HOSTS=["testserver", "evil.example"])
def test_the_address_is_shown_once_with_its_links(client, hire):
    client.force_login(hire)
    page = client.post(
        reverse("meetings:feed_create"), follow=True, HTTP_HOST="evil.example"
    ).content.decode()

    token = _token_on(page)
    url = f"{SITE}/meetings/calendar/{token}.ics"
    assert f'value="{url}"' in page  # from SITE_URL, not the Host header
    assert "evil.example" not in page
    assert "shown only this once" in page and 'data-copy-from="feed-url"' in page
    webcal = f"webcal://onboarding.example.com/meetings/calendar/{token}.ics"
    assert f'href="{webcal}"' in page
    assert "https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe="") in page
    assert "https://outlook.live.com/calendar/0/addfromweb?url=" + quote(url, safe="") in page

    again = client.get(reverse("meetings:feed_settings")).content.decode()
    assert token not in again
    assert "It was shown once" in again and "Make a new address" in again


def test_rotating_turns_the_old_address_off_and_the_new_one_on(client, hire):
    client.force_login(hire)
    first = _token_on(client.post(reverse("meetings:feed_create"), follow=True).content.decode())
    second = _token_on(client.post(reverse("meetings:feed_create"), follow=True).content.decode())
    client.logout()

    assert first != second
    assert client.get(reverse("meetings:feed", args=[first])).status_code == 404
    assert client.get(reverse("meetings:feed", args=[second])).status_code == 200


def test_the_migration_hashes_the_tokens_already_handed_out(client, hire):
    # A feed made before this change: its raw token sat in the column the migration renamed.
    CalendarFeed.objects.create(user=hire, token_hash="an-old-raw-token")
    migration = importlib.import_module("onboarding.migrations.0011_calendar_feed_token_hash")

    migration.hash_tokens(apps, None)

    assert client.get(reverse("meetings:feed", args=["an-old-raw-token"])).status_code == 200
    assert not CalendarFeed.objects.filter(token_hash="an-old-raw-token").exists()
