"""Checks for post/redirect/get: a refused POST sends the person back to the page the form is on,
the next GET shows the message (and what was typed) once, and the GET after that does not."""

from django.test import Client


def assert_refused_back(client: Client, response, page: str, anchor: str, *shown: str) -> str:
    """RESPONSE redirects to PAGE + ANCHOR; the next GET of PAGE holds every text in SHOWN, and
    the one after holds each fewer times (gone, or only where the page always says it). The
    first GET's HTML is returned for further checks."""
    assert response.status_code == 302, response.status_code
    assert response.url == page + anchor
    html = client.get(page).content.decode()
    again = client.get(page).content.decode()
    for text in shown:
        assert text in html, text
        assert again.count(text) < html.count(text), text
    return html
