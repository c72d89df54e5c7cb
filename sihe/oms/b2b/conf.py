"""B2B settings, each with a laptop-safe default (Django settings or the environment).

| setting | default | meaning |
|---|---|---|
| `SIHE_QUOTATION_DAYS` | `15` | days a quotation is valid when no date is given |
| `SIHE_B2B_CHANNEL` | (the first active channel of type 经销商) | the channel code a converted quotation's order comes in on |
"""

import os

from django.conf import settings


def _get(name: str, default: str) -> str:
    return str(getattr(settings, name, None) or os.environ.get(name) or default)


def quotation_days() -> int:
    return int(_get("SIHE_QUOTATION_DAYS", "15"))


def channel_code() -> str:
    return _get("SIHE_B2B_CHANNEL", "")
