"""The units every company starts with; more can be added in the admin."""

from django.db import migrations

UNITS = [
    ("PCS", "件", 0), ("EA", "个", 0), ("BOX", "箱", 0), ("BTL", "瓶", 0), ("BAG", "袋", 0),
    ("PACK", "盒", 0), ("SET", "套", 0), ("PR", "双", 0), ("KG", "千克", 3), ("G", "克", 1),
    ("L", "升", 3), ("M", "米", 2), ("T", "吨", 3),
]


def add_units(apps, schema_editor):
    Uom = apps.get_model("catalog", "Uom")
    for code, name, precision in UNITS:
        Uom.objects.get_or_create(code=code, defaults={"name": name, "precision": precision})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(add_units, migrations.RunPython.noop)]
