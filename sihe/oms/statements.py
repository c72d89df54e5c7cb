"""Platform settlement statements (账单): a platform's bill imported for one channel and reconciled
against its orders in one act.

A file (.csv in UTF-8 or GBK/GB18030, or .xlsx) is read from its header row — the first of the first
50 rows naming an order-number column and an amount column, so the platform's preamble lines
(``#支付宝账务明细查询``, ``#账号：…``) and its closing summary (``#…合计``) are skipped. Columns are
recognised by their Chinese (or English) headers, whatever their order (`COLUMNS`; spaces, case and the
unit in brackets — ``收入金额（+元）`` — do not matter). Three layouts follow from the columns present:

- ``alipay`` (Taobao/Tmall 支付宝账务明细): 收入金额 and 支出金额 per row; the payout (交易付款/在线支付)
  is income, the platform's charges (业务类型 基础软件服务费, 淘宝客佣金, …) are expenses of the same
  商户订单号 (``T200P<tid>``: the prefix is dropped).
- ``items`` (JD 结算单: a row per 费用项 — 货款, 佣金, 平台服务费 … — with 金额 and 收支方向).
- ``orders`` (抖店结算账单, 淘宝结算明细, any one-row-per-order file): 结算金额 (what is paid out, after fees)
  and fee columns (平台服务费, 佣金, 渠道分成, 招商服务费, 其他分成 …, summed).

The file's rows of one order number are taken together: amount = Σ money in − money out (what the
platform paid), fee = Σ charges (a row whose 业务类型/费用项 names a fee, plus the fee columns). A matched
order is settled by `books.record_settlement(kind="platform", amount, fee)` (rule ``receipt.platform``:
其他货币资金 + 销售费用 against 应收账款) when amount + fee is exactly what is still receivable. Everything
else is a difference that changes nothing: ``unknown_order`` (no order of the channel with that
external_id or number), ``over_settlement`` and ``amount_differs`` (with the statement's figure and the
receivable), or the reason `record_settlement` refused it (a closed period …). A row settled once — its
key: the platform's row ids, else (order, amount, fee, date) — is ``duplicate`` on a later import and
records nothing; a difference may be imported again once its order is there.
"""

import csv
import datetime
import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from sihe.catalog.models import Channel
from sihe.core import audit, outbox, tx
from sihe.core.actor import Actor
from sihe.core.errors import DomainError, ValidationFailed
from sihe.core.money import money
from sihe.oms import books
from sihe.oms.models import Order, SettlementStatement, StatementRow

ZERO = Decimal("0.00")
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
HEADER_SCAN = 50
NOT_PLATFORMS = (Channel.Type.DEALER, Channel.Type.POS)

# field → the headers that name it (normalised by `header_key`), the first present wins
COLUMNS: dict[str, tuple[str, ...]] = {
    "order_no": ("订单号", "订单编号", "主订单号", "淘宝订单号", "外部订单号", "商户订单号", "业务订单号", "交易订单号",
                 "order_no", "order_id", "external_id", "order"),
    "row_ref": ("账务流水号", "动账流水号", "结算流水号", "流水号", "单据编号", "明细编号", "结算单号", "row_id"),
    "amount": ("实际结算金额", "结算金额", "实收金额", "应结金额", "入账金额", "动账金额", "金额", "settled_amount",
               "amount"),
    "income": ("收入金额", "收入"),
    "expense": ("支出金额", "支出"),
    "direction": ("收支方向", "收支类型", "动账方向", "资金方向", "direction"),
    "kind": ("费用项", "费用类型", "费用名称", "业务类型", "账务类型", "fee_type"),
    "date": ("结算时间", "结算日期", "入账时间", "动账时间", "发生时间", "账单日期", "账务日期", "到账时间", "日期", "时间",
             "settled_at", "date"),
}
# every one of these present is a charge kept by the platform (summed)
FEE_COLUMNS = ("佣金", "平台佣金", "平台服务费", "技术服务费", "软件服务费", "基础软件服务费", "手续费", "支付手续费",
               "交易手续费", "服务费", "达人佣金", "渠道分成", "招商服务费", "其他分成", "站外推广费", "推广费",
               "fee", "fees", "commission")
