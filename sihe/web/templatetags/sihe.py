"""Template helpers of the web shell: `cny`, `cndate`, `cndatetime`, the navigation and the top bar."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone

from sihe.core.money import format_cny
from sihe.core.roles import ROLES, role_of
from sihe.web import nav

register = template.Library()


@register.filter
def cny(value):
    """¥1,234.56 (half up to the fen); empty for None or text that is not a number."""
    if value is None or value == "":
        return ""
    try:
        return format_cny(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return ""


def _local(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def cndate(value):
    """2026-11-24, in Asia/Shanghai."""
    if not isinstance(value, date):
        return ""
    return _local(value).strftime("%Y-%m-%d")


@register.filter
def cndatetime(value):
    """2026-11-24 14:05, in Asia/Shanghai."""
    if not isinstance(value, datetime):
        return cndate(value)
    return _local(value).strftime("%Y-%m-%d %H:%M")


@register.simple_tag(takes_context=True)
def nav_sections(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    match = getattr(request, "resolver_match", None)
    return nav.sections_for(request.user, current=match.view_name if match else None)


@register.simple_tag
def role_label(user):
    role = role_of(user)
    return ROLES.get(role, "") if role else ""


@register.simple_tag
def company_name():
    from sihe.catalog.models import Company

    company = Company.objects.only("name").first()
    return company.name if company else ""


@register.filter
def field_error(errors, name):
    """`{{ errors|field_error:"gtin" }}` — the message a service gave for that field."""
    if not errors:
        return ""
    return errors.get(name, "")
