"""Two planners (eight, here) confirm the same MRP proposal at the same moment on PostgreSQL: one gets the
draft document, the others a 409 naming it; exactly one document exists."""

import pytest
from django.conf import settings

from sihe.catalog.models import Partner, Product
from sihe.planning import forecasts, runs
from sihe.planning.models import Proposal
from sihe.purchasing.models import PurchaseOrder
from tests.conftest import api_client
from tests.production.conftest import make_plant

POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not POSTGRES, reason="needs real parallel PostgreSQL connections"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_14_parallel_confirmations_of_one_proposal_make_one_purchase_order(clock, parallel, make_user):
    import datetime

    clock.at(2026, 12, 2)
    plant = make_plant()
    supplier = Partner.objects.create(code="S-SUGAR", name="广西糖业", kind="supplier")
    Product.objects.filter(sku="SUGAR").update(main_supplier=supplier, lead_time_days=3)
    forecasts.set_forecast(product=Product.objects.get(sku="SUGAR"), date=datetime.date(2026, 12, 16), qty="120",
                           actor=plant["actor"])
    run = runs.run_now(start=datetime.date(2026, 12, 7), buckets=4, bucket_days=7, actor=plant["actor"])
    proposal = Proposal.objects.get(run=run, product__sku="SUGAR")
    planner = make_user("manager", "planner")

    def confirm(_i):
        reply = api_client(planner).post(f"/api/v1/mrp/proposals/{proposal.pk}/confirm")
        return reply.status_code, reply.json_body

    results = parallel(confirm, 8)
    winners = [body for status, body in results if status == 200]
    losers = [body for status, body in results if status != 200]
    assert len(winners) == 1, results
    assert {b["code"] for b in losers} == {"already_confirmed"} and len(losers) == 7
    assert all(b["document_id"] == winners[0]["id"] for b in losers)
    order = PurchaseOrder.objects.get()
    assert (order.pk, order.lines.get().qty) == (winners[0]["id"], 70)
