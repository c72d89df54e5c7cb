"""The verbs of invoicing: issue a 数电发票, issue a red (负数) one for a return, render it.

Arithmetic is the pure modules' (`lines.py`, `invoice.py`, china-formats.md §4.4): 金额 = 数量 × 单价 for
tax-exclusive prices, 不含税 = round(含税 / (1 + r), 2) and 税额 = 含税 − 不含税 for what a buyer paid,
税额 = round_half_up(金额 × 税率, 2), tolerances 0.01 / 0.06 / 1.27, 价税合计 = 合计金额 + 合计税额.

Numbering (§4.1): 20 digits = year (2) · province of the seller (2, from its 统一社会信用代码) · issuing
channel (1) · sequence (15). The sequence is gapless per year: the year's counter row is bumped by a
guarded UPDATE inside the act's transaction (the row lock serialises issuers; a refused act rolls the
number back with everything else).
"""

import datetime
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc

from sihe.catalog.models import Company
from sihe.core import audit, numbering, sqlrows
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, ValidationFailed
from sihe.core.money import round_money, to_decimal
from sihe.invoicing import events
from sihe.invoicing import invoice as pure
from sihe.invoicing import lines as pure_lines
from sihe.invoicing.amount_words import amount_in_words
from sihe.invoicing.lines import InvoiceError, _unit_price, tax_for
from sihe.invoicing.models import Invoice, InvoiceLine, InvoiceSource
from sihe.invoicing.pdf import MAX_LINES, render_pdf
from sihe.invoicing.transitions import INVOICE
from sihe.invoicing.xml import PROVINCES, SHANGHAI, build_xml
from sihe.ledger.vat import selectors as vat_selectors

ISSUE_CHANNEL = "2"  # digit 5 of the number, 开具渠道 (the reference's sample number uses 2)
MAX_BUYER_NAME = 100
QTY_PLACES, PRICE_PLACES = 6, 8  # as stored (InvoiceLine.qty, InvoiceLine.unit_price)
_PROVINCE_BY_NAME = {name: code for code, name in PROVINCES.items()}
_FIELD_NAMES = {"quantity": "qty"}


@dataclass
class InvoiceLineIn:
    """One line to invoice. Give the price either without tax (`unit_price`, optionally the stated
    `amount`) or as the buyer paid it, tax included (`gross`, optionally less a tax-included
    `discount`, which becomes a 折扣行). All lines of one invoice are priced the same way.

    `name` is `*简称*商品名`, or the goods name with `short_name` (the tax classification's 简称)."""

    name: str
    tax_code: str
    tax_rate: Decimal | str
    qty: Decimal | str | int
    unit_price: Decimal | str | None = None
    gross: Decimal | str | None = None
    amount: Decimal | str | None = None
    discount: Decimal | str = Decimal(0)
    short_name: str = ""
    spec: str = ""
    unit: str = ""
    sku: str = ""
    source_id: str = ""


@dataclass
class RedLineIn:
    """A line of the blue invoice to reverse: its line number (1-based, as printed) and the quantity
    returned (None = what is left of the line)."""

    line: int
    qty: Decimal | str | int | None = None


# -- checks ---------------------------------------------------------------------------------------


def _renamed(error: InvoiceError, prefix: str) -> InvoiceError:
    field = error.field or ""
    if field.startswith("lines["):
        return error
    name = _FIELD_NAMES.get(field, field)
    return InvoiceError(error.message, field=f"{prefix}.{name}" if name else prefix)


def clean_buyer(buyer_name, buyer_tax_id) -> tuple[str, str]:
    name = (buyer_name or "").strip() if isinstance(buyer_name, str) else ""
    if not name:
        raise ValidationFailed(_("the buyer name is required"), field="buyer_name")
    if len(name) > MAX_BUYER_NAME:
        raise ValidationFailed(_("the buyer name is longer than %(n)s characters") % {"n": MAX_BUYER_NAME},
                               field="buyer_name")
    if "\x00" in name:
        raise ValidationFailed(_("text must not contain NUL characters"), field="buyer_name")
    tax_id = (buyer_tax_id or "").strip().upper() if isinstance(buyer_tax_id, str) else ""
    if tax_id and not uscc.is_valid(tax_id):
        raise ValidationFailed(
            _("%(id)s is not a valid unified social credit code (18 characters with a check character)")
            % {"id": tax_id[:30]}, field="buyer_tax_id")
    return name, tax_id


