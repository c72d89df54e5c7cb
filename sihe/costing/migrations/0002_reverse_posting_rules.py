"""Posting rules for the opposite direction of each stock rule (`<rule>.reverse`, sides swapped).

The ledger's `book()` refuses negative amounts; a reversal of a stock act, a cost adjustment that
lowers cost of goods sold, or a re-costing that lowers a cost books the opposite rule instead.
They are data like the seeded rules: an accountant can change them on the rules page.
"""

from django.db import migrations

RULES = ["stock.receipt", "stock.issue", "stock.adjustment.gain", "stock.adjustment.loss", "stock.scrap",
         "stock.transfer", "production.consume", "production.output"]


def seed(apps, schema_editor):
    PostingRule = apps.get_model("ledger", "PostingRule")
    PostingRuleLine = apps.get_model("ledger", "PostingRuleLine")
    for code in RULES:
        original = PostingRule.objects.filter(code=code).first()
        if original is None:
            continue
        rule, created = PostingRule.objects.get_or_create(
            code=f"{code}.reverse", defaults={"name": f"{original.name}(红字)"[:100], "word": original.word})
        if not created:
            continue
        for line in PostingRuleLine.objects.filter(rule=original).order_by("seq"):
            PostingRuleLine.objects.create(
                rule=rule, seq=line.seq, account_id=line.account_id, side="credit" if line.side == "debit" else "debit",
                amount_key=line.amount_key, summary=f"冲回 {line.summary}"[:200], dimension_map=line.dimension_map,
                cash_flow_item_id=line.cash_flow_item_id)


def unseed(apps, schema_editor):
    apps.get_model("ledger", "PostingRule").objects.filter(code__in=[f"{c}.reverse" for c in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("costing", "0001_initial"), ("ledger", "0002_seed_chart")]
    operations = [migrations.RunPython(seed, unseed)]
