"""A small company for order-to-cash stories: one T-shirt SKU stocked in Shanghai and Guangzhou,
Taobao, Douyin and Shopify shops whose sample SKUs map to it, and a dealer channel."""

import datetime
from decimal import Decimal

from sihe.catalog.models import Channel, Company, Location, Partner, Product, Uom, Warehouse, Zone
from sihe.core.actor import Actor
from sihe.costing import services as costing
from sihe.oms import services
from sihe.oms.models import CurrencyRate
from sihe.stock.services import InLine

D = Decimal
TAX_CODE = "1040201990000000000"
SAMPLE_SKUS = ("TS-001-M-BLK", "SK-002-WHT", "MUG-350-WHT")
PLACES = {"SH": ("上海仓", "上海市", "上海市", "31.244610", "121.214870"),
          "GZ": ("广州仓", "广东省", "广州市", "23.321480", "113.354920")}


def warehouse(code: str) -> Warehouse:
    name, province, city, lat, lng = PLACES[code]
    wh = Warehouse.objects.create(code=code, name=name, province=province, city=city, latitude=D(lat), longitude=D(lng))
    zone = Zone.objects.create(warehouse=wh, code="A", name="A")
    Location.objects.create(warehouse=wh, zone=zone, code="DOCK", kind="dock")
    Location.objects.create(warehouse=wh, zone=zone, code="A-01-01-01", kind="bin", aisle=1, position=1)
    return wh


def build(*, stock: dict[str, int], unit_costs: dict[str, str] | None = None) -> dict:
    """stock: {"SH": 4, "GZ": 4} units of TEE; returns the world's objects."""
    actor = Actor.system("test")
    Company.objects.get_or_create(name="四合示范贸易有限公司", defaults={"credit_code": "91310000MA1FL8XQ30"})
    tee = Product.objects.create(sku="TEE-BLK-M", name="纯棉短袖T恤 黑色 M", uom=Uom.objects.get(code="PCS"),
                                 tax_rate=D("0.13"), tax_code=TAX_CODE, tax_short_name="服装", weight=D("0.25"))
    houses = {code: warehouse(code) for code in stock}
    costs = unit_costs or {"SH": "20.00", "GZ": "24.00"}
    for code, qty in stock.items():
        if qty:
            costing.receive(warehouse=houses[code], lines=[InLine(product=tee, qty=D(qty), unit_cost=D(costs[code]))],
                            actor=actor, reference=f"OPEN-{code}", date=datetime.date(2026, 11, 1))
    channels = {
        "tb": Channel.objects.create(code="tb", type="taobao", name="四合天猫旗舰店"),
        "dy": Channel.objects.create(code="dy", type="douyin", name="四合抖音小店"),
        "sp": Channel.objects.create(code="sp", type="shopify", name="Sihe Global"),
        "dealer": Channel.objects.create(code="dealer", type="dealer", name="经销商订货"),
    }
    for code in ("tb", "dy", "sp"):
        for sku in SAMPLE_SKUS:
            services.map_sku(channel=channels[code], channel_sku=sku, product=tee, actor=actor)
    CurrencyRate.objects.create(currency="USD", date=datetime.date(2020, 1, 1), rate=D("7.100000"))
    dealer = Partner.objects.create(code="C-DEALER-01", name="杭州好运商贸有限公司", kind="customer",
                                    province="浙江省", city="杭州市", district="西湖区", address="文三路 100 号",
                                    tax_id="91330106MA2B3C4D5E")
    return {"actor": actor, "tee": tee, "wh": houses, "channels": channels, "dealer": dealer}


def dealer_order(order_id: str, qty: int, price: str = "50.00", *, city: str = "杭州市",
                 province: str = "浙江省") -> dict:
    return {"order_id": order_id, "customer": "C-DEALER-01", "status": "paid",
            "created_at": "2026-11-25T09:00:00+08:00", "paid_at": "2026-11-25T09:00:00+08:00",
            "receiver": {"name": "王经理", "phone": "13800000000", "province": province, "city": city,
                         "district": "西湖区", "address": "文三路 100 号"},
            "lines": [{"sku": "TEE-BLK-M", "qty": str(qty), "price": price}]}
