"""Changing the chart: an accountant adds sub-accounts (明细科目) such as 5602.02 业务招待费."""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from sihe.core import audit
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, NotFound, ValidationFailed
from sihe.ledger.models import DIMENSIONS, Account, OpeningBalance, PostingRuleLine, VoucherLine

SUFFIX = re.compile(r"^[0-9A-Za-z]{1,6}$")


def add_account(*, parent: str, code: str, name: str, actor: Actor, name_en: str = "",
                dimensions: list[str] | tuple = ()) -> Account:
    """A sub-account of `parent`, with the parent's direction and category. A leaf account that
    already has postings, opening balances or posting rules cannot get children (move them first)."""
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
        if above.is_leaf and (
            VoucherLine.objects.filter(account=above).exists()
            or OpeningBalance.objects.filter(account=above).exists()
            or PostingRuleLine.objects.filter(account=above).exists()
        ):
            raise Conflict(_("%(code)s has postings, opening balances or posting rules; it cannot get sub-accounts "
                             "until they move") % {"code": above.code}, field="parent", code="account_in_use")
        account = Account.objects.create(
            code=code, name=name[:100], name_en=str(name_en or "")[:100], parent=above, level=above.level + 1,
            direction=above.direction, category=above.category, is_cash=above.is_cash,
            **{f"dim_{d}": d in dimensions for d in DIMENSIONS},
        )
        if above.is_leaf:
            above.is_leaf = False
            above.save(update_fields=["is_leaf"])
        audit.record_created(account, actor=actor, fields=["code", "name", "direction", "category"])
    return account
