"""`{% meetings_upcoming %}`: the viewer's meetings ahead, for pages other areas own.

A tag rather than a context variable, so the hire's home and item page and the mentor's desk
show meetings by adding one line to their template, without touching their views. It runs one
query (`selectors.meetings.meetings_upcoming`).
"""

from django import template

from ..selectors.meetings import meetings_upcoming as upcoming_for

register = template.Library()


@register.inclusion_tag("onboarding/meetings/_upcoming.html", takes_context=True)
def meetings_upcoming(context, enrollment=None, item_id=None, limit=5, hide_empty=False):
    request = context.get("request")
    user = getattr(request, "user", None)
    rows = (
        upcoming_for(user=user, enrollment=enrollment, item_id=item_id, limit=limit, brief=True)
        if user
        else []
    )
    return {"upcoming": rows, "request": request, "hide_empty": hide_empty}
