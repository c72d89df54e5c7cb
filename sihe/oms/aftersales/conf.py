"""After-sales settings, each with a laptop-safe default (Django settings or the environment).

| setting | default | meaning |
|---|---|---|
| `SIHE_REFUND_APPROVAL_LIMIT` | `300.00` | a refund-only case above this amount waits for a manager's approval |
| `SIHE_AFTERSALES_HOURS` | `48` | hours the service team has to answer a case (the platforms' 48-hour rule) |
"""

import os
from decimal import Decimal

from django.conf import settings


def _get(name: str, default: str) -> str:
    return str(getattr(settings, name, None) or os.environ.get(name) or default)


def approval_limit() -> Decimal:
    return Decimal(_get("SIHE_REFUND_APPROVAL_LIMIT", "300.00"))


def answer_hours() -> int:
    return int(_get("SIHE_AFTERSALES_HOURS", "48"))
