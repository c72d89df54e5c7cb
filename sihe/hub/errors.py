"""The hub's domain errors."""

from sihe.core.errors import Conflict, NotFound, ValidationFailed


class BadSubscription(ValidationFailed):
    code = "invalid_subscription"


class NoSuchSubscription(NotFound):
    code = "webhook_not_found"


class NoSuchDelivery(NotFound):
    code = "delivery_not_found"


class NotRetryable(Conflict):
    code = "delivery_not_retryable"
