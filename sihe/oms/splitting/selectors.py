"""Reads of split shipments (拆单) for the API and the order page."""

from sihe.core.errors import NotFound
from sihe.core.money import text
from sihe.oms.models import Order
from sihe.oms.splitting import services
from sihe.oms.splitting.models import CarrierWeightLimit, Split, SplitLine
from sihe.wms.models import Shipment


def split(key) -> Split:
    """One split by id or batch number (not found is a 404 naming `split_id`)."""
    key = str(key).strip()
    found = Split.objects.filter(pk=int(key)).first() if key.isdigit() and len(key) < 19 else None
    found = found or Split.objects.filter(number=key).first()
    if found is None:
        raise NotFound(f"no split {key[:40]}", field="split_id", code="unknown_split")
    return found


def splits_of(order: Order) -> list[Split]:
    return list(Split.objects.filter(order=order).select_related("warehouse").order_by("pk"))


def split_out(s: Split) -> dict:
    parts = list(s.parts.order_by("part"))
    numbers = [p.shipment_number for p in parts]
    states = dict(Shipment.objects.filter(number__in=numbers).values_list("number", "state"))
    ids = dict(Shipment.objects.filter(number__in=numbers).values_list("number", "pk"))
    lines = SplitLine.objects.filter(part__split=s).select_related("order_line__product", "part").order_by("pk")
    by_part: dict[int, list[dict]] = {}
    for ln in lines:
        by_part.setdefault(ln.part.part, []).append({"line": ln.order_line.line_no, "sku": ln.order_line.product.sku,
                                                     "qty": text(ln.qty)})
    return {"id": s.pk, "number": s.number, "status": s.status, "reason": s.reason,
            "order": s.order.number, "order_id": s.order_id, "platform_order_id": s.platform_order_id,
            "warehouse": s.warehouse.code, "source_shipment": s.source_shipment,
            "joined_shipment": s.joined_shipment or None,
            "shipments": [{"part": p.part, "number": p.shipment_number, "id": ids.get(p.shipment_number),
                           "state": states.get(p.shipment_number), "split": s.number,
                           "source_shipment": s.source_shipment, "platform_order_id": s.platform_order_id,
                           "lines": by_part.get(p.part, [])} for p in parts],
            "undo_allowed": s.status == Split.Status.ACTIVE and len(parts) == 2
            and all(states.get(n) == Shipment.State.PENDING for n in numbers),
            "created_at": s.created_at.isoformat(), "created_by": s.created_by,
            "closed_at": s.closed_at.isoformat() if s.closed_at else None, "note": s.note}


def split_form(order: Order) -> list[dict]:
    """For the order page: the shipments that may be split now, each with its lines (line no, SKU, qty)."""
    if services.refusal(order) is not None:
        return []
    from sihe.oms import fulfilment

    out = []
    lines = {str(ln.pk): ln for ln in order.lines.select_related("product")}
    for s in (fulfilment.shipments_of(order).filter(source_type=fulfilment.SOURCE_TYPE, state=Shipment.State.PENDING)
              .prefetch_related("lines").order_by("pk")):
        rows = [{"line": lines[sl.source_line_id].line_no, "sku": lines[sl.source_line_id].product.sku,
                 "name": lines[sl.source_line_id].name, "qty": sl.qty}
                for sl in s.lines.all() if sl.source_line_id in lines]
        if sum(r["qty"] for r in rows) >= 2:
            out.append({"number": s.number, "warehouse": s.warehouse.name, "lines": rows})
    return out


def weight_limit_out(row: CarrierWeightLimit) -> dict:
    return {"carrier": row.carrier, "max_kg": f"{row.max_kg.normalize():f}",
            "updated_at": row.updated_at.isoformat() if row.updated_at else None, "updated_by": row.updated_by}


def weight_limits() -> list[dict]:
    return [weight_limit_out(r) for r in CarrierWeightLimit.objects.order_by("carrier")]
