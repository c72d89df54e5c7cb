"""Channel intake: raw channel JSON in, one normalized order; SKU mappings; sync state; intake errors.

`POST /api/v1/channels/{channel_code}/orders` takes the channel's own order JSON as the body (Taobao
trade, JD order, Douyin shop_order, Shopify order, WooCommerce order, or Sihe's own format for POS,
dealer and API channels). 201 for a new order, 200 for one we already had (a later version applies its
changes); a malformed payload or an unknown SKU → 422 naming the JSON path, kept on the intake error list.
The body may also be what a platform's list API answered (Taobao trades.sold.get, JD order.search, Douyin
searchList, Shopify orders.json, a WooCommerce array): each order of the page is taken on its own and the
answer (200) lists the result of each — created, updated, duplicate, or refused with its error and the
intake error that keeps it. A page that holds exactly one order is answered as that one order.
"""

from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from sihe.api.pagination import MAX_INT, Mapped, Page
from sihe.api.security import authorize, may
from sihe.catalog import selectors as catalog
from sihe.core import tx
from sihe.core.errors import NotFound
from sihe.core.money import text
from sihe.oms import atp, connectors, intake, selectors, services, stockpush
from sihe.oms.selectors import IntakeError, SkuMapping

router = Router(tags=["channels"])

RAW_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "additionalProperties": True,
    "description": "the channel's own order JSON, as the platform sends it"}}}}}


class IntakeOut(Schema):
    created: bool
    duplicate: bool
    changes: list[str]
    order: dict


class PageErrorOut(Schema):
    code: str
    field: str
    message: str
    intake_error: int | None


class PageOrderOut(Schema):
    index: int
    path: str
    external_id: str
    result: str = Field(..., description="created, updated, duplicate or refused")
    order: dict | None = Field(None, description="id, number and status of the order (not for a refused one)")
    changes: list[str]
    error: PageErrorOut | None


class IntakePageOut(Schema):
    orders: int = Field(..., description="orders in the body")
    created: int
    updated: int
    duplicates: int
    refused: int
    total_results: int | None = Field(None, description="the platform's count of all matching orders, if sent")
    has_next: bool | None = Field(None, description="whether the platform has a next page, if it says")
    results: list[PageOrderOut]


def _entry_out(entry: intake.PageEntry) -> dict:
    result, error = entry.result, entry.error
    return {
        "index": entry.index, "path": entry.path, "external_id": entry.external_id, "result": entry.outcome,
        "order": {"id": result.order.pk, "number": result.order.number, "status": result.order.status}
        if result is not None else None,
        "changes": result.changes if result is not None else [],
        "error": {"code": error.code, "field": entry.error_field, "message": entry.error_message,
                  "intake_error": entry.intake_error.pk if entry.intake_error is not None else None}
        if error is not None else None,
    }


def _page_out(page: intake.IntakePage) -> dict:
    return {"orders": len(page.entries), "created": page.count("created"), "updated": page.count("updated"),
            "duplicates": page.count("duplicate"), "refused": page.count("refused"), "total_results": page.total,
            "has_next": page.has_next, "results": [_entry_out(entry) for entry in page.entries]}


def _channel(code: str):
    try:
        return catalog.channel_by_code(code)
    except NotFound:
        raise NotFound(f"no sales channel {code}", field="channel_code") from None


@router.post("/channels/{channel_code}/orders", response={200: IntakeOut | IntakePageOut, 201: IntakeOut},
             openapi_extra=RAW_BODY,
             summary="Take an order, or a page of orders, in the channel's own JSON (one new order: 201; "
                     "known: 200, later versions apply; a page: 200 with each order's result)")
def post_channel_order(request, channel_code: str):
    actor = authorize(request, "orders.manage")
    result = intake.receive_orders(channel_code=channel_code, body=request.body, actor=actor)
    if isinstance(result, intake.IntakePage):
        return 200, _page_out(result)
    body = {"created": result.created, "duplicate": result.duplicate, "changes": result.changes,
            "order": selectors.detail(result.order, **_views(request))}
    return (201 if result.created else 200), body


@router.post("/channels/{channel_code}/webhook", response={200: IntakeOut, 201: IntakeOut}, openapi_extra=RAW_BODY,
             auth=None, summary="A channel's signed webhook (Shopify / WooCommerce HMAC with the channel's secret)")
def post_channel_webhook(request, channel_code: str):
    result = connectors.receive_webhook(channel_code=channel_code, headers=dict(request.headers), body=request.body)
    body = {"created": result.created, "duplicate": result.duplicate, "changes": result.changes,
            "order": selectors.detail(result.order, **_views(request))}
    return (201 if result.created else 200), body


class StockPushStateOut(Schema):
    last_push_at: str | None = Field(..., description="when a figure of this channel last reached the shop")
    pending: int = Field(..., description="SKUs whose figure waits to be pushed (retrying ones included)")
    retrying: int = Field(..., description="of those, SKUs whose last push failed and will be tried again")
    failed: int = Field(..., description="SKUs given up on after the last attempt (retry them after a fix)")


