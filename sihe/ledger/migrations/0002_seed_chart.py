"""Seed the 小企业会计准则 chart of accounts, the 现金流量项目 of 会小企03表 and the posting rules."""

from django.db import migrations

from sihe.ledger.chart import seed_chart


def seed(apps, schema_editor):
    seed_chart(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
