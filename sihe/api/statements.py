"""Platform settlement statements (账单): upload a channel's bill, read what matched and the differences.

`POST /api/v1/channels/{code}/statements` (multipart, field `file`: .csv in UTF-8 or GBK, or .xlsx) reads
the bill in the layout of 支付宝账务明细 (Taobao/Tmall), 京东结算单 or 抖店结算账单 (or any file with an order
number and a settled amount column, see docs/design/orders.md), settles every order whose row matches what
is still receivable (rule `receipt.platform`: fees to 5601 销售费用) and lists the rest as differences
(`unknown_order`, `over_settlement`, `amount_differs` with both figures). Rows settled before are
`duplicate` and record nothing.
"""

from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from sihe.api.pagination import MAX_INT, Mapped, Page
from sihe.api.security import authorize
from sihe.catalog import selectors as catalog
from sihe.core import tx
from sihe.core.errors import ValidationFailed
from sihe.oms import selectors, statements

router = Router(tags=["statements"])


class StatementOut(Schema):
    id: int
    channel: str
    file_name: str
    layout: str = Field(..., description="alipay (支付宝账务明细), items (京东结算单: a row per 费用项) or orders "
                                         "(抖店结算账单 / 淘宝结算明细: a row per order)")
    rows_read: int
    matched: int
    duplicates: int = Field(..., description="rows settled by an earlier statement: nothing recorded")
    differences: int
    amount_total: str = Field(..., description="money paid out for the matched rows")
    fee_total: str = Field(..., description="the platform's fees on the matched rows (to 5601 销售费用)")
    imported_at: str
    imported_by: str


class OrderRef(Schema):
    id: int
    number: str


class RowOut(Schema):
    line: int = Field(..., description="the file's line (the first of the order's lines)")
    lines: list[int]
    row_ref: str = Field(..., description="the platform's row ids (流水号/单据编号)")
    order_no: str
    order: OrderRef | None
    amount: str
    fee: str
    total: str = Field(..., description="amount + fee: what the row settles")
    date: str | None
    status: Literal["matched", "duplicate", "difference"]
    reason: str = Field(..., description="for a difference: unknown_order, over_settlement, amount_differs, or "
                                         "the code of the settlement's refusal")
    receivable: str | None = Field(None, description="what was still receivable on the order")
    message: str
    settlement_id: int | None


class StatementDetail(StatementOut):
    rows: list[RowOut]


class ListFilters(Schema):
    channel: str = Field("", max_length=40)


@router.post("/channels/{code}/statements", response={201: StatementDetail},
             summary="Import a platform settlement statement (账单) and reconcile it against the channel's orders")
def post_statement(request, code: str = Path(..., max_length=40),
                   file: UploadedFile = File(None, description="the bill: .csv (UTF-8 or GBK) or .xlsx")):
    actor = authorize(request, "payments.manage")
    channel = catalog.channel_by_code(code)
    if file is None:
        raise ValidationFailed(_("choose a .csv or .xlsx file"), field="file", code="invalid_file", errors=[])
    if file.size and file.size > statements.MAX_BYTES:
        raise ValidationFailed(_("the file is too large"), field="file", code="invalid_file", errors=[])
    content = file.read()
    with tx.entry():
        statement = statements.import_statement(channel=channel, content=content, file_name=file.name or "",
                                                actor=actor)
    return 201, selectors.statement_detail(selectors.statement(statement.pk))


@router.get("/statements", response=list[StatementOut], summary="Imported settlement statements, newest first")
@paginate(Page)
def list_statements(request, filters: ListFilters = Query(...)):
    authorize(request, "ledger.view")
    return Mapped(selectors.statements(channel=filters.channel), selectors.statement_summary)


@router.get("/statements/{statement_id}", response=StatementDetail,
            summary="One statement with its rows: matched, duplicate, or a difference with its reason")
def get_statement(request, statement_id: int = Path(..., ge=1, le=MAX_INT),
                  status: Literal["matched", "duplicate", "difference"] | None = None):
    authorize(request, "ledger.view")
    return selectors.statement_detail(selectors.statement(statement_id), status=status or "")
