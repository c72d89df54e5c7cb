"""Money rules: Decimal only, half up, refusals name the field."""

from decimal import Decimal

import pytest

from sihe.core.errors import ValidationFailed
from sihe.core.money import fen_to_yuan, format_cny, money, round_qty


@pytest.mark.parametrize("raw,expected", [("1.005", "1.01"), ("2.675", "2.68"), ("-1.005", "-1.01"), (3, "3.00"), ("0.1", "0.10")])
def test_money_rounds_half_up_to_the_fen(raw, expected):
    assert money(raw) == Decimal(expected)


def test_fen_and_display():
    assert fen_to_yuan(14800) == Decimal("148.00")
    assert format_cny(Decimal("1234.5")) == "¥1,234.50"
    assert format_cny(Decimal("-3")) == "-¥3.00"
    assert round_qty(Decimal("2.3456"), 3) == Decimal("2.346")


@pytest.mark.parametrize("raw", ["abc", "1E30", "NaN", "Infinity", True, None])
def test_bad_amounts_are_refused_naming_the_field(raw):
    with pytest.raises(ValidationFailed) as error:
        money(raw, field="unit_price")
    assert error.value.field == "unit_price"
