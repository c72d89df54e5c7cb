"""The order list pages by keyset on (received_at, id); on PostgreSQL its search (`icontains` on number,
external id, receiver and buyer, which Django writes as UPPER(col) LIKE UPPER('%q%')) reads trigram
indexes (pg_trgm) instead of scanning every order. A no-op for the search on SQLite."""

from django.db import migrations, models

SEARCH_COLUMNS = ("number", "external_id", "receiver_name", "buyer_nick")


def trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCH_COLUMNS:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS oms_order_{column}_trgm ON oms_order '
                              f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCH_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS oms_order_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("oms", "0008_settlement_kind_advance")]

    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["received_at", "id"], name="oms_order_received_keyset"),
        ),
        migrations.RunPython(trigram_indexes, drop_trigram_indexes),
    ]
