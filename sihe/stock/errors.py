"""Errors of the stock ledger. Each names the field at fault and carries the numbers a caller needs."""

from sihe.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed


class InsufficientStock(Conflict):
    """Not enough available stock: 409 `{"code": "insufficient_stock", "available": "<decimal>", ...}`."""

    code = "insufficient_stock"


class ShortShelfLife(Conflict):
    """Eligible lots (by minimum remaining shelf life) cannot cover the quantity; the shortfall is reported."""

    code = "insufficient_shelf_life"


class ImmutableMove(InvalidTransition):
    code = "move_immutable"


class UnknownStockReference(ValidationFailed):
    code = "unknown_reference"


__all__ = [
    "InsufficientStock",
    "ShortShelfLife",
    "ImmutableMove",
    "UnknownStockReference",
    "NotFound",
    "ValidationFailed",
    "InvalidTransition",
]
