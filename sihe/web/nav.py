"""The navigation as data: (section, label, url name, permission, icon).

A role sees an entry when `can(role, permission)`; an entry whose url name does not reverse yet
(a wing still being built) is skipped silently, so the menu only ever links to pages that exist.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sihe.core.roles import can


@dataclass(frozen=True)
class Entry:
    section: str
    label: str
    url_name: str
    permission: str
    icon: str = "•"


SECTIONS = {
    "masterdata": _("Master data"),
    "orders": _("Orders"),
    "purchasing": _("Purchasing"),
    "production": _("Production"),
    "warehouse": _("Warehousing"),
    "finance": _("Finance"),
    "hub": _("Integration"),
    "system": _("System"),
}

NAV: list[Entry] = [
    Entry("masterdata", _("Products"), "web:products", "catalog.view", "▦"),
    Entry("masterdata", _("Partners"), "web:partners", "catalog.view", "☺"),
    Entry("masterdata", _("Warehouses"), "web:warehouses", "catalog.view", "⌂"),
    Entry("masterdata", _("Locations"), "web:locations", "catalog.view", "▤"),
    Entry("masterdata", _("Sales channels"), "web:channels", "catalog.view", "⇄"),
    Entry("masterdata", _("Units of measure"), "web:units", "catalog.view", "㎏"),
    Entry("masterdata", _("Categories"), "web:categories", "catalog.view", "▣"),
    Entry("masterdata", _("Excel import"), "web_imports:index", "catalog.import", "⇪"),
    Entry("orders", _("Orders"), "web_oms:orders", "orders.view", "☷"),
    Entry("orders", _("Service queue"), "web_oms:exceptions", "orders.manage", "⚑"),
    Entry("orders", _("After-sales"), "web_oms:aftersales", "orders.view", "↺"),
    Entry("orders", _("Quotations"), "web_b2b:quotations", "orders.view", "✎"),
    Entry("orders", _("Advances and receipts"), "web_b2b:receipts", "ledger.view", "⊕"),
    Entry("orders", _("Customer statements"), "web_b2b:statement", "invoices.view", "▥"),
    Entry("orders", _("Intake errors"), "web_oms:intake_errors", "orders.manage", "⚠"),
    Entry("orders", _("SKU mappings"), "web_oms:mappings", "orders.manage", "⇋"),
    Entry("orders", _("Channel sync"), "web_oms:channels", "orders.view", "⟳"),
    Entry("orders", _("Invoices"), "web_invoices:list", "invoices.view", "¥"),
    Entry("orders", _("AR aging"), "web_oms:ar_aging", "ledger.view", "◇"),
    Entry("orders", _("KPIs"), "web_insights:kpis", "dashboard.view", "◔"),
    Entry("orders", _("Settlement statements"), "web_oms:statements", "ledger.view", "≡"),
    Entry("purchasing", _("Purchase orders"), "web_purchasing:orders", "purchasing.view", "☰"),
    Entry("purchasing", _("Supplier invoices"), "web_purchasing:invoices", "purchasing.view", "¥"),
    Entry("purchasing", _("AP aging"), "web_purchasing:ap_aging", "purchasing.view", "◇"),
    Entry("production", _("Production orders"), "web_production:orders", "production.view", "⚙"),
    Entry("production", _("Bills of materials"), "web_production:boms", "production.view", "☷"),
    Entry("production", _("Issue material (handheld)"), "web_production:issue", "production.operate", "◎"),
    Entry("production", _("MRP"), "web_production:mrp", "planning.view", "▦"),
    Entry("production", _("Line board"), "web_mes:board", "mes.view", "▣"),
    Entry("production", _("Work orders"), "web_mes:work_orders", "mes.view", "☰"),
    Entry("production", _("Alarms"), "web_mes:alarms", "mes.view", "⚠"),
    Entry("production", _("Clock on/off (handheld)"), "web_mes:operator", "mes.operate", "◎"),
    Entry("production", _("Labour report"), "web_mes:labour", "mes.view", "◷"),
    Entry("production", _("OEE"), "web_mes:oee", "mes.view", "%"),
    Entry("warehouse", _("Expected receipts"), "web_inbound:asns", "purchasing.view", "⇩"),
    Entry("warehouse", _("Receive (handheld)"), "web_inbound:receive", "wms.operate", "◎"),
    Entry("warehouse", _("Putaway"), "web_inbound:putaway", "wms.operate", "⇲"),
    Entry("warehouse", _("Quality inspections"), "web_inbound:inspections", "stock.view", "✔"),
    Entry("warehouse", _("Wave board"), "web_outbound:waves", "wms.plan", "≋"),
    Entry("warehouse", _("Pick (handheld)"), "web_outbound:pick", "wms.operate", "◎"),
    Entry("warehouse", _("Check & pack"), "web_outbound:check", "wms.operate", "✓"),
    Entry("warehouse", _("Counting"), "web_counting:tasks", "wms.plan", "#"),
    Entry("warehouse", _("Count (handheld)"), "web_counting:count", "wms.operate", "◎"),
    Entry("warehouse", _("Lot trace"), "web_counting:trace", "trace.view", "⌕"),
    Entry("warehouse", _("Stock levels"), "web_stock:levels", "stock.view", "▥"),
    Entry("warehouse", _("Stock moves"), "web_stock:moves", "stock.view", "↹"),
    Entry("warehouse", _("Stock summary"), "web_stock:summary", "stock.view", "Σ"),
    Entry("warehouse", _("Low stock"), "web_stock:low_stock", "stock.view", "⚠"),
    Entry("warehouse", _("Low-stock rules"), "web_stock:rules", "stock.view", "⚖"),
    Entry("finance", _("Vouchers"), "web_ledger:vouchers", "ledger.view", "✎"),
    Entry("finance", _("Trial balance"), "web_ledger:trial_balance", "ledger.view", "⚖"),
    Entry("finance", _("Statements"), "web_ledger:statements", "ledger.view", "▧"),
    Entry("finance", _("Fixed assets"), "web_assets:register", "ledger.view", "▤"),
    Entry("finance", _("Cash and bank"), "web_cashbank:accounts", "ledger.view", "¤"),
    Entry("finance", _("Period close"), "web_ledger:close", "ledger.close", "✓"),
    Entry("hub", _("Events"), "web_hub:events", "events.view", "⚡"),
    Entry("hub", _("Webhooks"), "web_hub:webhooks", "hub.manage", "⚓"),
    Entry("hub", _("Deliveries"), "web_hub:deliveries", "hub.manage", "✉"),
    Entry("hub", _("API tokens"), "web:tokens", "tokens.own", "⚷"),
    Entry("system", _("Approvals"), "web_approvals:inbox", "approvals.view", "✔"),
    Entry("system", _("Audit trail"), "web:audit", "audit.view", "☰"),
    Entry("system", _("Modules"), "web_company:modules", "users.manage", "◫"),
    Entry("system", pgettext_lazy("nav", "Administration"), "admin:index", "users.manage", "⚙"),
]


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def entries_for(user) -> list[dict]:
    """The entries this user may use and that exist, each with its resolved url; a module turned off
    (sihe.core.modules) takes its entries with it."""
    from sihe.core import modules

    out = []
    off = None
    for entry in NAV:
        if not can(user, entry.permission):
            continue
        url = _url(entry.url_name)
        if url is None:
            continue
        module = modules.module_for_path(url)
        if module is not None:
            off = modules.disabled() if off is None else off
            if module.code in off:
                continue
        out.append({"entry": entry, "url": url, "label": entry.label, "icon": entry.icon, "name": entry.url_name})
    return out


def sections_for(user, current: str | None = None) -> list[dict]:
    """Entries grouped by section, in table order; `current` marks the active entry."""
    groups: dict[str, dict] = {}
    for item in entries_for(user):
        item["active"] = item["name"] == current
        key = item["entry"].section
        groups.setdefault(key, {"key": key, "label": SECTIONS[key], "items": []})["items"].append(item)
    return list(groups.values())