def _seller_row() -> Company | None:
    """The company (the seller) with its taxpayer type beside it (`taxpayer_type`, None when no tax profile was
    set): every invoice asks both, in one statement (sihe.core.sqlrows)."""
    return sqlrows.first(
        f'SELECT {sqlrows.columns(Company, "c")}, {vat_selectors.TAXPAYER_TYPE_COLUMN} '
        f'FROM "{Company._meta.db_table}" c ORDER BY c."id" LIMIT 1', [], Company, extra=("taxpayer_type",))


def _seller(company: Company | None) -> tuple[Company, str]:
    """The company read by `_seller_row`, checked for what an invoice needs of its seller, and its region."""
    if company is None or not (company.name or "").strip():
        raise ValidationFailed(_("set up the company (the seller) before issuing invoices"), field="company")
    code = (company.credit_code or "").strip().upper()
    if not code:
        raise ValidationFailed(_("the company's unified social credit code is needed on invoices"),
                               field="company.credit_code")
    region = code[2:4]
    if region not in pure.PROVINCE_CODES:
        region = _PROVINCE_BY_NAME.get((company.province or "").strip(), "")
    if not region:
        raise ValidationFailed(_("the company's province is unknown: it is digits 3–4 of the invoice number"),
                               field="company.province")
    return company, region


def _text(value, field: str, limit: int) -> str:
    text = (value or "").strip() if isinstance(value, str) else str(value or "")
    if "\x00" in text:
        raise ValidationFailed(_("text must not contain NUL characters"), field=field)
    if len(text) > limit:
        raise ValidationFailed(_("%(field)s is longer than %(n)s characters") % {"field": field, "n": limit},
                               field=field)
    return text


