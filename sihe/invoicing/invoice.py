"""A 数电发票 as data: number, parties, lines, totals, 大写, and the red (负数) invoice that reverses one.

Pure: no database. The order engine builds an `Invoice` from shipped orders; `xml.py` and `pdf.py`
render it.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from sihe.core import clock
from sihe.core.money import to_decimal
from sihe.invoicing.amount_words import amount_in_words
from sihe.invoicing.lines import DISCOUNT, InvoiceError, InvoiceLine, Totals, line_from_exclusive, totals

ORDINARY, SPECIAL = "ordinary", "special"  # 电子发票（普通发票） / 电子发票（增值税专用发票）
TYPE_NAMES = {ORDINARY: "电子发票（普通发票）", SPECIAL: "电子发票（增值税专用发票）"}
QR_TYPE_CODES = {SPECIAL: "31", ORDINARY: "32"}  # 票种 in the face QR code (§4.2)
# 行政区划 province codes (GB/T 2260), digits 3–4 of the number.
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
_DIGITS20 = re.compile(r"^\d{20}$")
_CONFIRMATION = re.compile(r"^[0-9]{20}$")
_SPACES = re.compile(r"[\s\u3000]+")


@dataclass(frozen=True)
class InvoiceNumber:
    """The 20-digit 发票号码: year (2) · region (2) · issuing channel (1) · sequence (15)."""

    number: str

    @property
    def year(self) -> str:
        return self.number[0:2]

    @property
    def region(self) -> str:
        return self.number[2:4]

    @property
    def channel(self) -> str:
        return self.number[4]

    @property
    def sequence(self) -> str:
        return self.number[5:]


def parse_invoice_number(value, *, field: str = "number") -> InvoiceNumber:
    """Refuse anything but 20 digits with a known province code; an int is refused (ids are strings)."""
    if not isinstance(value, str):
        raise InvoiceError(_("the invoice number must be a string of 20 digits"), field=field)
    text = value.strip()
    if not _DIGITS20.match(text):
        raise InvoiceError(
            _("the invoice number must be 20 digits, got %(n)s characters") % {"n": len(text)}, field=field
        )
    if text[2:4] not in PROVINCE_CODES:
        raise InvoiceError(
            _("digits 3–4 of the invoice number (%(code)s) are not a province code") % {"code": text[2:4]},
            field=field,
        )
    return InvoiceNumber(text)


def parse_confirmation_number(value, *, field: str = "confirmation_number") -> str:
    """The 红字发票信息确认单编号 a red 数电发票 is issued against: 20 digits (spaces a person types
    between groups are dropped). Every red 数电票 needs one (§4.1): the seller fills in the 确认单 on
    the platform, and the red invoice is issued once it is confirmed (or needs no confirmation)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvoiceError(_("a red invoice needs the red-letter invoice confirmation number (红字发票信息确认单编号)"),
                           field=field)
    if not isinstance(value, str):
        raise InvoiceError(_("the red-letter invoice confirmation number must be a string of 20 digits"),
                           field=field)
    text = _SPACES.sub("", value)
    if not _CONFIRMATION.match(text):
        raise InvoiceError(
            _("the red-letter invoice confirmation number must be 20 digits, got %(value)s")
            % {"value": text[:40]}, field=field)
    return text


@dataclass(frozen=True)
class Party:
    """购买方 / 销售方: name and 统一社会信用代码/纳税人识别号 (an individual buyer may have none)."""

    name: str
    tax_id: str = ""
    address: str = ""
    phone: str = ""
    bank: str = ""
    account: str = ""


@dataclass(frozen=True)
class RedReference:
    """A red invoice points at the blue one's 20-digit number and the 红字信息确认单编号."""

    original_number: str
    confirmation_number: str


@dataclass(frozen=True)
class Invoice:
    number: str
    issued_at: datetime
    seller: Party
    buyer: Party
    lines: tuple[InvoiceLine, ...]
    kind: str = ORDINARY
    remark: str = ""
    drawer: str = ""
    check_code: str = ""  # 校验 in the QR code, as the platform returns it
    red: RedReference | None = None
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def is_red(self) -> bool:
        return self.red is not None

    @property
    def totals(self) -> Totals:
        return totals(self.lines)

    @property
    def total_in_words(self) -> str:
        return amount_in_words(self.totals.total)

    @property
    def type_name(self) -> str:
        return TYPE_NAMES[self.kind]

    @property
    def issue_day(self):
        """The 开票日期: the Beijing day of issue, whatever zone `issued_at` was given in."""
        return clock.day_of(self.issued_at)

    def qr_text(self) -> str:
        """`01,{票种},,{号码},{价税合计},{YYYYMMDD},,{校验},` (§4.2)."""
        return (
            f"01,{QR_TYPE_CODES[self.kind]},,{self.number},{self.totals.total},"
            f"{self.issue_day:%Y%m%d},,{self.check_code},"
        )