class SyncOut(Schema):
    channel: str
    name: str
    type: str
    mode: str
    last_pull_at: str | None
    last_order_at: str | None
    lag_seconds: str | None
    orders_in: int
    errors: int
    last_error: str
    open_intake_errors: int
    safety_stock: str = Field(..., description="units held back from the shop")
    share_percent: int = Field(..., description="share of the free stock (after the safety stock) the shop may show")
    stock_endpoint: str = Field(..., description="where the stock figures are pushed (blank: not pushed)")
    push_per_second: str = Field(..., description="the shop platform's rate limit for stock pushes")
    stock_push: StockPushStateOut


def _sync_states() -> list[dict]:
    """The channels' sync states with their stock settings and the state of their stock pushes."""
    configured, pushed = stockpush.settings_of(), stockpush.states()
    out = []
    for state in selectors.sync_states():
        sync, push = configured.get(state["channel"]), pushed.get(state["channel"], {})
        out.append({**state,
                    "safety_stock": text(sync.safety_stock) if sync else "0",
                    "share_percent": sync.share_percent if sync else 100,
                    "stock_endpoint": sync.stock_endpoint if sync else "",
                    "push_per_second": text(sync.push_per_second) if sync else "2",
                    "stock_push": {"last_push_at": push["last_push_at"].isoformat() if push.get("last_push_at") else None,
                                   "pending": push.get("pending", 0), "retrying": push.get("retrying", 0),
                                   "failed": push.get("failed", 0)}})
    return out


def _state_of(channel_code: str) -> dict:
    return next(s for s in _sync_states() if s["channel"] == channel_code)


@router.get("/channel-sync", response=list[SyncOut],
            summary="Every channel's sync state: last pull, lag, errors, stock settings and stock pushes")
def get_sync(request):
    authorize(request, "orders.view")
    return _sync_states()


@router.get("/channels/{channel_code}/sync", response=SyncOut, summary="One channel's sync state")
def get_channel_sync(request, channel_code: str):
    authorize(request, "orders.view")
    _channel(channel_code)
    return _state_of(channel_code)


class SyncIn(Schema):
    model_config = ConfigDict(extra="forbid")
    mode: str = Field("pull", pattern="^(push|pull|webhook)$")
    endpoint: str = Field("", max_length=200)
    secret: str = Field("", max_length=200)
    safety_stock: str = Field("0", max_length=20)
    share_percent: int | None = Field(None, ge=0, le=100, description="left out: unchanged (new channels: 100)")
    stock_endpoint: str | None = Field(None, max_length=200, description="left out: unchanged; blank: not pushed")
    push_per_second: str | None = Field(None, max_length=20, description="left out: unchanged (new channels: 2)")


@router.put("/channels/{channel_code}/sync", response=SyncOut,
            summary="Set how a channel's orders come in and how its stock goes back to the shop")
def put_sync(request, channel_code: str, payload: SyncIn):
    actor = authorize(request, "orders.manage")
    connectors.configure(channel=_channel(channel_code), mode=payload.mode, endpoint=payload.endpoint,
                         secret=payload.secret, safety_stock=payload.safety_stock, share_percent=payload.share_percent,
                         stock_endpoint=payload.stock_endpoint, push_per_second=payload.push_per_second, actor=actor)
    return _state_of(channel_code)


class StockPushOut(Schema):
    sku: str
    name: str
    quantity: str = Field(..., description="the figure the shop should show (the newest ATP)")
    status: str = Field(..., description="pending, pushed or failed")
    attempts: int
    next_attempt_at: str | None
    last_error: str
    pushed_quantity: str | None = Field(..., description="the figure the shop last took")
    pushed_at: str | None


def _push_out(row) -> dict:
    return {"sku": row.product.sku, "name": row.product.name, "quantity": text(row.quantity), "status": row.status,
            "attempts": row.attempts,
            "next_attempt_at": row.next_attempt_at.isoformat() if row.status == "pending" else None,
            "last_error": row.last_error, "pushed_quantity": text(row.pushed_quantity),
            "pushed_at": row.pushed_at.isoformat() if row.pushed_at else None}


@router.get("/channels/{channel_code}/stock-pushes", response=list[StockPushOut],
            summary="Per SKU: the figure to push to the shop, the last pushed figure and time, retries")
@paginate(Page)
def get_stock_pushes(request, channel_code: str):
    authorize(request, "orders.view")
    return Mapped(stockpush.pushes(_channel(channel_code)), _push_out)


class RetriedOut(Schema):
    retried: int


@router.post("/channels/{channel_code}/stock-pushes/retry", response=RetriedOut,
             summary="Queue again the stock figures given up on (after the shop's side was fixed)")
def post_retry_pushes(request, channel_code: str):
    actor = authorize(request, "orders.manage")
    return {"retried": stockpush.retry_failed(channel=_channel(channel_code), actor=actor)}


