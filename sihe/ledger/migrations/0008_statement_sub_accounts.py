"""The 损益类 sub-accounts the 利润表 其中 lines read (5403.03 城市维护建设税, 5602.02 业务招待费, 5603.01 利息费用 …)
and the ones the system books to (5601.03 平台佣金及服务费, 5601.06/5602.06 折旧费, 5301.02/5711.06 处置损益), for a
database seeded before they were in the chart (a new database gets them from 0002).

A parent that is still a leaf gets its sub-accounts. When it is in use (posted lines, balances, opening
balances) its balance first moves into its 其他 (.99) sub-account, as adding a child on the chart page does
(`sihe.ledger.accounts._move_into`): the opening balances and the balance projection's rows are moved, the
posted vouchers stay as they are and are read as the child's (`moved_into`). Posting-rule lines that named
the parent name the sub-account the chart's rules name (receipt.platform → 5601.03), else the 其他 one.
A code the accountant already uses is left alone, and so is a role another account already carries.
"""

from django.db import migrations

from sihe.ledger.chart import CHART, POSTING_RULES

PARENTS = ("5301", "5403", "5601", "5602", "5603", "5711")
CATCH_ALL = ".99"


def _rule_targets() -> dict[tuple[str, int], str]:
    """(rule code, seq) → the sub-account code the chart's rules book to, for lines under PARENTS."""
    found = {}
    for rule, _name, lines in POSTING_RULES:
        for seq, (code, *_rest) in enumerate(lines, start=1):
            if code.split(".")[0] in PARENTS and "." in code:
                found[(rule, seq)] = code
    return found


def add_sub_accounts(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    Balance = apps.get_model("ledger", "Balance")
    OpeningBalance = apps.get_model("ledger", "OpeningBalance")
    PostingRuleLine = apps.get_model("ledger", "PostingRuleLine")
    VoucherLine = apps.get_model("ledger", "VoucherLine")
    targets = _rule_targets()
    for parent_code in PARENTS:
        parent = Account.objects.filter(code=parent_code).first()
        if parent is None:
            continue
        children = [row for row in CHART if row[0].startswith(parent_code + ".")]
        # the 其他 sub-account first: an in-use parent's balance moves into it
        children.sort(key=lambda row: not row[0].endswith(CATCH_ALL))
        made = {}
        for code, name, name_en, category, direction, options in children:
            if Account.objects.filter(code=code).exists():
                continue
            options = dict(options)
            if options.get("role") and Account.objects.filter(role=options["role"]).exists():
                options.pop("role")
            # a parent in use keeps its dimensions on the child, so the moved rows still fit
            for dim in ("partner", "department", "project", "warehouse"):
                if getattr(parent, f"dim_{dim}"):
                    options[f"dim_{dim}"] = True
            made[code] = Account.objects.create(
                code=code, name=name, name_en=name_en, category=category, direction=direction, parent=parent,
                level=parent.level + 1, is_cash=parent.is_cash, **options)
        if not made or not parent.is_leaf:
            continue
        catch_all = made.get(parent_code + CATCH_ALL) or next(iter(made.values()))
        for line in PostingRuleLine.objects.filter(account=parent).select_related("rule"):
            line.account = made.get(targets.get((line.rule.code, line.seq)), catch_all)
            line.save(update_fields=["account"])
        OpeningBalance.objects.filter(account=parent).update(account=catch_all)
        moved_balances = Balance.objects.filter(account=parent).update(account=catch_all)
        if moved_balances or VoucherLine.objects.filter(account=parent).exists():
            parent.moved_into = catch_all
        parent.is_leaf = False
        parent.save(update_fields=["is_leaf", "moved_into"])


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_opening_year_to_date")]
    operations = [migrations.RunPython(add_sub_accounts, migrations.RunPython.noop)]
