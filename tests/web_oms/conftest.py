"""A small order world for the orders pages (tests.oms.world) and logged-in page clients per role."""

import pytest
from django.test import Client

from sihe.oms import services
from tests.oms.world import build, dealer_order


@pytest.fixture
def world(db):
    """4 T-shirts in Shanghai, none in Guangzhou; Taobao, Douyin, Shopify and dealer channels."""
    return build(stock={"SH": 4, "GZ": 0})


@pytest.fixture
def web_as(make_user):
    """web_as("service") -> a Django test client logged in as a user of that role (pages speak zh-Hans)."""
    users: dict = {}
    clients: dict = {}

    def _client(role: str, language: str = "zh-hans") -> Client:
        if role not in users:
            users[role] = make_user(role)
        if (role, language) not in clients:
            client = Client(HTTP_ACCEPT_LANGUAGE=language)
            client.force_login(users[role])
            clients[(role, language)] = client
        return clients[(role, language)]

    return _client


def take(world, order_id: str, qty: int, **kw):
    """A dealer order through intake (review + allocation), as the API would take it."""
    return services.receive_order(channel_code="dealer", body=dealer_order(order_id, qty, **kw),
                                  actor=world["actor"]).order


def text(response) -> str:
    return response.content.decode()