def build_lines(lines: list[InvoiceLineIn]) -> tuple[list[pure_lines.InvoiceLine], list[dict]]:
    """The invoice lines (pure) for the input lines, plus per pure line its sku and source; errors name
    `lines[i].<field>`."""
    if not lines:
        raise ValidationFailed(_("an invoice needs at least one line"), field="lines")
    inclusive = None
    result, extra = [], []
    for i, line in enumerate(lines):
        f = f"lines[{i}]"
        has_price, has_gross = line.unit_price not in (None, ""), line.gross not in (None, "")
        if has_price == has_gross:
            raise ValidationFailed(
                _("give either unit_price (without tax) or gross (tax included), not both or neither"),
                field=f"{f}.gross" if has_gross else f"{f}.unit_price")
        if inclusive is None:
            inclusive = has_gross
        elif inclusive != has_gross:
            raise ValidationFailed(
                _("all lines of one invoice are priced the same way: with tax (gross) or without (unit_price)"),
                field=f"{f}.gross" if has_gross else f"{f}.unit_price")
        exempt = pure_lines.is_exempt(line.tax_rate)
        rate = Decimal(0) if exempt else line.tax_rate
        try:
            name = pure_lines.item_name(line.short_name, line.name)
            spec, unit = _text(line.spec, f"{f}.spec", 100), _text(line.unit, f"{f}.unit", 20)
            if has_gross:
                made = pure_lines.sale_lines(name=name, tax_code=line.tax_code, tax_rate=rate,
                                             quantity=line.qty, gross=line.gross, discount=line.discount or 0,
                                             spec=spec, unit=unit)
            else:
                if line.discount not in (None, "", 0, Decimal(0)):
                    raise InvoiceError(_("a discount is given tax included, with gross prices"), field="discount")
                made = [pure_lines.line_from_exclusive(name=name, tax_code=line.tax_code, tax_rate=rate,
                                                       quantity=line.qty, unit_price=line.unit_price,
                                                       amount=line.amount, spec=spec, unit=unit)]
        except InvoiceError as error:
            raise _renamed(error, f) from error
        except ValidationFailed as error:
            raise ValidationFailed(error.message, field=f"{f}.{_FIELD_NAMES.get(error.field, error.field)}") from error
        if len(name) > 200:
            raise ValidationFailed(_("the item name is longer than 200 characters"), field=f"{f}.name")
        if exempt:
            made = [replace(made_line, exempt=True) for made_line in made]
        for made_line in made:
            if made_line.amount == 0 and made_line.tax == 0:
                raise ValidationFailed(_("a line of zero is left off the invoice"), field=f"{f}.gross"
                                       if has_gross else f"{f}.unit_price")
            if made_line.quantity is not None and made_line.quantity < 0:
                raise ValidationFailed(_("quantity must be positive on a blue invoice"), field=f"{f}.qty")
            if made_line.quantity is not None and -made_line.quantity.normalize().as_tuple().exponent > QTY_PLACES:
                raise ValidationFailed(_("at most %(n)s decimals") % {"n": QTY_PLACES}, field=f"{f}.qty")
            if made_line.unit_price is not None and -made_line.unit_price.normalize().as_tuple().exponent > PRICE_PLACES:
                raise ValidationFailed(_("at most %(n)s decimals") % {"n": PRICE_PLACES}, field=f"{f}.unit_price")
        result.extend(made)
        extra.extend({"sku": _text(line.sku, f"{f}.sku", 64), "source_id": _text(line.source_id, f"{f}.source_id", 64)}
                     for _made in made)
    if abs(sum((line.total for line in result), Decimal(0))) >= pure_lines.LIMIT:
        raise ValidationFailed(_("the invoice total is beyond any invoice"), field="lines")
    if len(result) > MAX_LINES:
        raise ValidationFailed(
            _("at most %(n)s lines fit one invoice; split the documents over several invoices") % {"n": MAX_LINES},
            field="lines")
    return result, extra


def _clean_sources(sources) -> list[tuple[str, str, str]]:
    cleaned, seen = [], set()
    for i, source in enumerate(sources or ()):
        try:
            source_type, source_id, source_number = (str(part).strip() for part in source)
        except (TypeError, ValueError) as error:
            raise ValidationFailed(_("a source is (type, id, number)"), field=f"sources[{i}]") from error
        if not source_type or not source_id or len(source_type) > 40 or len(source_id) > 64 or len(source_number) > 64:
            raise ValidationFailed(_("a source needs a type (≤ 40) and an id (≤ 64)"), field=f"sources[{i}]")
        if (source_type, source_id) in seen:
            raise ValidationFailed(_("%(doc)s is listed twice") % {"doc": source_number or source_id},
                                   field=f"sources[{i}]")
        seen.add((source_type, source_id))
        cleaned.append((source_type, source_id, source_number))
    return cleaned


# -- numbering ------------------------------------------------------------------------------------


NUMBER_SERIES = "invoicing.invoice"  # per year: the 15-digit tail of the 发票号码


def next_number(*, year: int, region: str) -> str:
    """The next 20-digit number of `year` (gapless: the counter moves inside the act's transaction;
    the UPDATE's row lock serialises concurrent issuers until commit)."""
    last = numbering.next_number(NUMBER_SERIES, period=str(year))
    if last >= 10**15:
        raise Conflict(_("the invoice sequence of %(year)s is exhausted") % {"year": year}, field="number")
    return f"{year % 100:02d}{region}{ISSUE_CHANNEL}{last:015d}"


def _dates(date, actor: Actor) -> tuple[datetime.date, datetime.datetime]:
    now = timezone.localtime(actor.at, SHANGHAI)
    if date is None:
        return now.date(), actor.at
    if not isinstance(date, datetime.date) or isinstance(date, datetime.datetime):
        raise ValidationFailed(_("the issue date is a date"), field="date")
    if date > now.date():
        raise ValidationFailed(_("an invoice cannot be dated in the future"), field="date")
    return date, datetime.datetime.combine(date, now.timetz())


