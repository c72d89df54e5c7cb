"""合单 over the API: orders merged into one shipment (each order still its own for the books and
invoices), undone before picking; the candidates; the rules that allow it, per shop or for all."""

from ninja import Field, Query, Router

from sihe.api.base import RowId, Strict
from sihe.api.security import authorize, may
from sihe.core import tx
from sihe.oms.merging import selectors, services

router = Router(tags=["orders"])

REFUSALS = ("A refusal (409) names the first order at fault in `field` (`order_ids[i]`) and its `code`; when "
            "several orders break rules, `errors` lists each with its field, code and message. Codes: "
            "`already_shipped`, `cancelled`, `not_paid`, `held`, `picking_started`, `refund_in_progress`, `cod`, "
            "`presale`, `already_merged`, `split`, `backordered`, `not_allocated`, `masked_address`, `merge_off`, "
            "`different_shop`, `different_buyer`, `different_address`, `outside_window`, `different_warehouse`.")


class MergeIn(Strict):
    order_ids: list[RowId] = Field(..., min_length=2, max_length=services.MAX_ORDERS,
                                 description="the orders to ship together (ids)")
    note: str = Field("", max_length=300)


class MergeNoteIn(Strict):
    note: str = Field("", max_length=300)


class MergeRuleIn(Strict):
    channel: str | None = Field(None, max_length=40, description="channel code; none: every channel")
    shop: str = Field("", max_length=100, description="one shop of the channel; empty: all its shops")
    active: bool = Field(True, description="false: no merging there")
    window_hours: int = Field(24, ge=1, le=720, description="orders paid at most this many hours apart")
    cross_shop: bool = Field(False, description="a buyer's orders from several shops of the platform may merge")
    note: str = Field("", max_length=200)


def _costs(request) -> bool:
    return may(request, "costing.view")


@router.post("/orders/merge", response={201: dict}, summary="Merge orders into one shipment (合单)",
             description="The orders' own shipments are cancelled and one shipment reserves their goods, one line "
                         "per SKU summed; each order keeps its revenue, cost and invoice. " + REFUSALS)
def post_merge(request, payload: MergeIn):
    actor = authorize(request, "orders.manage")
    with tx.entry():
        record = services.merge(order_ids=payload.order_ids, actor=actor, note=payload.note)
    return 201, selectors.merge_out(selectors.merge(record.pk), costs=_costs(request))


@router.post("/orders/merges/{merge_id}/undo", response=dict, summary="Undo a merge before picking starts",
             description="The merged shipment is cancelled and each order allocated on its own again. Once picking "
                         "has started: 409 `picking_started`.")
def post_undo(request, merge_id: str, payload: MergeNoteIn | None = None):
    actor = authorize(request, "orders.manage")
    with tx.entry():
        record = services.undo(merge_id=merge_id, actor=actor, note=payload.note if payload else "")
    return selectors.merge_out(selectors.merge(record.pk), costs=_costs(request))


@router.get("/orders/merges", response=list[dict], summary="Merged shipments, newest first")
def list_merges(request, status: str = ""):
    authorize(request, "orders.view")
    return [selectors.merge_out(m, costs=_costs(request)) for m in selectors.merges(status=status)]


@router.get("/orders/merges/{merge_id}", response=dict, summary="One merged shipment: its orders and whose lines")
def get_merge(request, merge_id: str):
    authorize(request, "orders.view")
    return selectors.merge_out(selectors.merge(merge_id), costs=_costs(request))


@router.get("/orders/merge-candidates", response=list[dict],
            summary="Groups of orders that may ship together now (every rule passes)")
def merge_candidates(request, limit: int = Query(100, ge=1, le=500)):
    authorize(request, "orders.view")
    return selectors.candidates(limit=limit)


@router.get("/orders/merge-rules", response=list[dict],
            summary="The merge rules: per shop, per channel, global; `default` where none is written")
def list_rules(request):
    authorize(request, "orders.view")
    return [selectors.rule_out(r) for r in selectors.rules()] + [{**selectors.default_rule(), "default": True}]


@router.post("/orders/merge-rules", response={201: dict},
             summary="Write the merge rule of a shop, a channel or all (created or changed)")
def post_rule(request, payload: MergeRuleIn):
    actor = authorize(request, "orders.manage")
    with tx.entry():
        rule = services.save_rule(channel=selectors.channel(payload.channel), shop=payload.shop,
                                  active=payload.active, window_hours=payload.window_hours,
                                  cross_shop=payload.cross_shop, note=payload.note, actor=actor)
    return 201, selectors.rule_out(selectors.rule(rule.pk))


@router.delete("/orders/merge-rules/{rule_id}", response={204: None}, summary="Remove a merge rule")
def delete_rule(request, rule_id: str):
    actor = authorize(request, "orders.manage")
    with tx.entry():
        services.delete_rule(rule=selectors.rule(rule_id), actor=actor)
    return 204, None
