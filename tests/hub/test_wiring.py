"""Every reaction in one list — the warehouse hooks, the month-end checks and the hub's subscriptions, all
wired in sihe/hub/wiring.py. A new reaction changes this test on purpose, so a reviewer sees it."""

from sihe.hub.registry import handlers
from sihe.ledger.close import registered
from sihe.wms import shipping
from sihe.wms.inbound import hooks as inbound


def _names(callbacks):
    return sorted(f"{c.__module__}.{c.__qualname__}" for c in callbacks)


def test_13_every_reaction_is_listed():
    assert sorted((h.pattern, h.name) for h in handlers()) == [
        ("oms.atp.changed", "oms.stock_push.enqueue"),
        ("planning.mrp.requested", "planning.run_mrp"),
        ("production.order.cancelled", "mes.cancel_work_orders"),
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
    assert hooks == {
        "_on_shipped": ["sihe.oms.aftersales.services.on_reship_shipped", "sihe.oms.fulfilment.on_shipped",
                        "sihe.wms.outbound.services.on_shipment_closed"],
        "_on_short": ["sihe.oms.fulfilment.on_short"],
        "_on_cancelled": ["sihe.oms.fulfilment.on_cancelled", "sihe.wms.outbound.services.on_shipment_closed"],
        "_on_picking": ["sihe.oms.fulfilment.on_picking"],
        "_on_received": ["sihe.oms.aftersales.services.record_return", "sihe.purchasing.services.record_receipt"],
        "_on_rejected": ["sihe.oms.aftersales.services.record_defective",
                         "sihe.purchasing.services.record_rejection"],
    }
    # the wave settles before the order is told
    assert shipping._on_shipped[0].__module__ == "sihe.wms.outbound.services"
