"""Fixtures of the purchasing tests: a supplier, a warehouse with a dock and bins, products with GTINs."""

import pytest
from django.contrib.auth import get_user_model

from sihe.catalog.models import Partner, Product, Uom
from sihe.core.actor import Actor
from sihe.core.roles import assign_role
from tests.stock.conftest import make_warehouse


def gtin13(body12: str) -> str:
    """A GTIN-13 with its check digit."""
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def make_supplier(code: str = "S01", name: str = "上海乳业有限公司") -> Partner:
    return Partner.objects.create(code=code, name=name, kind="supplier", province="上海市", city="上海市")


def make_product(sku: str, gtin: str | None = None, *, tracking: str = "none", tax_rate: str = "0.13") -> Product:
    return Product.objects.create(sku=sku, name=f"商品 {sku}", uom=Uom.objects.get(code="PCS"), tracking=tracking,
                                  gtin=gtin, tax_rate=tax_rate)


@pytest.fixture
def wh(db):
    return make_warehouse("WH1")


@pytest.fixture
def supplier(db):
    return make_supplier()


@pytest.fixture
def products(db):
    return {"MILK": make_product("MILK", gtin13("690123456789"), tracking="lot_expiry"),
            "TEA": make_product("TEA", gtin13("690123456790"))}


def quick_user(role: str, username: str):
    """A user of a role without a password hash (hashing costs ~0.3 s a user; API tests use tokens)."""
    user = get_user_model().objects.create_user(username=username, password=None)
    assign_role(user, role)
    return user


@pytest.fixture
def people(db):
    """Two managers (maker and approver), an accountant, an admin: as users and as actors."""
    users = {"buyer": quick_user("manager", "buyer"), "boss": quick_user("manager", "boss"),
             "accountant": quick_user("accountant", "acc"), "admin": quick_user("admin", "root")}
    return {name: (user, Actor.for_user(user, via="api")) for name, user in users.items()}
