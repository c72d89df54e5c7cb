"""Every reaction between apps, wired in this one place:

1. warehouse hooks — the warehouse tells the apps above it, inside its own transaction, what it shipped,
   cut short, cancelled, started picking, received or rejected (wms never imports them): the order and
   the purchase order change in the same transaction as the stock;
2. month-end close checks — each sub-ledger agrees with its account;
3. hub subscriptions — in-process handlers of logged events, run by `sihe worker` after the act;
4. the approvals inbox — each app's provider of what waits for a person (sihe.core.approvals);
5. modules — what each still has open before it is turned off (sihe.core.modules);
6. projections of postings — kept in the posting's own transaction (the KPIs' daily summary).

A lower app never imports the hub, so it cannot decorate its own functions with `subscribe`.
Instead it writes plain, idempotent functions of one event in its `handlers.py`, and one line here
registers each of them (imported when the hub app is ready, so the worker and tests see them):

    from sihe.stock import handlers as stock_handlers

    subscribe("catalog.product.updated", "stock.refresh_product_names")(stock_handlers.refresh_names)

The name is the handler's permanent id: its receipts are keyed by it. See docs/design/event-hub.md.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sihe.assets import services as assets
from sihe.core import approvals, modules
from sihe.costing import handlers as costing_handlers
from sihe.costing import recosting
from sihe.costing.checks import inventory_matches_ledger
from sihe.hub import open_documents
from sihe.hub.registry import subscribe
from sihe.insights import summary as kpi_summary
from sihe.ledger import balances
from sihe.ledger.approvals import services as ledger_approvals
from sihe.ledger.close import register_check
from sihe.mes import handlers as mes_handlers
from sihe.oms import approvals as credit_approvals
from sihe.oms import atp as oms_atp
from sihe.oms import books as oms_books
from sihe.oms import fulfilment
from sihe.oms.aftersales import approvals as refund_approvals
from sihe.oms.aftersales import services as aftersales
from sihe.oms.b2b import services as b2b
from sihe.oms.checks import receivables_match_ledger
from sihe.oms.merging import services as merging
from sihe.planning import handlers as planning_handlers
from sihe.production.checks import wip_matches_orders
from sihe.purchasing import approvals as po_approvals
from sihe.purchasing import services as purchasing
from sihe.purchasing.checks import payables_match_ledger
from sihe.wms import shipping
from sihe.wms.inbound import hooks as inbound_hooks
from sihe.wms.outbound import services as outbound

# 1. Warehouse hooks (in the act's transaction). The wave settles first, then the order is told.
shipping.register_on_shipped(outbound.on_shipment_closed)
shipping.register_on_cancelled(outbound.on_shipment_closed)
shipping.register_on_shipped(fulfilment.on_shipped)
shipping.register_on_shipped(aftersales.on_reship_shipped)
shipping.register_on_shipped(merging.on_shipped)  # a merged shipment (合单): each order its own lines
shipping.register_on_short(fulfilment.on_short)
shipping.register_on_short(merging.on_short)
shipping.register_on_cancelled(fulfilment.on_cancelled)
shipping.register_on_cancelled(merging.on_cancelled)
shipping.register_on_picking(fulfilment.on_picking)
shipping.register_on_picking(merging.on_picking)
inbound_hooks.register_on_received(purchasing.record_receipt)
inbound_hooks.register_on_rejected(purchasing.record_rejection)
inbound_hooks.register_on_received(aftersales.record_return)
inbound_hooks.register_on_rejected(aftersales.record_defective)
oms_books.register_on_revenue(b2b.apply_advances)

# 2. Month-end close checks of the apps above the ledger (the ledger's own are in sihe.ledger.close):
# each sub-ledger agrees with its account.
register_check("inventory_matches_ledger", _("Stock valuation matches 1405/1403 per warehouse"),
               inventory_matches_ledger)
register_check("wip_matches_orders", _("Work in progress (4001) matches the open production orders"),
               wip_matches_orders)
register_check("receivables_match_ledger", _("What orders are owed matches 1122 accounts receivable"),
               receivables_match_ledger)
register_check("payables_match_ledger", _("What supplier invoices owe matches 2202.01 accounts payable"),
               payables_match_ledger)
register_check("depreciation_run", _("Fixed assets: the month's depreciation is run"), assets.depreciation_done)
register_check("recosting_running", _("No re-costing of stock still runs for the period"), recosting.recosting_done)

# 3. Hub subscriptions. Every stock change: ATP per channel is recomputed and published for channel sync.
subscribe("stock.*", "oms.atp")(oms_atp.on_stock_event)
subscribe("oms.atp.changed", "oms.stock_push.enqueue")(oms_atp.on_atp_changed)  # queued for the shops
# Stock came in or was freed: backordered / out-of-stock orders are allocated again.
for _event in ("stock.received", "stock.adjusted", "stock.released", "stock.transferred", "stock.produced"):
    subscribe(_event, f"oms.backorders.{_event.split('.')[1]}")(oms_atp.on_stock_arrived)

# A cancelled production order takes its work orders off the lines.
subscribe("production.order.cancelled", "mes.cancel_work_orders")(mes_handlers.on_production_order_cancelled)

# MRP runs requested on a page run in the worker.
subscribe("planning.mrp.requested", "planning.run_mrp")(planning_handlers.on_mrp_requested)

# Backdated moves with many later layers are re-costed in the worker, chunk by chunk.
subscribe("costing.recost.requested", "costing.recost")(costing_handlers.on_recost_requested)

# 4. The approvals inbox (sihe.core.approvals): each app's provider lists what waits for a person and decides
# it through the app's own services. A new kind is one more line here.
approvals.register(approvals.Kind("purchase_order", pgettext_lazy("approval", "Purchase order"),
                                  permission="purchasing.view", module="purchasing", pending=po_approvals.pending,
                                  approve=po_approvals.approve, refuse=po_approvals.refuse))
approvals.register(approvals.Kind("refund", pgettext_lazy("approval", "Refund over the limit"),
                                  permission="aftersales.approve", module="orders", pending=refund_approvals.pending,
                                  approve=refund_approvals.approve, refuse=refund_approvals.refuse))
approvals.register(approvals.Kind("credit_hold", pgettext_lazy("approval", "Credit hold"),
                                  permission="orders.approve_credit", module="orders", pending=credit_approvals.pending,
                                  approve=credit_approvals.approve, refuse=credit_approvals.refuse))
approvals.register(approvals.Kind("voucher_review", pgettext_lazy("approval", "Voucher review"),
                                  permission="ledger.post", pending=ledger_approvals.voucher_pending,
                                  approve=ledger_approvals.voucher_approve, refuse=ledger_approvals.voucher_refuse))
approvals.register(approvals.Kind("period_reopen", pgettext_lazy("approval", "Period reopen"),
                                  permission="ledger.approve_reopen", pending=ledger_approvals.reopen_pending,
                                  approve=ledger_approvals.reopen_approve, refuse=ledger_approvals.reopen_refuse))

# 5. Modules (sihe.core.modules): what each still has open, asked before it is turned off.
modules.register_open_documents("orders", open_documents.orders)
modules.register_open_documents("purchasing", open_documents.purchasing)
modules.register_open_documents("production", open_documents.production)
modules.register_open_documents("shopfloor", open_documents.shopfloor)

# 6. Projections of postings: the KPIs' daily summary (insights_ledgerday) moves with every posting.
balances.register_projection(kpi_summary.apply)
