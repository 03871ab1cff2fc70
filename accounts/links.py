"""Links the app hands out (emails, calendar feeds, sign-in mails), built from SITE_URL.

Never from the request's Host header: a forged Host would put the attacker's address into a
mail the person trusts. Every app may import this module; it depends on settings only.
"""

from django.conf import settings


def absolute_url(path: str) -> str:
    """PATH (as `reverse()` gives it, starting with "/") under SITE_URL; an empty path is the
    site's front page."""
    return settings.SITE_URL.rstrip("/") + (path or "/")
