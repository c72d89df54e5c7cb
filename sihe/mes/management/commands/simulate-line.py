"""`sihe simulate-line`: the dashed name of `sihe simulate_line` (Django finds commands by file name)."""

from sihe.mes.management.commands.simulate_line import Command

__all__ = ["Command"]
