"""Navigation by role, computed once per request from the user row already loaded."""

from django.http import HttpRequest
from django.urls import reverse


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("Home", reverse("home"))]
    if user.is_program_admin or user.is_superuser:
        items.append(("Programs", reverse("curriculum:program_list")))
        items.append(("People", reverse("accounts:invitation_list")))
    items.append(("Profile", reverse("accounts:profile")))
    return {"nav_items": items}
