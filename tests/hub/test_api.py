"""The event log and webhook API: paging, filters, replay, the secret once, retries, refusals."""

import pytest

from sihe.core.models import AuditEntry, Event
from sihe.hub import dispatcher
from sihe.hub.models import Delivery, WebhookSubscription
from tests.hub.conftest import emit_event


@pytest.fixture
def log(db):
    """Five events: three product events over two SKUs, a partner event, a stock event."""
    return [
        emit_event("catalog.product.created", "SKU-1"),
        emit_event("catalog.partner.created", "C001", aggregate_type="partner"),
        emit_event("catalog.product.updated", "SKU-1"),
        emit_event("stock.move.done", "7", aggregate_type="move"),
        emit_event("catalog.product.created", "SKU-2"),
    ]


def ids(items):
    return [item["id"] for item in items]


def test_events_page_through_the_whole_log_in_order(api_as, log):
    api = api_as("manager")
    # when reading from after=0 two at a time
    first = api.get("/api/v1/events?after=0&limit=2")
    assert first.status_code == 200
    assert ids(first.json_body["items"]) == [log[0].id, log[1].id]
    assert first.json_body["next_after"] == log[1].id
    second = api.get(f"/api/v1/events?after={log[1].id}&limit=2").json_body
    third = api.get(f"/api/v1/events?after={second['next_after']}&limit=2").json_body
    # then the pages are the whole log in order, and the last says there is nothing more
    assert ids(second["items"]) == [log[2].id, log[3].id]
    assert ids(third["items"]) == [log[4].id]
    assert third["next_after"] is None
    # and an event carries id, type, aggregate, occurred_at, actor and payload
    item = first.json_body["items"][0]
    assert item["type"] == "catalog.product.created"
    assert item["aggregate"] == {"type": "product", "id": "SKU-1"}
    assert item["actor"]["username"] == "test"
    assert item["payload"] == {"n": "SKU-1"}
    assert item["occurred_at"]


def test_events_filter_by_exact_type_prefix_and_aggregate(api_as, log):
    api = api_as("accountant")
    exact = api.get("/api/v1/events?type=catalog.product.created").json_body
    prefix = api.get("/api/v1/events?type=catalog.*").json_body
    everything = api.get("/api/v1/events?type=*").json_body
    aggregate = api.get("/api/v1/events?aggregate_type=product&aggregate_id=SKU-1").json_body
    after_filtered = api.get(f"/api/v1/events?type=catalog.*&after={log[1].id}").json_body
    assert ids(exact["items"]) == [log[0].id, log[4].id]
    assert ids(prefix["items"]) == [log[0].id, log[1].id, log[2].id, log[4].id]
    assert ids(everything["items"]) == ids_of(log)
    assert ids(aggregate["items"]) == [log[0].id, log[2].id]
    assert ids(after_filtered["items"]) == [log[2].id, log[4].id]
    one = api.get(f"/api/v1/events/{log[3].id}")
    assert (one.status_code, one.json_body["type"]) == (200, "stock.move.done")


def ids_of(events):
    return [e.id for e in events]


@pytest.mark.parametrize(
    "query, field",
    [("after=-1", "after"), ("limit=0", "limit"), ("limit=1001", "limit"), ("type=Catalog!", "type"), ("after=x", "after")],
)
def test_bad_event_queries_are_422_naming_the_field(api_as, log, query, field):
    response = api_as("manager").get(f"/api/v1/events?{query}")
    assert response.status_code == 422
    assert response.json_body["field"] == field


def test_events_need_a_token_and_the_permission(api_as, anonymous_api, log):
    assert anonymous_api.get("/api/v1/events").status_code == 401
    refused = api_as("warehouse").get("/api/v1/events")
    assert refused.status_code == 403
    assert refused.json_body["code"] == "forbidden"
    assert api_as("manager").get("/api/v1/events/999999").status_code == 404


def test_webhooks_are_for_admins_only(api_as, anonymous_api, db):
    body = {"url": "http://127.0.0.1:9/x", "event_types": ["*"]}
    assert anonymous_api.get("/api/v1/webhooks").status_code == 401
    assert anonymous_api.post("/api/v1/webhooks", body).status_code == 401
    for role in ("manager", "warehouse", "accountant"):
        assert api_as(role).post("/api/v1/webhooks", body).status_code == 403
        assert api_as(role).get("/api/v1/webhooks").status_code == 403
    assert WebhookSubscription.objects.count() == 0


