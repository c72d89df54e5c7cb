"""ProductionPerformance from an outside MES (ISA-95 / B2MML, MES → ERP): one ProductionResponse per work
order, taken once per response id, in one act:

- MaterialProducedActual (MaterialUse Produced / Scrap) → the work order's good and scrap, reported to the
  production order with the EquipmentActual hours as machine hours (overhead);
- PersonnelActual hours → labour of that person (their badge when Sihe knows it);
- MaterialConsumedActual with MaterialLotID → components issued from those lots (领料 by lot).
Units already backflushed are not issued again: the report's backflush covers only what is still owed.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from sihe.core import tx
from sihe.core.actor import Actor
from sihe.core.errors import ValidationFailed
from sihe.core.money import round_money, to_decimal
from sihe.mes import work_orders
from sihe.mes.models import Operator, WorkOrder
from sihe.production import orders as production
from sihe.production.models import OutputReport
from sihe.stock.models import Lot

ZERO = Decimal(0)
SIXTY = Decimal(60)


def _quantity(q, field: str) -> Decimal:
    value = to_decimal(q.QuantityString, field=f"{field}.Quantity.QuantityString")
    if value < 0 or value >= 10**12:
        raise ValidationFailed(_("a quantity must be 0 or more"), field=f"{field}.Quantity.QuantityString")
    return value


def take_response(response, *, actor: Actor, field: str) -> dict:
    with tx.act():
        done = OutputReport.objects.filter(external_id=response.ID[:100]).first()
        if done is not None:
            return {"ID": response.ID, "work_order": response.ProductionRequestID, "taken": False,
                    "report": done.pk}
        try:
            wo = work_orders.work_order(response.ProductionRequestID)
        except Exception:
            raise ValidationFailed(_("unknown work order %(n)s") % {"n": response.ProductionRequestID},
                                   field=f"{field}.ProductionRequestID", code="unknown_work_order") from None
        if wo.status in (WorkOrder.Status.PLANNED, WorkOrder.Status.CANCELLED):
            raise ValidationFailed(_("work order %(n)s is not dispatched") % {"n": wo.number},
                                   field=f"{field}.ProductionRequestID", code="not_dispatched")
        sku = wo.production_order.product.sku
        good = scrap = machine_hours = ZERO
        people: list[tuple[str, Decimal]] = []
        consumed = []
        for s, segment in enumerate(response.SegmentResponse):
            where = f"{field}.SegmentResponse[{s}]"
            for m, material in enumerate(segment.MaterialProducedActual):
                at = f"{where}.MaterialProducedActual[{m}]"
                if material.MaterialDefinitionID != sku:
                    raise ValidationFailed(_("%(n)s makes %(sku)s, not %(other)s") % {
                        "n": wo.number, "sku": sku, "other": material.MaterialDefinitionID},
                        field=f"{at}.MaterialDefinitionID", code="wrong_material")
                qty = _quantity(material.Quantity, at)
                if material.MaterialUse == "Scrap":
                    scrap += qty
                else:
                    good += qty
            for e, equipment in enumerate(segment.EquipmentActual):
                machine_hours += _quantity(equipment.Quantity, f"{where}.EquipmentActual[{e}]")
            for p, person in enumerate(segment.PersonnelActual):
                people.append((person.PersonID, _quantity(person.Quantity, f"{where}.PersonnelActual[{p}]")))
            for c, material in enumerate(segment.MaterialConsumedActual):
                at = f"{where}.MaterialConsumedActual[{c}]"
                consumed.append(_consumed(material, wo, at))
        if consumed:
            production.issue(order=wo.production_order, actor=actor, lines=consumed)
        if good or scrap:
            work_orders.add_counts(wo=wo, good=good, scrap=scrap, at=actor.at, actor=actor)
            WorkOrder.objects.filter(pk=wo.pk).update(reported_good=wo.reported_good + good,
                                                      reported_scrap=wo.reported_scrap + scrap)
        report = production.report(
            order=wo.production_order, actor=actor, good=good, scrap=scrap,
            minutes=round_money(machine_hours * SIXTY), work_centre=wo.work_centre,
            operator=wo.line.code if wo.line_id else "", external_id=response.ID, costs="machine")
        for i, (person, hours) in enumerate(people):
            if hours <= 0:
                continue
            known = Operator.objects.filter(badge=person).first()
            production.report(order=wo.production_order, actor=actor, good=0, scrap=0, minutes=round_money(hours * SIXTY),
                              work_centre=wo.work_centre, operator=(f"{known.badge} {known.name}" if known else person),
                              external_id=f"{response.ID}/person/{i}"[:100], backflush=False, costs="labour")
        return {"ID": response.ID, "work_order": wo.number, "taken": True, "report": report.pk,
                "good": str(good), "scrap": str(scrap)}


def _consumed(material, wo: WorkOrder, field: str) -> production.MaterialLine:
    line = (wo.production_order.lines.select_related("component__uom")
            .filter(component__sku=material.MaterialDefinitionID).first())
    if line is None:
        raise ValidationFailed(_("%(sku)s is not a component of %(n)s") % {
            "sku": material.MaterialDefinitionID, "n": wo.production_order.number},
            field=f"{field}.MaterialDefinitionID", code="not_a_component")
    lot = None
    if material.MaterialLotID:
        lot = Lot.objects.filter(product=line.component, number=material.MaterialLotID).first()
        if lot is None:
            raise ValidationFailed(_("unknown lot %(lot)s of %(sku)s") % {
                "lot": material.MaterialLotID, "sku": line.component.sku}, field=f"{field}.MaterialLotID",
                code="unknown_lot")
    return production.MaterialLine(product=line.component, qty=_quantity(material.Quantity, field), lot=lot,
                                   field=field)
