from django import template

from sihe.core.roles import can

register = template.Library()


@register.filter(name="may")
def may(user, permission: str) -> bool:
    """`{% if user|may:"costing.view" %}`: the same check as the page decorator."""
    return can(user, permission)