def test_create_shows_the_secret_once_then_read_change_and_delete(api_as, db):
    api = api_as("admin")
    # when an admin subscribes without a secret
    created = api.post(
        "/api/v1/webhooks",
        {"url": "https://erp.example.com/hooks/sihe", "event_types": ["catalog.*", "stock.move.done"], "description": "ERP"},
    )
    # then a secret is generated and shown, and only then
    assert created.status_code == 201
    body = created.json_body
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["event_types"] == ["catalog.*", "stock.move.done"]
    assert (body["active"], body["created_by"], body["open_deliveries"]) == (True, "admin_user", 0)
    hook_id = body["id"]
    fetched = api.get(f"/api/v1/webhooks/{hook_id}").json_body
    assert "secret" not in fetched
    assert "secret" not in api.get("/api/v1/webhooks").json_body["items"][0]
    assert WebhookSubscription.objects.get().secret == body["secret"]

    # when it is paused and its types changed
    patched = api.patch(f"/api/v1/webhooks/{hook_id}", {"active": False, "event_types": ["*"]})
    assert patched.status_code == 200
    assert (patched.json_body["active"], patched.json_body["event_types"]) == (False, ["*"])
    assert AuditEntry.objects.filter(object_type="hub.webhooksubscription", field="active", new_value="False").count() == 1

    # when it is deleted
    assert api.delete(f"/api/v1/webhooks/{hook_id}").status_code == 204
    assert api.get(f"/api/v1/webhooks/{hook_id}").status_code == 404
    assert WebhookSubscription.objects.count() == 0


def test_a_given_secret_is_kept(api_as, db):
    created = api_as("admin").post(
        "/api/v1/webhooks", {"url": "http://127.0.0.1:8080/in", "event_types": ["*"], "secret": "0123456789abcdef"}
    )
    assert created.status_code == 201
    assert created.json_body["secret"] == "0123456789abcdef"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"url": "ftp://example.com/x", "event_types": ["*"]}, "url"),
        ({"url": "not a url", "event_types": ["*"]}, "url"),
        ({"url": "http://example.com/x", "event_types": []}, "event_types"),
        ({"url": "http://example.com/x", "event_types": ["Catalog Product"]}, "event_types"),
        ({"url": "http://example.com/x", "event_types": ["*"], "secret": "short"}, "secret"),
        ({"url": "http://example.com/x", "event_types": ["*"], "colour": "red"}, "colour"),
        ({"event_types": ["*"]}, "url"),
        ({"url": "http://example.com/x", "event_types": ["*"], "active": "maybe"}, "active"),
    ],
)
def test_bad_subscriptions_are_422_naming_the_field_and_store_nothing(api_as, db, body, field):
    response = api_as("admin").post("/api/v1/webhooks", body)
    assert response.status_code == 422
    assert response.json_body["field"] == field
    assert WebhookSubscription.objects.count() == 0
    assert AuditEntry.objects.filter(object_type="hub.webhooksubscription").count() == 0


def test_bad_patch_changes_nothing(api_as, db):
    api = api_as("admin")
    hook_id = api.post("/api/v1/webhooks", {"url": "http://example.com/x", "event_types": ["*"]}).json_body["id"]
    response = api.patch(f"/api/v1/webhooks/{hook_id}", {"url": "http://example.com/y", "event_types": ["bad type"]})
    assert (response.status_code, response.json_body["field"]) == (422, "event_types")
    nulled = api.patch(f"/api/v1/webhooks/{hook_id}", {"active": None})
    assert (nulled.status_code, nulled.json_body["field"]) == (422, "active")
    sub = WebhookSubscription.objects.get()
    assert (sub.url, sub.event_types, sub.active) == ("http://example.com/x", ["*"], True)


