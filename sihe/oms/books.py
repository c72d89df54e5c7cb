"""The order's books: revenue, platform settlements and bank receipts, AR aging.

- Revenue (setting: at shipment or at invoice) → 应收账款 / 主营业务收入 / 应交税费—应交增值税（销项税额）
  through posting rule `sales.revenue` (amounts total / net / tax). Prices from channels include tax:
  net = round(gross / (1 + rate), 2) per line, tax = gross − net — the same split as the 数电发票, so
  the invoice and the books agree to the fen. Shipping fee and other fees go with the first revenue, at
  the rate of the order's first line (混合销售).
- A line's sale is what the buyer paid plus the platform's subsidy on it (平台补贴: a JD coupon, a Douyin
  platform or 达人 promotion): revenue and output VAT on that, the receivable (1122, on the platform's
  partner dimension: the channel) for both, so the platform's payout of buyer's money + subsidy settles it.
  Only the seller's own discount reduces revenue.
- Settlement: a platform's (支付宝/抖音/京东) payout → 其他货币资金 + 销售费用 (commission) against 应收账款
  (rule `receipt.platform`); a dealer's bank transfer → 银行存款 against 应收账款 (rule `receipt.bank`).
Every voucher has source_type "oms.order" and the order's id, so order ↔ vouchers link both ways.
"""

import datetime
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sihe.core import audit, clock, outbox, tx
from sihe.core.actor import Actor
from sihe.core.aging import Aging
from sihe.core.errors import ValidationFailed
from sihe.core.money import money, round_money
from sihe.ledger.services import book
from sihe.oms import timeline
from sihe.oms.models import Order, Settlement

SOURCE_TYPE = "oms.order"
ZERO = Decimal("0.00")


def split_gross(gross: Decimal, rate: Decimal) -> tuple[Decimal, Decimal]:
    net = round_money(gross / (Decimal(1) + rate))
    return net, gross - net


def rate_for(currency: str, date: datetime.date) -> Decimal | None:
    """CNY per unit of `currency` on `date` (the latest rate on or before it); 1 for CNY."""
    if not currency or currency == "CNY":
        return Decimal(1)
    from sihe.oms.models import CurrencyRate

    row = CurrencyRate.objects.filter(currency=currency, date__lte=date).order_by("-date").first()
    return row.rate if row else None


def is_export(order: Order) -> bool:
    """Goods sent abroad (跨境出口): revenue without output VAT (免税), documented in docs/design/orders.md."""
    return bool(order.country) and order.country.upper() not in ("CN", "CHN", "CHINA", "中国")


def _share(amount: Decimal, qty: Decimal, whole: Decimal) -> Decimal:
    return amount if qty >= whole else round_money(amount * qty / whole)


def sale_amount(line) -> Decimal:
    """What a line sold for: the buyer's payment plus the platform's subsidy on it."""
    return line.amount_paid + line.platform_subsidy


def seller_discount(line) -> Decimal:
    """The part of a line's discount the seller bears (the rest is the platform's subsidy)."""
    return line.discount - line.platform_subsidy


