"""Issue 12 item 3: a sheet whose <dimension> understates its size imports every row, and the result
says how many rows were read and how many written."""

import io
import zipfile

import pytest
from django.db import transaction
from openpyxl import Workbook

from sihe.catalog import excel, imports
from sihe.catalog.models import Product
from sihe.core.errors import Conflict
from tests.imports.conftest import understate_dimension


def _file(n: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["SKU", "名称", "单位", "税率", "重量(kg)", "追踪方式", "计价方法", "标价", "英文名称", "条码", "启用"])
    for i in range(n):
        sheet.append([f"D-{i:05d}", f"商品 {i}", "PCS", 0.13, 0.5, "无", "先进先出", 9.9, f"item {i}", None, "是"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_issue12_item3_an_understated_dimension_drops_no_row(actor, monkeypatch):
    # given a 3,000-row file whose sheet says it spans A1:K2
    content = understate_dimension(_file(3000), "A1:K2")
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:K2"' in sheet_xml and b'r="3001"' in sheet_xml

    # then its rows are counted as they are (so a big file still takes the background path)
    assert excel.count_rows(io.BytesIO(content)) == 3000

    # when it is imported
    result = imports.run_import(kind="products", source=io.BytesIO(content), actor=actor)

    # then every row is read and written, and the result says so
    assert result.as_dict() == {"status": "done", "kind": "products", "rows": 3000, "created": 3000, "updated": 0,
                                "unchanged": 0, "rows_read": 3000, "rows_written": 3000}
    assert Product.objects.count() == 3000
    assert Product.objects.get(sku="D-02999").name_en == "item 2999"  # the cells beyond column K's claim too


def test_issue12_item3_an_understated_dimension_in_a_background_job(actor, monkeypatch):
    monkeypatch.setattr(imports, "launch_job", lambda job: None)
    content = io.BytesIO(understate_dimension(_file(1200), "A1:C2"))
    job = imports.start_background_import(kind="products", upload=content, original_name="d.xlsx",
                                          total_rows=excel.count_rows(content), actor=actor)
    assert job.total_rows == 1200
    job = imports.run_import_job(job_id=job.pk)
    assert (job.status, job.total_rows, job.processed_rows, job.created_count) == ("done", 1200, 1200, 1200)


def test_issue12_item3_rows_read_but_not_written_roll_the_import_back(xlsx, actor):
    # given a checked file of two rows that loses one on the way to the writer (a bug, simulated)
    plan = imports.validate_workbook(kind="products", source=xlsx(["sku", "name", "uom"], [["A", "a", "PCS"], ["B", "b", "PCS"]]))
    assert plan.rows_read == 2
    plan.rows.pop()

    # when it is written, then nothing is, and the counts are named
    with pytest.raises(Conflict) as caught, transaction.atomic(durable=True):
        imports.apply_plan(plan=plan, actor=actor)
    assert caught.value.message == "2 rows were read from the file but 1 written; nothing was imported"
    assert Product.objects.count() == 0


def test_issue12_item3_blank_rows_are_neither_read_nor_written(xlsx, actor):
    result = imports.run_import(kind="products", source=xlsx(["sku", "name", "uom"],
                                                             [["A", "a", "PCS"], [None, None, None], ["B", "b", "PCS"]]),
                                actor=actor)
    assert (result.rows, result.rows_read, result.rows_written) == (2, 2, 2)
