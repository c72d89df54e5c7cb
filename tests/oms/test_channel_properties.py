"""Invariants of normalization over generated orders (hypothesis)."""

import ast
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sihe.oms.channels import normalize
from sihe.oms.channels.base import spread

from .conftest import load


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**8),
       st.lists(st.integers(min_value=1, max_value=10**7), min_size=1, max_size=12))
def test_spread_adds_up_exactly_and_follows_the_weights(total_fen, weight_fen):
    total = Decimal(total_fen) / 100
    weights = [Decimal(w) / 100 for w in weight_fen]
    shares = spread(total, weights)
    assert sum(shares) == total
    assert all(share == share.quantize(Decimal("0.01")) for share in shares)
    base = sum(weights)
    for share, weight in zip(shares[:-1], weights[:-1], strict=True):
        assert abs(share - total * weight / base) <= Decimal("0.005")


sku = st.tuples(st.integers(min_value=1, max_value=500_000), st.integers(min_value=1, max_value=50))


@settings(max_examples=200, deadline=None)
@given(st.lists(sku, min_size=1, max_size=8), st.integers(min_value=0, max_value=100), st.integers(0, 2000))
def test_generated_douyin_orders_add_up_in_yuan(skus, discount_percent, post_fen):
    # given a Douyin order built from fen amounts
    payload = load("douyin")
    shop_order = payload["data"]["shop_order_list"][0]
    template = shop_order["sku_order_list"][0]
    lines = []
    for index, (price_fen, qty) in enumerate(skus):
        line = dict(template, order_id=f"69181234567890{index:05d}", item_num=qty, origin_amount=price_fen,
                    sum_amount=price_fen * qty)
        line.pop("promotion_amount")
        lines.append(line)
    goods = sum(p * q for p, q in skus)
    promotion = goods * discount_percent // 100
    shop_order.update(sku_order_list=lines, order_amount=goods, promotion_amount=promotion,
                      promotion_shop_amount=promotion, post_amount=post_fen, pay_amount=goods - promotion + post_fen)
    # when
    order = normalize("douyin", payload)
    # then every figure is the fen amount ÷ 100, and the lines add up to what was paid
    assert order.goods_total == Decimal(goods) / 100
    assert order.discount_total == Decimal(promotion) / 100
    assert order.amount_paid == Decimal(goods - promotion + post_fen) / 100
    assert sum(line.discount for line in order.lines) == order.discount_total
    assert sum(line.amount_paid for line in order.lines) + order.shipping_fee == order.amount_paid
    assert [line.unit_price for line in order.lines] == [Decimal(p) / 100 for p, _ in skus]


PURE_INVOICING = ("amount_words.py", "lines.py", "invoice.py", "xml.py", "pdf.py")  # models/services use the DB
ALLOWED = ("sihe.core", "sihe.oms.channels", "sihe.invoicing", "django.utils.translation", "reportlab")


def test_pure_layers_import_only_core_the_standard_library_and_pinned_libraries():
    import sys

    root = Path(__file__).resolve().parents[2] / "sihe"
    for path in [*(root / "oms" / "channels").glob("*.py"), *(root / "invoicing" / name for name in PURE_INVOICING)]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            for name in names:
                top = name.split(".")[0]
                assert name.startswith(ALLOWED) or top in sys.stdlib_module_names, f"{path.name} imports {name}"
