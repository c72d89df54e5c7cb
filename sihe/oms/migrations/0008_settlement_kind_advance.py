# A settlement may be an advance applied (预收账款 / 应收账款, sihe.oms.b2b): a new choice, no data.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('oms', '0007_order_promised_ship_time'),
    ]

    operations = [
        migrations.AlterField(
            model_name='settlement',
            name='kind',
            field=models.CharField(choices=[('platform', 'platform settlement'), ('bank', 'bank receipt'), ('advance', 'advance applied (预收冲应收)')], max_length=10),
        ),
    ]
