"""Cross-cutting request policies: session lifetimes and caching of private pages."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

_LOGIN_STARTED = "_login_started_at"


class SessionTimeoutMiddleware:
    """Ends a session past its absolute lifetime, and a deactivated user's session at once.

    The idle lifetime is Django's own (SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST);
    the absolute one is counted from the first request after login.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.setdefault(_LOGIN_STARTED, int(time.time()))
            if time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class PrivateCacheMiddleware:
    """Logged-in pages are never stored by browsers or proxies (no-store)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _privately_cacheable(response):
            add_never_cache_headers(response)
        return response


def _privately_cacheable(response: HttpResponse) -> bool:
    """A view that said "private, immutable" (a curriculum image: versions never change) may be
    kept by the viewer's own browser; shared caches still never store it."""
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "immutable"} <= directives


class UserTimezoneMiddleware:
    """Every time shown is in the viewer's own IANA zone; storage stays UTC."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(user.zone)
        else:
            timezone.deactivate()
        return self.get_response(request)