def test_deliveries_listed_by_status_and_a_dead_one_retried(api_as, receiver, settings):
    # given a webhook whose receiver failed once, with one attempt allowed
    settings.SIHE_WEBHOOK_MAX_ATTEMPTS = 1
    hook = receiver(statuses=(500, 200))
    api = api_as("admin")
    hook_id = api.post("/api/v1/webhooks", {"url": hook.url, "event_types": ["catalog.*"], "secret": "x" * 16}).json_body["id"]
    event = emit_event("catalog.product.created", "SKU-1")
    emit_event("catalog.product.created", "SKU-2")
    dispatcher.step()

    # when listing the dead ones
    dead = api.get(f"/api/v1/webhooks/{hook_id}/deliveries?status=dead").json_body
    assert dead["count"] == 1
    row = dead["items"][0]
    assert (row["event_id"], row["status"], row["attempts"], row["last_status_code"]) == (event.id, "dead", 1, 500)
    assert row["event_type"] == "catalog.product.created"
    assert api.get(f"/api/v1/webhooks/{hook_id}/deliveries").json_body["count"] == 2
    assert api.get(f"/api/v1/webhooks/{hook_id}/deliveries?status=lost").status_code == 422
    assert api.get(f"/api/v1/webhooks/{hook_id}").json_body["dead_deliveries"] == 1

    # then a retry puts it back in line, and the worker delivers it
    retried = api.post(f"/api/v1/webhooks/deliveries/{row['id']}/retry")
    assert retried.status_code == 200
    assert (retried.json_body["status"], retried.json_body["attempts"]) == ("pending", 0)
    dispatcher.step()
    assert Delivery.objects.get(pk=row["id"]).status == "delivered"

    # and retrying a delivered one is a 409 that changes nothing
    again = api.post(f"/api/v1/webhooks/deliveries/{row['id']}/retry")
    assert (again.status_code, again.json_body["code"]) == (409, "delivery_not_retryable")
    assert api.post("/api/v1/webhooks/deliveries/999999/retry").status_code == 404
    assert api_as("manager").post(f"/api/v1/webhooks/deliveries/{row['id']}/retry").status_code == 403


def test_event_count_is_unchanged_by_reading(api_as, log):
    before = Event.objects.count()
    api_as("manager").get("/api/v1/events?after=0")
    assert Event.objects.count() == before == 5


@pytest.mark.parametrize(
    "path, field",
    [
        ("/api/v1/events?aggregate_id=A%00B", "aggregate_id"),
        ("/api/v1/events?aggregate_type=%00", "aggregate_type"),
        ("/api/v1/events?type=catalog.%00", "type"),
    ],
)
def test_nul_characters_in_event_filters_are_422_not_500(api_as, log, path, field):
    response = api_as("manager").get(path)
    assert (response.status_code, response.json_body["field"]) == (422, field)


def test_out_of_range_ids_are_answered_not_500(api_as, log):
    api = api_as("admin")
    assert api.get("/api/v1/events?after=99999999999999999999").status_code in (200, 422)
    assert api.get("/api/v1/events/99999999999999999999").status_code in (404, 422)
    assert api.get("/api/v1/webhooks/99999999999999999999").status_code in (404, 422)
    assert api.post("/api/v1/webhooks/deliveries/99999999999999999999/retry").status_code in (404, 422)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"url": "http://exa\u0000mple.com/x", "event_types": ["*"]}, "url"),
        ({"url": "http://example.com:99999999/x", "event_types": ["*"]}, "url"),
        ({"url": "http://example.com/x", "event_types": ["*"], "description": "a\u0000b"}, "description"),
        ({"url": "http://example.com/x", "event_types": ["*"], "secret": "0123456789abcdef\u0000"}, "secret"),
    ],
)
def test_control_characters_and_bad_ports_are_refused(api_as, db, body, field):
    response = api_as("admin").post("/api/v1/webhooks", body)
    assert (response.status_code, response.json_body["field"]) == (422, field)
    assert WebhookSubscription.objects.count() == 0


def test_lists_do_not_query_per_row(api_as, actor, django_assert_max_num_queries):
    # given a webhook with 30 deliveries and a log of 30+ events
    api = api_as("admin")
    hook_id = api.post("/api/v1/webhooks", {"url": "http://127.0.0.1:9/x", "event_types": ["*"]}).json_body["id"]
    for n in range(30):
        emit_event("catalog.product.updated", f"SKU-{n}")
    dispatcher.fan_out()
    api.get("/api/v1/webhooks")  # warm the token's last-used stamp
    # then each list costs a fixed number of queries, whatever its length
    with django_assert_max_num_queries(6):
        assert api.get(f"/api/v1/webhooks/{hook_id}/deliveries?limit=100").json_body["count"] == 30
    with django_assert_max_num_queries(6):
        assert len(api.get("/api/v1/events?limit=100").json_body["items"]) == 30
    with django_assert_max_num_queries(6):
        assert api.get("/api/v1/webhooks").json_body["count"] == 1


def test_huge_paging_numbers_are_422_not_500(api_as):
    api = api_as("admin")
    for query in ("limit=100000000000", "offset=9223372036854775808", "limit=0"):
        response = api.get(f"/api/v1/webhooks?{query}")
        assert response.status_code == 422, (query, response.status_code)
        assert response.json_body["field"] in ("limit", "offset")
