"""Posting rule `purchasing.return` (退货给供应商): the goods leave stock through costing as an
issue to 1901 待处理财产损溢 at their cost (stock.adjustment.loss: Dr 1901 / Cr 1405); this rule
clears 1901 against the estimate: Dr 2202.02 the receipt cost of the returned quantity, Cr 1901 the
stock cost, the difference (moving average ≠ receipt cost) to 5401."""

from django.db import migrations

RULE = ("purchasing.return", "退货给供应商(冲暂估)", [
    ("2202.02", "debit", "estimate", "退货冲暂估 {memo}", {"partner": "grni_partner"}),
    ("5401", "debit", "variance", "退货成本差异 {memo}", {}),
    ("1901", "credit", "cost", "退货 {memo}", {}),
    ("5401", "credit", "variance_credit", "退货成本差异 {memo}", {}),
])


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


def unseed(apps, schema_editor):
    apps.get_model("ledger", "PostingRule").objects.filter(code=RULE[0]).delete()


class Migration(migrations.Migration):
    dependencies = [("purchasing", "0002_seed_rules")]
    operations = [migrations.RunPython(seed, unseed)]
