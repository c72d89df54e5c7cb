"""Orders: the list with filters, one order whole, ship, cancel, hold and release, correct the address,
record money received, and receivables aging."""

import datetime

from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from sihe.api.base import Strict
from sihe.api.pagination import KeysetPage, Mapped
from sihe.api.security import authorize, may
from sihe.core import tx
from sihe.core.errors import ValidationFailed
from sihe.oms import selectors, services

router = Router(tags=["orders"])


class OrderSummary(Schema):
    id: int
    number: str
    channel: str
    external_id: str
    status: str
    hold_reason: str
    buyer: str
    receiver: str
    city: str
    amount_paid: str
    received_at: str


def _date(value: str | None, field: str):
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed(f"{field} must be a date YYYY-MM-DD", field=field) from exc


@router.get("/orders", response=list[OrderSummary], summary="Orders, newest first, filtered",
            description="Paged in the database. `limit`/`offset` as everywhere; for deep pages follow `next`: "
                        "pass it as `after` (keyset paging on received_at, id — every page costs the same).")
@paginate(KeysetPage)
def list_orders(request, channel: str = "", status: str = "", warehouse: str = "", date_from: str | None = None,
                date_to: str | None = None, q: str = Query("", max_length=100), hold: str = ""):
    authorize(request, "orders.view")
    qs = selectors.orders(channel=channel, status=status, warehouse=warehouse, date_from=_date(date_from, "date_from"),
                          date_to=_date(date_to, "date_to"), q=q, hold=hold)
    return Mapped(qs, selectors.summary, selectors.ORDERS)  # counted and sliced in the database: every page reachable


@router.get("/orders/{order_id}", response=dict,
            summary="One order: status, timeline, lines, allocation, shipments, invoices and vouchers")
def get_order(request, order_id: str = Path(..., max_length=80)):
    authorize(request, "orders.view")
    return selectors.detail(selectors.order_by_key(order_id), **_views(request))


class OrderShipIn(Strict):
    shipment: str | None = Field(None, max_length=100, description="shipment number or id; needed when several are open")
    carrier: str = Field(..., min_length=1, max_length=40)
    tracking_no: str = Field(..., min_length=1, max_length=60)


@router.post("/orders/{order_id}/ship", response=dict,
             summary="Ship an order's shipment: stock issued at cost, COGS (and revenue) vouchers, status")
def post_ship(request, payload: OrderShipIn, order_id: str = Path(..., max_length=80)):
    actor = _ship_actor(request)
    order = selectors.order_by_key(order_id)
    with tx.entry():
        services.ship_order(order=order, shipment=payload.shipment, carrier=payload.carrier,
                            tracking_no=payload.tracking_no, actor=actor)
    return selectors.detail(selectors.order_by_key(order.pk), **_views(request))


def _ship_actor(request):
    """Shipping is the warehouse's act; customer service and managers may confirm it for an order too."""
    from sihe.core.roles import can

    if can(request.auth, "wms.operate"):
        return authorize(request, "wms.operate")
    return authorize(request, "orders.manage")


class ReasonIn(Strict):
    reason: str = Field("", max_length=300)


@router.post("/orders/{order_id}/cancel", response=dict, summary="Cancel an order not yet shipped; stock released")
def post_cancel(request, payload: ReasonIn, order_id: str = Path(..., max_length=80)):
    actor = authorize(request, "orders.manage")
    order = selectors.order_by_key(order_id)
    with tx.entry():
        services.cancel_order(order=order, actor=actor, reason=payload.reason)
    return selectors.detail(selectors.order_by_key(order.pk), **_views(request))


@router.post("/orders/{order_id}/hold", response=dict, summary="Hold an order for a person")
def post_hold(request, payload: ReasonIn, order_id: str = Path(..., max_length=80)):
    actor = authorize(request, "orders.manage")
    order = selectors.order_by_key(order_id)
    with tx.entry():
        services.hold_order(order=order, actor=actor, detail=payload.reason)
    return selectors.detail(selectors.order_by_key(order.pk), **_views(request))


@router.post("/orders/{order_id}/release", response=dict,
             summary="Release a held order: reviewed again (the rule that held it waived) and allocated",
             description="An order held over its customer's credit limit (`hold_reason` `credit`) is released only "
                         "with `orders.approve_credit` (managers; else 403 `credit_approval_required`) and a "
                         "`reason` (the approval note; else 422 `note_required`).")
def post_release(request, payload: ReasonIn, order_id: str = Path(..., max_length=80)):
    actor = authorize(request, "orders.manage")
    order = selectors.order_by_key(order_id)
    with tx.entry():
        services.release_order(order=order, actor=actor, note=payload.reason)
    return selectors.detail(selectors.order_by_key(order.pk), **_views(request))


class AddressIn(Strict):
    province: str = Field(..., min_length=1, max_length=40)
    city: str = Field(..., min_length=1, max_length=40)
    district: str = Field("", max_length=40)
    address: str = Field(..., min_length=1, max_length=300)
    receiver_name: str | None = Field(None, max_length=100)
    receiver_phone: str | None = Field(None, max_length=40)


@router.post("/orders/{order_id}/address", response=dict,
             summary="Correct the receiver's address (before shipping); a bad-address hold is reviewed again")
def post_address(request, payload: AddressIn, order_id: str = Path(..., max_length=80)):
    actor = authorize(request, "orders.manage")
    order = selectors.order_by_key(order_id)
    with tx.entry():
        services.correct_address(order=order, actor=actor, **payload.dict())
    return selectors.detail(selectors.order_by_key(order.pk), **_views(request))


class SettlementIn(Strict):
    kind: str = Field(..., pattern="^(platform|bank)$")
    amount: str = Field(..., max_length=20)
    fee: str = Field("0", max_length=20)
    date: str | None = None
    reference: str = Field("", max_length=100)


@router.post("/orders/{order_id}/settlements", response={201: dict},
             summary="Money in: platform settlement (其他货币资金 + commission) or bank receipt, against 应收账款")
def post_settlement(request, payload: SettlementIn, order_id: str = Path(..., max_length=80)):
    actor = authorize(request, "payments.manage")
    order = selectors.order_by_key(order_id)
    with tx.entry():
        services.record_settlement(order=order, kind=payload.kind, amount=payload.amount, fee=payload.fee,
                                   date=_date(payload.date, "date"), reference=payload.reference, actor=actor)
    return 201, selectors.detail(selectors.order_by_key(order.pk), **_views(request))


@router.get("/ar/aging", response=dict, summary="AR aging (账龄) per customer: 0–30, 31–60, 61–90, 90+ days")
def get_ar_aging(request, as_of: str | None = None, dealers_only: bool = False):
    authorize(request, "ledger.view")
    report = services.ar_aging(as_of=_date(as_of, "as_of"), dealers_only=dealers_only)
    return {"as_of": report["as_of"].isoformat(), "buckets": report["buckets"],
            "rows": [{k: (str(v) if not isinstance(v, str | int) else v) for k, v in r.items()} for r in report["rows"]],
            "totals": {k: str(v) for k, v in report["totals"].items()}}


def _views(request) -> dict:
    """What of an order this caller may read besides its lines and prices."""
    return {"costs": may(request, "costing.view"), "books": may(request, "ledger.view")}
