"""The posting rules a refund books when the order was already settled: the money goes back the way it
came — `refund.platform` (应收账款 debit / 其他货币资金 credit) and `refund.bank` (应收账款 debit / 银行存款
credit), the platform and bank receipts with their sides swapped (the fee stays with the platform).
Data like the seeded rules: an accountant may change them on the rules page."""

from django.db import migrations

RULES = {"refund.platform": ("receipt.platform", "退款(平台)"), "refund.bank": ("receipt.bank", "退款(银行)")}


def seed(apps, schema_editor):
    PostingRule = apps.get_model("ledger", "PostingRule")
    PostingRuleLine = apps.get_model("ledger", "PostingRuleLine")
    for code, (original_code, name) in RULES.items():
        original = PostingRule.objects.filter(code=original_code).first()
        if original is None or PostingRule.objects.filter(code=code).exists():
            continue
        rule = PostingRule.objects.create(code=code, name=name, word=original.word)
        seq = 0
        for line in PostingRuleLine.objects.filter(rule=original).order_by("seq"):
            if line.amount_key == "fee":
                continue
            seq += 1
            PostingRuleLine.objects.create(
                rule=rule, seq=seq, account_id=line.account_id, side="credit" if line.side == "debit" else "debit",
                amount_key="amount", summary=f"退款 {line.summary.split(' ', 1)[-1]}"[:200],
                dimension_map=line.dimension_map, cash_flow_item_id=line.cash_flow_item_id)


def unseed(apps, schema_editor):
    apps.get_model("ledger", "PostingRule").objects.filter(code__in=list(RULES)).delete()


class Migration(migrations.Migration):
    dependencies = [("aftersales", "0001_initial"), ("ledger", "0002_seed_chart")]
    operations = [migrations.RunPython(seed, unseed)]
