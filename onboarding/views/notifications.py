"""The bell's pages: a person's notifications (mark read with htmx or a plain form) and, for
program admins, the log of what was sent to whom and what failed. Thin: selector, service."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from ..selectors import notifications as selectors
from ..selectors.notifications import OUTBOX_FILTERS
from ..services import notifications as services


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = selectors.notifications_for_user(user=request.user)
    return render(request, "onboarding/notifications/list.html", {"notifications": notifications})


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one read: htmx gets the row back (and the bell, out of band), a form a redirect."""
    notification = selectors.notification_for_user(
        user=request.user, notification_id=notification_id
    )
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    if request.htmx:
        notification.refresh_from_db()
        return render(
            request,
            "onboarding/notifications/_row.html",
            {"notification": notification, "bell_oob": True},
        )
    return redirect("notifications:list")


@login_required
@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark read and go where the notification points (only ever a path inside the app)."""
    notification = selectors.notification_for_user(
        user=request.user, notification_id=notification_id
    )
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    link = notification.link
    safe = link.startswith("/") and url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(link if safe else "notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(user=request.user)
    return redirect("notifications:list")


@login_required
@require_GET
def outbox_log(request: HttpRequest) -> HttpResponse:
    """Program admins: every email, newest first, with its attempts and last error."""
    state = request.GET.get("state", "all")
    if state not in OUTBOX_FILTERS:
        state = "all"
    emails = list(selectors.outbox_for_admin(user=request.user, state=state))
    held = selectors.emails_held_count(user=request.user)
    return render(
        request,
        "onboarding/notifications/outbox.html",
        {"emails": emails, "held": held, "state": state, "filters": OUTBOX_FILTERS},
    )