# -- acts -----------------------------------------------------------------------------------------


def _write(*, number, kind, company, buyer_name, buyer_tax_id, issue_date, issued_at, made, extra, actor,
           sources, red_of=None, red_reason="", confirmation_number="", red_lines=None, remark="",
           active_sources=True, vat_type=Invoice.VatType.ORDINARY) -> Invoice:
    result = pure_lines.totals(made)
    invoice = Invoice.objects.create(
        number=number, kind=kind, red_of=red_of, red_reason=red_reason, confirmation_number=confirmation_number,
        issue_date=issue_date, issued_at=issued_at, buyer_name=buyer_name, buyer_tax_id=buyer_tax_id,
        seller_name=company.name, seller_tax_id=company.credit_code, seller_phone=company.phone,
        seller_address="".join(p for p in (company.province, company.city, company.district, company.address) if p),
        amount=result.amount, tax=result.tax, total=result.total, total_in_words=amount_in_words(result.total),
        remark=remark[:500], drawer=actor.username, vat_type=vat_type,
    )
    invoice.line_rows = [
        InvoiceLine(invoice=invoice, seq=seq, row=line.kind, name=line.name, tax_code=line.tax_code, spec=line.spec,
                    unit=line.unit, qty=line.quantity, unit_price=line.unit_price, amount=line.amount,
                    rate=line.tax_rate, tax=line.tax, exempt=line.exempt, sku=info["sku"], source_id=info["source_id"],
                    red_of_line_id=red_lines[seq - 1] if red_lines else None)
        for seq, (line, info) in enumerate(zip(made, extra, strict=True), start=1)
    ]
    rows = [InvoiceSource(invoice=invoice, source_type=t, source_id=i, source_number=n, active=active_sources)
            for t, i, n in sources]
    # one statement on PostgreSQL; a document already on an active invoice fails it (IntegrityError) as before
    sqlrows.insert_groups([invoice.line_rows, rows])
    audit.record_created(invoice, actor=actor, fields=["number", "kind", "buyer_name", "buyer_tax_id", "total"])
    events.issued(invoice, sources=rows, actor=actor)
    return invoice


def issue_invoice(*, buyer_name: str, buyer_tax_id: str = "", lines: list[InvoiceLineIn],
                  sources: list[tuple[str, str, str]], actor: Actor, date: datetime.date | None = None,
                  remark: str = "", sources_checked: bool = False, vat_type: str = Invoice.VatType.ORDINARY) -> Invoice:
    """开具蓝字数电发票: check buyer and lines (§4.4), number it, store it, emit invoicing.invoice.issued.

    A document in `sources` already on an invoice that is not fully reversed is refused (409).
    `sources_checked=True`: the caller has locked the source documents and checked that they are free
    inside its own atomic block (sihe.oms.billing does), so the check is not repeated (the partial unique
    index still holds) and the act adds no savepoint of its own: a refusal rolls back to the caller's."""
    name, tax_id = clean_buyer(buyer_name, buyer_tax_id)
    if vat_type not in Invoice.VatType.values:
        raise ValidationFailed(_("the invoice type must be ordinary or special"), field="vat_type")
    if vat_type == Invoice.VatType.SPECIAL and not tax_id:
        raise ValidationFailed(_("a special VAT invoice needs the buyer's tax id"), field="buyer_tax_id",
                               code="special_needs_tax_id")
    made, extra = build_lines(lines)
    seller = _seller_row()
    _check_levy_rates(made, small_scale=vat_selectors.is_small(seller.taxpayer_type) if seller is not None
                      else vat_selectors.is_small_scale())
    try:
        result = pure_lines.totals(made)
    except InvoiceError as error:
        raise ValidationFailed(error.message, field=error.field) from error
    if result.total <= 0:
        raise ValidationFailed(_("a blue invoice must have a positive total"), field="lines")
    cleaned = _clean_sources(sources)
    remark = _text(remark, "remark", 500)
    issue_date, issued_at = _dates(date, actor)
    values = {"kind": Invoice.Kind.BLUE, "buyer_name": name, "buyer_tax_id": tax_id, "issue_date": issue_date,
              "issued_at": issued_at, "made": made, "extra": extra, "actor": actor, "sources": cleaned,
              "remark": remark, "vat_type": vat_type}
    with transaction.atomic(savepoint=not sources_checked):
        company, region = _seller(seller)
        if not sources_checked:
            taken = _taken(cleaned)
            if taken:
                raise Conflict(_("%(doc)s is already on invoice %(number)s") % taken, field="sources",
                               code="already_invoiced")
        number = next_number(year=issue_date.year, region=region)
        if sources_checked or not cleaned:
            return _write(number=number, company=company, **values)
        try:
            with transaction.atomic():
                return _write(number=number, company=company, **values)
        except IntegrityError as error:  # another act linked one of the documents meanwhile
            taken = _taken(cleaned)
            if taken:
                raise Conflict(_("%(doc)s is already on invoice %(number)s") % taken, field="sources",
                               code="already_invoiced") from error
            raise


