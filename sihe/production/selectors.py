"""Reads of production for the API and the pages: orders (one by id or number, lists, those on the
floor), work centres and BOMs, and an order as the API answers it."""

from django.utils.translation import gettext as _

from sihe.core.errors import NotFound
from sihe.core.money import text

# ProductionOrder is re-exported: the pages read its Status choices.
from sihe.production.models import Bom, ProductionOrder, WorkCentre
from sihe.production.transitions import LIFE, WORKING


def order(key) -> ProductionOrder:
    """By id or number."""
    qs = ProductionOrder.objects.select_related("product__uom", "warehouse", "bom")
    found = None
    text_key = str(key).strip()
    if text_key.isdigit() and int(text_key) < 2**63:
        found = qs.filter(pk=int(text_key)).first()
    found = found or qs.filter(number=text_key[:30]).first()
    if found is None:
        raise NotFound(_("no production order %(key)s") % {"key": text_key[:40]}, field="id")
    return found


def orders(*, status: str = "", q: str = ""):
    qs = ProductionOrder.objects.select_related("product", "warehouse").order_by("-id")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(number__icontains=q) | qs.filter(product__sku__icontains=q)
    return qs


def working_orders():
    """Released or in progress: what the floor issues material to, earliest due first."""
    return ProductionOrder.objects.filter(status__in=sorted(WORKING)).select_related(
        "product", "warehouse").order_by("due_date", "pk")


def work_centres(*, active_only: bool = False):
    found = WorkCentre.objects.select_related("warehouse").order_by("code")
    return found.filter(active=True) if active_only else found


def boms():
    return (Bom.objects.select_related("product").prefetch_related("lines__component", "operations__work_centre")
            .order_by("product__sku", "-version"))


def work_centre(code: str) -> WorkCentre:
    found = WorkCentre.objects.filter(code=str(code or "").strip()).first()
    if found is None:
        raise NotFound(_("no work centre %(code)s") % {"code": code}, field="work_centre")
    return found


def bom(pk) -> Bom:
    found = Bom.objects.filter(pk=pk).select_related("product").first() if str(pk).isdigit() else None
    if found is None:
        raise NotFound(_("no BOM %(id)s") % {"id": pk}, field="bom")
    return found


def order_out(o: ProductionOrder, *, costs: bool = True) -> dict:
    """The order as the API answers it; its money only for readers with costing.view."""
    unit = (o.total_cost / o.good_qty) if o.good_qty else None
    money = {
        "materials_cost": text(o.materials_cost, places=2), "labour_cost": text(o.labour_cost, places=2),
        "overhead_cost": text(o.overhead_cost, places=2), "by_product_cost": text(o.by_product_cost, places=2),
        "received_cost": text(o.received_cost, places=2), "variance": text(o.variance, places=2),
        "unit_cost": text(unit, places=6) if unit is not None else None, "wip": text(o.wip, places=2),
    } if costs else dict.fromkeys(("materials_cost", "labour_cost", "overhead_cost", "by_product_cost",
                                   "received_cost", "variance", "unit_cost", "wip"))
    return {
        "id": o.pk, "number": o.number, "sku": o.product.sku, "name": o.product.name, "qty": text(o.qty),
        "warehouse": o.warehouse.code, "due_date": o.due_date.isoformat(), "status": o.status,
        "bom": {"id": o.bom_id, "version": o.bom.version}, "good": text(o.good_qty), "scrap": text(o.scrap_qty),
        "received": text(o.received_qty), "minutes": text(o.minutes), **money,
        "allowed_actions": LIFE.allowed_actions(o.status),
        "lines": [{"sku": ln.component.sku, "name": ln.component.name, "per_unit": text(ln.qty_per_unit),
                   "required": text(ln.required_qty), "reserved": text(ln.reserved_qty), "issued": text(ln.issued_qty),
                   "returned": text(ln.returned_qty),
                   "issued_value": text(ln.issued_value, places=2) if costs else None}
                  for ln in o.lines.select_related("component").order_by("seq")],
        "reports": [{"work_centre": r.work_centre.code, "good": text(r.good), "scrap": text(r.scrap),
                     "minutes": text(r.minutes), "operator": r.operator, "at": r.reported_at.isoformat()}
                    for r in o.reports.select_related("work_centre")],
    }