class PullOut(Schema):
    fetched: int
    created: int
    updated: int
    refused: int
    cursor: str


@router.post("/channels/{channel_code}/pull", response=PullOut, summary="Pull new and changed orders from the channel now")
def post_pull(request, channel_code: str):
    actor = authorize(request, "orders.manage")
    return connectors.pull(channel=_channel(channel_code), actor=actor)


class AtpItem(Schema):
    sku: str
    atp: str


@router.get("/channels/{channel_code}/atp", response=list[AtpItem],
            summary="Available-to-promise of this channel: floor((Σ available − safety stock) × share / 100)")
def get_atp(request, channel_code: str, sku: str | None = None):
    authorize(request, "orders.view")
    channel = _channel(channel_code)
    result = atp.atp([sku] if sku else None, [channel])
    return [{"sku": s, "atp": format(q.normalize(), "f")} for s, q in result.get(channel.code, {}).items()]


class MappingIn(Schema):
    model_config = ConfigDict(extra="forbid")
    channel_sku: str = Field(..., min_length=1, max_length=100)
    sku: str = Field(..., min_length=1, max_length=64)
    note: str = Field("", max_length=200)


class MappingOut(Schema):
    id: int
    channel: str
    channel_sku: str
    sku: str
    note: str


def _mapping_out(m: SkuMapping) -> dict:
    return {"id": m.pk, "channel": m.channel.code, "channel_sku": m.channel_sku, "sku": m.product.sku, "note": m.note}


@router.get("/channels/{channel_code}/mappings", response=list[MappingOut], summary="SKU mappings of a channel")
def get_mappings(request, channel_code: str):
    authorize(request, "orders.view")
    channel = _channel(channel_code)
    return [_mapping_out(m) for m in selectors.sku_mappings(channel=channel.code)]


@router.post("/channels/{channel_code}/mappings", response={201: MappingOut},
             summary="Map a channel SKU / outer id (or variant) to our SKU")
def post_mapping(request, channel_code: str, payload: MappingIn):
    actor = authorize(request, "orders.manage")
    channel = _channel(channel_code)
    product = catalog.referenced_product(payload.sku, field="sku")
    with tx.entry():
        mapping = services.map_sku(channel=channel, channel_sku=payload.channel_sku, product=product, actor=actor,
                                   note=payload.note)
    return 201, _mapping_out(mapping)


@router.delete("/channels/{channel_code}/mappings/{mapping_id}", response={204: None}, summary="Remove a mapping")
def delete_mapping(request, channel_code: str, mapping_id: int = Path(..., ge=1, le=MAX_INT)):
    actor = authorize(request, "orders.manage")
    mapping = selectors.sku_mapping(mapping_id, channel=channel_code)
    services.unmap_sku(mapping=mapping, actor=actor)
    return 204, None


class IntakeErrorOut(Schema):
    id: int
    channel: str
    external_id: str
    code: str
    field: str
    reason: str
    status: str
    attempts: int
    created_at: str


def _error_out(e: IntakeError) -> dict:
    return {"id": e.pk, "channel": e.channel_code, "external_id": e.external_id, "code": e.code, "field": e.field,
            "reason": e.reason, "status": e.status, "attempts": e.attempts, "created_at": e.created_at.isoformat()}


@router.get("/intake-errors", response=list[IntakeErrorOut], summary="Payloads refused at intake, to fix and replay")
@paginate(Page)
def get_intake_errors(request, status: str = Query("open", max_length=20), channel: str | None = Query(None, max_length=40)):
    authorize(request, "orders.view")
    return Mapped(selectors.intake_errors(status=status, channel=channel or ""), _error_out)


@router.post("/intake-errors/{error_id}/replay", response={200: IntakeOut, 201: IntakeOut},
             summary="Replay a refused payload (after mapping its SKUs), or a corrected body if one is sent")
def post_replay(request, error_id: int = Path(..., ge=1, le=MAX_INT)):
    actor = authorize(request, "orders.manage")
    error = selectors.intake_error(error_id)
    corrected = request.body if request.body.strip() not in (b"", b"{}", b"null") else None
    result = services.replay_error(error=error, actor=actor, body=corrected)
    body = {"created": result.created, "duplicate": result.duplicate, "changes": result.changes,
            "order": selectors.detail(result.order, **_views(request))}
    return (201 if result.created else 200), body


@router.post("/intake-errors/{error_id}/dismiss", response=IntakeErrorOut, summary="Dismiss a refused payload")
def post_dismiss(request, error_id: int = Path(..., ge=1, le=MAX_INT)):
    actor = authorize(request, "orders.manage")
    return _error_out(services.dismiss_error(error=selectors.intake_error(error_id), actor=actor))


def _views(request) -> dict:
    """What of an order this caller may read besides its lines and prices."""
    return {"costs": may(request, "costing.view"), "books": may(request, "ledger.view")}
