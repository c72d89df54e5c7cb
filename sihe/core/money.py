"""Money and quantities: Decimal only, one constructor and one rounding function per kind.

Chinese tax rules round half up (四舍五入), so every rounding here is ROUND_HALF_UP.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
UNIT_COST_PLACES = Decimal("0.000001")
LIMIT = Decimal("1e15")


def to_decimal(value, *, field: str = "value") -> Decimal:
    """Parse a number from user input (str, int, Decimal). Floats are refused: they lose cents."""
    from sihe.core.errors import ValidationFailed

    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, bool):
        raise ValidationFailed(f"{field} must be a number", field=field)
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationFailed(f"{field} is not a number: {value!r}", field=field) from exc
    if not number.is_finite():
        raise ValidationFailed(f"{field} must be finite", field=field)
    return number


def money(value, *, field: str = "amount") -> Decimal:
    """An amount in CNY yuan, rounded half up to the fen. Beyond LIMIT it is refused: quantize()
    would fail there (a 500), and no amount an SME books comes near it."""
    from sihe.core.errors import ValidationFailed

    number = to_decimal(value, field=field)
    if abs(number) >= LIMIT:
        raise ValidationFailed(f"{field} is too large", field=field, code="amount_too_large")
    return round_money(number)


def round_money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def round_unit_cost(value: Decimal) -> Decimal:
    return value.quantize(UNIT_COST_PLACES, rounding=ROUND_HALF_UP)


def round_qty(value: Decimal, precision: int) -> Decimal:
    """A quantity at a unit of measure's precision (number of decimal places)."""
    return value.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)


def fen_to_yuan(fen: int | str) -> Decimal:
    """Channel payloads (Douyin, WeChat) carry integer fen; convert once, at the adapter."""
    return round_money(Decimal(int(fen)) / 100)


def format_cny(value: Decimal) -> str:
    """¥1,234.56 — how users read amounts."""
    amount = round_money(Decimal(value))
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"
