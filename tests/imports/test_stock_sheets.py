"""Issue 11 item 4 (the Excel part): low-stock rules and alternate units load from Excel — the whole file
checked first, every problem with row and column, nothing written unless all is well."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.http import HttpRequest

from sihe.catalog import services as catalog
from sihe.catalog.models import ImportJob
from sihe.core.models import AuditEntry
from sihe.stock import imports, services
from sihe.stock.models import ProductUnit, StockRule
from tests.imports.conftest import read_xlsx


@pytest.fixture
def goods(actor):
    """Two products (pieces; kilograms with 3 places) and two warehouses."""
    with transaction.atomic():
        cup = catalog.create_product(data={"sku": "CUP", "name": "杯子", "uom": "PCS"}, actor=actor)
        rice = catalog.create_product(data={"sku": "RICE", "name": "大米", "uom": "KG"}, actor=actor)
        sh = catalog.create_warehouse(data={"code": "SH", "name": "上海仓"}, actor=actor)
        hz = catalog.create_warehouse(data={"code": "HZ", "name": "杭州仓"}, actor=actor)
    return {"cup": cup, "rice": rice, "sh": sh, "hz": hz}


def _rules():
    return sorted((r.product.sku, r.warehouse.code, r.min_qty, r.max_qty)
                  for r in StockRule.objects.select_related("product", "warehouse"))


def _cells(errors):
    return [(e["row"], e["column"], e["header"], e["field"], e["message"]) for e in errors]


def test_issue11_item4_stock_rules_load_from_excel(xlsx, actor, goods):
    # given a rule that exists and one that the file repeats as it is
    with transaction.atomic():
        services.set_rule(product=goods["cup"], warehouse=goods["hz"], min_qty=Decimal(5), max_qty=None, actor=actor)
        services.set_rule(product=goods["rice"], warehouse=goods["sh"], min_qty=Decimal(1), max_qty=Decimal(9),
                          actor=actor)
    audit_before = AuditEntry.objects.filter(action="stock.rule").count()
    file = xlsx(["商品编码", "仓库", "库存下限", "库存上限"],
                [["CUP", "SH", 10, 50], ["CUP", "HZ", 8, None], ["RICE", "HZ", 2.5, None], ["RICE", "SH", 1, 9]])

    # when
    result = imports.run_import(kind="stock_rules", source=file, actor=actor)

    # then
    assert result.as_dict() == {"status": "done", "kind": "stock_rules", "rows": 4, "created": 2, "updated": 1,
                                "unchanged": 1, "rows_read": 4, "rows_written": 4}
    assert _rules() == [("CUP", "HZ", Decimal(8), None), ("CUP", "SH", Decimal(10), Decimal(50)),
                        ("RICE", "HZ", Decimal("2.5"), None), ("RICE", "SH", Decimal(1), Decimal(9))]
    # each change went through set_rule: one audit row per rule set
    assert AuditEntry.objects.filter(action="stock.rule").count() - audit_before == 3

    # and a file without the max column updates the minimum of a rule and keeps its maximum
    imports.run_import(kind="stock_rules", source=xlsx(["sku", "warehouse", "min_qty"], [["CUP", "SH", 12]]), actor=actor)
    assert StockRule.objects.values_list("min_qty", "max_qty").get(product__sku="CUP", warehouse__code="SH") == (
        Decimal(12), Decimal(50))


def test_issue11_item4_every_bad_rule_is_reported_and_nothing_is_written(xlsx, actor, goods):
    with transaction.atomic():
        services.set_rule(product=goods["cup"], warehouse=goods["hz"], min_qty=Decimal(5), max_qty=None, actor=actor)
        catalog.create_warehouse(data={"code": "BJ", "name": "北京仓"}, actor=actor)
    before = (_rules(), AuditEntry.objects.count())
    file = xlsx(["SKU", "仓库", "库存下限", "库存上限"], [
        ["CUP", "SH", 10, 50],      # good, but not written
        ["NOPE", "SH", 1, 2],       # unknown product
        ["CUP", "GZ", 1, 2],        # unknown warehouse
        ["RICE", "SH", -1, None],   # negative
        ["RICE", "HZ", 5, 3],       # max below min
        ["CUP", "HZ", 1.5, None],   # pieces are whole
        ["CUP", "SH", 1, 2],        # the key again
        ["RICE", "BJ", None, 4],    # no minimum
    ])

    with pytest.raises(imports.ImportRejected) as caught:
        imports.run_import(kind="stock_rules", source=file, actor=actor)

    assert _cells(caught.value.extra["errors"]) == [
        (3, "A", "SKU", "sku", "unknown product NOPE"),
        (4, "B", "仓库", "warehouse", "unknown warehouse GZ"),
        (5, "C", "库存下限", "min_qty", "must be at least 0"),
        (6, "D", "库存上限", "max_qty", "must be at least the minimum 5"),
        (7, "C", "库存下限", "min_qty", "min_qty 1.5 has more than 0 decimal places for unit PCS"),
        (8, "A", "SKU", "sku", "duplicate key CUP/SH in this file (first in row 2)"),
        (8, "B", "仓库", "warehouse", "duplicate key CUP/SH in this file (first in row 2)"),
        (9, "C", "库存下限", "min_qty", "is required"),
    ]
    assert caught.value.message == "8 problems in the file; nothing was imported"
    assert (_rules(), AuditEntry.objects.count()) == before


def test_issue11_item4_alternate_units_load_from_excel(xlsx, actor, goods):
    from sihe.catalog.models import Uom

    with transaction.atomic():
        services.set_unit(product=goods["cup"], uom=Uom.objects.get(code="PACK"), factor=Decimal(6), actor=actor)
    file = xlsx(["商品编码", "单位", "换算率"], [["CUP", "箱", 48], ["CUP", "pack", 10], ["RICE", "BAG", 25],
                                          ["RICE", "t", 1000]])

    result = imports.run_import(kind="product_units", source=file, actor=actor)

    assert (result.created, result.updated, result.unchanged, result.rows_read, result.rows_written) == (3, 1, 0, 4, 4)
    assert sorted((u.product.sku, u.uom.code, u.factor) for u in ProductUnit.objects.select_related("product", "uom")) == [
        ("CUP", "BOX", Decimal(48)), ("CUP", "PACK", Decimal(10)), ("RICE", "BAG", Decimal(25)),
        ("RICE", "T", Decimal(1000))]
    assert AuditEntry.objects.filter(action="stock.unit").count() == 5  # the set_unit above and four from the file


def test_issue11_item4_every_bad_unit_is_reported_and_nothing_is_written(xlsx, actor, goods):
    file = xlsx(["SKU", "单位", "换算率"], [
        ["CUP", "箱", 12],         # good, but not written
        ["CUP", "桶", 3],          # unknown unit
        ["CUP", "件", 1],          # the base unit of CUP
        ["RICE", "BAG", 0],        # zero
        ["RICE", "BOX", -2],       # negative
        ["TEA", "BOX", 6],         # unknown product
        ["CUP", "BOX", 24],        # 箱 is BOX: the key again
        ["RICE", "SET", None],     # no factor
    ])
    with pytest.raises(imports.ImportRejected) as caught:
        imports.run_import(kind="product_units", source=file, actor=actor)
    errors = _cells(caught.value.extra["errors"])
    assert [e[:4] for e in errors] == [(3, "B", "单位", "unit"), (4, "B", "单位", "unit"), (5, "C", "换算率", "factor"),
                                       (6, "C", "换算率", "factor"), (7, "A", "SKU", "sku"), (8, "A", "SKU", "sku"),
                                       (8, "B", "单位", "unit"), (9, "C", "换算率", "factor")]
    assert [e[4] for e in errors] == [
        errors[0][4], "PCS is already the base unit of CUP", "factor must be greater than 0", "must be at least 0",
        "unknown product TEA", "duplicate key CUP/BOX in this file (first in row 2)",
        "duplicate key CUP/BOX in this file (first in row 2)", "is required"]
    assert errors[0][4].startswith("unknown unit 桶 (known: ")
    assert ProductUnit.objects.count() == 0


def test_issue11_item4_api_page_command_and_background_job_take_the_stock_kinds(api_as, xlsx, actor, goods, tmp_path,
                                                                              monkeypatch, make_user):
    from django.test import Client

    from sihe.catalog import imports as catalog_imports

    # the API: a template with the Chinese headers, an upload, an export that reads back
    api = api_as("manager")
    template = api.client.get("/api/v1/imports/templates/stock_rules?headers=zh", **api.headers)
    assert template.status_code == 200
    assert read_xlsx(template.content) == [["SKU", "仓库", "库存下限", "库存上限"]]
    response = api.client.post("/api/v1/imports/stock_rules", {"file": xlsx(["SKU", "仓库", "库存下限"], [["CUP", "SH", 3]])},
                               **api.headers)
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1
    export = api.client.get("/api/v1/exports/stock_rules?headers=en", **api.headers)
    assert read_xlsx(export.content) == [["sku", "warehouse", "min_qty", "max_qty"], ["CUP", "SH", 3]]

    # the page
    make_user("manager", "page_manager")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.login(request=HttpRequest(), username="page_manager", password="pw")
    page = client.post("/imports/", {"kind": "product_units", "file": xlsx(["SKU", "单位", "换算率"], [["CUP", "BOX", 12]])})
    assert page.status_code == 200
    assert "upload.xlsx: 1 rows imported — 1 created, 0 updated, 0 unchanged." in page.content.decode()
    assert "Rows read from the file: 1; rows written: 1." in page.content.decode()
    assert "Low-stock rules" in client.get("/imports/").content.decode()

    # the command
    path = tmp_path / "units.xlsx"
    path.write_bytes(xlsx(["SKU", "单位", "换算率"], [["RICE", "袋", 25]]).getvalue())
    out = io.StringIO()
    call_command("import_excel", str(path), kind="product_units", stdout=out)
    assert out.getvalue().strip() == "product_units: 1 rows, 1 created, 0 updated, 0 unchanged (1 read, 1 written)"

    # a background job
    monkeypatch.setattr(catalog_imports, "launch_job", lambda job: None)
    job = imports.start_background_import(kind="stock_rules", upload=xlsx(["SKU", "仓库", "库存下限"], [["RICE", "HZ", 2]]),
                                          original_name="rules.xlsx", total_rows=1, actor=actor)
    job = imports.run_import_job(job_id=job.pk)
    assert (job.status, job.kind, job.created_count) == (ImportJob.Status.DONE, "stock_rules", 1)
    assert api.get(f"/api/v1/imports/{job.pk}").json_body["rows_written"] == 1
    assert page.status_code == 200 and client.get(f"/imports/jobs/{job.pk}/").status_code == 200
    assert _rules() == [("CUP", "SH", Decimal(3), None), ("RICE", "HZ", Decimal(2), None)]
    assert ProductUnit.objects.count() == 2
