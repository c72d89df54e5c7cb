"""Reads of B2B sales for the API and the pages: quotations, advances, receipts, price lists and
promotions, and the customer statement (对账单).

The statement reads the books, not the orders: every posted voucher line on 应收账款 (1122) and 预收账款
(2203) carrying the customer's partner dimension. What the customer owes is 1122 less 2203; a voucher that
moves money between the two (an advance applied) nets to nothing and is no statement line. So sales
(at shipment or invoice), red invoices, refunds, receipts and advances all appear as the ledger has them,
and the closing balance is the ledger's.
"""

import datetime
from decimal import Decimal

from django.db.models import F, Q
from django.utils.translation import gettext as _

from sihe.catalog.models import Partner
from sihe.core.errors import NotFound, ValidationFailed
from sihe.core.money import text
from sihe.ledger.models import Voucher, VoucherLine
from sihe.oms.b2b.models import (  # noqa: F401  re-exported: pages read their choices and labels
    Advance,
    CustomerGroup,
    PriceList,
    Promotion,
    Quotation,
    Receipt,
)
from sihe.oms.b2b.transitions import LIFE

ZERO = Decimal("0.00")
ACCOUNTS = ("1122", "2203")
KIND = {  # posting rule → what the customer reads on the statement
    "sales.revenue": ("sale", "销售"), "sales.revenue.reverse": ("return", "退货/红冲"),
    "receipt.bank": ("receipt", "收款"), "receipt.platform": ("receipt", "收款"),
    "advance.receive": ("advance", "预收款"), "refund.bank": ("refund", "退款"), "refund.platform": ("refund", "退款"),
}


def _key(qs, key, field: str, code: str, what: str):
    key = str(key or "").strip()
    found = qs.filter(pk=int(key)).first() if key.isdigit() and len(key) < 19 else None
    found = found or qs.filter(number=key).first()
    if found is None:
        raise NotFound(_("no %(what)s %(key)s") % {"what": what, "key": key[:80]}, field=field, code=code)
    return found


def customer(code: str, *, field: str = "partner") -> Partner:
    found = Partner.objects.filter(code=str(code or "").strip()).first()
    if found is None:
        raise NotFound(_("no customer %(code)s") % {"code": str(code)[:40]}, field=field, code="unknown_customer")
    return found


def customers():
    return Partner.objects.filter(kind=Partner.Kind.CUSTOMER, active=True).order_by("code")


def quotations(*, status: str = "", partner: str = ""):
    qs = Quotation.objects.select_related("partner", "group", "order").prefetch_related("lines__product")
    if status:
        if status not in Quotation.Status.values:
            raise ValidationFailed(_("unknown status %(s)s") % {"s": status}, field="status")
        qs = qs.filter(status=status)
    if partner:
        qs = qs.filter(partner__code=partner)
    return qs.order_by("-id")


def quotation(key) -> Quotation:
    return _key(quotations(), key, "id", "quotation_not_found", _("quotation"))


def quotation_out(q: Quotation) -> dict:
    return {
        "id": q.pk, "number": q.number, "status": q.status, "status_display": str(q.get_status_display()),
        "partner": q.partner.code, "partner_name": q.partner.name, "group": q.group.name if q.group_id else "",
        "quote_date": q.quote_date.isoformat(), "valid_until": q.valid_until.isoformat(),
        "goods_total": text(q.goods_total, places=2), "discount_total": text(q.discount_total, places=2),
        "total": text(q.total, places=2), "promotions": q.promotions,
        "order": q.order.number if q.order_id else None, "order_id": q.order_id,
        "receiver": {"name": q.receiver_name, "phone": q.receiver_phone, "province": q.province, "city": q.city,
                     "district": q.district, "address": q.address},
        "note": q.note, "allowed_actions": LIFE.allowed_actions(q.status),
        "lines": [{"line_no": ln.line_no, "sku": ln.product.sku, "name": ln.product.name, "qty": text(ln.qty),
                   "list_price": text(ln.list_price, places=2), "unit_price": text(ln.unit_price, places=2),
                   "price_source": ln.price_source, "line_total": text(ln.line_total, places=2),
                   "discount": text(ln.discount, places=2), "amount": text(ln.amount, places=2),
                   "gift": ln.gift, "promotion": ln.promotion} for ln in q.lines.all()],
    }


def advances(*, partner: str = "", open_only: bool = False):
    qs = Advance.objects.select_related("partner", "quotation", "order").order_by("-date", "-id")
    if partner:
        qs = qs.filter(partner__code=partner)
    if open_only:
        qs = qs.filter(applied__lt=F("amount"))
    return qs


def advance(key) -> Advance:
    return _key(advances(), key, "id", "advance_not_found", _("advance receipt"))


