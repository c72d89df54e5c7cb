"""Money and quantities: Decimal only, one constructor and one rounding function per kind.

Chinese tax rules round half up (四舍五入), so every rounding here is ROUND_HALF_UP.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
UNIT_COST_PLACES = Decimal("0.000001")
LIMIT = Decimal("1e15")


NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?$", re.ASCII)
NUMBER_LIMIT = Decimal(10) ** 18  # past every specific limit (amounts 10¹⁵, quantities 10¹³), which answer first


def to_decimal(value, *, field: str = "value") -> Decimal:
    """Parse a number from user input (str, int, Decimal). Floats are refused: they lose cents."""
    from sihe.core.errors import ValidationFailed

    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, bool):
        raise ValidationFailed(_("%(field)s must be a number") % {"field": field}, field=field)
    if isinstance(value, str) and not NUMBER.match(value.strip()):
        # Decimal() takes full-width and other Unicode digits ("１２"): not a number anyone typed on purpose
        raise ValidationFailed(_("%(field)s is not a number: %(value)r (use the digits 0-9)") % {"field": field,
                                                                                     "value": value[:40]}, field=field)
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationFailed(_("%(field)s is not a number: %(value)r") % {"field": field, "value": value}, field=field) from exc
    if not number.is_finite():
        raise ValidationFailed(_("%(field)s must be finite") % {"field": field}, field=field)
    if abs(number) >= NUMBER_LIMIT:  # beyond every quantity, price and amount; quantize() fails past it (a 500)
        raise ValidationFailed(_("%(field)s is too large") % {"field": field}, field=field, code="number_too_large")
    return number


def money(value, *, field: str = "amount") -> Decimal:
    """An amount in CNY yuan, rounded half up to the fen. Beyond LIMIT it is refused: quantize()
    would fail there (a 500), and no amount an SME books comes near it."""
    from sihe.core.errors import ValidationFailed

    number = to_decimal(value, field=field)
    if abs(number) >= LIMIT:
        raise ValidationFailed(_("%(field)s is too large") % {"field": field}, field=field, code="amount_too_large")
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


def text(value: Decimal | int | None, *, places: int | None = None) -> str | None:
    """The one way a number becomes text in answers and events: `places` fixed (money: 2), else
    without trailing zeros ("12", "0.5", never "1.2E+1"); None stays None."""
    if value is None:
        return None
    number = Decimal(value)
    if places is not None:
        return format(number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
    if number == number.to_integral_value():
        return format(number.quantize(Decimal(1)) + 0, "f")  # + 0: never "-0"
    return format(number.normalize() + 0, "f")
