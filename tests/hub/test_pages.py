"""Integration pages: webhooks (create, secret once, edit, deactivate), deliveries with Retry, event log."""

import pytest
from django.test import Client
from django.urls import reverse

from sihe.core.actor import Actor
from sihe.hub import dispatcher
from sihe.hub.models import Delivery, WebhookSubscription
from sihe.hub.services import create_subscription
from tests.hub.conftest import emit_event


@pytest.fixture
def browser_as(make_user):
    def _login(role: str, language: str = "en") -> Client:
        user = make_user(role, username=f"{role}_page")
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        return client

    return _login


def test_pages_need_login_and_the_right_role(browser_as, db):
    for name in ("web_hub:webhooks", "web_hub:deliveries", "web_hub:events"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]
    manager = browser_as("manager")
    assert manager.get(reverse("web_hub:events")).status_code == 200
    assert manager.get(reverse("web_hub:webhooks")).status_code == 403
    assert manager.get(reverse("web_hub:deliveries")).status_code == 403
    assert manager.post(reverse("web_hub:webhooks"), {"url": "http://x.example/h", "event_types": "*"}).status_code == 403
    assert browser_as("warehouse").get(reverse("web_hub:events")).status_code == 403
    assert WebhookSubscription.objects.count() == 0


def test_create_a_webhook_on_the_page_shows_its_secret_once(browser_as, db):
    admin = browser_as("admin")
    # when an admin adds a webhook with two patterns
    response = admin.post(
        reverse("web_hub:webhooks"),
        {"url": "https://erp.example.com/in", "event_types": "catalog.*, stock.move.done", "description": "ERP", "active": "on"},
    )
    # then it is stored and its secret is shown on the next page only
    assert response.status_code == 302
    sub = WebhookSubscription.objects.get()
    assert (sub.url, sub.event_types, sub.active, sub.description) == (
        "https://erp.example.com/in", ["catalog.*", "stock.move.done"], True, "ERP",
    )
    page = admin.get(reverse("web_hub:webhooks")).content.decode()
    assert sub.secret in page
    assert "https://erp.example.com/in" in page
    assert sub.secret not in admin.get(reverse("web_hub:webhooks")).content.decode()


def test_a_bad_webhook_form_names_the_field_and_stores_nothing(browser_as, db):
    response = browser_as("admin").post(reverse("web_hub:webhooks"), {"url": "ftp://x", "event_types": "*"})
    assert response.status_code == 422
    assert 'data-field-error="url"' in response.content.decode()
    assert WebhookSubscription.objects.count() == 0


def test_edit_and_deactivate_a_webhook(browser_as, db):
    admin = browser_as("admin")
    sub, secret = create_subscription(url="http://127.0.0.1:9/a", event_types=["*"], actor=Actor.system("test"))
    assert admin.get(reverse("web_hub:webhook_edit", args=[sub.pk])).status_code == 200
    # an edit with an empty secret keeps the secret
    response = admin.post(
        reverse("web_hub:webhook_edit", args=[sub.pk]),
        {"url": "http://127.0.0.1:9/b", "event_types": "catalog.product.created", "description": "", "secret": "", "active": "on"},
    )
    assert response.status_code == 302
    sub.refresh_from_db()
    assert (sub.url, sub.event_types, sub.secret, sub.active) == ("http://127.0.0.1:9/b", ["catalog.product.created"], secret, True)
    # a bad edit changes nothing
    bad = admin.post(reverse("web_hub:webhook_edit", args=[sub.pk]), {"url": "http://127.0.0.1:9/c", "event_types": "", "active": "on"})
    assert bad.status_code == 422
    sub.refresh_from_db()
    assert sub.url == "http://127.0.0.1:9/b"
    # deactivate
    assert admin.post(reverse("web_hub:webhook_toggle", args=[sub.pk])).status_code == 302
    sub.refresh_from_db()
    assert sub.active is False
    assert admin.get(reverse("web_hub:webhook_edit", args=[999999])).status_code == 404


