"""Excel import/export of master data, low-stock rules and alternate units: upload a file (small ones
import at once, big ones become a background job with progress), read a job's progress, download
exports and empty templates. Every kind goes through `sihe.stock.imports`."""

from datetime import datetime
from typing import Literal

from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from sihe.api.security import authorize
from sihe.catalog import excel, exports
from sihe.catalog import imports as catalog_imports
from sihe.catalog import selectors as catalog_selectors
from sihe.catalog.selectors import ImportJob
from sihe.core.errors import ValidationFailed
from sihe.stock import imports

router = Router(tags=["imports"])

Kind = Literal["products", "partners", "locations", "stock_rules", "product_units"]
HeaderLanguage = Literal["zh", "en"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_RESPONSE = {
    "responses": {
        200: {"description": "an .xlsx workbook (attachment)",
              "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}},
    }
}


class CellError(Schema):
    row: int | None = None
    column: str | None = None
    header: str | None = None
    field: str | None = None
    message: str


class ImportDone(Schema):
    status: Literal["done"]
    kind: Kind
    rows: int
    created: int
    updated: int
    unchanged: int
    rows_read: int = Field(..., description="non-blank rows read from the file (its declared size is not trusted)")
    rows_written: int = Field(..., description="rows created, updated or found unchanged; always equals rows_read")


class ImportQueued(Schema):
    id: int
    status: str
    total_rows: int


class InvalidFile(Schema):
    code: str
    message: str
    field: str | None
    errors: list[CellError]


class JobOut(Schema):
    id: int
    kind: Kind
    status: str
    file_name: str
    total_rows: int
    processed_rows: int
    percent: int
    created: int
    updated: int
    errors: list[CellError]
    message: str
    created_at: datetime
    finished_at: datetime | None
    rows_read: int | None = Field(None, description="once done: non-blank rows read from the file")
    rows_written: int | None = Field(None, description="once done: rows created, updated or found unchanged")


def job_out(job: ImportJob) -> dict:
    progress = catalog_imports.job_progress(job)
    done = job.status == ImportJob.Status.DONE
    return {"id": job.pk, "kind": job.kind, "status": job.status, "file_name": job.original_name,
            "total_rows": job.total_rows, "processed_rows": progress.processed, "percent": progress.percent,
            "created": job.created_count, "updated": job.updated_count, "errors": job.errors,
            "message": job.message, "created_at": job.created, "finished_at": job.finished,
            "rows_read": job.total_rows if done else None, "rows_written": job.processed_rows if done else None}


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _language(headers: str | None) -> str:
    return headers or get_language() or "zh-hans"


# Registered before POST /imports/{kind} so that GET /imports/<number> reaches it.
@router.get("/imports/{int:job_id}", response=JobOut, summary="Progress and result of a background import")
def get_job(request, job_id: int):
    authorize(request, "catalog.import")
    return job_out(catalog_selectors.import_job(job_id))


@router.post(
    "/imports/{kind}",
    response={200: ImportDone, 202: ImportQueued, 422: InvalidFile},
    summary="Import an Excel file of products, partners, locations, low-stock rules or alternate units",
    description=(
        "Multipart upload, field `file` (.xlsx; header row of field names or Chinese labels; choices as code, "
        "English or Chinese label; units by code or Chinese name). The whole file "
        "is checked first: any problem → 422 `invalid_file` listing every bad cell (row, column, header, "
        "message) and nothing is imported. Files up to SIHE_IMPORT_BACKGROUND_ROWS rows import at once "
        "(200, with `rows_read` and `rows_written`); bigger ones are queued (202) — follow "
        "`GET /api/v1/imports/{id}`. `stock_rules`: SKU, warehouse, min_qty, max_qty (库存下限/库存上限); "
        "`product_units`: SKU, unit, factor (换算率: base units in one of that unit)."
    ),
)
def upload(request, kind: Kind, file: UploadedFile = File(None, description="the .xlsx file (required)")):
    actor = authorize(request, "catalog.import")
    if file is None:
        raise ValidationFailed(_("choose an .xlsx file"), field="file", code="invalid_file", errors=[])
    total = excel.count_rows(file)
    if catalog_imports.needs_background(total):
        job = imports.start_background_import(kind=kind, upload=file, original_name=file.name or "", total_rows=total,
                                              actor=actor)
        return 202, {"id": job.pk, "status": job.status, "total_rows": job.total_rows}
    result = imports.run_import(kind=kind, source=file, actor=actor)
    return 200, result.as_dict()


@router.get("/imports/templates/{kind}", summary="An empty Excel template: the header row, drop-downs for choices",
            openapi_extra=XLSX_RESPONSE, url_name="imports_template")
def template(request, kind: Kind, headers: HeaderLanguage | None = None):
    authorize(request, "catalog.view")
    content = imports.template_workbook(kind=kind, language=_language(headers))
    return _xlsx(content, exports.file_name(kind, template=True))


@router.get("/exports/{kind}", summary="All rows of a kind (products, partners, ...) as an Excel file",
            openapi_extra=XLSX_RESPONSE, url_name="imports_export")
def export(request, kind: Kind, headers: HeaderLanguage | None = None):
    authorize(request, "catalog.view")
    return _xlsx(imports.export_workbook(kind=kind, language=_language(headers)), exports.file_name(kind))
