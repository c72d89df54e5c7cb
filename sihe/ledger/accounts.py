"""Changing the chart: an accountant adds sub-accounts (明细科目) such as 5602.02 业务招待费.

A leaf account already in use gets children the way 金蝶/用友 do it: its balance moves into the first
child — opening balances, the balance projection's rows and the posting rules that name it — while
its posted vouchers stay as they are (immutable) and are read as the child's (`moved_into`)."""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from sihe.core import audit
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, NotFound, ValidationFailed
from sihe.ledger.models import DIMENSIONS, Account, Balance, OpeningBalance, PostingRuleLine, VoucherLine

SUFFIX = re.compile(r"^[0-9A-Za-z]{1,6}$")


def add_account(*, parent: str, code: str, name: str, actor: Actor, name_en: str = "",
                dimensions: list[str] | tuple = (), role: str = "") -> Account:
    """A sub-account of `parent`, with the parent's direction and category. When the parent is a leaf
    with postings, opening balances or posting rules, they move into this new first child (audited).
    `role` names what a statement line reads (e.g. admin_entertainment → 利润表 业务招待费)."""
    from sihe.ledger.statements import STATEMENT_ROLES

    with transaction.atomic():
        above = Account.objects.select_for_update().filter(code=str(parent).strip()).first()
        if above is None:
            raise NotFound(_("no account %(code)r") % {"code": parent}, field="parent")
        code = str(code).strip()
        if not code.startswith(above.code + ".") or not SUFFIX.match(code[len(above.code) + 1:]):
            raise ValidationFailed(_("the code must be %(parent)s.<1-6 letters or digits>, e.g. %(parent)s.01")
                                   % {"parent": above.code},
                                   field="code", code="invalid_code")
        if Account.objects.filter(code=code).exists():
            raise Conflict(_("account %(code)s exists") % {"code": code}, field="code", code="duplicate")
        name = str(name or "").strip()
        if not name or "\x00" in name:
            raise ValidationFailed(_("the name is required"), field="name")
        unknown = [d for d in dimensions if d not in DIMENSIONS]
        if unknown:
            raise ValidationFailed(_("unknown dimension %(dim)r; use %(dims)s") % {"dim": unknown[0], "dims": ", ".join(DIMENSIONS)},
                                   field="dimensions")
        role = str(role or "").strip()
        if role and role not in STATEMENT_ROLES:
            raise ValidationFailed(_("unknown role %(role)r; use one of %(roles)s") % {"role": role,
                                   "roles": ", ".join(STATEMENT_ROLES)}, field="role", code="unknown_role")
        if role and Account.objects.filter(role=role).exists():
            raise Conflict(_("another account already has the role %(role)s") % {"role": role}, field="role",
                           code="duplicate_role")
        # an account in use keeps the dimensions it already tracks, so its moved rows still fit
        keep = set(above.dimensions) if above.is_leaf else set()
        account = Account.objects.create(
            code=code, name=name[:100], name_en=str(name_en or "")[:100], parent=above, level=above.level + 1,
            direction=above.direction, category=above.category, is_cash=above.is_cash, role=role,
            **{f"dim_{d}": d in dimensions or d in keep for d in DIMENSIONS},
        )
        moved = _move_into(above, account) if above.is_leaf else None
        if above.is_leaf:
            above.is_leaf = False
            above.save(update_fields=["is_leaf"])
        audit.record_created(account, actor=actor, fields=["code", "name", "direction", "category", "role"])
        if moved:
            audit.record_act(above, actor=actor, action="move_balance",
                             detail=_("%(lines)s posted lines, %(openings)s opening balances, %(balances)s balance "
                                      "rows and %(rules)s posting-rule lines now count on %(code)s")
                             % {**moved, "code": account.code})
    return account


def _move_into(above: Account, child: Account) -> dict | None:
    """Move what an in-use leaf holds into its new first child; None when it holds nothing."""
    lines = VoucherLine.objects.filter(account=above).count()
    counts = {
        "lines": lines,
        "openings": OpeningBalance.objects.filter(account=above).update(account=child),
        "balances": Balance.objects.filter(account=above).update(account=child),
        "rules": PostingRuleLine.objects.filter(account=above).update(account=child),
    }
    if not any(counts.values()):
        return None
    if lines or counts["balances"]:
        Account.objects.filter(pk=above.pk).update(moved_into=child)
        above.moved_into = child
    return counts
