"""Navigation by role, computed once per request from the user row already loaded."""

from functools import cached_property

from django.http import HttpRequest
from django.urls import reverse


class Bell:
    """The header's unread count, read only if a template shows it: one indexed count query.

    Lazy so that htmx fragments, which do not render the header, cost nothing.
    """

    def __init__(self, user) -> None:
        self._user = user

    @cached_property
    def unread(self) -> int:
        from .selectors.notifications import unread_count

        return unread_count(user=self._user)


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "bell": None}
    items = [("Home", reverse("home"))]
    if user.is_mentor or user.is_program_admin or user.is_superuser:
        items.append(("Desk", reverse("desk:dashboard")))
    if user.is_hire or user.is_mentor:
        items.append(("Meetings", reverse("meetings:index")))
    if user.is_program_admin or user.is_superuser:
        items.append(("Programs", reverse("curriculum:program_list")))
        items.append(("Manage", reverse("manage:dashboard")))
    items.append(("Profile", reverse("accounts:profile")))
    return {"nav_items": items, "bell": Bell(user)}