def revenue_amounts(order: Order, portions: list[tuple[object, Decimal, Decimal]], *,
                    with_fees: bool, date: datetime.date | None = None) -> dict[str, Decimal]:
    """portions: (order line, qty recognised before, qty recognised now). A line's gross is its sale
    amount (buyer's payment + platform subsidy) × qty / line qty, taken as the difference of cumulative
    shares, so the parts of a line shipped in several shipments add up to its amount exactly.
    `subsidy` says how much of `total` the platform owes as its subsidy (for the voucher's memo)."""
    total = net = subsidy = ZERO
    first_rate = None
    for line, before, now in portions:
        if now <= 0:
            continue
        sale = sale_amount(line)
        gross = _share(sale, before + now, line.qty) - _share(sale, before, line.qty)
        subsidy += (_share(line.platform_subsidy, before + now, line.qty)
                    - _share(line.platform_subsidy, before, line.qty))
        own_discount = seller_discount(line)
        if before == 0 and now >= line.qty and line.prices_include_tax and own_discount:
            # the whole line at once: split as the 数电发票 does (被折扣行 − 折扣行), to the fen
            line_net = split_gross(line.line_total, line.tax_rate)[0] - split_gross(own_discount, line.tax_rate)[0]
        else:
            line_net, _tax = split_gross(gross, line.tax_rate)
        total += gross
        net += line_net
        first_rate = first_rate if first_rate is not None else line.tax_rate
    if with_fees:
        fees = order.shipping_fee + order.fee_total
        if not order.prices_include_tax:
            fees += order.tax_total - sum((line.tax for line in order.lines.all()), ZERO)
        if fees:
            fee_net, _tax = split_gross(fees, first_rate if first_rate is not None else Decimal("0.13"))
            total += fees
            net += fee_net
    fx = rate_for(order.currency, date or clock.today())
    if fx is None:
        raise ValidationFailed(_("no exchange rate of %(currency)s to CNY on or before %(date)s")
                               % {"currency": order.currency, "date": date or clock.today()},
                               field="currency", code="no_exchange_rate")
    if fx != 1 or is_export(order):
        total = round_money(total * fx)
        net = total if is_export(order) else round_money(net * fx)
        subsidy = round_money(subsidy * fx)
    return {"total": total, "net": net, "tax": total - net, "subsidy": subsidy}


def book_revenue(*, order: Order, amounts: dict[str, Decimal], actor: Actor, date: datetime.date | None = None,
                 memo: str = "", save_fields: tuple[str, ...] = ()):
    """One 记 voucher for revenue recognised now; the order keeps the running total. `amounts` may say how
    much of the total is the platform's subsidy (`subsidy`): the memo names it. `save_fields`: the order's
    fields the caller changed, saved in the same UPDATE as the total (when there is revenue to book)."""
    if not amounts["total"]:
        return None
    memo = memo or f"销售 {order.number}"
    if amounts.get("subsidy"):
        memo = f"{memo}，含平台补贴 ¥{amounts['subsidy']}"
    voucher = book(rule="sales.revenue", date=date or timezone.localdate(actor.at), amounts=amounts,
                   source_type=SOURCE_TYPE, source_id=str(order.pk), memo=memo, actor=actor,
                   document=order.number,
                   dimensions={"partner": order.partner.code if order.partner_id else order.channel.code,
                               "channel": order.channel.code})
    Order.objects.filter(pk=order.pk).update(revenue_total=F("revenue_total") + amounts["total"], revenue_booked=True,
                                             **{name: getattr(order, name) for name in save_fields})
    # the callers (shipping, invoicing) hold the order's row locked: its running total is known, not read again
    order.revenue_total += Decimal(str(amounts["total"]))
    order.revenue_booked = True
    for hook in _on_revenue:
        hook(order=order, actor=actor, date=voucher.date if voucher is not None else (date or clock.today()))
    return voucher


_on_revenue: list = []


def register_on_revenue(hook) -> None:
    """`hook(order=, actor=, date=)` runs in the act that booked an order's revenue (a dealer's advance is
    applied to the new receivable: sihe.oms.b2b); registered in sihe/hub/wiring.py only."""
    if hook not in _on_revenue:
        _on_revenue.append(hook)


def outstanding(order: Order) -> Decimal:
    return order.revenue_total - order.settled_total


