"""Issue 18: intake's product read — the channel's SKU mappings and our SKUs in one statement — gives each line
the product the ORM reads gave: a mapping of the platform's SKU first, then one of the outer id, then our SKU."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sihe.catalog.models import Product, Uom
from sihe.oms import services
from sihe.oms.intake import UnknownSku, resolve_products
from tests.oms.world import D, build


def line(channel_sku: str = "", outer_sku: str = "", name: str = "商品"):
    return SimpleNamespace(channel_sku=channel_sku, outer_sku=outer_sku, name=name, spec={"颜色": "白色"})


@pytest.fixture
def world(db, clock):
    clock.at(2026, 11, 26)
    world = build(stock={"SH": 10})
    pcs, box = Uom.objects.get(code="PCS"), Uom.objects.create(code="BOX12", name="箱")
    world["mug"] = Product.objects.create(sku="MUG-350-WHT", name="马克杯", uom=box, tax_rate=D("0.13"))
    world["cap"] = Product.objects.create(sku="CAP-RED", name="棒球帽", uom=pcs, tax_rate=D("0.13"))
    world["old"] = Product.objects.create(sku="OLD-1", name="停售", uom=pcs, tax_rate=D("0.13"), active=False)
    # the sample mapping sends the platform's "MUG-350-WHT" to the T-shirt, although a product has that SKU
    services.map_sku(channel=world["channels"]["tb"], channel_sku="99-CAP", product=world["cap"], actor=world["actor"])
    return world


def test_each_line_gets_the_mapped_product_first_then_our_sku_in_one_statement(world):
    tee, mug, cap = world["tee"], world["mug"], world["cap"]
    order = SimpleNamespace(lines=[
        line(channel_sku="99-CAP", outer_sku="MUG-350-WHT"),  # the platform SKU's mapping wins over the outer id
        line(channel_sku="777", outer_sku="MUG-350-WHT"),  # the outer id is mapped on this channel: the mapping
        line(outer_sku="CAP-RED"),  # no mapping: our SKU
        line(channel_sku="888", outer_sku="TEE-BLK-M"),
    ])
    with CaptureQueriesContext(connection) as read:
        found = resolve_products(world["channels"]["tb"], order)
        units = [p.uom.code for p in found]  # attached with the product, not read again
    assert [p.pk for p in found] == [cap.pk, tee.pk, cap.pk, tee.pk]
    assert units == ["PCS", "PCS", "PCS", "PCS"]
    assert len(read.captured_queries) == 1
    # on a channel with no mappings the outer id is our SKU, with its own unit
    found = resolve_products(world["channels"]["dealer"], SimpleNamespace(lines=[line(outer_sku="MUG-350-WHT")]))
    assert [(p.pk, p.uom.code, p.tax_rate) for p in found] == [(mug.pk, "BOX12", D("0.13"))]


@pytest.mark.parametrize(("lines", "field"), [
    ([line(outer_sku="CAP-RED"), line(channel_sku="404", outer_sku="NOPE", name="不认识")], "lines[1].sku"),
    ([line(outer_sku="OLD-1")], "lines[0].sku"),  # a product no longer sold is refused as unknown
    ([line()], "lines[0].sku"),  # a line with neither id
])
def test_an_unknown_or_inactive_sku_is_refused_naming_the_line(world, lines, field):
    with pytest.raises(UnknownSku) as refused:
        resolve_products(world["channels"]["tb"], SimpleNamespace(lines=lines))
    assert refused.value.field == field


def test_each_order_in_counts_on_the_channels_one_sync_row_made_on_the_first(world, clock):
    """Intake's last write (issue 18: the counter row upserted at the act's end): orders in, when the last came,
    and its lag behind the platform's own time; a row the channel had keeps its settings."""
    from sihe.oms.models import ChannelSync
    from tests.oms.world import dealer_order

    dealer, tb = world["channels"]["dealer"], world["channels"]["tb"]
    ChannelSync.objects.filter(channel=dealer).delete()
    ChannelSync.objects.update_or_create(channel=tb, defaults={"mode": "pull", "cursor": "c-9", "errors": 2})
    start = clock.at(2026, 11, 25, hour=9, minute=1)  # the dealer's order says 09:00 +08:00; the clock runs on
    for number in ("CS-1", "CS-2"):
        services.receive_order(channel_code="dealer", body=dealer_order(number, 1), actor=world["actor"])
    row = ChannelSync.objects.get(channel=dealer)
    assert (row.orders_in, row.mode, row.errors) == (2, "push", 0)
    assert 0 <= (row.last_order_at - start).total_seconds() < 5 and D(60) <= row.last_lag_seconds < D(65)
    assert ChannelSync.objects.values_list("mode", "cursor", "errors", "orders_in").get(channel=tb) == (
        "pull", "c-9", 2, 0)
    # a duplicate is no new order: the count stays
    services.receive_order(channel_code="dealer", body=dealer_order("CS-2", 1), actor=world["actor"])
    assert ChannelSync.objects.get(channel=dealer).orders_in == 2
