"""What a dealer pays: the price of a product for a customer on a date and for a quantity, and the
promotions on a quotation spread over its lines.

- Price: the price lists of the customer's group valid on the date (valid_from ≤ date ≤ valid_to, or no
  end), their breaks for the product with `min_qty` ≤ the quantity; the lowest of those unit prices (with
  breaks falling as quantities rise, that is the break the quantity reached). No group, list or break:
  the product's list price. Prices include tax, to the fen.
- Promotions valid on the date for the customer's group (or for every customer): the best 折扣
  (percentage off the goods total), then the best 满减 whose threshold the total after that discount
  reaches (one of each kind: they do not stack within a kind), then every 赠品 whose threshold is reached —
  a gift line at price 0 (the stock still leaves at cost; no revenue, not on the invoice).
- The discount is spread over the priced lines in proportion to their totals, half up to the fen, the
  remainder on the largest line: each line carries its own share, which the order, the invoice's 折扣行
  and the revenue take as they are.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from sihe.catalog.models import Partner, Product
from sihe.core.money import CENT, round_money
from sihe.oms.b2b.models import CustomerGroup, GroupMember, PriceBreak, Promotion

ZERO = Decimal("0.00")


def group_of(partner: Partner) -> CustomerGroup | None:
    member = GroupMember.objects.filter(partner=partner).select_related("group").first()
    return member.group if member else None


def _valid(prefix: str, on: datetime.date) -> Q:
    return (Q(**{f"{prefix}active": True, f"{prefix}valid_from__lte": on})
            & (Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on})))


@dataclass(frozen=True)
class Price:
    unit_price: Decimal
    source: str  # "PL-A ≥ 100" or "list_price"


def price_for(*, group: CustomerGroup | None, product: Product, qty: Decimal, on: datetime.date) -> Price:
    if group is not None:
        best = (PriceBreak.objects.filter(_valid("price_list__", on), price_list__group=group, product=product,
                                          min_qty__lte=qty)
                .select_related("price_list").order_by("unit_price", "-min_qty", "id").first())
        if best is not None:
            return Price(best.unit_price, f"{best.price_list.code} ≥ {best.min_qty.normalize():f}")
    return Price(round_money(product.list_price), "list_price")


def spread_largest(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`total` over `weights` in proportion, half up to the fen; the remainder on the largest weight (the
    first of equals), so the parts add up to `total` and the rounding lands where it is smallest relatively."""
    if not weights:
        return []
    base = sum(weights, Decimal(0))
    if not base:
        shares = [ZERO] * len(weights)
        shares[0] = total
        return shares
    shares = [(total * w / base).quantize(CENT, rounding=ROUND_HALF_UP) for w in weights]
    largest = max(range(len(weights)), key=lambda i: (weights[i], -i))
    shares[largest] += total - sum(shares, Decimal(0))
    return shares


@dataclass
class Priced:
    product: Product
    qty: Decimal
    list_price: Decimal
    unit_price: Decimal
    source: str
    line_total: Decimal = ZERO
    discount: Decimal = ZERO
    gift: bool = False
    promotion: str = ""

    @property
    def amount(self) -> Decimal:
        return self.line_total - self.discount


@dataclass
class Offer:
    lines: list[Priced]
    promotions: list[dict] = field(default_factory=list)

    @property
    def goods_total(self) -> Decimal:
        return sum((ln.line_total for ln in self.lines), ZERO)

    @property
    def discount_total(self) -> Decimal:
        return sum((ln.discount for ln in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        return self.goods_total - self.discount_total


def promotions_for(group: CustomerGroup | None, on: datetime.date):
    qs = Promotion.objects.filter(_valid("", on)).select_related("gift_product__uom")
    return qs.filter(Q(group__isnull=True) | Q(group=group)) if group else qs.filter(group__isnull=True)


def apply_promotions(lines: list[Priced], promotions) -> Offer:
    """The offer for priced `lines` (their line totals set) under `promotions` (see the module's words)."""
    goods = sum((ln.line_total for ln in lines), ZERO)
    applied, discount = [], ZERO
    by_kind: dict[str, list[Promotion]] = {}
    for promo in promotions:
        by_kind.setdefault(promo.kind, []).append(promo)
    percent = [(round_money(goods * p.percent / 100), p) for p in by_kind.get(Promotion.Kind.PERCENT, [])]
    if percent:
        off, promo = max(percent, key=lambda t: (t[0], -t[1].pk))
        if off:
            discount += off
            applied.append({"code": promo.code, "name": promo.name, "kind": promo.kind, "discount": str(off)})
    reached = [p for p in by_kind.get(Promotion.Kind.SPEND_SAVE, []) if goods - discount >= p.threshold]
    if reached:
        promo = max(reached, key=lambda p: (p.amount, -p.pk))
        off = min(promo.amount, goods - discount)
        if off:
            discount += off
            applied.append({"code": promo.code, "name": promo.name, "kind": promo.kind, "discount": str(off)})
    for line, share in zip(lines, spread_largest(discount, [ln.line_total for ln in lines]), strict=True):
        line.discount = share
    out = list(lines)
    for promo in by_kind.get(Promotion.Kind.GIFT, []):
        if promo.gift_product_id and promo.gift_qty > 0 and goods - discount >= promo.threshold:
            out.append(Priced(product=promo.gift_product, qty=promo.gift_qty,
                              list_price=round_money(promo.gift_product.list_price), unit_price=ZERO,
                              source="gift", gift=True, promotion=promo.code))
            applied.append({"code": promo.code, "name": promo.name, "kind": promo.kind, "discount": "0.00",
                            "gift": promo.gift_product.sku, "qty": f"{promo.gift_qty.normalize():f}"})
    return Offer(lines=out, promotions=applied)
