"""A good file creates new keys and updates existing ones, with audit rows and one event."""

from decimal import Decimal

import pytest
from django.db import transaction

from sihe.catalog import exports, imports, services
from sihe.catalog.models import Category, Location, Partner, Product, Zone
from sihe.core.models import AuditEntry, Event
from tests.imports.conftest import make_xlsx, read_xlsx


@pytest.fixture
def milk(actor):
    with transaction.atomic():
        return services.create_product(
            data={"sku": "MILK-1L", "name": "全脂牛奶 1L", "uom": "BTL", "weight": "1.050", "tax_rate": "0.09",
                  "tracking": "lot_expiry", "shelf_life_days": 21},
            actor=actor,
        )


def test_a_good_file_creates_and_updates_exactly(xlsx, actor, milk):
    # given MILK-1L and the category DRINKS exist, and the file changes MILK-1L's name and weight, repeats it
    # otherwise, and adds two products
    Category.objects.create(code="DRINKS", name="饮料")
    audit_before = AuditEntry.objects.count()
    file = xlsx(
        ["sku", "name", "gtin", "uom", "tracking", "shelf_life_days", "tax_rate", "weight", "category"],
        [
            ["MILK-1L", "全脂牛奶 1升", None, "BTL", "批次+效期", 21, 0.09, 1.1, None],
            ["TEA-250", "绿茶 250g", "6901234567892", "BOX", "none", None, 0.13, 0.25, "DRINKS"],
            ["CUP-01", "纸杯", None, "PCS", None, None, 0.13, None, "DRINKS"],
        ],
    )

    # when
    result = imports.run_import(kind="products", source=file, actor=actor)

    # then
    assert result.as_dict() == {"status": "done", "kind": "products", "rows": 3, "created": 2, "updated": 1,
                                "unchanged": 0, "rows_read": 3, "rows_written": 3}
    assert Product.objects.count() == 3
    milk.refresh_from_db()
    assert (milk.name, milk.weight, milk.tracking, milk.shelf_life_days) == ("全脂牛奶 1升", Decimal("1.100"), "lot_expiry", 21)
    tea = Product.objects.get(sku="TEA-250")
    assert (tea.gtin, tea.uom.code, tea.category.code, tea.weight, tea.tax_rate) == (
        "6901234567892", "BOX", "DRINKS", Decimal("0.250"), Decimal("0.13"))
    cup = Product.objects.get(sku="CUP-01")
    assert (cup.gtin, cup.weight, cup.tracking, cup.category_id) == (None, Decimal("0.000"), "none", tea.category_id)
    assert Category.objects.filter(code="DRINKS").count() == 1
    # one audit row per created product, one per changed field, with old and new values
    rows = AuditEntry.objects.filter(pk__gt=0).order_by("id")[audit_before:]
    assert sorted((a.action, a.object_repr, a.field, a.old_value, a.new_value) for a in rows) == [
        ("create", "CUP-01 纸杯", "", None, "excel import"),
        ("create", "TEA-250 绿茶 250g", "", None, "excel import"),
        ("update", "MILK-1L 全脂牛奶 1升", "name", "全脂牛奶 1L", "全脂牛奶 1升"),
        ("update", "MILK-1L 全脂牛奶 1升", "weight", "1.050", "1.1"),
    ]
    assert all(a.username == "test" and a.object_type == "catalog.product" for a in rows)
    events = list(Event.objects.filter(type="catalog.import.completed"))
    assert [e.payload for e in events] == [{"kind": "products", "created": 2, "updated": 1, "rows": 3, "job": None}]


def test_the_same_file_twice_changes_nothing_the_second_time(xlsx, actor):
    rows = [["P-1", "一", "PCS", 0.13], ["P-2", "二", "KG", 0.09]]
    first = imports.run_import(kind="products", source=xlsx(["SKU", "名称", "单位", "税率"], rows), actor=actor)
    audit_after_first = AuditEntry.objects.count()
    second = imports.run_import(kind="products", source=xlsx(["SKU", "名称", "单位", "税率"], rows), actor=actor)
    assert (first.created, first.updated, second.created, second.updated, second.unchanged) == (2, 0, 0, 0, 2)
    assert AuditEntry.objects.count() == audit_after_first
    assert Product.objects.get(sku="P-2").uom.code == "KG"


def test_partners_with_chinese_headers_and_words(xlsx, actor):
    with transaction.atomic():
        services.create_partner(data={"code": "C1", "name": "老客户", "kind": "customer", "phone": "021-1"}, actor=actor)
    file = xlsx(
        ["编码", "名称", "类型", "省", "市", "区", "地址", "电话", "税号"],
        [
            ["C1", "老客户", "客户", "上海市", "上海市", "浦东新区", "张江路 1 号", "021-12345678", None],
            ["S1", "北京供应商", "供应商", "北京市", "北京市", "海淀区", "中关村 2 号", 13800138000, "91110000802100433B"],
        ],
    )
    result = imports.run_import(kind="partners", source=file, actor=actor)
    assert (result.created, result.updated) == (1, 1)
    supplier = Partner.objects.get(code="S1")
    assert (supplier.kind, supplier.province, supplier.district, supplier.phone, supplier.tax_id) == (
        "supplier", "北京市", "海淀区", "13800138000", "91110000802100433B")
    changed = AuditEntry.objects.filter(object_type="catalog.partner", action="update").order_by("field")
    assert [(a.field, a.old_value, a.new_value) for a in changed] == [
        ("address", "", "张江路 1 号"), ("city", "", "上海市"), ("district", "", "浦东新区"),
        ("phone", "021-1", "021-12345678"), ("province", "", "上海市"),
    ]


