"""The MRP pages as a planner uses them: set a forecast, queue a run (the worker plans it), read the grid,
confirm a proposal; and `sihe mrp` on the command line."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client

from sihe.catalog.models import Partner, Product
from sihe.planning.models import MrpRun, Proposal
from sihe.purchasing.models import PurchaseOrder
from tests.production.conftest import make_plant


@pytest.fixture
def plant(db, clock):
    clock.at(2026, 12, 2)
    found = make_plant()
    supplier = Partner.objects.create(code="S-TANG", name="广西糖业", kind="supplier")
    Product.objects.filter(sku="SUGAR").update(main_supplier=supplier, lead_time_days=7)
    return found


def _client(make_user, role):
    client = Client()
    client.force_login(make_user(role, username=f"{role}_mrp"))
    return client


def test_14_a_planner_forecasts_runs_reads_the_grid_and_confirms_on_the_pages(plant, make_user):
    planner = _client(make_user, "manager")
    page = planner.get("/production/mrp/")
    assert page.status_code == 200 and "运行 MRP" in page.content.decode()
    planner.post("/production/mrp/", {"what": "forecast", "sku": "SUGAR", "date": "2026-12-22", "qty": "90"})
    queued = planner.post("/production/mrp/", {"what": "run", "start": "2026-12-07", "buckets": "4", "bucket_days": "7"})
    run = MrpRun.objects.get()
    assert queued.status_code == 302 and run.status == "queued"
    waiting = planner.get(f"/production/mrp/{run.pk}/").content.decode()
    assert 'http-equiv="refresh"' in waiting and "排队中" in waiting
    call_command("worker", drain=True, quiet=True)
    body = planner.get(f"/production/mrp/{run.pk}/").content.decode()
    assert "已完成" in body and 'data-grid="SUGAR"' in body and "毛需求" in body and "计划下达" in body
    proposal = Proposal.objects.get(run=run, product__sku="SUGAR")
    assert proposal.qty == 40 and str(proposal.release_date) == "2026-12-14"  # 90 − 50 on hand, a week ahead
    assert "生成采购订单草稿" in body
    planner.post(f"/production/mrp/proposals/{proposal.pk}/confirm/")
    order = PurchaseOrder.objects.get()
    assert (order.supplier.code, order.lines.get().qty, order.status) == ("S-TANG", 40, "draft")
    after = planner.get(f"/production/mrp/{run.pk}/").content.decode()
    assert order.number in after and "生成采购订单草稿" not in after
    # a wrong form names the field, and changes nothing
    bad = planner.post("/production/mrp/", {"what": "run", "start": "2026-12-07", "buckets": "x", "bucket_days": "7"},
                       follow=True)
    assert "时段数和每时段天数必须是整数" in bad.content.decode() and MrpRun.objects.count() == 1


def test_14_the_floor_reads_no_plan_and_the_accountant_cannot_run_one(plant, make_user):
    assert _client(make_user, "shopfloor").get("/production/mrp/").status_code == 403
    accountant = _client(make_user, "accountant")
    assert accountant.get("/production/mrp/").status_code == 200
    refused = accountant.post("/production/mrp/", {"what": "run", "start": "2026-12-07", "buckets": "4", "bucket_days": "7"})
    assert refused.status_code == 403 and not MrpRun.objects.exists()


def test_14_sihe_mrp_prints_progress_and_the_proposals(plant, capsys):
    from sihe.planning import forecasts

    forecasts.set_forecast(product=Product.objects.get(sku="SUGAR"), date=datetime.date(2026, 12, 15),
                           qty="70", actor=plant["actor"])
    out = io.StringIO()
    call_command("mrp", "--start", "2026-12-07", "--buckets", "4", stdout=out)
    printed = out.getvalue()
    assert "1 proposals" in printed
    assert "SUGAR" in printed and "20" in printed and "release 2026-12-07" in printed
    assert "100%" in capsys.readouterr().err
