"""What each module still has open, asked before it is turned off (sihe.core.modules.set_enabled):
documents a person would otherwise lose sight of while the module's pages answer 404."""

from django.utils.translation import gettext as _


def orders() -> dict[str, int]:
    from sihe.oms.aftersales.models import Case
    from sihe.oms.models import Order

    open_cases = Case.objects.filter(status__in=[Case.Status.PENDING_APPROVAL, Case.Status.OPEN,
                                                 Case.Status.AWAITING_RETURN, Case.Status.RECEIVED])
    return {_("open orders"): Order.objects.exclude(status__in=[Order.Status.SHIPPED, Order.Status.COMPLETED,
                                                                Order.Status.CANCELLED]).count(),
            _("open after-sales cases"): open_cases.count()}


def purchasing() -> dict[str, int]:
    from sihe.purchasing.models import PurchaseOrder

    S = PurchaseOrder.Status
    return {_("open purchase orders"): PurchaseOrder.objects.filter(
        status__in=[S.DRAFT, S.PENDING_APPROVAL, S.APPROVED, S.CONFIRMED, S.PARTIALLY_RECEIVED]).count()}


def production() -> dict[str, int]:
    from sihe.production.models import ProductionOrder

    return {_("open production orders"): ProductionOrder.objects.exclude(status__in=["closed", "cancelled"]).count()}


def shopfloor() -> dict[str, int]:
    from sihe.mes.models import WorkOrder

    return {_("open work orders"): WorkOrder.objects.exclude(status__in=["done", "cancelled"]).count()}
