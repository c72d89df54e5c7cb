"""Every reaction in one list: the hub's subscriptions, the month-end checks and the warehouse hooks the
order and purchasing sides fill. A new reaction changes this test on purpose, so a reviewer sees it."""

from sihe.hub.registry import handlers
from sihe.ledger.close import registered
from sihe.wms import shipping
from sihe.wms.inbound import hooks as inbound


def _names(callbacks):
    return sorted(f"{c.__module__}.{c.__qualname__}" for c in callbacks)


def test_13_every_reaction_is_listed():
    assert sorted((h.pattern, h.name) for h in handlers()) == [
        ("planning.mrp.requested", "planning.run_mrp"),
        ("stock.*", "oms.atp"),
        ("stock.adjusted", "oms.backorders.adjusted"),
        ("stock.produced", "oms.backorders.produced"),
        ("stock.received", "oms.backorders.received"),
        ("stock.released", "oms.backorders.released"),
        ("stock.transferred", "oms.backorders.transferred"),
    ]
    assert registered() == ["vouchers_posted", "trial_balance", "numbers_gapless", "inventory_matches_ledger",
                            "wip_matches_orders", "receivables_match_ledger", "payables_match_ledger"]
    hooks = {name: _names(getattr(module, name)) for module, name in (
        (shipping, "_on_shipped"), (shipping, "_on_short"), (shipping, "_on_cancelled"), (shipping, "_on_picking"),
        (inbound, "_on_received"), (inbound, "_on_rejected"))}
    assert all(hooks.values()), hooks  # each hook has its one listener (the order or the purchase side)
    assert {module.split(".")[1] for names in hooks.values() for module in names} <= {"oms", "purchasing", "wms"}
