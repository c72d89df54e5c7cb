"""数电发票 line arithmetic per china-formats.md §4.4, without a database.

- from tax-exclusive prices: 金额 = 数量 × 单价 (within ±0.01), 税额 = round_half_up(金额 × 税率, 2);
- from tax-inclusive e-commerce prices: 不含税 = round(含税 / (1 + r), 2), 税额 = 含税 − 不含税, so
  价税合计 is what the buyer paid (99.90 @13% → 88.41 + 11.49);
- discounts: the discounted line (被折扣行) followed by a negative 折扣行 with the same name and rate;
- checks: |税额 − 金额 × 税率| ≤ 0.06 per line, accumulated ≤ 1.27 per invoice;
- 项目名称 is `*简称*商品名`; 价税合计 = 合计金额 + 合计税额 exactly.
"""

import re
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from sihe.core.errors import ValidationFailed
from sihe.core.money import CENT, round_money, to_decimal

RATES = tuple(Decimal(r) for r in ("0", "0.01", "0.03", "0.05", "0.06", "0.09", "0.13"))
AMOUNT_TOLERANCE = Decimal("0.01")
LINE_TAX_TOLERANCE = Decimal("0.06")
TOTAL_TAX_TOLERANCE = Decimal("1.27")
UNIT_PRICE_PLACES = Decimal("1e-8")

NORMAL, DISCOUNTED, DISCOUNT = "normal", "discounted", "discount"  # TOP row_type 0 / 2 / 1
KINDS = (NORMAL, DISCOUNTED, DISCOUNT)
_ITEM_NAME = re.compile(r"^\*([^*]+)\*([^*]+)$")
_TAX_CODE = re.compile(r"^\d{19}$")


class InvoiceError(ValidationFailed):
    code = "invalid_invoice"


LIMIT = Decimal(10) ** 13  # beyond any invoice; keeps Decimal arithmetic inside its precision


def bounded(value, field: str) -> Decimal:
    """A number from input, refused (naming the field) when it is not one or is beyond any invoice."""
    try:
        number = to_decimal(value, field=field)
    except ValidationFailed as error:  # an invoice's refusals are InvoiceErrors, whatever the cause
        raise InvoiceError(error.message, field=field) from error
    if abs(number) >= LIMIT:
        raise InvoiceError(_("%(field)s is too large") % {"field": field}, field=field)
    return number


def item_name(short_name: str, goods_name: str) -> str:
    """`*简称*商品名`, e.g. *谷物*稻谷. A goods name that already carries a *简称* prefix keeps its own."""
    goods = (goods_name or "").strip()
    short = (short_name or "").strip().strip("*")
    if _ITEM_NAME.match(goods):
        return goods
    if not short or "*" in short:
        raise InvoiceError(_("the tax classification short name is missing or contains '*'"), field="short_name")
    if not goods or "*" in goods:
        raise InvoiceError(_("the goods name is missing or contains '*'"), field="goods_name")
    return f"*{short}*{goods}"


def split_item_name(name: str) -> tuple[str, str]:
    """*谷物*稻谷 → ("谷物", "稻谷")."""
    match = _ITEM_NAME.match(name or "")
    if not match:
        raise InvoiceError(_("the item name must read *short name*goods name"), field="name")
    return match.group(1), match.group(2)


def parse_rate(value, *, field: str = "tax_rate") -> Decimal:
    """0.13, "0.130000", "13%" → Decimal("0.13"); refuses rates the 数电 platform does not allow."""
    text = str(value).strip() if not isinstance(value, Decimal) else value
    if isinstance(text, str) and text.endswith("%"):
        rate = bounded(text[:-1], field) / 100
    else:
        rate = bounded(text, field)
    for allowed in RATES:
        if rate == allowed:
            return allowed
    raise InvoiceError(
        _("tax rate %(rate)s is not one of 0, 1%%, 3%%, 5%%, 6%%, 9%%, 13%%") % {"rate": value}, field=field
    )


EXEMPT_WORDS = ("免税", "exempt")


def is_exempt(value) -> bool:
    """A line's rate given as 免税 (or "exempt"): a tax-exempt line."""
    return str(value).strip().lower() in EXEMPT_WORDS


