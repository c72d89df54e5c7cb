"""Hooks a higher app (purchasing) registers from its AppConfig.ready() to learn, inside the same
transaction, what the warehouse received or rejected against the expected receipts it created.

    register_on_received(callback)  # callback(asn=Asn, received=[(AsnLine, Decimal)], actor=Actor)
    register_on_rejected(callback)  # callback(asn=Asn, rejected=[(AsnLine, Decimal)], actor=Actor)

wms never imports purchasing; the callbacks run in the receipt's transaction, so a refusal raised by
a callback rolls the whole receipt back.
"""

from collections.abc import Callable

_on_received: list[Callable] = []
_on_rejected: list[Callable] = []


def register_on_received(callback: Callable) -> None:
    if callback not in _on_received:
        _on_received.append(callback)


def register_on_rejected(callback: Callable) -> None:
    if callback not in _on_rejected:
        _on_rejected.append(callback)


def received(*, asn, received, actor) -> None:
    for callback in list(_on_received):
        callback(asn=asn, received=received, actor=actor)


def rejected(*, asn, rejected, actor) -> None:
    for callback in list(_on_rejected):
        callback(asn=asn, rejected=rejected, actor=actor)