def record_settlement(*, order: Order, kind: str, amount, fee=ZERO, actor: Actor, date=None,
                      reference: str = "", voucher=None) -> Settlement:
    """Money in against the order's receivable: `amount` received, `fee` kept by the platform.

    `voucher`: the caller booked the money already (an advance applied, 预收账款 / 应收账款, by
    sihe.oms.b2b); the only way to settle with kind `advance`."""
    if kind not in Settlement.Kind.values or (kind == Settlement.Kind.ADVANCE) != (voucher is not None):
        raise ValidationFailed(_("kind must be platform or bank"), field="kind")
    amount, fee = money(amount, field="amount"), money(fee or 0, field="fee")
    if amount <= 0:
        raise ValidationFailed(_("the amount must be more than 0"), field="amount")
    if fee < 0:
        raise ValidationFailed(_("the fee cannot be negative"), field="fee")
    if kind == Settlement.Kind.BANK and fee:
        raise ValidationFailed(_("a bank receipt has no platform fee"), field="fee")
    with tx.act():
        order = Order.objects.select_for_update(of=("self",)).select_related("channel", "partner").get(pk=order.pk)
        open_amount = outstanding(order)
        if amount + fee > open_amount:
            raise ValidationFailed(
                _("%(total)s is more than the %(open)s still receivable on order %(number)s (revenue booked %(booked)s)")
                % {"total": amount + fee, "open": open_amount, "number": order.number, "booked": order.revenue_total},
                field="amount", code="over_settlement")
        date = date or timezone.localdate(actor.at)
        rule, amounts = (("receipt.platform", {"amount": amount, "fee": fee, "total": amount + fee})
                         if kind == Settlement.Kind.PLATFORM else ("receipt.bank", {"amount": amount}))
        if voucher is None:
            voucher = book(rule=rule, date=date, amounts=amounts, source_type=SOURCE_TYPE, source_id=str(order.pk),
                           memo=f"收款 {order.number} {reference}".strip(), actor=actor, document=order.number,
                           dimensions={"partner": order.partner.code if order.partner_id else order.channel.code})
        settlement = Settlement.objects.create(order=order, kind=kind, amount=amount, fee=fee, date=date,
                                               reference=reference[:100], voucher_id=voucher.pk if voucher else None)
        Order.objects.filter(pk=order.pk).update(settled_total=F("settled_total") + amount + fee)
        order.refresh_from_db(fields=["settled_total"])
        words = {"platform": ("平台结算", "Platform settlement"), "bank": ("银行收款", "Bank receipt"),
                 "advance": ("预收款冲抵", "Advance applied")}[kind]
        timeline.add(order, "settled", f"{words[0]} ¥{amount}" + (f"，佣金 ¥{fee}" if fee else ""), actor,
                     message_en=f"{words[1]} ¥{amount}" + (f", commission ¥{fee}" if fee else ""))
        if order.status == Order.Status.SHIPPED and outstanding(order) == 0:
            Order.objects.filter(pk=order.pk).update(status=Order.Status.COMPLETED)
            order.status = Order.Status.COMPLETED
            timeline.add(order, "completed", "已结清，订单完成", actor, message_en="Settled in full: completed")
        audit.record_act(order, actor=actor, action="oms.order.settle", detail=_("%(kind)s %(amount)s, fee %(fee)s") % {
                             "kind": Settlement.Kind(kind).label, "amount": amount, "fee": fee})
        outbox.emit("oms.order.settled", aggregate_type="order", aggregate_id=order.number, actor=actor,
                    payload={"number": order.number, "kind": kind, "amount": str(amount), "fee": str(fee)})
        return settlement


def ar_aging(*, as_of: datetime.date | None = None, dealers_only: bool = False) -> dict:
    """Receivables per customer (dealer, or the channel for platform buyers) by age since shipment."""
    as_of = as_of or clock.today()
    qs = Order.objects.filter(revenue_total__gt=F("settled_total")).select_related("partner", "channel")
    if dealers_only:
        qs = qs.filter(partner__isnull=False)
    aging = Aging("customer")
    for order in qs.order_by("pk"):
        key = order.partner.code if order.partner_id else f"channel:{order.channel.code}"
        name = order.partner.name if order.partner_id else order.channel.name
        since = timezone.localdate(order.shipped_at or order.received_at)
        aging.add(key, name, days=(as_of - since).days, amount=order.revenue_total - order.settled_total)
    report = aging.report(as_of=as_of, order_by_total=True)
    for row in report["rows"]:
        row["orders"] = row["items"]
    return report
