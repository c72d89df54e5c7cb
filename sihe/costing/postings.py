"""Postings of valuation layers to the general ledger through `sihe.ledger.services.book`.

Rule per layer (the rules are data in the ledger; see the stock ↔ ledger interface):
| layer | rule | amount "value" |
|---|---|---|
| in, receipt from supplier | stock.receipt | receipt value (+ stock.issue with the negative-stock adjust) |
| out, issue to customer | stock.issue | cost |
| in, customer return (退货, counterpart customer, not a reversal) | stock.issue reversed → `stock.issue.reverse` | the layer's value (its given unit cost × qty) |
| out, return to supplier (counterpart supplier, not a reversal) | stock.receipt reversed → `stock.receipt.reverse` | cost |
| in/out, inventory gain/loss | stock.adjustment.gain / .loss | value |
| out, scrap | stock.scrap | cost |
| in, transfer leg arriving from transit | stock.transfer (dimensions from/to warehouse) | value |
| out, production consumption / in, production output | production.consume / production.output | value |
| reversal of any of these | the original's rule, negated → `<rule>.reverse` | the amount |
| re-costing after a backdated move | the changed layer's rule (or `.reverse`) | the difference |
| revaluation (入库成本调整, no move) | stock.revaluation (`.reverse` when it lowers the cost) | the share put into stock |
A negative amount books the opposite rule `<rule>.reverse` (sides swapped, seeded by costing's
migration 0002), because the ledger's `book()` takes only amounts ≥ 0. A layer going against its
rule's normal direction (an in-layer under an outbound rule, an out-layer under an inbound rule)
books the rule reversed: goods going back where they came from; a reversal of such a layer books
its original's amount negated, i.e. the rule itself again. Re-costing corrections follow the same signs.
The out-leg of a transfer posts nothing: the arriving leg posts the whole transfer.
"""

from decimal import Decimal

from sihe.core.actor import Actor
from sihe.ledger.services import book as _book
from sihe.stock.models import Counterpart, StockMove

SOURCE_TYPE = "stock_move"
# rules whose normal direction is goods coming in: an out-layer under them books the reverse
INBOUND_RULES = {"stock.receipt", "stock.adjustment.gain", "production.output", "production.return"}
# rules whose normal direction is goods going out: an in-layer under them (a customer return) books the reverse
OUTBOUND_RULES = {"stock.issue", "stock.scrap", "stock.adjustment.loss", "production.consume"}


def against_rule(kind: str, rule: str, *, reversal: bool = False) -> bool:
    """The act goes the other way than its rule's normal direction (return to supplier, customer return).
    For a reversal, the act is its original's (the opposite kind): a reversed customer return books
    `stock.issue` again, as the reversal of a return to the supplier books `stock.receipt`."""
    if reversal:
        kind = "in" if kind == "out" else "out"
    return (kind == "out" and rule in INBOUND_RULES) or (kind == "in" and rule in OUTBOUND_RULES)


def signed(amount: Decimal, *, kind: str, rule: str, reversal: bool) -> Decimal:
    """The amount to book under `rule` for a layer change `amount` (> 0: value in for an in-layer, cost
    out for an out-layer): negated when the act goes against the rule, negated again for a reversal
    (红字: the original's rule with the negated amount); `book` turns a negative into `<rule>.reverse`."""
    if against_rule(kind, rule, reversal=reversal):
        amount = -amount
    return -amount if reversal else amount


def rule_of(kind: str, move_kind: str, counterpart: str, reversed_kind: str | None = None,
            reversed_counterpart: str | None = None) -> str | None:
    """The posting rule of a layer (`kind` in/out) of a move; a reversal uses its original's rule."""
    if reversed_kind is not None:
        return rule_of("out" if kind == "in" else "in", reversed_kind, reversed_counterpart or "")
    if move_kind == StockMove.Kind.TRANSFER or counterpart == Counterpart.TRANSIT:
        return "stock.transfer" if kind == "in" else None
    if counterpart == Counterpart.SUPPLIER:
        return "stock.receipt"
    if counterpart == Counterpart.CUSTOMER:
        return "stock.issue"
    if counterpart == Counterpart.INVENTORY:
        return "stock.adjustment.gain" if kind == "in" else "stock.adjustment.loss"
    if counterpart == Counterpart.SCRAP:
        return "stock.scrap"
    if counterpart == Counterpart.PRODUCTION:
        if kind == "in":  # components coming back (退料) or goods made (完工入库)
            return "production.return" if move_kind == StockMove.Kind.CONSUME else "production.output"
        return "production.consume"
    return None


