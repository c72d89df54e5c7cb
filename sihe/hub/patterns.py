"""Event type patterns: an exact type (`catalog.product.created`), a prefix (`catalog.*`) or `*`."""

import re

_PATTERN = re.compile(r"^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)$")


def is_valid(pattern: str) -> bool:
    return bool(_PATTERN.match(pattern or ""))


def matches(pattern: str, event_type: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return event_type == pattern
