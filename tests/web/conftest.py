"""Fixtures of the web-shell tests: a logged-in test client per role and a small master-data set."""

import pytest
from django.db import transaction
from django.test import Client

from sihe.catalog import services
from sihe.core.actor import Actor

MILK = {
    "sku": "MILK-1L", "name": "全脂牛奶 1L", "name_en": "Whole milk 1L", "gtin": "6901234567892", "uom": "BTL",
    "category": "DAIRY", "tracking": "lot_expiry", "shelf_life_days": 21, "tax_rate": "0.09", "weight": "1.050",
    "list_price": "12.5",
}


@pytest.fixture
def client_as(make_user):
    """client_as("manager") -> a Django test client logged in as a user of that role (zh-Hans by default)."""

    def _client(role: str, language: str | None = None) -> Client:
        user = make_user(role, username=f"{role}_web")
        client = Client(HTTP_ACCEPT_LANGUAGE=language) if language else Client()
        client.force_login(user)
        client.user = user
        return client

    return _client


@pytest.fixture
def masterdata(db):
    actor = Actor.system("test")
    with transaction.atomic():
        services.create_category(data={"code": "DAIRY", "name": "乳制品"}, actor=actor)
        product = services.create_product(data=MILK, actor=actor)
        partner = services.create_partner(
            data={"code": "C001", "name": "上海便利店", "kind": "customer", "province": "上海市", "city": "上海市",
                  "district": "浦东新区", "phone": "021-5555 0101"},
            actor=actor,
        )
        warehouse = services.create_warehouse(
            data={"code": "SH", "name": "上海仓", "province": "上海市", "city": "上海市", "district": "嘉定区"}, actor=actor
        )
        location = services.create_location(data={"code": "A-03-05-02", "warehouse": "SH"}, actor=actor)
        channel = services.create_channel(data={"code": "TMALL", "type": "taobao", "name": "天猫旗舰店"}, actor=actor)
    return {"product": product, "partner": partner, "warehouse": warehouse, "location": location, "channel": channel}
