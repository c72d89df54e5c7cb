"""Template helpers of the web shell: `cny`, `qty`, `cndate`, `cndatetime`, the navigation and the top bar."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from sihe.core.money import format_cny, round_money, text
from sihe.core.roles import ROLES, can, role_of
from sihe.web import audit_labels, nav

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


@register.filter
def amount(value):
    """1,234.56 — an amount in a report's column (单位：元 stands in the heading): thousands separators,
    half up to the fen, negatives with a minus; empty for None or text that is not a number."""
    if value is None or value == "":
        return ""
    try:
        return f"{round_money(Decimal(str(value))) + Decimal('0.00'):,.2f}"
    except (InvalidOperation, ValueError):
        return ""


@register.filter
def qty(value):
    """A quantity as people write it: 244.56, 5000 (no trailing zeros, no exponent); empty for None."""
    if value is None or value == "":
        return ""
    try:
        return text(Decimal(str(value)))
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


@register.filter
def who(username):
    """A user name as it is; a system actor ("demo", "rule:stock.receipt") in words."""
    return audit_labels.user_label(username or "")


@register.filter
def may(user, permission):
    """`{% if user|may:"wms.operate" %}`: show a link only to a role its page lets in."""
    return bool(user and user.is_authenticated and can(user, permission))


@register.filter
def channel_type(code):
    """A channel type code ("taobao", "dealer") as its label."""
    from sihe.catalog.selectors import Channel

    return dict(Channel.Type.choices).get(code, code)


ROUTING_METHODS = {
    "optimal": pgettext_lazy("routing method", "shortest route"),
    "s_shape": pgettext_lazy("routing method", "S-shape"),
    "return": pgettext_lazy("routing method", "return"),
    "midpoint": pgettext_lazy("routing method", "midpoint"),
    "largest_gap": pgettext_lazy("routing method", "largest gap"),
    "combined": pgettext_lazy("routing method", "combined"),
}


@register.filter
def routing_method(code):
    """A pick route's method code ("s_shape") as its name."""
    return str(ROUTING_METHODS.get(code, code))


@register.filter
def via(code):
    """How an act came in ("web", "api", "system") in words."""
    return audit_labels.via_label(code or "")


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
    from sihe.catalog import selectors

    return selectors.company_name()


@register.filter
def field_error(errors, name):
    """`{{ errors|field_error:"gtin" }}` — the message a service gave for that field."""
    if not errors:
        return ""
    return errors.get(name, "")
