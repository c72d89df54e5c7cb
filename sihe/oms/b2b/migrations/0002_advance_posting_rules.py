"""The posting rules of advance receipts (预收账款, 小企业会计准则 2203): `advance.receive` (银行存款 debit /
预收账款 credit, cash flow as a sale's receipt) and `advance.apply` (预收账款 debit / 应收账款 credit, when
the order's revenue is booked). Data like the seeded rules: an accountant may change them on the rules page."""

from django.db import migrations

RULES = {
    "advance.receive": ("预收款", [("1002", "debit", "预收款 {document}", True), ("2203", "credit", "预收款 {document}", False)]),
    "advance.apply": ("预收冲应收", [("2203", "debit", "预收冲应收 {document}", False),
                                ("1122", "credit", "预收冲应收 {document}", False)]),
}


def seed(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    PostingRule = apps.get_model("ledger", "PostingRule")
    PostingRuleLine = apps.get_model("ledger", "PostingRuleLine")
    bank = PostingRule.objects.filter(code="receipt.bank").first()
    if bank is None:  # no chart seeded (a database built without the ledger's seed)
        return
    bank_line = PostingRuleLine.objects.filter(rule=bank, side="debit").first()
    for code, (name, lines) in RULES.items():
        if PostingRule.objects.filter(code=code).exists():
            continue
        accounts = {a.code: a for a in Account.objects.filter(code__in=[ln[0] for ln in lines])}
        if len(accounts) != len(lines):
            continue
        rule = PostingRule.objects.create(code=code, name=name, word=bank.word)
        for seq, (account, side, summary, cash) in enumerate(lines, start=1):
            PostingRuleLine.objects.create(
                rule=rule, seq=seq, account=accounts[account], side=side, amount_key="amount", summary=summary,
                dimension_map={}, cash_flow_item_id=bank_line.cash_flow_item_id if (cash and bank_line) else None)


def unseed(apps, schema_editor):
    apps.get_model("ledger", "PostingRule").objects.filter(code__in=list(RULES)).delete()


class Migration(migrations.Migration):
    dependencies = [("b2b", "0001_initial"), ("ledger", "0002_seed_chart")]
    operations = [migrations.RunPython(seed, unseed)]
