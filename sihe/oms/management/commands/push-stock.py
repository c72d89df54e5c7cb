"""`sihe push-stock`: the dashed name of `sihe push_stock` (Django finds commands by file name)."""

from sihe.oms.management.commands.push_stock import Command

__all__ = ["Command"]