def rule_for(move: StockMove, kind: str) -> str | None:
    original = move.reversal_of if move.reversal_of_id else None
    return rule_of(kind, move.kind, move.counterpart, original.kind if original else None,
                   original.counterpart if original else None)


def _dimensions(layer) -> dict[str, str]:
    dims = {"warehouse": layer.warehouse.code}
    if layer.move.counterpart == Counterpart.PRODUCTION:
        dims["project"] = layer.move.reference  # 4001 per production order
    if rule_for(layer.move, layer.kind) == "stock.transfer":
        source = layer.source_layer
        if source is not None and not layer.move.reversal_of_id:
            dims.update({"from_warehouse": source.warehouse.code, "to_warehouse": layer.warehouse.code})
        elif layer.move.reversal_of_id:
            dims.update({"from_warehouse": layer.warehouse.code, "to_warehouse": layer.move.reversal_of.dst_warehouse.code
                         if layer.move.reversal_of.dst_warehouse_id else layer.warehouse.code})
    return dims


# What a move is, in the words of the 摘要 (stored in Chinese whatever the reader's language: vouchers
# are the company's books).
ACT_NAMES = {
    "stock.receipt": "采购入库", "stock.issue": "销售出库", "stock.adjustment.gain": "盘盈",
    "stock.adjustment.loss": "盘亏", "stock.scrap": "报废", "stock.transfer": "调拨",
    "production.consume": "生产领料", "production.output": "完工入库", "production.return": "生产退料",
}
# ... and of an act going against its rule
AGAINST_NAMES = {"stock.receipt": "退货给供应商", "stock.issue": "销售退回"}


def goods_of(move: StockMove) -> str:
    """蓝月亮洗衣液×3 (the quantity in the product's unit, without trailing zeros)."""
    return f"{move.product.name}×{move.qty.normalize():f}"


def memo_of(move: StockMove, rule: str, *, against: bool = False) -> str:
    act = AGAINST_NAMES.get(rule) if against else None
    act = act or ACT_NAMES.get(rule, rule)
    return " ".join(x for x in ("冲销" if move.reversal_of_id else "", act, move.reference, goods_of(move)) if x)[:200]


def book(*, rule: str, date, amount: Decimal, source_id, memo: str, actor: Actor, dimensions: dict,
         document: str = "", goods: str = "") -> object:
    """A negative amount books the opposite rule `<rule>.reverse` (seeded by costing migration 0002)."""
    if amount == 0:
        return None
    if amount < 0:
        rule, amount = f"{rule}.reverse", -amount
    return _book(rule=rule, date=date, amounts={"value": amount}, source_type=SOURCE_TYPE, source_id=str(source_id),
                 memo=memo, actor=actor, dimensions=dimensions, document=document, goods=goods)


def post_layer(layer, *, actor: Actor) -> None:
    post_layers([layer], actor=actor)


