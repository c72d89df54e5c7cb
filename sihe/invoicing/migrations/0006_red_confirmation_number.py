"""A red invoice's 红字发票信息确认单编号 is used once: a partial unique index over red invoices.

Red invoices issued before this carry their own number as the confirmation number (the old fallback),
so they are unique already. Only the verbose name of the column changes (no table rebuild on SQLite,
whose rebuild would drop the immutability triggers of 0003)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('invoicing', '0005_numbers_from_the_numbering_service'),
    ]

    operations = [
        migrations.AlterField(
            model_name='invoice',
            name='confirmation_number',
            field=models.CharField(blank=True, max_length=40, verbose_name='red-letter invoice confirmation number'),
        ),
        migrations.AddConstraint(
            model_name='invoice',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'red')), fields=('confirmation_number',), name='invoice_red_confirmation_once'),
        ),
    ]