def test_locations_derive_zone_aisle_position_level_from_the_bin_code(xlsx, actor):
    with transaction.atomic():
        services.create_warehouse(data={"code": "SH", "name": "上海仓"}, actor=actor)
        services.create_warehouse(data={"code": "HZ", "name": "杭州仓"}, actor=actor)
    zones_before = set(Zone.objects.values_list("warehouse__code", "code"))  # a new warehouse may bring its dock
    file = xlsx(
        ["仓库", "货位编码", "类型", "容量(m³)"],
        [["SH", "A-03-05-02", None, 1.5], ["SH", "B-01-02-01", "货位", None], ["HZ", "A-03-05-02", None, None],
         ["SH", "DOCK-1", "收货区", None]],
    )
    result = imports.run_import(kind="locations", source=file, actor=actor)
    assert (result.created, result.updated) == (4, 0)
    bin_ = Location.objects.select_related("zone").get(warehouse__code="SH", code="A-03-05-02")
    assert (bin_.zone.code, bin_.aisle, bin_.position, bin_.side, bin_.level, bin_.capacity_volume) == (
        "A", 3, 5, "L", 2, Decimal("1.500"))
    assert Location.objects.get(warehouse__code="SH", code="B-01-02-01").side == "R"
    dock = Location.objects.select_related("zone").get(code="DOCK-1")
    assert (dock.kind, dock.zone.code) == ("dock", "DOCK")
    zones = set(Zone.objects.values_list("warehouse__code", "code")) - zones_before
    assert sorted(zones) == [("HZ", "A"), ("SH", "A"), ("SH", "B"), ("SH", "DOCK")]
    # an update of the dock keeps its kind although the file has no kind column
    again = imports.run_import(kind="locations", source=xlsx(["warehouse", "code", "level"], [["SH", "DOCK-1", 1]]),
                               actor=actor)
    assert (again.created, again.updated) == (0, 1)
    dock.refresh_from_db()
    assert (dock.kind, dock.level) == ("dock", 1)


def test_export_then_import_round_trips(xlsx, actor, milk):
    Category.objects.create(code="DRINKS", name="饮料")
    imports.run_import(kind="products", source=xlsx(
        ["SKU", "名称", "英文名称", "条码", "单位", "分类", "重量(kg)", "税率", "税收分类编码", "标价"],
        [["TEA-250", "绿茶", "Green tea", "06901234567892", "BOX", "DRINKS", 0.25, 0.13, "1030201010000000000", 12.5],
         ["CUP-01", "纸杯", None, None, "PCS", None, None, 0.06, None, None]]), actor=actor)
    snapshot = list(Product.objects.order_by("sku").values())

    # when everything is exported and imported again
    content = exports.export_workbook(kind="products", language="zh-hans")
    sheet = read_xlsx(content)
    assert sheet[0][:5] == ["SKU", "名称", "英文名称", "条码", "单位"]
    assert [row[0] for row in sheet[1:]] == ["CUP-01", "MILK-1L", "TEA-250"]
    import io

    result = imports.run_import(kind="products", source=io.BytesIO(content), actor=actor)

    # then nothing changed (leading zeros of the GTIN and the 19-digit tax code survive)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert list(Product.objects.order_by("sku").values()) == snapshot
    assert Product.objects.get(sku="TEA-250").gtin == "06901234567892"

    # and an edited cell in the exported file updates exactly that field
    sheet[3][1] = "绿茶 250g"
    edited = make_xlsx(sheet[0], sheet[1:])
    result = imports.run_import(kind="products", source=edited, actor=actor)
    assert (result.created, result.updated) == (0, 1)
    assert Product.objects.get(sku="TEA-250").name == "绿茶 250g"


@pytest.mark.parametrize("kind", ["partners", "locations"])
def test_partners_and_locations_round_trip(xlsx, actor, kind):
    with transaction.atomic():
        services.create_warehouse(data={"code": "SH", "name": "上海仓"}, actor=actor)
        services.create_partner(data={"code": "C1", "name": "客户", "kind": "customer", "province": "上海市",
                                      "tax_id": "91110000802100433B", "min_shelf_life_days": 30}, actor=actor)
        services.create_location(data={"code": "A-01-02-03", "warehouse": "SH", "capacity_volume": "2.5"}, actor=actor)
    import io

    content = exports.export_workbook(kind=kind, language="en")
    assert read_xlsx(content)[0][:2] == (["code", "name"] if kind == "partners" else ["warehouse", "code"])
    result = imports.run_import(kind=kind, source=io.BytesIO(content), actor=actor)
    rows = Partner.objects.count() if kind == "partners" else Location.objects.count()  # with any dock of SH
    assert (result.rows, result.created, result.updated, result.rows_read, result.rows_written) == (rows, 0, 0, rows,
                                                                                                      rows)


def test_templates_have_the_headers_only():
    content = exports.template_workbook(kind="partners", language="zh-hans")
    assert read_xlsx(content) == [["编码", "名称", "类型", "省", "市", "区", "地址", "电话", "税号", "联系人",
                                   "最短剩余保质期(天)", "信用额度", "启用"]]