def _check_levy_rates(made: list[pure_lines.InvoiceLine], *, small_scale: bool) -> None:
    """A 小规模纳税人 invoices at its 征收率 (1%, 3%, 5%) or 免税, never at the 6/9/13% of a general taxpayer."""
    if not small_scale:
        return
    for i, line in enumerate(made):
        if not line.exempt and line.tax_rate not in (Decimal("0.01"), Decimal("0.03"), Decimal("0.05")):
            raise ValidationFailed(_("a small-scale taxpayer invoices at a levy rate of 1%%, 3%% or 5%%, not %(r)s")
                                   % {"r": f"{(line.tax_rate * 100).normalize():f}%"}, field=f"lines[{i}].tax_rate", code="not_a_levy_rate")


def _taken(sources) -> dict | None:
    if not sources:
        return None
    from django.db.models import Q

    query = Q()
    for source_type, source_id, _number in sources:
        query |= Q(source_type=source_type, source_id=source_id)
    found = InvoiceSource.objects.filter(query, active=True).select_related("invoice").first()
    if found is None:
        return None
    return {"doc": found.source_number or found.source_id, "number": found.invoice.number}


def reversed_so_far(invoice: Invoice) -> dict[int, dict[str, Decimal]]:
    """Per blue line id: the quantity, amount and tax already reversed by red invoices (as positives)."""
    rows = (InvoiceLine.objects.filter(red_of_line__invoice=invoice).values("red_of_line")
            .annotate(qty=Sum("qty"), amount=Sum("amount"), tax=Sum("tax")))
    return {r["red_of_line"]: {"qty": -(r["qty"] or 0), "amount": -r["amount"], "tax": -r["tax"]} for r in rows}


def _red_line(blue_line: InvoiceLine, qty: Decimal | None, left: dict) -> pure_lines.InvoiceLine:
    """The negative line for `qty` of `blue_line` (None or all that is left: exactly the remainder)."""
    qty_left = (blue_line.qty or Decimal(0)) - left["qty"]
    amount_left, tax_left = blue_line.amount - left["amount"], blue_line.tax - left["tax"]
    if qty is None or blue_line.qty is None or qty == qty_left:
        amount, tax, quantity = amount_left, tax_left, (qty_left if blue_line.qty is not None else None)
    else:
        amount = min(round_money(qty * blue_line.unit_price), amount_left)
        tax = min(tax_for(amount, blue_line.rate), tax_left)
        quantity = qty
    price = blue_line.unit_price
    if quantity is not None and price is not None and abs(amount - quantity * price) > pure_lines.AMOUNT_TOLERANCE:
        price = _unit_price(amount, quantity)  # the remainder after rounded partial returns
    return pure_lines.InvoiceLine(
        name=blue_line.name, tax_code=blue_line.tax_code, tax_rate=pure_lines.parse_rate(blue_line.rate),
        amount=-amount, tax=-tax, quantity=-quantity if quantity is not None else None,
        unit_price=price if quantity is not None else None, spec=blue_line.spec, unit=blue_line.unit,
        kind=blue_line.row, exempt=blue_line.exempt,
    )


