"""Purchase orders and supplier payments take their numbers from core.numbering: the series start after
the highest number given so far (PO000123 → the next is PO000124)."""

import re

from django.db import migrations


def seed(apps, schema_editor):
    NumberSeries = apps.get_model("core", "NumberSeries")
    for model, prefix, series in (("PurchaseOrder", "PO", "purchasing.order"),
                                  ("SupplierPayment", "PAY", "purchasing.payment")):
        numbers = apps.get_model("purchasing", model).objects.values_list("number", flat=True)
        last = max((int(m.group(1)) for n in numbers if (m := re.fullmatch(rf"{prefix}(\d+)", n))), default=0)
        if last:
            NumberSeries.objects.update_or_create(series=series, period="", defaults={"last": last})


class Migration(migrations.Migration):
    dependencies = [("purchasing", "0004_verbose_names"), ("core", "0005_number_series")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
