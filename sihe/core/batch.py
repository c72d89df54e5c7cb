"""One act, few round trips: audit rows, outbox events and other append-only rows (an order's timeline)
written together at the end of the act, and the work that takes hot rows (voucher numbers, ledger
balances) done there too, so those rows are locked for the last milliseconds of the transaction only.

    with transaction.atomic(durable=True), batch.collect():
        ...services record audit rows, emit events, add timeline rows, book vouchers...
    # at the end of the block, still inside the transaction: the late work (`later()`), then the
    # buffered rows and writes (`write_later()`): one statement each, all in one on PostgreSQL

Outside `collect()` everything is written at once, as before. Buffered rows and late work belong to
the savepoint they were written in: `core.tx.act()` and `core.tx.attempt()` drop them when their
savepoint is rolled back (they call `mark()` and `discard_since()`; nothing else needs to).

A late step may give a placeholder its final text (`rename`): a voucher numbered at the end of the
act is known as 记-(#123) until then; the buffered rows that named it (audit, events, timeline) are
rewritten to 记-0042 before they are inserted.
"""

import threading
from contextlib import contextmanager

from sihe.core import sqlrows

_local = threading.local()


def active() -> dict | None:
    return getattr(_local, "buffer", None)


def add(kind: str, row) -> bool:
    """Buffer `row` (an unsaved model instance: an Event, an AuditEntry, a TimelineEntry…) when an act
    collects; False when it does not. Rows of one kind are inserted together, kinds in the order first seen."""
    buffer = active()
    if buffer is None:
        return False
    buffer["rows"].setdefault(kind, []).append(row)
    return True


def later(key, step, item) -> bool:
    """Run `step(items)` once at the end of the collected act with every `item` given under `key`
    (e.g. all vouchers booked in the act, numbered and added to the balances together); False when the
    act does not collect (the caller does the work at once)."""
    buffer = active()
    if buffer is None:
        return False
    entry = buffer["late"].get(key)
    if entry is None:
        entry = buffer["late"][key] = (step, [])
    entry[1].append(item)
    return True


def write_later(sql: str, params: list) -> bool:
    """Send `sql` (a statement whose outcome the act does not read: an upsert of running sums) at the end of the
    collected act with its buffered rows, in their one statement on PostgreSQL; False when the act does not
    collect (the caller runs it now)."""
    buffer = active()
    if buffer is None:
        return False
    buffer["writes"].append((sql, params))
    return True


def rename(placeholder: str, final: str) -> None:
    """Replace `placeholder` by `final` in the text of the rows still buffered (see the module doc)."""
    buffer = active()
    if buffer is not None and placeholder != final:
        buffer["renames"][placeholder] = final


def memo(key, compute):
    """`compute()` once per collected act (settings rows, rows already locked); every time outside one."""
    buffer = active()
    if buffer is None:
        return compute()
    if key not in buffer["memo"]:
        buffer["memo"][key] = compute()
    return buffer["memo"][key]


def mark() -> dict | None:
    buffer = active()
    if buffer is None:
        return None
    return {"rows": {k: len(v) for k, v in buffer["rows"].items()},
            "late": {k: len(v[1]) for k, v in buffer["late"].items()}, "writes": len(buffer["writes"])}


def discard_since(point: dict | None) -> None:
    buffer = active()
    if buffer is None or point is None:
        return
    for kind, rows in buffer["rows"].items():
        del rows[point["rows"].get(kind, 0):]
    for key, (_step, items) in buffer["late"].items():
        del items[point["late"].get(key, 0):]
    del buffer["writes"][point["writes"]:]
    # memoised reads may describe rows the rolled-back savepoint had locked or changed
    buffer["memo"].clear()


def _renamed(value, renames: dict):
    if isinstance(value, str):
        for old, new in renames.items():
            if old in value:
                value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {k: _renamed(v, renames) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, renames) for v in value]
    return value


def _apply_renames(rows: list, renames: dict) -> None:
    for row in rows:
        for field in row._meta.concrete_fields:
            value = getattr(row, field.attname)
            if isinstance(value, str | dict | list):
                new = _renamed(value, renames)
                if new != value:
                    if isinstance(new, str) and getattr(field, "max_length", None):
                        new = new[:field.max_length]
                    setattr(row, field.attname, new)


def flush() -> None:
    buffer = active()
    if buffer is None:
        return
    while buffer["late"]:  # a late step may add rows (audit, events) or, rarely, more late work
        late, buffer["late"] = buffer["late"], {}
        for step, items in late.values():
            if items:
                step(items)
    rows, renames, writes = buffer["rows"], buffer["renames"], buffer["writes"]
    buffer["rows"], buffer["renames"], buffer["writes"] = {}, {}, []
    if renames:
        for kind_rows in rows.values():
            _apply_renames(kind_rows, renames)
    sqlrows.insert_groups(list(rows.values()), writes=writes)  # one statement for them all on PostgreSQL


@contextmanager
def collect():
    """Collect the act's rows and late work; do it when the block ends without an error."""
    if active() is not None:  # already collecting: the outer block writes
        yield
        return
    _local.buffer = {"rows": {}, "late": {}, "renames": {}, "memo": {}, "writes": []}
    try:
        yield
        flush()
    finally:
        _local.buffer = None
