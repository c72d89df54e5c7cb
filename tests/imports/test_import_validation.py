"""A bad file is reported cell by cell, all at once, and nothing of it is imported."""

import pytest
from django.db import transaction

from sihe.catalog import imports, services
from sihe.catalog.models import Category, Location, Partner, Product, Zone
from sihe.core.models import AuditEntry, Event


def _counts():
    return (Product.objects.count(), Partner.objects.count(), Location.objects.count(), Category.objects.count(),
            Zone.objects.count(), AuditEntry.objects.count(), Event.objects.count())


def _cells(errors):
    return [(e["row"], e["column"], e["header"], e["field"]) for e in errors]


@pytest.fixture
def old_product(actor):
    with transaction.atomic():
        return services.create_product(data={"sku": "OLD-1", "name": "旧商品", "uom": "PCS", "tax_rate": "0.13"},
                                       actor=actor)


def test_every_bad_cell_is_reported_and_nothing_is_imported(xlsx, actor, old_product):
    # given a file with one good row, five bad rows and an unknown column
    file = xlsx(
        ["SKU", "名称", "条码", "单位", "税率", "颜色"],
        [
            ["A-1", "好商品", "6901234567892", "PCS", 0.13, "红"],
            ["A-2", "坏条码", "6901234567891", "PCS", 0.13],
            ["A-3", "未知单位", None, "XYZ", 0.13],
            [None, "没有SKU", None, "PCS", 0.13],
            ["A-1", "重复", None, "PCS", 0.13],
            ["A-4", "税率错", None, "PCS", 0.15],
            ["OLD-1", "旧商品改名", None, "PCS", 0.09],
        ],
    )
    before = _counts()

    # when
    with pytest.raises(imports.ImportRejected) as caught:
        imports.run_import(kind="products", source=file, actor=actor)

    # then every problem is named by row, column letter and header, in file order
    errors = caught.value.extra["errors"]
    assert _cells(errors) == [
        (1, "F", "颜色", None),
        (3, "C", "条码", "gtin"),
        (4, "D", "单位", "uom"),
        (5, "A", "SKU", "sku"),
        (6, "A", "SKU", "sku"),
        (7, "E", "税率", "tax_rate"),
    ]
    messages = [e["message"] for e in errors]
    assert "unknown column 颜色" in messages[0]
    assert messages[1] == "wrong GS1 check digit"
    assert messages[2].startswith("unknown unit XYZ")
    assert messages[3] == "is required"
    assert messages[4] == "duplicate key A-1 in this file (first in row 2)"
    assert messages[5] == "must be one of 0, 0.01, 0.03, 0.05, 0.06, 0.09, 0.13"
    assert caught.value.code == "invalid_file"
    assert caught.value.message == "6 problems in the file; nothing was imported"
    # and nothing changed: not the good rows, not the update of OLD-1
    assert _counts() == before
    assert Product.objects.get(sku="OLD-1").name == "旧商品"


def test_a_missing_key_column_is_an_error_of_the_header(xlsx, actor):
    file = xlsx(["名称", "单位"], [["无SKU", "PCS"]])
    with pytest.raises(imports.ImportRejected) as caught:
        imports.run_import(kind="products", source=file, actor=actor)
    assert _cells(caught.value.extra["errors"]) == [(1, None, "SKU", "sku")]
    assert Product.objects.count() == 0


def test_a_new_product_without_a_name_column_names_the_missing_field(xlsx, actor, old_product):
    # an existing SKU may be updated from a partial file; a new one needs its required fields
    file = xlsx(["sku", "tax_rate"], [["OLD-1", 0.09], ["NEW-1", 0.13]])
    with pytest.raises(imports.ImportRejected) as caught:
        imports.run_import(kind="products", source=file, actor=actor)
    assert _cells(caught.value.extra["errors"]) == [(3, None, "名称", "name"), (3, None, "单位", "uom")]
    assert Product.objects.get(sku="OLD-1").tax_rate == old_product.tax_rate


def test_gtin_of_another_product_and_numbers_too_large_are_refused(xlsx, actor, old_product):
    with transaction.atomic():
        services.update_product(product=old_product, data={"gtin": "6901234567892"}, actor=actor)
    file = xlsx(["sku", "name", "uom", "gtin", "weight", "shelf_life_days", "tracking"],
                [["N-1", "x", "PCS", "6901234567892", 1, None, None],
                 ["N-2", "y", "PCS", None, 123456789012, None, None],
                 ["N-3", "z", "PCS", None, 1, None, "lot_expiry"],
                 ["N-4", "w", "PCS", None, 1, 10, "sometimes"]])
    before = _counts()
    with pytest.raises(imports.ImportRejected) as caught:
        imports.run_import(kind="products", source=file, actor=actor)
    errors = caught.value.extra["errors"]
    assert _cells(errors) == [(2, "D", "gtin", "gtin"), (3, "E", "weight", "weight"),
                              (4, "F", "shelf_life_days", "shelf_life_days"), (5, "G", "tracking", "tracking")]
    assert errors[0]["message"] == "GTIN 6901234567892 already belongs to product OLD-1"
    assert errors[1]["message"] == "too large: at most 9 digits before the decimal point"
    assert _counts() == before


def test_partner_and_location_errors(xlsx, actor):
    with transaction.atomic():
        services.create_warehouse(data={"code": "SH", "name": "上海仓"}, actor=actor)
    before = _counts()
    partners = xlsx(["编码", "名称", "类型", "税号"],
                    [["C1", "客户一", "客户", "91110000802100433X"], ["S1", "供应商一", "卖家", None]])
    with pytest.raises(imports.ImportRejected) as caught:
        imports.run_import(kind="partners", source=partners, actor=actor)
    assert _cells(caught.value.extra["errors"]) == [(2, "D", "税号", "tax_id"), (3, "C", "类型", "kind")]

    locations = xlsx(["仓库", "货位编码"], [["SH", "A-03-05-02"], ["GZ", "A-01-01-01"], ["SH", "A3-5"]])
    with pytest.raises(imports.ImportRejected) as caught:
        imports.run_import(kind="locations", source=locations, actor=actor)
    assert _cells(caught.value.extra["errors"]) == [(3, "A", "仓库", "warehouse"), (4, "B", "货位编码", "code")]
    assert caught.value.extra["errors"][0]["message"] == "unknown warehouse GZ"
    assert _counts() == before


def test_not_an_excel_file_is_refused_naming_the_file(actor):
    import io

    with pytest.raises(imports.ImportRejected.__mro__[1]) as caught:
        imports.run_import(kind="products", source=io.BytesIO(b"sku,name\nA,B\n"), actor=actor)
    assert caught.value.field == "file"
    assert caught.value.code == "invalid_file"


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 not really a zip", b"\x00" * 100])
def test_damaged_files_are_refused_naming_the_file(actor, content):
    import io
    import zipfile

    if content == b"\x00" * 100:  # a zip that is no workbook
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hi")
        content = buffer.getvalue()
    with pytest.raises(imports.ImportRejected.__mro__[1]) as caught:
        imports.run_import(kind="products", source=io.BytesIO(content), actor=actor)
    assert (caught.value.code, caught.value.field) == ("invalid_file", "file")
    assert Product.objects.count() == 0


def test_a_file_with_only_the_header_is_refused(xlsx, actor):
    with pytest.raises(imports.ImportRejected) as caught:
        imports.run_import(kind="partners", source=xlsx(["编码", "名称", "类型"], []), actor=actor)
    assert [(e["row"], e["message"]) for e in caught.value.extra["errors"]] == [
        (2, "the file has no data rows below the header")]
