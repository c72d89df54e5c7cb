"""Master data over the open API: natural keys, validation naming the field, roles, idempotency."""

from django.db import connection

from sihe.catalog.models import Location, Partner, Product
from sihe.core.models import AuditEntry, Event

MILK = {
    "sku": "MILK-1L",
    "name": "全脂牛奶 1L",
    "name_en": "Whole milk 1L",
    "gtin": "6901234567892",
    "uom": "BTL",
    "tracking": "lot_expiry",
    "shelf_life_days": 21,
    "tax_rate": "0.09",
    "weight": "1.050",
}


def test_health_needs_no_token_and_names_the_database(anonymous_api, db):
    response = anonymous_api.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json_body == {"status": "ok", "database": "postgresql" if connection.vendor == "postgresql" else "sqlite"}


def test_products_need_a_token(anonymous_api, db):
    response = anonymous_api.get("/api/v1/products")
    assert response.status_code == 401
    assert response.json_body["code"] == "unauthorized"
    assert response.json_body["field"] == "Authorization"


def test_a_wrong_token_is_401(db):
    from tests.conftest import ApiClient

    response = ApiClient("sihe_not-a-real-token").get("/api/v1/products")
    assert response.status_code == 401


def test_warehouse_role_cannot_create_products(api_as):
    response = api_as("warehouse").post("/api/v1/products", MILK)
    assert response.status_code == 403
    assert response.json_body["code"] == "forbidden"
    assert Product.objects.count() == 0


def test_create_read_and_patch_a_product_by_sku(api_as):
    api = api_as("manager")
    created = api.post("/api/v1/products", MILK)
    assert created.status_code == 201, created.json_body
    assert created.json_body["sku"] == "MILK-1L"
    assert created.json_body["tax_rate"] == "0.09"
    assert created.json_body["uom"] == "BTL"

    fetched = api.get("/api/v1/products/MILK-1L")
    assert fetched.json_body["gtin"] == "6901234567892"
    assert fetched.json_body["tracking"] == "lot_expiry"

    patched = api.patch("/api/v1/products/MILK-1L", {"name": "全脂牛奶 1升", "weight": "1.100"})
    assert patched.status_code == 200
    assert patched.json_body["name"] == "全脂牛奶 1升"
    assert patched.json_body["weight"] == "1.100"

    changes = AuditEntry.objects.filter(object_type="catalog.product", action="update").order_by("field")
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [
        ("name", "全脂牛奶 1L", "全脂牛奶 1升"),
        ("weight", "1.050", "1.100"),
    ]
    assert list(Event.objects.values_list("type", flat=True)) == ["catalog.product.created", "catalog.product.updated"]


def test_wrong_gtin_check_digit_is_422_naming_gtin_and_stores_nothing(api_as):
    response = api_as("manager").post("/api/v1/products", {**MILK, "gtin": "6901234567893"})
    assert response.status_code == 422
    assert response.json_body["field"] == "gtin"
    assert "check digit" in response.json_body["message"]
    assert Product.objects.count() == 0
    assert Event.objects.count() == 0
    assert AuditEntry.objects.filter(object_type="catalog.product").count() == 0


def test_bad_types_are_422_with_the_field(api_as):
    response = api_as("manager").post("/api/v1/products", {**MILK, "weight": "heavy"})
    assert response.status_code == 422
    assert response.json_body["field"] == "weight"
    unknown = api_as("manager").post("/api/v1/products", {**MILK, "colour": "red"})
    assert unknown.status_code == 422
    assert unknown.json_body["field"] == "colour"
    rate = api_as("manager").post("/api/v1/products", {**MILK, "tax_rate": "0.17"})
    assert rate.status_code == 422 and rate.json_body["field"] == "tax_rate"
    assert Product.objects.count() == 0


def test_duplicate_sku_is_409(api_as):
    api = api_as("manager")
    assert api.post("/api/v1/products", MILK).status_code == 201
    again = api.post("/api/v1/products", {**MILK, "gtin": None})
    assert again.status_code == 409
    assert again.json_body["field"] == "sku"
    assert Product.objects.count() == 1


def test_unknown_sku_is_404(api_as):
    response = api_as("manager").get("/api/v1/products/NOPE")
    assert response.status_code == 404
    assert response.json_body["code"] == "not_found"


def test_idempotency_key_replays_the_first_response(api_as):
    api = api_as("manager")
    first = api.post("/api/v1/products", MILK, headers={"HTTP_IDEMPOTENCY_KEY": "create-milk-1"})
    second = api.post("/api/v1/products", MILK, headers={"HTTP_IDEMPOTENCY_KEY": "create-milk-1"})
    assert first.status_code == second.status_code == 201
    assert first.json_body == second.json_body
    assert second["Idempotent-Replayed"] == "true"
    assert Product.objects.count() == 1
    assert Event.objects.filter(type="catalog.product.created").count() == 1
    reused = api.post("/api/v1/products", {**MILK, "sku": "OTHER"}, headers={"HTTP_IDEMPOTENCY_KEY": "create-milk-1"})
    assert reused.status_code == 422
    assert reused.json_body["code"] == "idempotency_key_reused"
    assert Product.objects.count() == 1


