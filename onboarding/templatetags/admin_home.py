"""The program admin's dashboard on the home page, whose view belongs to the hire's journey.

`admin_home_panel` reads `selectors.admin_home` (a fixed number of queries) and renders
templates/onboarding/_home_admin.html; the home template calls it only for a program admin.
"""

from django import template

from ..selectors.admin_home import admin_home

register = template.Library()


@register.inclusion_tag("onboarding/_home_admin.html", takes_context=True)
def admin_home_panel(context: template.Context) -> dict:
    request = context["request"]
    return {"home": admin_home(user=request.user), "user": request.user}
