"""Demo purchasing (a step for `sihe demo`): three purchase orders of the first supplier into SH —

- demo:approve  a large draft (above ¥50,000) waiting for the manager's approval;
- demo:receive  a confirmed order whose expected receipt the warehouse can scan on the handheld;
- demo:paid     received in full by scans, invoiced with a small price variance and 60 % paid,
                so that /purchasing/ap-aging/ shows what is owed.

Idempotent by the order's memo; calls services only.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone

from sihe.catalog.models import Partner, Product, Warehouse
from sihe.core.actor import Actor
from sihe.purchasing import services
from sihe.purchasing.models import PurchaseOrder

ORDERS = ["demo:approve", "demo:receive", "demo:paid"]


def _products() -> list[Product]:
    return list(Product.objects.filter(active=True, gtin__isnull=False, tracking__in=["none", "lot", "lot_expiry"])
                .order_by("sku")[:3])


def _barcode(product: Product, today: datetime.date, n: int) -> str:
    code = f"(01)0{product.gtin}"
    if product.tracking in ("lot", "lot_expiry"):
        code += f"(10)DEMO{today:%y%m}{n}"
    if product.tracking == "lot_expiry":
        code += f"(17){today + datetime.timedelta(days=365):%y%m%d}"
    return code


def load_purchasing(*, actor: Actor, advance: Callable[[int], None]) -> int:
    from sihe.wms.inbound import services as inbound
    from sihe.wms.inbound.models import Asn

    supplier = Partner.objects.filter(kind="supplier", active=True).order_by("code").first()
    warehouse = Warehouse.objects.filter(code="SH").first() or Warehouse.objects.order_by("code").first()
    products = _products()
    done = set(PurchaseOrder.objects.filter(memo__in=ORDERS).values_list("memo", flat=True))
    if supplier is None or warehouse is None or len(products) < 2:
        advance(len(ORDERS))
        return 0
    today = timezone.localdate(actor.at)
    created = 0
    if "demo:approve" not in done:
        services.create_order(supplier=supplier, warehouse=warehouse, actor=actor, memo="demo:approve",
                              expected_date=today + datetime.timedelta(days=10), lines=[
                                  services.OrderLine(product=products[0], qty="6000", price="9.80"),
                                  services.OrderLine(product=products[1], qty="2400", price="6.50", field="lines[1]")])
        created += 1
    advance(1)
    if "demo:receive" not in done:
        po = services.create_order(supplier=supplier, warehouse=warehouse, actor=actor, memo="demo:receive",
                                   expected_date=today + datetime.timedelta(days=2), lines=[
                                       services.OrderLine(product=products[0], qty="120", price="9.80"),
                                       services.OrderLine(product=products[-1], qty="60", price="12.00",
                                                          field="lines[1]")])
        services.confirm(order=po, actor=actor)
        created += 1
    advance(1)
    if "demo:paid" not in done:
        po = services.create_order(supplier=supplier, warehouse=warehouse, actor=actor, memo="demo:paid",
                                   lines=[services.OrderLine(product=products[1], qty="200", price="6.50")])
        po = services.confirm(order=po, actor=actor)
        inbound.receive_scan(asn=Asn.objects.get(pk=po.asn_id), barcode=_barcode(products[1], today, 1), qty="200",
                             actor=actor)
        invoice = services.post_invoice(order=po, number=f"DEMO{today:%Y%m%d}", actor=actor, lines=[
            services.InvoiceLine(product=products[1], qty="200", price="6.55")])
        services.pay(supplier=supplier, amount=(invoice.total * Decimal("0.6")).quantize(Decimal("0.01")),
                     actor=actor, reference="DEMO-BANK")
        created += 1
    advance(1)
    return created
