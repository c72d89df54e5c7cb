"""摘要 that people read: the posting rules' templates name the document (`{document}`: the order,
shipment or invoice number) and, for goods, what moved (`{goods}`: 蓝月亮洗衣液×3) instead of the
internal id (`{source_id}`: "销售出库 17"). Lines an accountant has rewritten keep their words."""

from django.db import migrations

GOODS_RULES = ("stock.", "production.")


def forwards(apps, schema_editor):
    PostingRuleLine = apps.get_model("ledger", "PostingRuleLine")
    for line in PostingRuleLine.objects.select_related("rule").filter(summary__contains="{source_id}"):
        with_goods = line.rule.code.startswith(GOODS_RULES)
        line.summary = line.summary.replace("{source_id}", "{document} {goods}" if with_goods else "{document}")[:200]
        line.save(update_fields=["summary"])


def backwards(apps, schema_editor):
    PostingRuleLine = apps.get_model("ledger", "PostingRuleLine")
    for line in PostingRuleLine.objects.filter(summary__contains="{document}"):
        line.summary = line.summary.replace("{document} {goods}", "{source_id}").replace("{document}", "{source_id}")
        line.save(update_fields=["summary"])


class Migration(migrations.Migration):
    dependencies = [("costing", "0002_reverse_posting_rules"), ("purchasing", "0003_return_rule"),
                    ("ledger", "0004_opening_balance_source")]
    operations = [migrations.RunPython(forwards, backwards)]
