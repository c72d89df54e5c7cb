"""Roles and what each may do. The table is data; `can()` is the one check pages and API use.

A user's role is the Django group of the same code (visible and editable in the admin); a
superuser is an admin. Permissions are coarse verbs per area, so a new wing adds its own rows here.
"""

from django.utils.translation import gettext_lazy as _

MANAGER, WAREHOUSE, SHOPFLOOR, SERVICE, ACCOUNTANT, ADMIN = (
    "manager",
    "warehouse",
    "shopfloor",
    "service",
    "accountant",
    "admin",
)
ROLES = {
    MANAGER: _("Manager"),
    WAREHOUSE: _("Warehouse"),
    SHOPFLOOR: _("Shop floor"),
    SERVICE: _("Customer service"),
    ACCOUNTANT: _("Accountant"),
    ADMIN: _("Administrator"),
}

# permission -> roles that hold it. Admin holds everything.
PERMISSIONS: dict[str, set[str]] = {
    "catalog.view": {MANAGER, WAREHOUSE, SHOPFLOOR, SERVICE, ACCOUNTANT},
    "catalog.edit": {MANAGER},
    "catalog.import": {MANAGER},
    "stock.view": {MANAGER, WAREHOUSE, SERVICE, ACCOUNTANT, SHOPFLOOR},
    "stock.move": {WAREHOUSE, MANAGER},
    "stock.reserve": {WAREHOUSE, MANAGER, SERVICE},
    "costing.view": {MANAGER, ACCOUNTANT},
    "ledger.view": {MANAGER, ACCOUNTANT},
    "ledger.edit": {ACCOUNTANT},
    "ledger.post": {ACCOUNTANT},
    "ledger.close": {ACCOUNTANT},
    "ledger.approve_reopen": {MANAGER},  # grant a period reopen another person asked for
    "orders.view": {MANAGER, SERVICE, WAREHOUSE, ACCOUNTANT},
    "orders.manage": {SERVICE, MANAGER},
    "orders.approve_credit": {MANAGER},  # release an order held over its customer's credit limit
    "aftersales.approve": {MANAGER},  # refund-only cases over the limit
    "invoices.view": {MANAGER, ACCOUNTANT, SERVICE},
    "invoices.issue": {ACCOUNTANT, SERVICE, MANAGER},
    "purchasing.view": {MANAGER, ACCOUNTANT, WAREHOUSE},
    "purchasing.manage": {MANAGER},
    "purchasing.approve": {MANAGER},
    "payments.manage": {ACCOUNTANT},
    "trace.view": {MANAGER, WAREHOUSE, SERVICE, ACCOUNTANT},
    "wms.operate": {WAREHOUSE},
    "wms.plan": {WAREHOUSE, MANAGER},
    "production.view": {MANAGER, SHOPFLOOR, WAREHOUSE, ACCOUNTANT},
    "production.manage": {MANAGER},
    "production.operate": {SHOPFLOOR, MANAGER},
    "planning.view": {MANAGER, ACCOUNTANT},
    "planning.run": {MANAGER},
    "mes.view": {MANAGER, SHOPFLOOR, ACCOUNTANT},
    "mes.operate": {SHOPFLOOR, MANAGER},
    "mes.supervise": {SHOPFLOOR, MANAGER},  # acknowledge alarms, resume paused work orders
    "mes.manage": {MANAGER},  # lines, rules, operators
    "events.view": {MANAGER, ACCOUNTANT},
    "hub.manage": set(),
    "audit.view": {MANAGER, ACCOUNTANT},
    "dashboard.view": {MANAGER},
    "approvals.view": {MANAGER, ACCOUNTANT},  # the approvals inbox (each kind checks its own permission)
    "tokens.own": {MANAGER, WAREHOUSE, SHOPFLOOR, SERVICE, ACCOUNTANT},
    "users.manage": set(),
}


def role_of(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return ADMIN
    cached = getattr(user, "_sihe_role", "unset")
    if cached != "unset":
        return cached
    names = [g.name for g in user.groups.all()]
    role = next((name for name in ROLES if name in names), None)
    user._sihe_role = role
    return role


def can(user_or_role, permission: str) -> bool:
    role = user_or_role if isinstance(user_or_role, str) or user_or_role is None else role_of(user_or_role)
    if role is None:
        return False
    if role == ADMIN:
        return True
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission}")
    return role in PERMISSIONS[permission]


def assign_role(user, role: str) -> None:
    from django.contrib.auth.models import Group

    if role not in ROLES:
        from sihe.core.errors import ValidationFailed

        raise ValidationFailed(f"unknown role {role!r}; choose one of {', '.join(ROLES)}", field="role")
    groups = [Group.objects.get_or_create(name=name)[0] for name in ROLES]
    user.groups.remove(*[g for g in groups if g.name != role])
    user.groups.add(next(g for g in groups if g.name == role))
    user._sihe_role = role
