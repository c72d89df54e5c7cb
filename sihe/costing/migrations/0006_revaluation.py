"""Revaluation layers (入库成本调整): `revalued_qty`, and the rule `stock.revaluation` — Dr 库存商品 / Cr 主营业务成本
the share of a supplier invoice's price difference or non-deductible tax that belongs to goods still in stock
(the invoice debited the whole of it to 主营业务成本) — with its reverse for an invoice cheaper than the receipt."""

from decimal import Decimal

from django.db import migrations, models

RULES = [
    ("stock.revaluation", "入库成本调整", [
        ("1405", "debit", "入库成本调整 {document} {goods}"),
        ("5401", "credit", "入库成本调整 {document}"),
    ]),
    ("stock.revaluation.reverse", "入库成本调整(红字)", [
        ("5401", "debit", "入库成本调整 {document}"),
        ("1405", "credit", "入库成本调整 {document} {goods}"),
    ]),
]


def seed(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    PostingRule = apps.get_model("ledger", "PostingRule")
    PostingRuleLine = apps.get_model("ledger", "PostingRuleLine")
    for code, name, lines in RULES:
        rule, created = PostingRule.objects.get_or_create(code=code, defaults={"name": name, "word": "记"})
        if created:
            for seq, (account, side, summary) in enumerate(lines, start=1):
                PostingRuleLine.objects.create(rule=rule, seq=seq, account=Account.objects.get(code=account), side=side,
                                               amount_key="value", summary=summary, dimension_map={})


def unseed(apps, schema_editor):
    apps.get_model("ledger", "PostingRule").objects.filter(code__in=[code for code, _n, _l in RULES]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("costing", "0005_recost_jobs"),
        ("ledger", "0002_seed_chart"),
    ]

    operations = [
        migrations.AddField(
            model_name="valuationlayer",
            name="revalued_qty",
            field=models.DecimalField(decimal_places=6, default=Decimal("0"), help_text="a revaluation layer: the quantity its amount is for", max_digits=20),
        ),
        migrations.RunPython(seed, unseed),
    ]