# a row of an itemised bill whose 费用项/业务类型 holds one of these words is a charge
FEE_WORDS = ("佣金", "服务费", "手续费", "分成", "推广", "扣点", "技术", "commission", "fee")
OUT_WORDS = ("支出", "出账", "扣除", "expense", "out", "debit", "-")
ALIPAY_PREFIX = re.compile(r"^T\d{3,4}P(?=\d)")
BRACKETS = re.compile(r"[（(][^）)]*[）)]$")
SPREADSHEET_TEXT = re.compile(r'^="(.*?)"?$')


def header_key(text) -> str:
    """收入金额（+元） → 收入金额; "Order_No " → order_no."""
    value = str(text or "").replace("\ufeff", "").strip().lstrip("#").strip()
    value = BRACKETS.sub("", value)
    return re.sub(r"\s+", "", value).lower()


@dataclass
class Line:
    line_no: int
    order_no: str
    row_ref: str
    net: Decimal
    fee: Decimal
    date: datetime.date | None


@dataclass
class Group:
    order_no: str
    lines: list[Line] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return sum((ln.net for ln in self.lines), ZERO)

    @property
    def fee(self) -> Decimal:
        return sum((ln.fee for ln in self.lines), ZERO)

    @property
    def date(self) -> datetime.date | None:
        dates = [ln.date for ln in self.lines if ln.date]
        return max(dates) if dates else None

    @property
    def refs(self) -> list[str]:
        return sorted({ln.row_ref for ln in self.lines if ln.row_ref})

    def key(self, channel: Channel) -> str:
        """What makes the row the same row on a later statement: the platform's row ids, else the figures."""
        if self.refs and all(ln.row_ref for ln in self.lines):
            tail = "ref:" + "|".join(self.refs)
        else:
            tail = f"{self.amount}:{self.fee}:{self.date.isoformat() if self.date else ''}"
        key = f"{channel.code}:{self.order_no}:{tail}"
        return key if len(key) <= 200 else f"{channel.code}:{self.order_no}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


@dataclass
class Parsed:
    layout: str
    groups: list[Group]
    rows_read: int


# -- reading the file -------------------------------------------------------------------------------


def _refuse(message: str, errors: list | None = None) -> ValidationFailed:
    return ValidationFailed(message, field="file", code="invalid_file", errors=errors or [])