def test_product_list_is_paginated(api_as):
    api = api_as("manager")
    for i in range(5):
        assert api.post("/api/v1/products", {"sku": f"P{i}", "name": f"商品{i}"}).status_code == 201
    page = api.get("/api/v1/products?limit=2&offset=2").json_body
    assert page["count"] == 5
    assert [p["sku"] for p in page["items"]] == ["P2", "P3"]


def test_locations_take_aisle_position_side_level_from_the_code(api_as):
    api = api_as("manager")
    assert api.post("/api/v1/warehouses", {"code": "SH", "name": "上海仓", "province": "上海市", "city": "上海市",
                                           "district": "青浦区", "latitude": "31.15", "longitude": "121.12"}).status_code == 201
    response = api.post("/api/v1/locations", {"code": "A-03-05-02", "warehouse": "SH"})
    assert response.status_code == 201, response.json_body
    assert response.json_body == {"code": "A-03-05-02", "warehouse": "SH", "zone": "A", "kind": "bin", "aisle": 3,
                                  "position": 5, "side": "L", "level": 2, "capacity_volume": None, "active": True}
    bad = api.post("/api/v1/locations", {"code": "A-3-five", "warehouse": "SH"})
    assert bad.status_code == 422 and bad.json_body["field"] == "code"
    unknown = api.post("/api/v1/locations", {"code": "A-01-01-01", "warehouse": "XX"})
    assert unknown.status_code == 422 and unknown.json_body["field"] == "warehouse"
    assert Location.objects.count() == 2  # the bin and the warehouse's receiving dock
    assert api.get("/api/v1/locations/SH/A-03-05-02").json_body["side"] == "L"


def test_partners_check_the_credit_code(api_as):
    api = api_as("manager")
    ok = api.post("/api/v1/partners", {"code": "C001", "name": "杭州甲乙贸易有限公司", "kind": "customer",
                                        "province": "浙江省", "city": "杭州市", "district": "西湖区",
                                        "address": "文三路 100 号", "phone": "0571-88888888",
                                        "tax_id": "91110000600037341L"})
    assert ok.status_code == 201, ok.json_body
    bad = api.post("/api/v1/partners", {"code": "C002", "name": "x", "kind": "customer", "tax_id": "91110000600037341X"})
    assert bad.status_code == 422 and bad.json_body["field"] == "tax_id"
    kind = api.post("/api/v1/partners", {"code": "C003", "name": "x", "kind": "friend"})
    assert kind.status_code == 422 and kind.json_body["field"] == "kind"
    assert list(Partner.objects.values_list("code", flat=True)) == ["C001"]


def test_channels_by_code(api_as):
    api = api_as("manager")
    assert api.post("/api/v1/channels", {"code": "tb-main", "type": "taobao", "name": "天猫旗舰店"}).status_code == 201
    assert api.get("/api/v1/channels/tb-main").json_body["type"] == "taobao"
    assert api.post("/api/v1/channels", {"code": "x", "type": "ebay", "name": "x"}).status_code == 422


def test_the_product_card_is_what_the_schema_gives_in_two_statements(api_as, django_assert_num_queries):
    """`GET /api/v1/products/{sku}` reads the product in one prepared statement (issue 18): its answer is byte for
    byte what ProductOut gives for the ORM's product — with and without category, supplier, GTIN, shelf life —
    and a request costs the token's statement and that one."""
    import json

    from ninja.responses import NinjaJSONEncoder

    from sihe.api.catalog import ProductOut
    from sihe.catalog.models import Category, Uom
    from sihe.catalog.selectors import product_by_sku

    api = api_as("manager")
    supplier = Partner.objects.create(code="S-CARD", name="供应商", kind="supplier")
    Product.objects.create(sku="CARD-FULL", name="全字段", name_en="Full", gtin="6901234567892",
                           uom=Uom.objects.get(code="BTL"), category=Category.objects.create(code="饮料", name="饮料"),
                           weight="1.234", volume="0.000125", shelf_life_days=30, tax_rate="0.09",
                           list_price="12.3456", safety_stock="7.5", lot_size="12", order_cost="30.5",
                           holding_cost_per_period="0.125", min_order_qty="24", main_supplier=supplier,
                           active=False, tracking="lot_expiry", costing_method="fifo")
    Product.objects.create(sku="CARD-BARE", name="最少字段", uom=Uom.objects.get(code="PCS"))
    api.get("/api/v1/products/CARD-BARE")  # a token's first use of the minute also notes its last_used_at
    for sku in ("CARD-FULL", "CARD-BARE"):
        want = json.dumps(ProductOut.model_validate(product_by_sku(sku)).model_dump(), cls=NinjaJSONEncoder)
        with django_assert_num_queries(2):
            response = api.get(f"/api/v1/products/{sku}")
        assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
        assert response.content.decode() == want
    card = api.get("/api/v1/products/CARD-FULL").json_body
    assert (card["category"], card["main_supplier"], card["active"], card["list_price"], card["weight"]) == (
        "饮料", "S-CARD", False, "12.3456", "1.234")
    missing = api.get("/api/v1/products/NO-SUCH-SKU")
    assert (missing.status_code, missing.json_body["code"], missing.json_body["field"]) == (404, "not_found", "sku")
