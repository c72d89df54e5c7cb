"""Confirming a proposal: a planner turns it into a draft purchase order (from the product's main
supplier, at the last price paid to that supplier) or a draft production order (by the BOM valid on
its due date). The proposal row is locked first, so of two planners confirming it at once one gets
the document and the other a 409 `already_confirmed` naming it."""

from decimal import Decimal

from django.utils.translation import gettext as _

from sihe.catalog.models import Warehouse
from sihe.core import audit, tx
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, NotFound, ValidationFailed
from sihe.core.outbox import emit
from sihe.planning.models import Proposal
from sihe.planning.transitions import PROPOSAL
from sihe.production import orders as production
from sihe.purchasing import services as purchasing
from sihe.purchasing.models import PurchaseOrderLine

ZERO = Decimal(0)


def _warehouse(proposal: Proposal, warehouse: Warehouse | None) -> Warehouse:
    found = warehouse or proposal.run.warehouse or Warehouse.objects.filter(active=True).order_by("id").first()
    if found is None:
        raise ValidationFailed(_("no active warehouse to receive the goods"), field="warehouse")
    return found


def last_price(product, supplier) -> Decimal:
    """What one base unit cost on the supplier's latest order line for the product (0 when never bought)."""
    line = (PurchaseOrderLine.objects.filter(product=product, order__supplier=supplier)
            .exclude(order__status="cancelled").order_by("-order__order_date", "-id").first())
    return line.unit_cost if line is not None else ZERO


def confirm(*, proposal: Proposal, actor: Actor, warehouse: Warehouse | None = None) -> Proposal:
    with tx.act():
        proposal = Proposal.objects.select_for_update().select_related("product", "run").get(pk=proposal.pk)
        if proposal.status == Proposal.Status.CONFIRMED:
            raise Conflict(_("proposal %(id)s is already confirmed as %(doc)s") % {
                "id": proposal.pk, "doc": proposal.document_number}, field="id", code="already_confirmed",
                document=proposal.document_type, document_id=proposal.document_id)
        PROPOSAL.check(proposal.status, "confirm")
        product, target = proposal.product, _warehouse(proposal, warehouse)
        source = f"mrp.proposal:{proposal.pk}"
        if proposal.kind == Proposal.Kind.PURCHASE:
            supplier = product.main_supplier
            if supplier is None:
                raise ValidationFailed(_("%(sku)s has no main supplier: set one on the product first")
                                       % {"sku": product.sku}, field="sku", code="no_main_supplier")
            document = purchasing.create_order(
                supplier=supplier, warehouse=target, actor=actor, expected_date=proposal.due_date, memo=source,
                lines=[purchasing.OrderLine(product=product, qty=proposal.qty, price=last_price(product, supplier))])
            kind = "purchase_order"
        else:
            try:
                document = production.create_order(product=product, qty=proposal.qty, warehouse=target,
                                                   due_date=proposal.due_date, actor=actor, source=source)
            except NotFound as error:
                raise ValidationFailed(error.message, field="sku", code=error.code) from None
            kind = "production_order"
        Proposal.objects.filter(pk=proposal.pk).update(
            status=PROPOSAL.target("confirm"), document_type=kind, document_id=document.pk,
            document_number=document.number, confirmed_at=actor.at, confirmed_by=actor.username)
        proposal.refresh_from_db()
        audit.record_act(proposal, actor=actor, action="confirm", detail=document.number)
        emit("planning.proposal.confirmed", aggregate_type="mrp_proposal", aggregate_id=proposal.pk, actor=actor,
             payload={"proposal": proposal.pk, "run": proposal.run_id, "sku": product.sku, "kind": proposal.kind,
                      "qty": str(proposal.qty), "document": kind, "id": document.pk, "number": document.number})
    return proposal
