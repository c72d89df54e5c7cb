"""The posting rules of production (data an accountant may change on /ledger/rules/):

- production.consume: components leave stock for the order — Dr 4001 生产成本 / Cr 1405 (Sihe keeps all
  goods on 1405 per warehouse, as its receipts book them; the seed said 1403 原材料, which no receipt debits);
- production.return: unused components back — Dr 1405 / Cr 4001;
- production.labour: Dr 4001 / Cr 2211 应付职工薪酬; production.overhead: Dr 4001 / Cr 4101 制造费用;
- production.variance: what is left on a closed order — Dr 5401 主营业务成本 / Cr 4001 (and `.reverse`).
4001's project is the production order number; 4101's department the work centre."""

from django.db import migrations

RULES = [
    ("production.return", "生产退料", [
        ("1405", "debit", "value", "生产退料 {document} {goods}", {}),
        ("4001", "credit", "value", "生产退料 {document} {goods}", {}),
    ]),
    ("production.return.reverse", "冲回 生产退料", [
        ("4001", "debit", "value", "冲回 生产退料 {document} {goods}", {}),
        ("1405", "credit", "value", "冲回 生产退料 {document} {goods}", {}),
    ]),
    ("production.labour", "生产人工", [
        ("4001", "debit", "value", "直接人工 {document} {goods}", {}),
        ("2211", "credit", "value", "计提生产工资 {document} {goods}", {}),
    ]),
    ("production.labour.reverse", "冲回 生产人工", [
        ("2211", "debit", "value", "冲回 生产工资 {document} {goods}", {}),
        ("4001", "credit", "value", "冲回 直接人工 {document} {goods}", {}),
    ]),
    ("production.overhead", "制造费用分配", [
        ("4001", "debit", "value", "分配制造费用 {document} {goods}", {}),
        ("4101", "credit", "value", "制造费用转入生产成本 {document} {goods}", {}),
    ]),
    ("production.overhead.reverse", "冲回 制造费用分配", [
        ("4101", "debit", "value", "冲回 制造费用 {document} {goods}", {}),
        ("4001", "credit", "value", "冲回 分配制造费用 {document} {goods}", {}),
    ]),
    ("production.variance", "生产成本差异", [
        ("5401", "debit", "value", "生产成本差异 {document}", {}),
        ("4001", "credit", "value", "结转生产成本差异 {document}", {}),
    ]),
    ("production.variance.reverse", "生产成本差异(贷)", [
        ("4001", "debit", "value", "结转生产成本差异 {document}", {}),
        ("5401", "credit", "value", "生产成本差异 {document}", {}),
    ]),
]


def seed(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    PostingRule = apps.get_model("ledger", "PostingRule")
    PostingRuleLine = apps.get_model("ledger", "PostingRuleLine")
    for code, name, lines in RULES:
        rule, created = PostingRule.objects.get_or_create(code=code, defaults={"name": name, "word": "记"})
        if created:
            for seq, (account, side, key, summary, dims) in enumerate(lines, start=1):
                PostingRuleLine.objects.create(rule=rule, seq=seq, account=Account.objects.get(code=account),
                                               side=side, amount_key=key, summary=summary, dimension_map=dims)
    # consumption leaves 1405, where every receipt put the goods (unless an accountant chose otherwise)
    inventory = Account.objects.get(code="1405")
    PostingRuleLine.objects.filter(rule__code__in=["production.consume", "production.consume.reverse"],
                                   account__code="1403").update(account=inventory)


def unseed(apps, schema_editor):
    PostingRule = apps.get_model("ledger", "PostingRule")
    PostingRule.objects.filter(code__in=[code for code, _n, _l in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("production", "0001_initial"), ("costing", "0003_summaries_name_the_document"),
                    ("ledger", "0004_opening_balance_source")]
    operations = [migrations.RunPython(seed, unseed)]
