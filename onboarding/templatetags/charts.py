"""Figures in the analytics tables read like the charts above them."""

from django import template

from ..charts import format_duration

register = template.Library()


@register.filter
def duration(hours: float | None) -> str:
    """Hours as "45 min", "2.5 h" or "36 h" (a dash for none), as the charts label them."""
    return format_duration(hours)
