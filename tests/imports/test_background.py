"""Files above SIHE_IMPORT_BACKGROUND_ROWS become an ImportJob processed by a detached process with
progress; the job's function is run in-process here for speed, and once for real through the API."""

import io
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from openpyxl import Workbook

from sihe.catalog import excel, imports
from sihe.catalog.models import ImportJob, Product
from sihe.core.models import AuditEntry, Event


def _products_file(n: int, *, bad: dict | None = None, name_of=lambda i: f"商品 {i}") -> io.BytesIO:
    """n product rows; `bad` maps a row index to a dict of column overrides."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["SKU", "名称", "单位", "税率", "重量(kg)", "追踪方式", "保质期(天)"])
    for i in range(n):
        row = {"sku": f"SKU-{i:06d}", "name": name_of(i), "uom": "PCS", "tax_rate": 0.13, "weight": 0.5,
               "tracking": "批次+效期" if i % 10 == 0 else "无", "shelf": 180 if i % 10 == 0 else None}
        row.update((bad or {}).get(i, {}))
        sheet.append([row["sku"], row["name"], row["uom"], row["tax_rate"], row["weight"], row["tracking"], row["shelf"]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


@pytest.fixture
def no_launch(monkeypatch):
    launched = []
    monkeypatch.setattr(imports, "launch_job", lambda job: launched.append(job.pk))
    return launched


def test_a_20000_row_file_imports_in_the_background_with_progress(actor, no_launch, monkeypatch):
    # given 10 products that exist, and a 20,000-row file that renames those 10 and adds 19,990
    imports.run_import(kind="products", source=_products_file(10, name_of=lambda i: f"旧 {i}"), actor=actor)
    audit_before = AuditEntry.objects.count()
    file = _products_file(20_000)
    total = excel.count_rows(file)
    assert total == 20_000 and imports.needs_background(total)

    # when it is queued
    job = imports.start_background_import(kind="products", upload=file, original_name="big.xlsx", total_rows=total,
                                          actor=actor)

    # then the request side only stored the file and started the process
    assert (job.status, job.total_rows, job.processed_rows, job.percent) == ("queued", 20_000, 0, 0)
    assert no_launch == [job.pk]
    assert (Path(settings.MEDIA_ROOT) / job.file).is_file() and job.file.startswith("imports/")
    assert Product.objects.count() == 10

    # when the job runs, progress is written after every chunk of 1,000 checked rows
    seen = []
    validate = imports.validate_workbook

    def spying_validate(**kwargs):
        report = kwargs["progress"]

        def progress(done):
            report(done)
            seen.append(ImportJob.objects.values_list("status", "processed_rows").get(pk=job.pk))

        return validate(**{**kwargs, "progress": progress})

    monkeypatch.setitem(imports.IMPORTERS, "products", imports.Importer(validate=spying_validate, apply=imports.apply_plan))
    job = imports.run_import_job(job_id=job.pk)

    # then
    assert seen == [("validating", n) for n in range(1000, 20_001, 1000)]
    assert (job.status, job.total_rows, job.processed_rows, job.percent) == ("done", 20_000, 20_000, 100)
    assert (job.created_count, job.updated_count, job.errors, job.message) == (19_990, 10, [], "")
    assert job.started is not None and job.finished is not None
    assert Product.objects.count() == 20_000
    assert Product.objects.get(sku="SKU-000007").name == "商品 7"
    assert Product.objects.get(sku="SKU-019990").shelf_life_days == 180
    assert Product.objects.filter(tracking="lot_expiry").count() == 2000
    new_audit = AuditEntry.objects.filter(id__gt=0).count() - audit_before
    assert new_audit == 19_990 + 10  # one per created product, one per changed name
    event = Event.objects.filter(type="catalog.import.completed").order_by("-id").first()
    assert event.payload == {"kind": "products", "created": 19_990, "updated": 10, "rows": 20_000, "job": job.pk}

    # and a second run of the same job changes nothing
    events = Event.objects.count()
    assert imports.run_import_job(job_id=job.pk).status == "done"
    assert (Product.objects.count(), Event.objects.count()) == (20_000, events)


def test_a_big_bad_file_fails_with_every_problem_and_imports_nothing(actor, no_launch):
    file = _products_file(3000, bad={5: {"uom": "盒子"}, 1500: {"sku": "SKU-000005"}, 2999: {"tax_rate": "13%"}})
    job = imports.start_background_import(kind="products", upload=file, original_name="bad.xlsx",
                                          total_rows=excel.count_rows(file), actor=actor)
    job = imports.run_import_job(job_id=job.pk)
    assert job.status == "failed"
    assert job.message == "3 problems in the file; nothing was imported"
    assert [(e["row"], e["column"], e["header"]) for e in job.errors] == [(7, "C", "单位"), (1502, "A", "SKU"),
                                                                          (3001, "D", "税率")]
    assert job.errors[1]["message"] == "duplicate key SKU-000005 in this file (first in row 7)"
    assert (Product.objects.count(), Event.objects.filter(type="catalog.import.completed").count()) == (0, 0)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


@pytest.mark.slow
def test_the_api_answers_202_and_the_detached_process_completes_the_job(api_as, xlsx, settings, monkeypatch,
                                                                         transactional_db):
    # given a small threshold so that a 150-row file takes the background path, and the child process
    # pointed at this test database
    settings.SIHE_IMPORT_BACKGROUND_ROWS = 100
    monkeypatch.setenv("DATABASE_URL", _database_url())
    api = api_as("manager")
    file = xlsx(["sku", "name", "uom"], [[f"BG-{i:03d}", f"后台 {i}", "PCS"] for i in range(150)])

    # when
    response = api.client.post("/api/v1/imports/products", {"file": file}, **api.headers)

    # then the request returns at once with a queued job
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["total_rows"]) == ("queued", 150)

    # and the detached `sihe import_excel --job` finishes it (polled; the deadline only guards a hang)
    deadline = time.monotonic() + 180
    while True:
        job = api.get(f"/api/v1/imports/{body['id']}").json_body
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert (job["status"], job["created"], job["updated"], job["processed_rows"], job["percent"]) == (
        "done", 150, 0, 150, 100), job
    assert job["file_name"] == "upload.xlsx" and job["errors"] == []
    assert Product.objects.filter(sku__startswith="BG-").count() == 150
    audit = AuditEntry.objects.filter(object_type="catalog.product", action="create")
    assert audit.count() == 150 and {a.via for a in audit} == {"worker"}
