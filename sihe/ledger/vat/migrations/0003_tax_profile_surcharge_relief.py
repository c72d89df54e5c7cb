"""TaxProfile.surcharge_relief: a 小规模纳税人 claims the 六税两费 half rate on its 附加税 (财政部 税务总局公告2023年第12号,
2023-01 … 2027-12, `models.SURCHARGE_RELIEFS`). On by default, so an existing 小规模 company gets it from now on."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger_vat', '0002_vat_column_directions_and_pending_input'),
    ]

    operations = [
        migrations.AddField(
            model_name='taxprofile',
            name='surcharge_relief',
            field=models.BooleanField(default=True, verbose_name='half-rate surcharges (六税两费)'),
        ),
    ]
