"""Seed data of purchasing: the supplier-invoice posting rule and the default approval rules.

`purchasing.invoice` (供应商发票·三单匹配): Dr 2202.02 应付账款—暂估 the receipt cost of what is
invoiced (partner left empty, as receipts book it), Dr 2221.01.01 进项税额, Dr/Cr 5401 the price
variance (dearer / cheaper than the receipt cost), Cr 2202.01 应付账款 (partner = supplier).
Approval rules: from ¥50,000 (tax incl.) a manager approves; from ¥200,000 an admin approves too.
Both are data: an accountant edits the rule on /ledger/rules/, an admin the approval rules in /admin/.
"""

from decimal import Decimal

from django.db import migrations

RULE = ("purchasing.invoice", "供应商发票(三单匹配,冲暂估)", [
    ("2202.02", "debit", "estimate", "冲暂估 {memo}", {"partner": "grni_partner"}),
    ("5401", "debit", "variance", "采购价差 {memo}", {}),
    ("2221.01.01", "debit", "tax", "进项税额 {memo}", {}),
    ("5401", "credit", "variance_credit", "采购价差 {memo}", {}),
    ("2202.01", "credit", "total", "应付货款 {memo}", {}),
])

APPROVALS = [(1, Decimal("50000.00"), "manager", "经理审批"), (2, Decimal("200000.00"), "admin", "总经理审批")]


def seed(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    PostingRule = apps.get_model("ledger", "PostingRule")
    PostingRuleLine = apps.get_model("ledger", "PostingRuleLine")
    code, name, lines = RULE
    rule, created = PostingRule.objects.get_or_create(code=code, defaults={"name": name, "word": "记"})
    if created:
        for seq, (account, side, key, summary, dims) in enumerate(lines, start=1):
            PostingRuleLine.objects.create(rule=rule, seq=seq, account=Account.objects.get(code=account), side=side,
                                           amount_key=key, summary=summary, dimension_map=dims)
    ApprovalRule = apps.get_model("purchasing", "ApprovalRule")
    for level, amount, role, label in APPROVALS:
        ApprovalRule.objects.get_or_create(level=level, defaults={"min_amount": amount, "role": role, "name": label})


def unseed(apps, schema_editor):
    apps.get_model("ledger", "PostingRule").objects.filter(code=RULE[0]).delete()
    apps.get_model("purchasing", "ApprovalRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("purchasing", "0001_initial"), ("ledger", "0002_seed_chart")]
    operations = [migrations.RunPython(seed, unseed)]
