"""Voucher numbers come from core.numbering: each (period, word) counter moves to the series
`ledger.voucher.<word>` of that period, then the ledger's own counter table goes."""

from django.db import migrations


def move(apps, schema_editor):
    NumberSeries = apps.get_model("core", "NumberSeries")
    for counter in apps.get_model("ledger", "VoucherCounter").objects.all():
        NumberSeries.objects.update_or_create(series=f"ledger.voucher.{counter.word}", period=counter.period,
                                              defaults={"last": counter.last})


def back(apps, schema_editor):
    VoucherCounter = apps.get_model("ledger", "VoucherCounter")
    for row in apps.get_model("core", "NumberSeries").objects.filter(series__startswith="ledger.voucher."):
        VoucherCounter.objects.update_or_create(period=row.period, word=row.series.rsplit(".", 1)[1],
                                                defaults={"last": row.last})


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_verbose_names"), ("core", "0005_number_series")]
    operations = [migrations.RunPython(move, back), migrations.DeleteModel(name="VoucherCounter")]
