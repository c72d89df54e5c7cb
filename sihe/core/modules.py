"""Modules (X3): the wings a company turns on and off, as data.

One table says what each module is — its Python packages (worker handlers, close checks and demo
steps whose code lives there follow the switch), the page prefixes under `/` and the API prefixes
under `/api/v1/` it answers (`sihe.web.company.middleware` answers 404 for them while it is off) — and
what it needs. Core, catalog, stock, costing and the ledger are the courtyard: always on.

The switches are rows of `ModuleSwitch` (none: on). `set_enabled` changes one, refusing what would
leave a module without what it needs, and a module with open documents only when confirmed.

A new app declares itself in its AppConfig.ready() (core imports no wing, so the wing calls core):

    from sihe.core import modules
    modules.register(modules.Module("assets", _("Fixed assets"), packages=("sihe.assets",),
                                    web=("/assets/",), api=("/api/v1/assets",)))

See docs/design/modules.md.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sihe.core.errors import Conflict, ValidationFailed


@dataclass(frozen=True)
class Module:
    code: str
    label: object
    packages: tuple[str, ...] = ()  # dotted packages whose handlers, close checks and demo steps follow the switch
    web: tuple[str, ...] = ()  # page path prefixes ("/orders/")
    api: tuple[str, ...] = ()  # API path prefixes ("/api/v1/orders")
    requires: tuple[tuple[str, ...], ...] = ()  # each inner tuple: at least one of these must be on
    description: object = ""
    open_documents: Callable[[], dict[str, int]] | None = field(default=None, compare=False)


# The one table: the wings and what they answer. Longest prefix wins (MRP pages live under /production/).
_MODULES: dict[str, Module] = {m.code: m for m in (
    Module("orders", gettext_lazy("Orders"), packages=("sihe.oms",),
           web=("/orders/", "/b2b/"),
           api=("/api/v1/orders", "/api/v1/aftersales", "/api/v1/channels", "/api/v1/channel-sync",
                "/api/v1/intake-errors", "/api/v1/ar", "/api/v1/statements",
                # B2B (sihe.oms.b2b); its /partners/{code}/… reads stay with the partner (master data)
                "/api/v1/quotations", "/api/v1/price-lists", "/api/v1/customer-groups", "/api/v1/promotions",
                "/api/v1/advances", "/api/v1/receipts"),
           description=gettext_lazy("sales channels, order intake and review, after-sales, dealer (B2B) orders")),
    Module("warehouse", gettext_lazy("Warehouse operations"),
           packages=("sihe.wms.inbound", "sihe.wms.outbound", "sihe.wms.counting"),
           web=("/inbound/", "/outbound/", "/counting/"),
           api=("/api/v1/wms/receipts", "/api/v1/wms/putaway", "/api/v1/wms/putaway-rules",
                "/api/v1/wms/inspections", "/api/v1/wms/inspection-rules", "/api/v1/wms/waves",
                "/api/v1/wms/picklists", "/api/v1/wms/shipments", "/api/v1/wms/counts"),
           description=gettext_lazy("receiving by scan, waves and picking, check and pack, counting")),
    Module("purchasing", gettext_lazy("Purchasing"), packages=("sihe.purchasing",),
           web=("/purchasing/",),
           api=("/api/v1/purchase-orders", "/api/v1/supplier-invoices", "/api/v1/supplier-payments", "/api/v1/ap"),
           requires=(("warehouse",),),
           description=gettext_lazy("purchase orders and their approval, supplier invoices and payments")),
    Module("production", gettext_lazy("Production"), packages=("sihe.production",),
           web=("/production/",),
           api=("/api/v1/production-orders", "/api/v1/boms", "/api/v1/work-centres"),
           description=gettext_lazy("bills of materials, production orders, material issue")),
    Module("planning", gettext_lazy("Planning (MRP)"), packages=("sihe.planning",),
           web=("/production/mrp/",), api=("/api/v1/mrp", "/api/v1/forecasts"),
           requires=(("production", "purchasing"),),
           description=gettext_lazy("MRP runs, forecasts, proposals")),
    Module("shopfloor", gettext_lazy("Shop floor (MES)"), packages=("sihe.mes",),
           web=("/mes/",), api=("/api/v1/mes",), requires=(("production",),),
           description=gettext_lazy("lines, work orders, alarms, OEE, machine data")),
    Module("invoicing", gettext_lazy("E-invoicing"), packages=("sihe.invoicing",),
           web=("/invoices/",), api=("/api/v1/invoices",),
           description=gettext_lazy("数电发票: issue and red-letter")),
    Module("assets", gettext_lazy("Fixed assets"), packages=("sihe.assets",),
           web=("/assets/",), api=("/api/v1/assets", "/api/v1/asset-categories", "/api/v1/depreciation-runs"),
           description=gettext_lazy("fixed-asset cards and depreciation")),
    Module("cashbank", gettext_lazy("Cash and bank"), packages=("sihe.cashbank",),
           web=("/cash/",), api=("/api/v1/cash-accounts", "/api/v1/cash-entries", "/api/v1/statement-lines"),
           description=gettext_lazy("bank accounts, statements and reconciliation")),
)}

ALWAYS_ON = ("core", "catalog", "stock", "costing", "ledger")


def register(module: Module) -> Module:
    """Add a module, or replace the table's row of the same code (a new app owns its row)."""
    _MODULES[module.code] = module
    return module


