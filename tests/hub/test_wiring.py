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
        ("costing.recost.requested", "costing.recost"),
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
    assert registered() == ["vouchers_posted", "trial_balance", "numbers_gapless", "vat_carried_out", "vat_surcharges",
                            "inventory_matches_ledger",
                            "wip_matches_orders", "receivables_match_ledger", "payables_match_ledger",
                            "depreciation_run", "recosting_running"]
    from sihe.ledger import balances

    assert _names(balances.projections()) == ["sihe.insights.summary.apply"]
    hooks = {name: _names(getattr(module, name)) for module, name in (
        (shipping, "_on_shipped"), (shipping, "_on_short"), (shipping, "_on_cancelled"), (shipping, "_on_picking"),
        (inbound, "_on_received"), (inbound, "_on_rejected"))}
    assert hooks == {
        "_on_shipped": ["sihe.oms.aftersales.services.on_reship_shipped", "sihe.oms.fulfilment.on_shipped",
                        "sihe.oms.merging.services.on_shipped", "sihe.wms.outbound.services.on_shipment_closed"],
        "_on_short": ["sihe.oms.fulfilment.on_short", "sihe.oms.merging.services.on_short"],
        "_on_cancelled": ["sihe.oms.fulfilment.on_cancelled", "sihe.oms.merging.services.on_cancelled",
                          "sihe.wms.outbound.services.on_shipment_closed"],
        "_on_picking": ["sihe.oms.fulfilment.on_picking", "sihe.oms.merging.services.on_picking"],
        "_on_received": ["sihe.oms.aftersales.services.record_return", "sihe.purchasing.services.record_receipt"],
        "_on_rejected": ["sihe.oms.aftersales.services.record_defective",
                         "sihe.purchasing.services.record_rejection"],
    }
    # a dealer's advance is applied when its order's revenue is booked (sihe.oms.b2b)
    from sihe.oms import books

    assert _names(books._on_revenue) == ["sihe.oms.b2b.services.apply_advances"]
    # the wave settles before the order is told
    assert shipping._on_shipped[0].__module__ == "sihe.wms.outbound.services"


def test_19_every_approval_kind_and_module_counter_is_listed():
    from sihe.core import approvals, modules

    assert [(k.code, k.permission, k.module, k.approve.__module__) for k in approvals.kinds()] == [
        ("purchase_order", "purchasing.view", "purchasing", "sihe.purchasing.approvals"),
        ("refund", "aftersales.approve", "orders", "sihe.oms.aftersales.approvals"),
        ("credit_hold", "orders.approve_credit", "orders", "sihe.oms.approvals"),
        ("voucher_review", "ledger.post", "", "sihe.ledger.approvals.services"),
        ("period_reopen", "ledger.approve_reopen", "", "sihe.ledger.approvals.services"),
    ]
    assert [m.code for m in modules.all_modules() if m.open_documents] == ["orders", "purchasing", "production",
                                                                            "shopfloor"]