def _csv_rows(content: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refuse(_("the file is neither UTF-8 nor GBK text"))
    if "\x00" in text:
        raise _refuse(_("the file contains a NUL character"))
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_rows(content: bytes) -> list[list]:
    from sihe.catalog import excel

    sheet = excel.open_sheet(io.BytesIO(content))
    try:
        rows = [list(sheet.headers)]
        for _n, cells in sheet.rows:
            rows.append(list(cells))
            if len(rows) > MAX_ROWS + HEADER_SCAN:
                break
        return rows
    finally:
        sheet.close()


def _columns(header: list) -> dict[str, int]:
    keys = [header_key(h) for h in header]
    found: dict[str, int] = {}
    for name, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in keys:
                found[name] = keys.index(alias)
                break
    return found


def _cell(cells: list, index: int | None):
    if index is None or index >= len(cells):
        return None
    return cells[index]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    match = SPREADSHEET_TEXT.match(text)  # ="3712…" keeps a long number as text in Excel
    return (match.group(1) if match else text).strip("'\"\t ").strip()


def _number(value, where: str) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ZERO
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return money(value, field=where)
    text = _text(value).replace(",", "").replace("¥", "").replace("￥", "").replace(" ", "")
    if text in ("", "-", "--"):
        return ZERO
    return money(text, field=where)


def _date(value, where: str) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    if not text:
        return None
    digits = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", text) or re.match(r"^(\d{4})(\d{2})(\d{2})", text)
    try:
        if digits:
            return datetime.date(*(int(g) for g in digits.groups()))
    except ValueError:
        pass
    raise ValidationFailed(_("%(field)s is not a date: %(value)s") % {"field": where, "value": text[:40]}, field=where)


def order_number(value, channel: Channel) -> str:
    """The platform's order number as the bill writes it → the order's external_id (Alipay's 商户订单号
    T200P<tid> → tid)."""
    text = _text(value)
    if channel.type == Channel.Type.TAOBAO:
        text = ALIPAY_PREFIX.sub("", text)
    return text[:80]


def _is_out(direction) -> bool:
    word = _text(direction).lower()
    return bool(word) and any(w in word for w in OUT_WORDS)


def _is_fee(kind) -> bool:
    word = _text(kind).lower()
    return bool(word) and any(w in word for w in FEE_WORDS)


def parse(content: bytes, *, file_name: str, channel: Channel) -> Parsed:
    """The file's rows, grouped by order number; any unreadable cell refuses the whole file (422
    `invalid_file` listing every one)."""
    if not content:
        raise _refuse(_("the file is empty"))
    if len(content) > MAX_BYTES:
        raise _refuse(_("the file is larger than %(mb)s MB") % {"mb": MAX_BYTES // (1024 * 1024)})
    name = (file_name or "").lower()
    if content[:2] == b"PK" or name.endswith(".xlsx"):
        rows = _xlsx_rows(content)
    elif content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or name.endswith(".xls"):
        raise _refuse(_("an old .xls workbook: save it as .xlsx or .csv"))
    else:
        rows = _csv_rows(content)
    start, cols = None, {}
    for i, row in enumerate(rows[:HEADER_SCAN]):
        cols = _columns(row)
        if "order_no" in cols and ({"amount", "income"} & cols.keys()):
            start = i
            break
    if start is None:
        raise _refuse(_("no header row naming the order number (订单号) and the amount (结算金额/收入金额)"))
    header = [_text(h) for h in rows[start]]
    keys = [header_key(h) for h in header]
    fee_cols = [i for i, k in enumerate(keys) if k in FEE_COLUMNS and i not in cols.values()]
    layout = "alipay" if "income" in cols else "items" if "kind" in cols else "orders"
    lines: list[Line] = []
    errors: list[dict] = []
    for offset, cells in enumerate(rows[start + 1:], start=start + 2):
        cells = list(cells or [])
        if not any(_text(c) for c in cells) or _text(cells[0]).startswith("#"):
            continue
        if len(lines) >= MAX_ROWS:
            raise _refuse(_("more than %(n)s rows; split the statement") % {"n": MAX_ROWS})
        try:
            line = _line(cells, offset, cols, fee_cols, header, channel)
        except ValidationFailed as exc:
            errors.append({"row": offset, "field": exc.field, "message": exc.message})
            continue
        if line is not None:
            lines.append(line)
    if errors:
        raise _refuse(_("%(n)s problems in the file; nothing was imported") % {"n": len(errors)}, errors)
    groups: dict[str, Group] = {}
    out: list[Group] = []
    for line in lines:
        if not line.order_no:
            out.append(Group("", [line]))
            continue
        if line.order_no not in groups:
            groups[line.order_no] = Group(line.order_no)
            out.append(groups[line.order_no])
        groups[line.order_no].lines.append(line)
    return Parsed(layout=layout, groups=out, rows_read=len(lines))


def _line(cells, line_no, cols, fee_cols, header, channel) -> Line | None:
    def at(name):
        return _cell(cells, cols.get(name))

    def where(name_or_index):
        index = cols.get(name_or_index) if isinstance(name_or_index, str) else name_or_index
        return header[index] if index is not None and index < len(header) else str(name_or_index)

    if "income" in cols:
        net = _number(at("income"), where("income")) - abs(_number(at("expense"), where("expense")))
    else:
        net = _number(at("amount"), where("amount"))
        if net > 0 and _is_out(at("direction")):
            net = -net
    fee = sum((abs(_number(_cell(cells, i), where(i))) for i in fee_cols), ZERO)
    if net < 0 and _is_fee(at("kind")):
        fee += -net
    order_no = order_number(at("order_no"), channel)
    if not order_no and not net and not fee:
        return None
    return Line(line_no=line_no, order_no=order_no, row_ref=_text(at("row_ref"))[:60], net=net, fee=fee,
                date=_date(at("date"), where("date")))


# -- the act ----------------------------------------------------------------------------------------


def _find_order(channel: Channel, order_no: str) -> Order | None:
    if not order_no:
        return None
    qs = Order.objects.filter(channel=channel)
    return qs.filter(external_id=order_no).first() or qs.filter(number=order_no).first()


def import_statement(*, channel: Channel, content: bytes, file_name: str, actor: Actor) -> SettlementStatement:
    """Read the statement and settle what matches, in one act; see the module's docstring."""
    if channel.type in NOT_PLATFORMS:
        raise ValidationFailed(_("channel %(code)s is not a platform: record its receipts on the order")
                               % {"code": channel.code}, field="code", code="not_a_platform")
    parsed = parse(content, file_name=file_name, channel=channel)
    with tx.act():
        statement = SettlementStatement.objects.create(
            channel=channel, file_name=(file_name or "")[:200], sha256=hashlib.sha256(content).hexdigest(),
            layout=parsed.layout, rows_read=parsed.rows_read, imported_at=actor.at, imported_by=actor.username[:150])
        rows = [_reconcile(statement, group, channel, actor) for group in parsed.groups]
        StatementRow.objects.bulk_create(rows)
        matched = [r for r in rows if r.status == StatementRow.Status.MATCHED]
        statement.matched = len(matched)
        statement.duplicates = sum(1 for r in rows if r.status == StatementRow.Status.DUPLICATE)
        statement.differences = sum(1 for r in rows if r.status == StatementRow.Status.DIFFERENCE)
        statement.amount_total = sum((r.amount for r in matched), ZERO)
        statement.fee_total = sum((r.fee for r in matched), ZERO)
        statement.save(update_fields=["matched", "duplicates", "differences", "amount_total", "fee_total"])
        audit.record_created(statement, actor=actor, fields=["channel", "file_name", "layout", "rows_read", "matched",
                                                             "duplicates", "differences", "amount_total", "fee_total"])
        outbox.emit("oms.statement.imported", aggregate_type="statement", aggregate_id=statement.pk, actor=actor,
                    payload={"id": statement.pk, "channel": channel.code, "file_name": statement.file_name,
                             "matched": statement.matched, "duplicates": statement.duplicates,
                             "differences": statement.differences, "amount": str(statement.amount_total),
                             "fee": str(statement.fee_total)})
        return statement


def _reconcile(statement: SettlementStatement, group: Group, channel: Channel, actor: Actor) -> StatementRow:
    first = group.lines[0]
    row = StatementRow(statement=statement, line_no=first.line_no,
                       lines=",".join(str(ln.line_no) for ln in group.lines)[:200],
                       row_ref=",".join(group.refs)[:200], order_no=group.order_no, amount=group.amount,
                       fee=group.fee, date=group.date, key=group.key(channel)[:200])
    order = _find_order(channel, group.order_no)
    if order is None:
        return _difference(row, "unknown_order")
    # the order's row is locked first: a parallel import of the same row waits here, then finds it settled
    order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    row.order = order
    if StatementRow.objects.filter(key=row.key, status=StatementRow.Status.MATCHED).exists():
        row.status = StatementRow.Status.DUPLICATE
        return row
    row.receivable = books.outstanding(order)
    total = row.amount + row.fee
    if total > row.receivable:
        return _difference(row, "over_settlement")
    if total != row.receivable or row.amount <= 0 or row.fee < 0:
        return _difference(row, "amount_differs")
    try:
        with tx.attempt():
            row.settlement = books.record_settlement(
                order=order, kind="platform", amount=row.amount, fee=row.fee, actor=actor,
                date=row.date or timezone.localdate(actor.at),
                reference=f"账单#{statement.pk} {row.row_ref}".strip()[:100])
    except DomainError as exc:
        row.message = exc.message[:300]
        return _difference(row, exc.code[:40])
    row.status = StatementRow.Status.MATCHED
    return row


def _difference(row: StatementRow, reason: str) -> StatementRow:
    row.status, row.reason = StatementRow.Status.DIFFERENCE, reason
    return row