def test_a_dead_letter_is_listed_and_retried_from_the_page(browser_as, receiver, settings):
    # given a dead letter
    settings.SIHE_WEBHOOK_MAX_ATTEMPTS = 1
    hook = receiver(statuses=(500, 200))
    create_subscription(url=hook.url, event_types=["*"], actor=Actor.system("test"))
    emit_event("catalog.product.created", "SKU-1")
    dispatcher.step()
    delivery = Delivery.objects.get()
    admin = browser_as("admin")

    # the default view lists failures and dead letters with a Retry button
    page = admin.get(reverse("web_hub:deliveries")).content.decode()
    assert f'data-delivery-id="{delivery.pk}" data-status="dead"' in page
    assert reverse("web_hub:delivery_retry", args=[delivery.pk]) in page

    # when Retry is pressed, the worker delivers it
    response = admin.post(reverse("web_hub:delivery_retry", args=[delivery.pk]), {"next": reverse("web_hub:deliveries")})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    dispatcher.step()
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert f'data-delivery-id="{delivery.pk}"' not in admin.get(reverse("web_hub:deliveries")).content.decode()
    assert f'data-delivery-id="{delivery.pk}"' in admin.get(reverse("web_hub:deliveries") + "?status=delivered").content.decode()
    # a second retry is refused with a message, nothing changes
    admin.post(reverse("web_hub:delivery_retry", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.status == "delivered"


def test_event_log_page_filters_and_pages(browser_as, db):
    for n in range(55):
        emit_event("catalog.product.updated", f"SKU-{n % 3}")
    partner = emit_event("catalog.partner.created", "C1", aggregate_type="partner")
    manager = browser_as("manager")
    first = manager.get(reverse("web_hub:events")).content.decode()
    assert first.count("data-event-id=") == 50
    assert f'data-event-id="{partner.pk}"' in first  # newest first
    second = manager.get(reverse("web_hub:events") + "?page=2").content.decode()
    assert second.count("data-event-id=") == 6
    only_partners = manager.get(reverse("web_hub:events") + "?type=catalog.partner.*").content.decode()
    assert only_partners.count("data-event-id=") == 1
    one_sku = manager.get(reverse("web_hub:events") + "?aggregate_type=product&aggregate_id=SKU-1").content.decode()
    assert one_sku.count("data-event-id=") == 18
    bad = manager.get(reverse("web_hub:events") + "?type=Not A Type")
    assert bad.status_code == 422
    assert 'data-field-error="type"' in bad.content.decode()


def test_pages_speak_chinese_by_default(browser_as, db):
    admin = browser_as("admin", language="zh-hans")
    webhooks = admin.get(reverse("web_hub:webhooks")).content.decode()
    assert "新建 Webhook" in webhooks and "还没有 Webhook。" in webhooks
    assert "事件日志" in admin.get(reverse("web_hub:events")).content.decode()
    assert "失败和死信" in admin.get(reverse("web_hub:deliveries")).content.decode()
    bad = admin.post(reverse("web_hub:webhooks"), {"url": "ftp://x", "event_types": "*"}).content.decode()
    assert "URL 必须以 http:// 或 https:// 开头并包含主机名" in bad


def test_pages_do_not_query_per_row(browser_as, django_assert_max_num_queries):
    create_subscription(url="http://127.0.0.1:9/x", event_types=["*"], actor=Actor.system("test"))
    for n in range(30):
        emit_event("catalog.product.updated", f"SKU-{n}")
    dispatcher.fan_out()
    Delivery.objects.update(status="dead", attempts=8)
    admin = browser_as("admin")
    admin.get(reverse("web_hub:deliveries"))
    with django_assert_max_num_queries(12):
        assert admin.get(reverse("web_hub:deliveries")).content.decode().count("data-delivery-id=") == 30
    with django_assert_max_num_queries(12):
        assert admin.get(reverse("web_hub:events")).content.decode().count("data-event-id=") == 30
    with django_assert_max_num_queries(12):
        assert admin.get(reverse("web_hub:webhooks")).content.decode().count("data-webhook-id=") == 1


def test_angle_brackets_in_help_texts_are_shown_not_swallowed(browser_as, db):
    admin = browser_as("admin")
    assert "after=&lt;id&gt;" in admin.get(reverse("web_hub:events")).content.decode()
    assert "sha256=&lt;HMAC of the body with the secret&gt;" in admin.get(reverse("web_hub:webhooks")).content.decode()
