"""The 500 page, and a 503 when the database is what failed (a restart, a failover).

Both render templates that need nothing from the database or the request's user: when they
run, the database may be down and the session unreadable. A database outage answers 503 with
Retry-After, so browsers, proxies and the load balancer know it is passing, and the page tells
the person that nothing was half-saved: each change is one transaction, all or nothing.
"""

import sys

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exc_info()[1]  # handler500 runs while the exception is being handled
    if isinstance(error, DatabaseError):
        response = HttpResponse(render_to_string("errors/503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(render_to_string("errors/500.html"), status=500)