def advance_out(a: Advance) -> dict:
    return {"id": a.pk, "number": a.number, "partner": a.partner.code, "date": a.date.isoformat(),
            "amount": text(a.amount, places=2), "applied": text(a.applied, places=2),
            "remaining": text(a.remaining, places=2), "reference": a.reference,
            "quotation": a.quotation.number if a.quotation_id else None,
            "order": a.order.number if a.order_id else None,
            "voucher": _voucher_number(a.voucher_id),
            "applications": [{"order": ap.order.number, "amount": text(ap.amount, places=2),
                              "date": ap.date.isoformat()} for ap in a.applications.select_related("order")]}


def _voucher_number(pk) -> str | None:
    if not pk:
        return None
    v = Voucher.objects.filter(pk=pk).first()
    return v.display_number if v else None


def receipts(*, partner: str = ""):
    qs = Receipt.objects.select_related("partner", "advance").prefetch_related("allocations__order")
    if partner:
        qs = qs.filter(partner__code=partner)
    return qs.order_by("-id")


def receipt(key) -> Receipt:
    return _key(receipts(), key, "id", "receipt_not_found", _("customer receipt"))


def receipt_out(r: Receipt) -> dict:
    return {"id": r.pk, "number": r.number, "partner": r.partner.code, "date": r.date.isoformat(),
            "amount": text(r.amount, places=2), "account": r.account, "reference": r.reference,
            "applied": text(r.amount - r.unapplied, places=2), "unapplied": text(r.unapplied, places=2),
            "advance": r.advance.number if r.advance_id else None,
            "allocations": [{"order": al.order.number, "invoice": al.invoice_number or None,
                             "amount": text(al.amount, places=2)} for al in r.allocations.all()]}


def price_lists():
    return PriceList.objects.select_related("group").prefetch_related("breaks__product").order_by("code")


def promotions():
    return Promotion.objects.select_related("group", "gift_product").order_by("code")


def price_list(pk: int) -> PriceList:
    return price_lists().get(pk=pk)


def promotion(pk: int) -> Promotion:
    return promotions().get(pk=pk)


def groups():
    return CustomerGroup.objects.order_by("code")


def group(code: str, *, field: str = "group") -> CustomerGroup:
    found = groups().filter(code=str(code or "").strip()).first()
    if found is None:
        raise NotFound(_("no customer group %(c)s") % {"c": str(code)[:40]}, field=field, code="unknown_group")
    return found


def group_of(partner: Partner) -> CustomerGroup | None:
    member = partner.b2b_membership if hasattr(partner, "b2b_membership") else None
    return member.group if member else None


# --- the customer statement (对账单) -----------------------------------------------------------------------

def _lines(partner: Partner):
    accounts = Q()
    for code in ACCOUNTS:
        accounts |= Q(account__code=code) | Q(account__code__startswith=f"{code}.")
    return VoucherLine.objects.filter(accounts, partner=partner.code, voucher__status=Voucher.Status.POSTED)


def statement(*, partner: Partner, date_from: datetime.date, date_to: datetime.date) -> dict:
    """Opening balance (owed before `date_from`), one line per voucher in the range (date, voucher, what,
    debit: owed more, credit: paid or taken back, running balance), closing balance. Positive: the customer
    owes; negative: the customer has paid in advance."""
    if date_to < date_from:
        raise ValidationFailed(_("the end date is before the start date"), field="to")
    if (date_to - date_from).days > 3660:
        raise ValidationFailed(_("at most ten years on one statement"), field="to")
    lines = _lines(partner)
    opening = sum((ln.debit - ln.credit for ln in lines.filter(voucher__date__lt=date_from)), ZERO)
    by_voucher: dict[int, dict] = {}
    for ln in (lines.filter(voucher__date__gte=date_from, voucher__date__lte=date_to)
               .select_related("voucher", "account").order_by("voucher__date", "voucher__number", "voucher_id", "seq")):
        row = by_voucher.setdefault(ln.voucher_id, {"voucher": ln.voucher, "net": ZERO, "summary": ln.summary})
        row["net"] += ln.debit - ln.credit
    rows, balance, debit_total, credit_total = [], opening, ZERO, ZERO
    for row in by_voucher.values():
        if not row["net"]:
            continue  # money moved between 预收 and 应收 of this customer: nothing owed changed
        voucher = row["voucher"]
        kind, word = KIND.get(voucher.rule, ("other", "其他"))
        debit, credit = (row["net"], ZERO) if row["net"] > 0 else (ZERO, -row["net"])
        balance += row["net"]
        debit_total += debit
        credit_total += credit
        rows.append({"date": voucher.date.isoformat(), "voucher": voucher.display_number, "kind": kind,
                     "kind_display": word, "description": voucher.memo or row["summary"],
                     "debit": text(debit, places=2), "credit": text(credit, places=2),
                     "balance": text(balance, places=2)})
    return {"partner": {"code": partner.code, "name": partner.name, "tax_id": partner.tax_id},
            "from": date_from.isoformat(), "to": date_to.isoformat(), "opening": text(opening, places=2),
            "lines": rows, "debit_total": text(debit_total, places=2), "credit_total": text(credit_total, places=2),
            "closing": text(balance, places=2)}