def post_layers(layers, *, actor: Actor) -> None:
    """Post the layers of one act: one voucher per (rule, date, dimensions) with the rule's lines for
    each move (a shipment of three lines books one 销售出库 voucher, not three) — 销售出库 one per product group
    (类别), so that cost of sales by group is read off the voucher as revenue is read off the order."""
    groups: dict[tuple, list] = {}
    adjusts = []
    for layer in layers:
        move = layer.move
        rule = rule_for(move, layer.kind)
        if rule is None:
            continue
        reversal = bool(move.reversal_of_id)
        amount = signed(layer.base_value if layer.kind == "in" else -layer.value, kind=layer.kind, rule=rule,
                        reversal=reversal)
        against = against_rule(layer.kind, rule, reversal=reversal)
        dims = _dimensions(layer)
        if amount:
            # cost of sales per product group: a KPI's gross margin by group reads the voucher's goods
            group = layer.product.category_id if rule == "stock.issue" else None
            key = (rule, layer.date, tuple(sorted(dims.items())), against, group)
            groups.setdefault(key, []).append((move, amount))
        if layer.adjust_value:
            adjusts.append((layer, dims))
    for (rule, date, dims, against, _group), items in groups.items():
        by_sign: dict[str, list] = {}
        for move, amount in items:  # a negative amount books the opposite rule
            by_sign.setdefault(rule if amount > 0 else f"{rule}.reverse", []).append((move, abs(amount)))
        for booked_rule, entries in by_sign.items():
            first = entries[0][0]
            if len(entries) == 1:
                memo = memo_of(first, rule, against=against)
            else:
                act = (AGAINST_NAMES.get(rule) if against else None) or ACT_NAMES.get(rule, rule)
                memo = " ".join(x for x in ("冲销" if first.reversal_of_id else "", act, first.reference,
                                            "、".join(goods_of(m) for m, _a in entries)) if x)[:200]
            _book(rule=booked_rule, date=date, source_type=SOURCE_TYPE, source_id=str(first.pk), memo=memo,
                  actor=actor, dimensions=dict(dims),
                  parts=[{"amounts": {"value": amount}, "document": move.reference or f"#{move.pk}",
                          "goods": goods_of(move)} for move, amount in entries])
    for layer, dims in adjusts:
        move = layer.move
        document, goods = move.reference or f"#{move.pk}", goods_of(move)
        book(rule="stock.issue", date=layer.date, amount=layer.adjust_value, source_id=move.pk,
             memo=f"负库存成本调整 {document} {goods}", actor=actor, dimensions=dims,
             document=document, goods=goods)


def post_revaluations(layers, *, document: str, goods: dict[int, str], actor: Actor) -> None:
    """One voucher per (date, warehouse, direction) for an act's revaluation layers, a line pair per layer:
    Dr 库存商品 / Cr 主营业务成本 the share put into the stock (the invoice debited the whole amount to cost)."""
    groups: dict[tuple, list] = {}
    for layer in layers:
        if layer.value:
            rule = "stock.revaluation" if layer.value > 0 else "stock.revaluation.reverse"
            groups.setdefault((rule, layer.date, layer.warehouse.code), []).append(layer)
    for (rule, date, warehouse), entries in groups.items():
        _book(rule=rule, date=date, source_type="valuation_layer", source_id=str(entries[0].pk),
              memo=f"入库成本调整 {document}"[:200], actor=actor, dimensions={"warehouse": warehouse},
              parts=[{"amounts": {"value": abs(layer.value)}, "document": document,
                      "goods": goods.get(layer.pk, "")} for layer in entries])


def post_corrections(rows, old: dict[int, tuple], *, date, source_id, actor: Actor) -> int:
    """Post what re-costing changed on layers already booked (`rows`: the re-costed layers as plain
    values): one voucher per rule and warehouse, linked to the backdated move that caused it. Returns the
    number of vouchers booked."""
    totals: dict[tuple, Decimal] = {}
    for row in rows:
        old_value, old_adjust = old[row.pk]
        rule = rule_of(row.kind, row.move_kind, row.counterpart, row.reversed_kind, row.reversed_counterpart) \
            if row.move_id else None
        adjust_delta = row.adjust_value - old_adjust
        base_delta = (row.value - old_value) + adjust_delta if row.kind == "in" else old_value - row.value
        dims = (("warehouse", row.warehouse_code),)
        if rule == "stock.transfer" and row.source_warehouse_code:
            dims += (("from_warehouse", row.source_warehouse_code), ("to_warehouse", row.warehouse_code))
        if rule is not None and base_delta:
            base_delta = signed(base_delta, kind=row.kind, rule=rule, reversal=row.reversed_kind is not None)
            totals[(rule, dims)] = totals.get((rule, dims), Decimal(0)) + base_delta
        if adjust_delta:
            totals[("stock.issue", dims)] = totals.get(("stock.issue", dims), Decimal(0)) + adjust_delta
    booked = 0
    for (rule, dims), amount in sorted(totals.items()):
        booked += book(rule=rule, date=date, amount=amount, source_id=source_id, actor=actor, dimensions=dict(dims),
                       memo=f"补记单据入账后重算成本 #{source_id}", document=f"#{source_id}", goods="成本重算") is not None
    return booked
