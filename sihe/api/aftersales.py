"""After-sales over the API: open a case on an order's shipped lines (once per platform refund id), the
service queue, approve or reject (refunds over the limit), refund, cancel."""

from decimal import Decimal
from typing import Literal

from ninja import Field, Router

from sihe.api.base import Strict
from sihe.api.security import authorize
from sihe.core import tx
from sihe.oms import selectors as order_selectors
from sihe.oms.aftersales import jd, selectors, services

router = Router(tags=["after-sales"])
Num = Decimal | str | int


class CaseLineIn(Strict):
    line: str = Field(..., min_length=1, max_length=100, description="the order line's id or SKU")
    qty: Num
    amount: Num | None = Field(None, description="refund for the line; default its paid amount × qty / ordered")
    replacement: str = Field("", max_length=64, description="an exchange: the SKU sent instead (default the same)")
    price_difference: Num | None = Field(None, description="an exchange for a dearer (+, the buyer pays) or cheaper "
                                                           "(−, paid back) product: the difference, tax included; "
                                                           "booked when the exchange is done")


class CaseIn(Strict):
    kind: Literal["refund_only", "return_refund", "exchange", "reissue"]
    lines: list[CaseLineIn] = Field(..., min_length=1, max_length=200)
    reason: str = Field("", max_length=200)
    channel_ref: str = Field("", max_length=64, description="the platform's refund / after-sale id: once")
    refund_via: Literal["platform", "bank"] = "platform"


class NoteIn(Strict):
    note: str = Field("", max_length=300)


@router.post("/orders/{order_id}/aftersales", response={201: dict},
             summary="Open an after-sales case (售后单) on shipped lines; the same platform refund id is one case")
def open_case(request, order_id: str, payload: CaseIn):
    actor = authorize(request, "orders.manage")
    with tx.entry():
        order = order_selectors.order_by_key(order_id)
        lines = [services.LineIn(line=ln.line, qty=ln.qty, amount=ln.amount, field=f"lines[{i}]",
                                 replacement=ln.replacement, price_difference=ln.price_difference)
                 for i, ln in enumerate(payload.lines)]
        case = services.open_case(order=order, kind=payload.kind, lines=lines, reason=payload.reason,
                                  channel_ref=payload.channel_ref, refund_via=payload.refund_via, actor=actor)
    return 201, selectors.case_out(selectors.case(case.pk))


@router.post("/channels/{channel_code}/aftersales", response={200: dict, 201: dict},
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}},
                                            "required": True}},
             summary="A JD 售后服务单 (afsService payload, JD's field names): one case per afsServiceId (new: 201, "
                     "known: 200)",
             description="Reads `afsServiceId`, `afsApplyId`, `orderId`, `customerExpect` (10 退货 → return_refund, "
                         "20 换货 → exchange, 30 维修 → exchange of the same SKU), `skuId`/`wareId`, "
                         "`serviceCount`/`applyCount`, `questionDesc`, `afsServiceState(Name)` (a later payload saying "
                         "取消 cancels the case). A refusal names the JSON path (e.g. `customerExpect`).")
def post_channel_aftersale(request, channel_code: str):
    actor = authorize(request, "orders.manage")
    case, created = jd.take(channel_code=channel_code, body=request.body, actor=actor)
    return (201 if created else 200), {**selectors.case_out(selectors.case(case.pk)), "duplicate": not created}


@router.get("/aftersales", response=list[dict], summary="After-sales cases: the queue by deadline, or by status")
def list_cases(request, status: str = "", order: str = "", overdue: bool = False):
    authorize(request, "orders.view")
    qs = selectors.cases(status=status, order=order, overdue=overdue) if (status or order or overdue) \
        else selectors.queue()
    return [selectors.case_out(c) for c in qs[:500]]


@router.get("/aftersales/{case_id}", response=dict, summary="One after-sales case")
def get_case(request, case_id: str):
    authorize(request, "orders.view")
    return selectors.case_out(selectors.case(case_id))


def _act(request, case_id: str, permission: str, verb, **kwargs) -> dict:
    actor = authorize(request, permission)
    with tx.entry():
        case = verb(case=selectors.case(case_id), actor=actor, **kwargs)
    return selectors.case_out(selectors.case(case.pk))


@router.post("/aftersales/{case_id}/approve", response=dict, summary="Approve a refund over the limit (a second person)")
def approve(request, case_id: str, payload: NoteIn | None = None):
    return _act(request, case_id, "aftersales.approve", services.approve, note=payload.note if payload else "")


@router.post("/aftersales/{case_id}/reject", response=dict, summary="Reject a case, saying why")
def reject(request, case_id: str, payload: NoteIn):
    return _act(request, case_id, "orders.manage", services.reject, note=payload.note)


@router.post("/aftersales/{case_id}/refund", response=dict,
             summary="Refund: the sale reversed in the books, the money paid back when already settled")
def refund(request, case_id: str):
    return _act(request, case_id, "orders.manage", services.refund)


@router.post("/aftersales/{case_id}/cancel", response=dict, summary="Cancel a case the buyer withdrew")
def cancel(request, case_id: str, payload: NoteIn | None = None):
    return _act(request, case_id, "orders.manage", services.cancel, note=payload.note if payload else "")