def extend(code: str, *, packages: tuple[str, ...] = (), web: tuple[str, ...] = (), api: tuple[str, ...] = ()) -> Module:
    """A sub-app adds its packages and prefixes to an existing module (B2B to orders, …)."""
    module = _MODULES[code]
    module = replace(module, packages=module.packages + packages, web=module.web + web, api=module.api + api)
    _MODULES[code] = module
    return module


def register_open_documents(code: str, counter: Callable[[], dict[str, int]]) -> None:
    """`counter()` names the open documents of the module ({"open orders": 3}); wired in sihe/hub/wiring.py."""
    _MODULES[code] = replace(_MODULES[code], open_documents=counter)


def all_modules() -> list[Module]:
    return list(_MODULES.values())


def get(code: str) -> Module:
    try:
        return _MODULES[code]
    except KeyError:
        raise ValidationFailed(_("unknown module %(m)s; choose one of %(all)s")
                               % {"m": code, "all": ", ".join(_MODULES)}, field="module", code="unknown_module") from None


def disabled() -> set[str]:
    """The codes of the modules switched off (one small query)."""
    from sihe.core.models import ModuleSwitch

    return set(ModuleSwitch.objects.filter(enabled=False).values_list("code", flat=True))


def is_enabled(code: str) -> bool:
    return code not in disabled()


def _under(path: str, prefix: str) -> bool:
    prefix = prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/")


def module_for_path(path: str) -> Module | None:
    """The module a request path belongs to (the longest matching prefix), None for the courtyard."""
    best, length = None, -1
    for module in _MODULES.values():
        for prefix in (*module.web, *module.api):
            if _under(path, prefix) and len(prefix) > length:
                best, length = module, len(prefix)
    return best


def module_for_code(dotted: str) -> Module | None:
    """The module a Python module path (`sihe.oms.atp`) belongs to, None for the courtyard."""
    best, length = None, -1
    for module in _MODULES.values():
        for package in module.packages:
            if (dotted == package or dotted.startswith(package + ".")) and len(package) > length:
                best, length = module, len(package)
    return best


def code_enabled(fn, off: set[str] | None = None) -> bool:
    """Whether the module of a function (a handler, a close check, a demo step) is on."""
    module = module_for_code(getattr(fn, "__module__", "") or "")
    if module is None:
        return True
    return module.code not in (disabled() if off is None else off)


def _unmet(module: Module, on: set[str]) -> list[tuple[str, ...]]:
    return [group for group in module.requires if not any(code in on for code in group)]


def _names(codes) -> str:
    """Alternatives, as "生产 / 采购"."""
    return " / ".join(str(_MODULES[c].label) if c in _MODULES else c for c in codes)


def check_change(code: str, enabled: bool, off: set[str] | None = None) -> None:
    """Refuse a switch that leaves a module without what it needs, naming both."""
    module = get(code)
    off = disabled() if off is None else set(off)
    on = {c for c in _MODULES if c not in off}
    if enabled:
        missing = _unmet(module, on | {code})
        if missing:
            raise Conflict(_("%(m)s needs %(needs)s: turn that on first")
                           % {"m": module.label, "needs": _names(missing[0])},
                           field="module", code="module_required", module=code, requires=list(missing[0]))
        return
    on.discard(code)
    for other in _MODULES.values():
        if other.code in on and _unmet(other, on):
            raise Conflict(_("%(other)s needs %(m)s: turn %(other)s off first")
                           % {"other": other.label, "m": module.label},
                           field="module", code="module_in_use", module=code, needed_by=other.code)


def open_documents(code: str) -> dict[str, int]:
    module = get(code)
    counts = module.open_documents() if module.open_documents else {}
    return {name: n for name, n in counts.items() if n}


def set_enabled(code: str, enabled: bool, *, actor, confirm: bool = False):
    """Turn a module on or off. Off with open documents is refused unless `confirm`: they stay as they
    are (nothing is cancelled) and come back when the module is on again."""
    from sihe.core import audit, tx
    from sihe.core.models import ModuleSwitch
    from sihe.core.outbox import emit

    with tx.act():
        module = get(code)
        switch = ModuleSwitch.objects.select_for_update().filter(code=code).first()
        current = switch.enabled if switch else True
        if current == enabled:
            return switch
        check_change(code, enabled)
        if not enabled and not confirm:
            still_open = open_documents(code)
            if still_open:
                listed = "、".join(f"{name} {n}" for name, n in still_open.items())
                raise Conflict(_("%(m)s has open documents (%(docs)s): they stay as they are and cannot be worked "
                                 "on while it is off; confirm to turn it off anyway")
                               % {"m": module.label, "docs": listed},
                               field="confirm", code="module_has_open_documents", open_documents=still_open)
        if switch is None:
            switch = ModuleSwitch(code=code)
        before = {"enabled": current}
        switch.enabled, switch.changed_by, switch.changed_at = enabled, actor.username[:150], actor.at
        switch.save()
        audit.record_changes(switch, actor=actor, before=before, action="module.enable" if enabled else "module.disable")
        emit("core.module.enabled" if enabled else "core.module.disabled", aggregate_type="core.module",
             aggregate_id=code, actor=actor, payload={"module": code})
        return switch
