"""The event log: read it and replay it from any point, filtered by type and aggregate; one event by id."""

from datetime import datetime

from ninja import Field, Query, Router, Schema

from sihe.api.security import authorize
from sihe.hub import selectors
from sihe.hub.selectors import Event

router = Router(tags=["events"])


class AggregateOut(Schema):
    type: str
    id: str


class EventOut(Schema):
    id: int = Field(..., description="the log's order; pass the last one you saw as `after`")
    type: str = Field(..., description="e.g. catalog.product.created")
    version: int = Field(..., description="payload version of this type")
    aggregate: AggregateOut
    occurred_at: datetime
    actor: dict = Field(..., description="user_id, username, role, via")
    payload: dict

    @staticmethod
    def resolve_aggregate(obj: Event) -> dict:
        return {"type": obj.aggregate_type, "id": obj.aggregate_id}


class EventPage(Schema):
    items: list[EventOut]
    next_after: int | None = Field(
        ..., description="pass as `after` for the next page; null when there is nothing more (yet)"
    )


class EventFilters(Schema):
    after: int = Field(0, ge=0, description="only events with a larger id; 0 replays the whole log")
    type: str | None = Field(
        None, max_length=100, description="exact type (catalog.product.created), prefix (catalog.*) or *"
    )
    aggregate_type: str | None = Field(None, max_length=60, description="e.g. product")
    aggregate_id: str | None = Field(None, max_length=100, description="e.g. a SKU")
    limit: int = Field(100, ge=1, le=1000, description="page size, at most 1000")


@router.get("/events", response=EventPage, summary="Read and replay the event log, in order")
def list_events(request, filters: Query[EventFilters]):
    """Events in id order after `after`. To replay everything, start at `after=0` and follow
    `next_after` until it is null; to follow the log, keep the last id you saw and poll."""
    authorize(request, "events.view")
    items, next_after = selectors.event_page(
        after=filters.after,
        limit=filters.limit,
        type=filters.type,
        aggregate_type=filters.aggregate_type,
        aggregate_id=filters.aggregate_id,
    )
    return {"items": items, "next_after": next_after}


@router.get("/events/{event_id}", response=EventOut, summary="One event by id")
def get_event(request, event_id: int):
    authorize(request, "events.view")
    return selectors.event_by_id(event_id)
