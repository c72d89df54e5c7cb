"""Posting rules are data an accountant changes (on the rules page): account, side, amount key,
summary template and dimension mapping of each line. Every change is audited."""

from django.db import transaction
from django.utils.translation import gettext as _

from sihe.core import audit
from sihe.core.actor import Actor
from sihe.core.errors import ValidationFailed
from sihe.ledger.models import Account, PostingRule, PostingRuleLine
from sihe.ledger.services import _cash_flow_item

FIELDS = ["account", "side", "amount_key", "summary", "cash_flow_item"]


def update_rule_line(*, line: PostingRuleLine, actor: Actor, account: str, side: str, amount_key: str,
                     summary: str, cash_flow_item=None) -> PostingRuleLine:
    target = Account.objects.filter(code=str(account).strip()).first()
    if target is None:
        raise ValidationFailed(_("unknown account %(code)r") % {"code": account}, field="account", code="unknown_account")
    if not target.is_leaf:
        raise ValidationFailed(_("%(code)s has sub-accounts; choose a leaf account") % {"code": target.code}, field="account",
                               code="not_leaf")
    if side not in ("debit", "credit"):
        raise ValidationFailed(_("the side must be debit or credit"), field="side")
    amount_key = str(amount_key).strip()
    if not amount_key.isidentifier():
        raise ValidationFailed(_("the amount key must be a word such as value, net, tax, total"), field="amount_key")
    item = _cash_flow_item(cash_flow_item, "cash_flow_item") if target.is_cash else None
    with transaction.atomic():
        line = PostingRuleLine.objects.select_for_update().get(pk=line.pk)
        before = audit.snapshot(line, FIELDS)
        line.account, line.side, line.amount_key = target, side, amount_key
        line.summary = (str(summary).strip() or "{memo}")[:200]
        line.cash_flow_item = item
        line.save()
        audit.record_changes(line, actor=actor, before=before)
        PostingRule.objects.filter(pk=line.rule_id).update(updated_at=actor.at, updated_by=actor.username)
    return line


def set_rule_active(*, rule: PostingRule, active: bool, actor: Actor) -> PostingRule:
    with transaction.atomic():
        before = audit.snapshot(rule, ["active"])
        rule.active = bool(active)
        rule.updated_at, rule.updated_by = actor.at, actor.username
        rule.save(update_fields=["active", "updated_at", "updated_by"])
        audit.record_changes(rule, actor=actor, before=before)
    return rule
