"""The posting rule a red (负数) invoice books when revenue is recognised at invoice:
`sales.revenue.reverse` — sales.revenue with its sides swapped (应收账款 credit, 主营业务收入 and
销项税额 debit). Data like the seeded rules: an accountant may change it on the rules page."""

from django.db import migrations

ORIGINAL = "sales.revenue"
CODE = "sales.revenue.reverse"


def seed(apps, schema_editor):
    PostingRule = apps.get_model("ledger", "PostingRule")
    PostingRuleLine = apps.get_model("ledger", "PostingRuleLine")
    original = PostingRule.objects.filter(code=ORIGINAL).first()
    if original is None:
        return
    rule, created = PostingRule.objects.get_or_create(
        code=CODE, defaults={"name": f"{original.name}(红字)"[:100], "word": original.word})
    if not created:
        return
    for line in PostingRuleLine.objects.filter(rule=original).order_by("seq"):
        PostingRuleLine.objects.create(
            rule=rule, seq=line.seq, account_id=line.account_id, side="credit" if line.side == "debit" else "debit",
            amount_key=line.amount_key, summary=f"红冲 {line.summary}"[:200], dimension_map=line.dimension_map,
            cash_flow_item_id=line.cash_flow_item_id)


def unseed(apps, schema_editor):
    apps.get_model("ledger", "PostingRule").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0001_initial"), ("ledger", "0002_seed_chart")]
    operations = [migrations.RunPython(seed, unseed)]
