"""Invoice numbers come from core.numbering: each year's counter moves to the series `invoicing.invoice`
of that year, then the invoicing counter table goes."""

from django.db import migrations


def move(apps, schema_editor):
    NumberSeries = apps.get_model("core", "NumberSeries")
    for counter in apps.get_model("invoicing", "InvoiceCounter").objects.all():
        NumberSeries.objects.update_or_create(series="invoicing.invoice", period=str(counter.year),
                                              defaults={"last": counter.last})


def back(apps, schema_editor):
    InvoiceCounter = apps.get_model("invoicing", "InvoiceCounter")
    for row in apps.get_model("core", "NumberSeries").objects.filter(series="invoicing.invoice"):
        InvoiceCounter.objects.update_or_create(year=int(row.period), defaults={"last": row.last})


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0004_verbose_names"), ("core", "0005_number_series")]
    operations = [migrations.RunPython(move, back), migrations.DeleteModel(name="InvoiceCounter")]