def tax_for(amount: Decimal, rate: Decimal) -> Decimal:
    """税额 = round_half_up(金额 × 税率, 2) (half up away from zero, so red lines mirror blue ones)."""
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def _unit_price(amount: Decimal, quantity: Decimal) -> Decimal:
    price = (amount / quantity).quantize(UNIT_PRICE_PLACES, rounding=ROUND_HALF_UP)
    text = format(price, "f").rstrip("0")
    whole, _dot, places = text.partition(".")
    return Decimal(f"{whole}.{places.ljust(2, '0')}")


@dataclass(frozen=True)
class InvoiceLine:
    """One 发票行: amounts in yuan, 金额 without tax, 税额 on it; quantity/unit price empty on 折扣行."""

    name: str
    tax_code: str
    tax_rate: Decimal
    amount: Decimal
    tax: Decimal
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    spec: str = ""
    unit: str = ""
    kind: str = NORMAL
    # 免税: rate 0 and no tax, printed 免税 with tax *** (china-formats.md §4.3)
    exempt: bool = False

    @property
    def total(self) -> Decimal:
        """价税合计 of the line."""
        return self.amount + self.tax

    def negated(self) -> "InvoiceLine":
        return replace(
            self,
            amount=-self.amount,
            tax=-self.tax,
            quantity=-self.quantity if self.quantity is not None else None,
        )


def _tax_code(code: str) -> str:
    code = (code or "").strip()
    if not _TAX_CODE.match(code):
        raise InvoiceError(_("the tax classification code must be 19 digits"), field="tax_code")
    return code


def line_from_exclusive(
    *, name: str, tax_code: str, tax_rate, quantity, unit_price, amount=None, spec: str = "", unit: str = ""
) -> InvoiceLine:
    """A line from a tax-exclusive unit price: 3 × 50.01 @9% → 150.03 + 13.50."""
    rate = parse_rate(tax_rate)
    qty = bounded(quantity, "quantity")
    price = bounded(unit_price, "unit_price")
    if qty == 0:
        raise InvoiceError(_("quantity must not be zero"), field="quantity")
    if price < 0:
        raise InvoiceError(_("the unit price must not be negative"), field="unit_price")
    exact = bounded(qty * price, "amount")
    value = round_money(exact) if amount is None else round_money(bounded(amount, "amount"))
    line = InvoiceLine(
        name=name, tax_code=_tax_code(tax_code), tax_rate=rate, amount=value, tax=tax_for(value, rate),
        quantity=qty, unit_price=price, spec=spec, unit=unit,
    )
    check_line(line)
    return line


def line_from_inclusive(
    *, name: str, tax_code: str, tax_rate, quantity, gross, spec: str = "", unit: str = ""
) -> InvoiceLine:
    """A line from what the buyer paid (含税): 99.90 @13% → 88.41 + 11.49, 价税合计 stays 99.90."""
    rate = parse_rate(tax_rate)
    qty = bounded(quantity, "quantity")
    paid = round_money(bounded(gross, "gross"))
    if qty == 0:
        raise InvoiceError(_("quantity must not be zero"), field="quantity")
    amount = round_money(paid / (1 + rate))
    line = InvoiceLine(
        name=name, tax_code=_tax_code(tax_code), tax_rate=rate, amount=amount, tax=paid - amount,
        quantity=qty, unit_price=_unit_price(amount, qty), spec=spec, unit=unit,
    )
    check_line(line)
    return line


def with_discount(line: InvoiceLine, *, amount=None, gross=None) -> tuple[InvoiceLine, InvoiceLine]:
    """被折扣行 + 折扣行: the discount line has the same name, code and rate and negative amounts.

    Give the discount without tax (`amount`) or as the buyer saw it, tax included (`gross`).
    """
    if (amount is None) == (gross is None):
        raise InvoiceError(_("give the discount either without tax or tax included"), field="discount")
    if amount is not None:
        off = round_money(bounded(amount, "discount"))
        off_tax = tax_for(off, line.tax_rate)
    else:
        off_gross = round_money(bounded(gross, "discount"))
        off = round_money(off_gross / (1 + line.tax_rate))
        off_tax = off_gross - off
    if off <= 0 or off > line.amount or off_tax > line.tax:
        raise InvoiceError(_("the discount must be positive and at most the line amount"), field="discount")
    discounted = replace(line, kind=DISCOUNTED)
    discount = InvoiceLine(
        name=line.name, tax_code=line.tax_code, tax_rate=line.tax_rate, amount=-off, tax=-off_tax, kind=DISCOUNT,
    )
    check_line(discount)
    return discounted, discount


