"""Seed the 小企业会计准则 chart of accounts, the 现金流量项目 of 会小企03表 and the posting rules."""

from django.db import migrations

from sihe.ledger.chart import CASH_FLOW_ITEMS, CHART, POSTING_RULES, cash_flow_code


def seed(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    CashFlowItem = apps.get_model("ledger", "CashFlowItem")
    PostingRule = apps.get_model("ledger", "PostingRule")
    PostingRuleLine = apps.get_model("ledger", "PostingRuleLine")
    by_code = {}
    for code, name, name_en, category, direction, options in CHART:
        parent_code = code.rsplit(".", 1)[0] if "." in code else None
        parent = by_code.get(parent_code)
        account, _ = Account.objects.get_or_create(
            code=code,
            defaults={
                "name": name, "name_en": name_en, "category": category, "direction": direction,
                "parent": parent, "level": code.count(".") + 1, **options,
            },
        )
        by_code[code] = account
        if parent is not None and parent.is_leaf:
            parent.is_leaf = False
            parent.save(update_fields=["is_leaf"])
    items = {}
    for line_no, name, name_en, activity, inflow in CASH_FLOW_ITEMS:
        items[line_no], _ = CashFlowItem.objects.get_or_create(
            code=cash_flow_code(line_no),
            defaults={"line_no": line_no, "name": name, "name_en": name_en, "activity": activity, "inflow": inflow},
        )
    for code, name, lines in POSTING_RULES:
        rule, created = PostingRule.objects.get_or_create(code=code, defaults={"name": name})
        if not created:
            continue
        for seq, (account, side, key, summary, dims, cf_line) in enumerate(lines, start=1):
            PostingRuleLine.objects.create(
                rule=rule, seq=seq, account=by_code[account], side=side, amount_key=key, summary=summary,
                dimension_map=dims, cash_flow_item=items.get(cf_line),
            )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
