from django.db import migrations


def seed(apps, schema_editor):
    from sihe.assets.models import DEFAULT_CATEGORIES

    Category = apps.get_model("assets", "Category")
    for code, name, life, rate, method in DEFAULT_CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name, "life_months": life, "residual_rate": rate,
                                                            "method": method})


class Migration(migrations.Migration):
    dependencies = [("assets", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