def sale_lines(
    *, name: str, tax_code: str, tax_rate, quantity, gross, discount=0, spec: str = "", unit: str = ""
) -> list[InvoiceLine]:
    """An e-commerce order line (prices tax included) as invoice lines: without a discount one line;
    with one, the 被折扣行 at the full price and its 折扣行, so 价税合计 = gross − discount = paid."""
    line = line_from_inclusive(name=name, tax_code=tax_code, tax_rate=tax_rate, quantity=quantity, gross=gross,
                               spec=spec, unit=unit)
    off = round_money(bounded(discount, "discount"))
    if off == 0:
        return [line]
    if off == line.total:
        raise InvoiceError(_("a line discounted to zero is left off the invoice"), field="discount")
    return list(with_discount(line, gross=off))


def check_line(line: InvoiceLine, *, index: int | None = None) -> None:
    """Refuse a line outside the §4.4 tolerances, naming the field (`lines[2].tax`)."""
    where = f"lines[{index}]." if index is not None else ""
    split_item_name(line.name)
    for name in ("amount", "tax"):
        bounded(getattr(line, name), f"{where}{name}")
    if line.kind not in KINDS:
        raise InvoiceError(_("unknown line kind %(kind)s") % {"kind": line.kind}, field=f"{where}kind")
    if line.tax_rate not in RATES:
        parse_rate(line.tax_rate, field=f"{where}tax_rate")
    if line.amount != round_money(line.amount) or line.tax != round_money(line.tax):
        raise InvoiceError(_("amounts are written to the fen (2 decimals)"), field=f"{where}amount")
    if line.quantity is not None and line.unit_price is not None:
        if abs(line.amount - line.quantity * line.unit_price) > AMOUNT_TOLERANCE:
            raise InvoiceError(
                _("amount %(amount)s differs from quantity × unit price %(exact)s by more than 0.01")
                % {"amount": line.amount, "exact": line.quantity * line.unit_price},
                field=f"{where}amount",
            )
    if abs(line.tax - line.amount * line.tax_rate) > LINE_TAX_TOLERANCE:
        raise InvoiceError(
            _("tax %(tax)s differs from amount × rate %(exact)s by more than 0.06")
            % {"tax": line.tax, "exact": line.amount * line.tax_rate},
            field=f"{where}tax",
        )
    if line.kind == DISCOUNT and (line.amount >= 0 or line.quantity is not None):
        raise InvoiceError(_("a discount line is negative and has no quantity"), field=f"{where}amount")


@dataclass(frozen=True)
class Totals:
    amount: Decimal  # 合计金额
    tax: Decimal  # 合计税额
    total: Decimal  # 价税合计


def totals(lines) -> Totals:
    """Check every line and the accumulated tax error (≤ 1.27), then 合计金额, 合计税额, 价税合计."""
    lines = list(lines)
    if not lines:
        raise InvoiceError(_("an invoice needs at least one line"), field="lines")
    error = Decimal(0)
    for index, line in enumerate(lines):
        check_line(line, index=index)
        if line.kind == DISCOUNT and (index == 0 or lines[index - 1].kind != DISCOUNTED
                                      or lines[index - 1].name != line.name
                                      or lines[index - 1].tax_rate != line.tax_rate):
            raise InvoiceError(
                _("a discount line must follow its discounted line with the same name and rate"),
                field=f"lines[{index}]",
            )
        error += line.tax - line.amount * line.tax_rate
    if abs(error) > TOTAL_TAX_TOLERANCE:
        raise InvoiceError(
            _("the accumulated tax difference %(error)s exceeds 1.27") % {"error": error}, field="lines"
        )
    amount = sum((line.amount for line in lines), Decimal("0.00"))
    tax = sum((line.tax for line in lines), Decimal("0.00"))
    return Totals(amount=amount, tax=tax, total=amount + tax)