def build_invoice(
    *, number: str, issued_at: datetime, seller: Party, buyer: Party, lines, kind: str = ORDINARY,
    remark: str = "", drawer: str = "", check_code: str = "", red: RedReference | None = None,
) -> Invoice:
    """Check everything a 数电 platform would refuse, then return the invoice."""
    parse_invoice_number(number)
    if issued_at.tzinfo is None:
        raise InvoiceError(_("the issue time must carry a time zone"), field="issued_at")
    if kind not in TYPE_NAMES:
        raise InvoiceError(_("unknown invoice type %(kind)s") % {"kind": kind}, field="kind")
    if not (seller.name or "").strip():
        raise InvoiceError(_("the seller name is required"), field="seller.name")
    if not (seller.tax_id or "").strip():
        raise InvoiceError(_("the seller tax id is required"), field="seller.tax_id")
    if not (buyer.name or "").strip():
        raise InvoiceError(_("the buyer name is required"), field="buyer.name")
    if kind == SPECIAL and not (buyer.tax_id or "").strip():
        raise InvoiceError(_("a special VAT invoice needs the buyer's tax id"), field="buyer.tax_id")
    lines = tuple(lines)
    result = totals(lines)
    if red is None and result.total <= 0:
        raise InvoiceError(_("a blue invoice must have a positive total"), field="lines")
    if red is not None:
        parse_invoice_number(red.original_number, field="red.original_number")
        if not (red.confirmation_number or "").strip():
            raise InvoiceError(_("a red invoice needs the red-letter confirmation number"),
                               field="red.confirmation_number")
        if result.total >= 0:
            raise InvoiceError(_("a red invoice must have a negative total"), field="lines")
    return Invoice(
        number=number, issued_at=issued_at, seller=seller, buyer=buyer, lines=lines, kind=kind,
        remark=remark, drawer=drawer, check_code=check_code, red=red,
    )


def red_invoice(
    blue: Invoice, *, number: str, confirmation_number: str, issued_at: datetime,
    returned: dict[int, Decimal] | None = None, drawer: str = "", remark: str = "",
) -> Invoice:
    """The 红字 (负数) invoice for `blue`: all lines negated, or — for a partial return — the lines at the
    given indexes with the returned quantities (amount and tax recomputed at the blue unit price)."""
    if blue.is_red:
        raise InvoiceError(_("a red invoice cannot itself be reversed"), field="original_number")
    if returned is None:
        lines = tuple(line.negated() for line in blue.lines)
    else:
        lines = []
        for index, qty in sorted(returned.items()):
            if not 0 <= index < len(blue.lines):
                raise InvoiceError(_("no line %(index)s on the blue invoice") % {"index": index},
                                   field=f"returned[{index}]")
            line = blue.lines[index]
            quantity = to_decimal(qty, field=f"returned[{index}]")
            if line.kind != "normal" or line.quantity is None or line.unit_price is None:
                raise InvoiceError(_("only a plain line with a quantity can be returned in part"),
                                   field=f"returned[{index}]")
            if not 0 < quantity <= line.quantity:
                raise InvoiceError(_("the returned quantity must be between 0 and the invoiced quantity"),
                                   field=f"returned[{index}]")
            if quantity == line.quantity:
                lines.append(line.negated())
            else:
                lines.append(line_from_exclusive(
                    name=line.name, tax_code=line.tax_code, tax_rate=line.tax_rate, quantity=-quantity,
                    unit_price=line.unit_price, spec=line.spec, unit=line.unit,
                ))
        lines = tuple(lines)
    reference = RedReference(original_number=blue.number, confirmation_number=confirmation_number)
    note = remark or f"被红冲蓝字数电票号码：{blue.number} 红字发票信息确认单编号：{confirmation_number}"
    red = build_invoice(
        number=number, issued_at=issued_at, seller=blue.seller, buyer=blue.buyer, lines=lines, kind=blue.kind,
        remark=note, drawer=drawer or blue.drawer, red=reference,
    )
    if abs(red.totals.total) > blue.totals.total:
        raise InvoiceError(_("a red invoice cannot exceed the blue one"), field="returned")
    return red


__all__ = [
    "DISCOUNT", "Invoice", "InvoiceNumber", "Party", "RedReference", "build_invoice", "parse_confirmation_number",
    "parse_invoice_number", "red_invoice",
]