def _left(line: InvoiceLine, done: dict) -> dict:
    return done.get(line.pk, {"qty": Decimal(0), "amount": Decimal("0.00"), "tax": Decimal("0.00")})


def _is_open(line: InvoiceLine, done: dict) -> bool:
    left = _left(line, done)
    return line.amount - left["amount"] != 0 or line.tax - left["tax"] != 0


def clean_confirmation_number(value) -> str:
    """The 20-digit 红字发票信息确认单编号, or 422 naming `confirmation_number`."""
    try:
        return pure.parse_confirmation_number(value)
    except InvoiceError as error:
        raise ValidationFailed(error.message, field="confirmation_number") from error


def _confirmation_taken(number: str) -> Invoice | None:
    return Invoice.objects.filter(kind=Invoice.Kind.RED, confirmation_number=number).only("number").first()


def _confirmation_conflict(number: str, red: Invoice) -> Conflict:
    return Conflict(_("red-letter invoice confirmation number %(confirmation)s is already used by red invoice %(number)s")
                    % {"confirmation": number, "number": red.number}, field="confirmation_number",
                    code="confirmation_number_used")


def issue_red_invoice(*, invoice: Invoice, lines: list[RedLineIn] | None = None, reason: str, actor: Actor,
                      confirmation_number: str, date: datetime.date | None = None) -> Invoice:
    """开具红字(负数)发票 for a return: the whole invoice (lines=None: all that is not yet reversed) or the
    given lines at the returned quantities (金额 = 数量 × 蓝字单价; the last return of a line takes exactly
    what is left, so a line reversed in parts nets to zero). Never more than is left un-reversed.

    `confirmation_number` is the 20-digit 红字发票信息确认单编号 from the 数电 platform; every red
    invoice needs one (422 without it or in another format) and no two red invoices share one (409)."""
    reason = _text(reason, "reason", 200)
    if not reason:
        raise ValidationFailed(_("give the reason for the red invoice (e.g. the return)"), field="reason")
    confirmation_number = clean_confirmation_number(confirmation_number)
    issue_date, issued_at = _dates(date, actor)
    with transaction.atomic():
        blue = Invoice.objects.select_for_update().filter(pk=invoice.pk).first()
        if blue is None:
            raise ValidationFailed(_("no such invoice"), field="invoice")
        if blue.is_red:
            raise Conflict(_("a red invoice cannot itself be reversed"), field="invoice", code="red_of_red")
        if not INVOICE.allowed_actions(blue.status):  # fully reversed already
            raise Conflict(_("invoice %(number)s is already fully reversed") % {"number": blue.number},
                           field="invoice", code="already_reversed")
        if issue_date < blue.issue_date:
            raise ValidationFailed(_("a red invoice cannot be dated before the blue one"), field="date")
        blue_lines = list(blue.lines.order_by("seq"))
        done = reversed_so_far(blue)
        picked: list[tuple[InvoiceLine, Decimal | None]] = []
        if lines is None:
            picked = [(line, None) for line in blue_lines if _is_open(line, done)]
        else:
            if not lines:
                raise ValidationFailed(_("choose at least one line, or leave lines out for the whole invoice"),
                                       field="lines")
            by_seq = {line.seq: line for line in blue_lines}
            seen = set()
            for i, pick in enumerate(lines):
                f = f"lines[{i}]"
                line = by_seq.get(pick.line) if isinstance(pick.line, int) else None
                if line is None:
                    raise ValidationFailed(_("invoice %(number)s has no line %(line)s")
                                           % {"number": blue.number, "line": pick.line}, field=f"{f}.line")
                if line.seq in seen:
                    raise ValidationFailed(_("line %(line)s is listed twice") % {"line": line.seq}, field=f"{f}.line")
                seen.add(line.seq)
                if line.row == InvoiceLine.Row.DISCOUNT:
                    raise ValidationFailed(_("a discount line is reversed with its discounted line"),
                                           field=f"{f}.line")
                left = _left(line, done)
                qty_left = line.qty - left["qty"]
                if not _is_open(line, done):
                    raise Conflict(_("line %(line)s is already fully reversed") % {"line": line.seq},
                                   field=f"{f}.line", code="already_reversed")
                qty = None
                if pick.qty not in (None, ""):
                    qty = to_decimal(pick.qty, field=f"{f}.qty")
                    if abs(qty) >= pure_lines.LIMIT or not 0 < qty <= qty_left:
                        raise ValidationFailed(
                            _("the returned quantity must be more than 0 and at most %(left)s (left on line %(line)s)")
                            % {"left": format(qty_left.normalize(), "f"), "line": line.seq}, field=f"{f}.qty")
                    if -qty.normalize().as_tuple().exponent > QTY_PLACES:
                        raise ValidationFailed(_("at most %(n)s decimals") % {"n": QTY_PLACES}, field=f"{f}.qty")
                    if qty < qty_left and round_money(qty * line.unit_price) == 0:
                        raise ValidationFailed(_("the returned quantity is worth less than a fen"), field=f"{f}.qty")
                if line.row == InvoiceLine.Row.DISCOUNTED:
                    if qty is not None and qty != qty_left:
                        raise ValidationFailed(_("a discounted line is returned whole, with its discount line"),
                                               field=f"{f}.qty")
                    picked.append((line, None))
                    follower = by_seq.get(line.seq + 1)
                    if follower is not None and follower.row == InvoiceLine.Row.DISCOUNT and _is_open(follower, done):
                        picked.append((follower, None))
                    continue
                picked.append((line, qty))
            picked.sort(key=lambda pair: pair[0].seq)
        if not picked:
            raise Conflict(_("nothing is left to reverse on invoice %(number)s") % {"number": blue.number},
                           field="lines", code="already_reversed")
        made = [_red_line(line, qty, _left(line, done)) for line, qty in picked]
        used = _confirmation_taken(confirmation_number)
        if used is not None:
            raise _confirmation_conflict(confirmation_number, used)
        company, region = _seller(_seller_row())
        number = next_number(year=issue_date.year, region=region)
        confirmation = confirmation_number
        try:
            pure.build_invoice(
                number=number, issued_at=issued_at, seller=pure.Party(name=company.name, tax_id=company.credit_code),
                buyer=pure.Party(name=blue.buyer_name, tax_id=blue.buyer_tax_id), lines=made,
                red=pure.RedReference(original_number=blue.number, confirmation_number=confirmation))
        except InvoiceError as error:
            raise ValidationFailed(error.message, field=error.field) from error
        remark = f"被红冲蓝字数电票号码：{blue.number} 红字发票信息确认单编号：{confirmation}\n{reason}"
        sources = list(blue.sources.values_list("source_type", "source_id", "source_number"))
        try:
            with transaction.atomic():  # another act may have used the 确认单 meanwhile (the unique index says so)
                red = _write(number=number, kind=Invoice.Kind.RED, company=company, buyer_name=blue.buyer_name,
                             buyer_tax_id=blue.buyer_tax_id, issue_date=issue_date, issued_at=issued_at, made=made,
                             extra=[{"sku": line.sku, "source_id": line.source_id} for line, _q in picked],
                             actor=actor, sources=sources, red_of=blue, red_reason=reason,
                             confirmation_number=confirmation, red_lines=[line.pk for line, _q in picked],
                             remark=remark, active_sources=False, vat_type=blue.vat_type)
        except IntegrityError as error:
            used = _confirmation_taken(confirmation)
            if used is not None:
                raise _confirmation_conflict(confirmation, used) from error
            raise
        done = reversed_so_far(blue)
        before = audit.snapshot(blue, ["status"])
        fully = not any(_is_open(line, done) for line in blue_lines)
        blue.status = INVOICE.check(blue.status, "reverse" if fully else "reverse_part")
        blue.save(update_fields=["status"])
        if fully:
            InvoiceSource.objects.filter(invoice=blue).update(active=False)
        audit.record_changes(blue, actor=actor, before=before, action="reverse")
        return red


