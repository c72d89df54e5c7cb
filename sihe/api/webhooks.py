"""Webhook subscriptions and their deliveries, with retry. The secret is shown once, at creation."""

from datetime import datetime
from typing import Literal

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from sihe.api.base import Strict
from sihe.api.pagination import Page
from sihe.api.security import authorize
from sihe.core import tx
from sihe.hub import selectors, services
from sihe.hub.selectors import Delivery, WebhookSubscription

router = Router(tags=["webhooks"])

Status = Literal["pending", "in_flight", "delivered", "failed", "dead"]


class WebhookPatch(Strict):
    url: str | None = Field(None, max_length=500, description="http(s) URL that receives the POSTs")
    event_types: list[str] | None = Field(
        None, min_length=1, description="patterns: catalog.product.created, catalog.* or *"
    )
    secret: str | None = Field(None, description="HMAC-SHA256 key, 16–200 characters (rotates the secret)")
    description: str | None = Field(None, max_length=200)
    active: bool | None = None


class WebhookIn(WebhookPatch):
    url: str = Field(..., max_length=500, description="http(s) URL that receives the POSTs")
    event_types: list[str] = Field(..., min_length=1, description="patterns: catalog.product.created, catalog.* or *")
    secret: str | None = Field(None, description="HMAC-SHA256 key, 16–200 characters; generated when left out")
    description: str = Field("", max_length=200)
    active: bool = True


class WebhookOut(Schema):
    id: int
    url: str
    event_types: list[str]
    active: bool
    description: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    open_deliveries: int = Field(..., description="pending, in flight or failed and retrying")
    dead_deliveries: int
    delivered_deliveries: int

    @staticmethod
    def resolve_created_by(obj: WebhookSubscription):
        return obj.created_by.get_username() if obj.created_by_id else None

    @staticmethod
    def resolve_open_deliveries(obj):
        return getattr(obj, "pending_count", 0)

    @staticmethod
    def resolve_dead_deliveries(obj):
        return getattr(obj, "dead_count", 0)

    @staticmethod
    def resolve_delivered_deliveries(obj):
        return getattr(obj, "delivered_count", 0)


class WebhookCreated(WebhookOut):
    secret: str = Field(..., description="shown this once: keep it to check X-Sihe-Signature")


class DeliveryOut(Schema):
    id: int
    webhook_id: int
    event_id: int
    event_type: str
    aggregate_type: str
    aggregate_id: str
    status: Status
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None

    @staticmethod
    def resolve_webhook_id(obj: Delivery):
        return obj.subscription_id

    @staticmethod
    def resolve_event_type(obj: Delivery):
        return obj.event.type

    @staticmethod
    def resolve_next_attempt_at(obj: Delivery):
        return obj.next_attempt_at if obj.status in (Delivery.PENDING, Delivery.FAILED) else None


@router.get("/webhooks", response=list[WebhookOut], summary="List webhook subscriptions")
@paginate(Page)
def list_webhooks(request, active: bool | None = None):
    authorize(request, "hub.manage")
    qs = selectors.subscriptions().select_related("created_by")
    if active is not None:
        qs = qs.filter(active=active)
    return qs


@router.post("/webhooks", response={201: WebhookCreated}, summary="Subscribe a URL to events")
def create_webhook(request, payload: WebhookIn):
    actor = authorize(request, "hub.manage")
    with tx.entry():
        sub, secret = services.create_subscription(
            url=payload.url,
            event_types=payload.event_types,
            secret=payload.secret,
            description=payload.description,
            active=payload.active,
            actor=actor,
        )
    out = selectors.subscription_by_id(sub.pk)
    out.secret = secret
    return 201, out


@router.get("/webhooks/{webhook_id}", response=WebhookOut, summary="One webhook subscription")
def get_webhook(request, webhook_id: int):
    authorize(request, "hub.manage")
    return selectors.subscription_by_id(webhook_id)


@router.patch("/webhooks/{webhook_id}", response=WebhookOut, summary="Change, pause (active=false) or rotate the secret")
def patch_webhook(request, webhook_id: int, payload: WebhookPatch):
    actor = authorize(request, "hub.manage")
    with tx.entry():
        services.update_subscription(
            subscription=selectors.subscription_by_id(webhook_id),
            data=payload.model_dump(exclude_unset=True),
            actor=actor,
        )
    return selectors.subscription_by_id(webhook_id)


@router.delete("/webhooks/{webhook_id}", response={204: None}, summary="Remove a subscription and its deliveries")
def delete_webhook(request, webhook_id: int):
    actor = authorize(request, "hub.manage")
    with tx.entry():
        services.delete_subscription(subscription=selectors.subscription_by_id(webhook_id), actor=actor)
    return 204, None


@router.get("/webhooks/{webhook_id}/deliveries", response=list[DeliveryOut], summary="Deliveries of a webhook, newest first")
@paginate(Page)
def list_deliveries(request, webhook_id: int, status: Status | None = None):
    authorize(request, "hub.manage")
    selectors.subscription_by_id(webhook_id)
    return selectors.deliveries(subscription_id=webhook_id, statuses=[status] if status else None)


@router.post("/webhooks/deliveries/{delivery_id}/retry", response=DeliveryOut, summary="Retry a failed or dead delivery now")
def retry_delivery(request, delivery_id: int):
    actor = authorize(request, "hub.manage")
    with tx.entry():
        services.retry_delivery(delivery_id=delivery_id, actor=actor)
    return selectors.delivery_by_id(delivery_id)