# -- rendering ------------------------------------------------------------------------------------


def to_pure(invoice: Invoice) -> pure.Invoice:
    """The stored invoice as the pure `Invoice` the XML and PDF writers take."""
    lines = tuple(
        pure_lines.InvoiceLine(name=line.name, tax_code=line.tax_code, tax_rate=pure_lines.parse_rate(line.rate),
                               amount=line.amount, tax=line.tax, quantity=line.qty, unit_price=line.unit_price,
                               spec=line.spec, unit=line.unit, kind=line.row, exempt=line.exempt)
        for line in invoice.lines.all()
    )
    red = None
    if invoice.red_of_id:
        red = pure.RedReference(original_number=invoice.red_of.number, confirmation_number=invoice.confirmation_number)
    return pure.Invoice(
        number=invoice.number, issued_at=invoice.issued_at,
        seller=pure.Party(name=invoice.seller_name, tax_id=invoice.seller_tax_id, address=invoice.seller_address,
                          phone=invoice.seller_phone),
        buyer=pure.Party(name=invoice.buyer_name, tax_id=invoice.buyer_tax_id), lines=lines,
        kind=invoice.vat_type, remark=invoice.remark, drawer=invoice.drawer, red=red,
    )


def _num(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def to_json(invoice: Invoice) -> dict:
    """The invoice as the API answers it (money as 2-place strings, quantities without trailing zeros)."""
    return {
        "id": invoice.pk, "number": invoice.number, "kind": invoice.kind, "type": invoice.vat_type,
        "status": invoice.status, "issue_date": invoice.issue_date.isoformat(),
        "issued_at": invoice.issued_at.isoformat(),
        "buyer": {"name": invoice.buyer_name, "tax_id": invoice.buyer_tax_id},
        "seller": {"name": invoice.seller_name, "tax_id": invoice.seller_tax_id, "address": invoice.seller_address,
                   "phone": invoice.seller_phone},
        "amount": f"{invoice.amount:.2f}", "tax": f"{invoice.tax:.2f}", "total": f"{invoice.total:.2f}",
        "total_in_words": invoice.total_in_words,
        "red_of": {"id": invoice.red_of_id, "number": invoice.red_of.number} if invoice.red_of_id else None,
        "red_reason": invoice.red_reason, "confirmation_number": invoice.confirmation_number,
        "reds": [{"id": r.pk, "number": r.number, "total": f"{r.total:.2f}"} for r in invoice.reds.all()],
        "remark": invoice.remark, "drawer": invoice.drawer,
        "lines": [
            {"line": ln.seq, "row": ln.row, "name": ln.name, "tax_code": ln.tax_code, "spec": ln.spec, "unit": ln.unit,
             "qty": _num(ln.qty), "unit_price": _num(ln.unit_price), "amount": f"{ln.amount:.2f}",
             "tax_rate": "免税" if ln.exempt else _num(ln.rate), "exempt": ln.exempt, "tax": f"{ln.tax:.2f}", "total": f"{ln.total:.2f}", "sku": ln.sku,
             "source_id": ln.source_id}
            for ln in invoice.lines.all()
        ],
        "sources": [{"source_type": s.source_type, "source_id": s.source_id, "source_number": s.source_number}
                    for s in invoice.sources.all()],
        "qr_text": to_pure(invoice).qr_text(),
    }


def to_xml(invoice: Invoice) -> bytes:
    return build_xml(to_pure(invoice))


def to_pdf(invoice: Invoice) -> bytes:
    return render_pdf(to_pure(invoice))
