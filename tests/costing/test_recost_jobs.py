"""Issue 18: a backdated move with many later moves is re-costed by the worker, chunk by chunk, with progress.

The act answers at once with the job id; until the job is done the books say "re-costing" and the
month-end close refuses the period; afterwards layers, stock value and 1405 agree to the fen with the
same story re-costed inline (a second warehouse where the inline limit is not reached)."""

import datetime
from decimal import Decimal as D

import pytest
from django.db.models import Sum

from sihe.core.errors import DomainError
from sihe.costing import recosting
from sihe.costing import services as costing
from sihe.costing.checks import ledger_by_warehouse, valuation_by_warehouse
from sihe.costing.models import RecostJob, ValuationLayer
from sihe.hub.dispatcher import run_handlers
from sihe.ledger import services as ledger
from sihe.ledger.close import run_checks
from sihe.ledger.models import Voucher
from tests.stock.conftest import inl, make_product, make_warehouse, outl

pytestmark = pytest.mark.django_db
LIMIT = 10  # the inline limit of these tests: a backdated move with more later layers goes to the worker


def day(n: int) -> datetime.date:
    return datetime.date(2026, 11, n)


def story(warehouse, product, actor):
    """30 later layers over November: receipts of 10 at 2.00 … 6.00, issues of 7 (the average moves every day)."""
    for n in range(2, 17):
        costing.receive(warehouse=warehouse, lines=[inl(product, 10, str(2 + n % 5))], actor=actor, date=day(n))
        costing.issue(warehouse=warehouse, lines=[outl(product, 7)], actor=actor, date=day(n))


def layers(warehouse, product) -> list[tuple]:
    return list(ValuationLayer.objects.filter(warehouse=warehouse, product=product).order_by("date", "id")
                .values_list("date", "qty", "value", "unit_cost", "running_qty", "running_value", "running_unit_cost"))


def corrections(warehouse) -> D:
    """What the re-costing posted to 1405 of the warehouse (debit − credit)."""
    lines = Voucher.objects.filter(memo__startswith="补记单据入账后重算成本").values_list(
        "lines__account__code", "lines__warehouse", "lines__debit", "lines__credit")
    return sum(((d or D(0)) - (c or D(0)) for code, wh, d, c in lines if code == "1405" and wh == warehouse.code), D(0))


@pytest.fixture
def books(settings, actor):
    settings.SIHE_RECOST_INLINE_LIMIT = LIMIT
    settings.SIHE_RECOST_CHUNK = 7  # several chunks, each its own transaction
    job_wh, inline_wh = make_warehouse("WHJ"), make_warehouse("WHI")
    product = make_product("RC-1")
    story(job_wh, product, actor)
    story(inline_wh, product, actor)
    return job_wh, inline_wh, product


def backdate(warehouse, product, actor, *, limit: int, n: int = 1, cost: str = "1.00"):
    from django.conf import settings

    settings.SIHE_RECOST_INLINE_LIMIT = limit
    return costing.receive(warehouse=warehouse, lines=[inl(product, 20, cost)], actor=actor, date=day(n))


def test_a_backdated_receipt_with_many_later_moves_is_re_costed_by_the_worker(books, actor, api_as, settings,
                                                                           django_capture_on_commit_callbacks):
    job_wh, inline_wh, product = books
    before_job = layers(job_wh, product)
    # when a receipt is backdated to 1 November in both warehouses: inline in one, through the worker in the other
    backdate(inline_wh, product, actor, limit=10_000)
    [(move, layer)] = backdate(job_wh, product, actor, limit=LIMIT)
    # then the act answered with a queued job for the 31 layers from its own on; only its own layer is costed
    job = RecostJob.objects.get()
    assert layer.recost_job_id == job.pk
    assert (job.status, job.done, job.total, job.from_date) == ("queued", 0, 31, day(1))
    assert layers(job_wh, product)[1:] == before_job  # the later layers are untouched so far
    assert layer.value == D("20.00")
    # … stock value still equals the ledger (the act posted its own receipt), and the books say re-costing
    assert valuation_by_warehouse("2026-11")["WHJ"] == ledger_by_warehouse("2026-11")["WHJ"]
    api = api_as("admin")
    answer = api.get(f"/api/v1/costing/recost-jobs/{job.pk}")
    assert answer.status_code == 200
    assert {k: answer.json()[k] for k in ("status", "done", "total", "percent", "sku", "warehouse")} == {
        "status": "queued", "done": 0, "total": 31, "percent": 0, "sku": "RC-1", "warehouse": "WHJ"}
    assert api.get("/api/v1/costing/RC-1?warehouse=WHJ").json()["recosting"] == [job.pk]
    assert api.get("/api/v1/costing/RC-1?warehouse=WHI").json()["recosting"] == []
    assert api.get("/api/v1/costing/recost-jobs/999999").status_code == 404
    # … and the close of November refuses while the job is open
    checks = {r["code"]: r for r in run_checks("2026-11")}
    assert checks["recosting_running"]["ok"] is False
    assert f"#{job.pk} RC-1@WHJ 0/31" in checks["recosting_running"]["detail"]
    with pytest.raises(DomainError) as refused:
        ledger.close_period(period="2026-11", actor=actor)
    assert refused.value.code == "close_checks_failed"
    assert {c["code"]: c["ok"] for c in refused.value.extra["checks"]}["recosting_running"] is False

    # when the worker runs (its handler, then the job after the handler's transaction commits)
    with django_capture_on_commit_callbacks(execute=True):
        run_handlers()
    # then the job is done in chunks of 7 with its progress
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.changed) == ("done", 31, 31, 15)
    assert job.started_at is not None and job.finished_at is not None
    assert api.get(f"/api/v1/costing/recost-jobs/{job.pk}").json()["percent"] == 100
    # … the layers, the stock value and 1405 agree to the fen with the inline re-costing
    assert [row[1:] for row in layers(job_wh, product)] == [row[1:] for row in layers(inline_wh, product)]
    value = ValuationLayer.objects.filter(warehouse=job_wh).aggregate(v=Sum("value"))["v"]
    inline_value = ValuationLayer.objects.filter(warehouse=inline_wh).aggregate(v=Sum("value"))["v"]
    assert value == inline_value == D("245.51")
    stock, gl = valuation_by_warehouse("2026-11"), ledger_by_warehouse("2026-11")
    assert stock["WHJ"] == gl["WHJ"] == stock["WHI"] == gl["WHI"] == D("245.51")
    assert corrections(job_wh) == corrections(inline_wh) != 0
    # … and nothing is left re-costing: the close check passes
    assert {r["code"]: r["ok"] for r in run_checks("2026-11")}["recosting_running"] is True
    assert api.get("/api/v1/costing/RC-1?warehouse=WHJ").json()["recosting"] == []


def test_a_second_backdated_act_joins_the_open_job_and_widens_it(books, actor):
    job_wh, inline_wh, product = books
    backdate(inline_wh, product, actor, limit=10_000, n=5)
    backdate(inline_wh, product, actor, limit=10_000, n=1, cost="3.00")
    # given a job from 5 November
    [(_m, first)] = backdate(job_wh, product, actor, limit=LIMIT, n=5)
    job = RecostJob.objects.get()
    assert (job.from_date, job.total) == (day(5), 23)  # its own layer and the 22 after day 5
    # when another receipt is backdated to 1 November, below the limit on its own count but for the same books
    [(_m, second)] = backdate(job_wh, product, actor, limit=10_000, n=1, cost="3.00")
    # then it joins the one open job, which now starts on 1 November
    assert RecostJob.objects.count() == 1
    job.refresh_from_db()
    assert second.recost_job_id == first.recost_job_id == job.pk
    assert (job.status, job.from_date, job.cursor_date, job.total) == ("queued", day(1), day(1), 32)
    # when the worker runs it (the runner itself, as the handler calls it)
    job = recosting.run(job.pk, actor=actor)
    # then the books agree with the same two receipts re-costed inline
    assert (job.status, job.done) == ("done", 32)
    assert [row[1:] for row in layers(job_wh, product)] == [row[1:] for row in layers(inline_wh, product)]
    stock, gl = valuation_by_warehouse("2026-11"), ledger_by_warehouse("2026-11")
    assert stock["WHJ"] == gl["WHJ"] == stock["WHI"] == gl["WHI"]
    # a job done is not run again
    assert recosting.run(job.pk, actor=actor).done == 32


def test_a_backdated_receipt_below_the_limit_is_re_costed_in_the_act(books, actor):
    job_wh, _inline_wh, product = books
    # a receipt on 14 November has 6 later layers: under the limit of 10
    backdate(job_wh, product, actor, limit=LIMIT, n=14)
    assert RecostJob.objects.count() == 0
    stock, gl = valuation_by_warehouse("2026-11"), ledger_by_warehouse("2026-11")
    assert stock["WHJ"] == gl["WHJ"]


def test_layers_written_in_many_batches_each_bounded_by_its_dates_match_one_batch(books, actor, monkeypatch):
    """PostgreSQL's UPDATE of a batch names the batch's date range (so it finds the rows on the index): batches of 4
    over 31 layers spread on 16 days, boundaries inside a day included, write what one batch writes."""
    job_wh, inline_wh, product = books
    backdate(inline_wh, product, actor, limit=10_000)
    monkeypatch.setattr(costing, "PG_BATCH", 4)
    backdate(job_wh, product, actor, limit=10_000)
    written = layers(job_wh, product)
    assert len(written) == 31 and written[0][0] == day(1) and written[-1][0] == day(16)
    assert [row[1:] for row in written] == [row[1:] for row in layers(inline_wh, product)]
    assert written[-1][4:] == (D("65"), D("245.51"), D("3.777077"))  # running qty, value, unit cost at the end
    stock, gl = valuation_by_warehouse("2026-11"), ledger_by_warehouse("2026-11")
    assert stock["WHJ"] == gl["WHJ"] == stock["WHI"] == gl["WHI"]


def test_the_receipt_api_answers_with_the_job_id(books, api_as):
    job_wh, _inline_wh, product = books
    api = api_as("admin")
    answer = api.post("/api/v1/stock/receipts", {"warehouse": "WHJ", "date": "2026-11-01", "reference": "LATE-1",
                                                 "lines": [{"sku": "RC-1", "qty": "20", "unit_cost": "1.00"}]})
    assert answer.status_code == 201, answer.json()
    job = RecostJob.objects.get()
    assert answer.json()["recost_jobs"] == [job.pk]
    assert answer.json()["moves"][0]["value"] == "20.00"


def test_the_valuation_pages_say_re_costing_while_the_job_is_open(books, actor, make_user):
    from django.test import Client

    job_wh, _inline_wh, product = books
    backdate(job_wh, product, actor, limit=LIMIT)
    job = RecostJob.objects.get()
    for language, notice in (("zh-hans", "重新计算成本中"), ("en", "Re-costing")):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(make_user("admin", f"boss-{language}"))
        summary = client.get("/stock/summary/?start=2026-11-01&end=2026-11-30&warehouse=WHJ").content.decode()
        ledger_page = client.get("/stock/ledger/?sku=RC-1&warehouse=WHJ&start=2026-11-01&end=2026-11-30").content.decode()
        assert notice in summary and notice in ledger_page
        assert f"#{job.pk} RC-1 @ WHJ" in summary
    # once the worker is done, the notice is gone
    recosting.run(job.pk, actor=actor)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user("admin", "boss-after"))
    assert "Re-costing" not in client.get("/stock/summary/?start=2026-11-01&end=2026-11-30").content.decode()


def test_a_fifo_product_is_still_re_costed_in_the_act(actor, settings):
    # given a FIFO product with 12 later layers, above the limit of 10
    settings.SIHE_RECOST_INLINE_LIMIT = LIMIT
    wh = make_warehouse("WH1")
    product = make_product("RC-F", method="fifo")
    for n in range(2, 8):
        costing.receive(warehouse=wh, lines=[inl(product, 10, str(n))], actor=actor, date=day(n))
        costing.issue(warehouse=wh, lines=[outl(product, 7)], actor=actor, date=day(n))
    # when a receipt is backdated before them
    [(_m, layer)] = costing.receive(warehouse=wh, lines=[inl(product, 20, "1.00")], actor=actor, date=day(1))
    # then no job: the act re-costed them (the first issues now take the cheaper goods), stock = 1405
    assert RecostJob.objects.count() == 0 and getattr(layer, "recost_job_id", None) is None
    issued = ValuationLayer.objects.filter(product=product, kind="out").order_by("date", "id").values_list("value", flat=True)
    assert list(issued)[:3] == [D("-7.00"), D("-7.00"), D("-8.00")]  # 7 × 1.00, 7 × 1.00, 6 × 1.00 + 1 × 2.00
    stock, gl = valuation_by_warehouse("2026-11"), ledger_by_warehouse("2026-11")
    assert stock["WH1"] == gl["WH1"]


class WorkerStopped(BaseException):
    """The worker process going away mid-job (not an error the runner catches and marks failed)."""


def test_a_job_a_stopped_worker_left_open_is_run_on_by_the_next_round(books, actor,
                                                                      django_capture_on_commit_callbacks):
    from sihe.hub.dispatcher import step

    job_wh, inline_wh, product = books
    backdate(inline_wh, product, actor, limit=10_000)
    backdate(job_wh, product, actor, limit=LIMIT)
    job = RecostJob.objects.get()
    # given the worker handled the event (its receipt is written) and stopped before the job ran
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_handlers()
    assert len(callbacks) == 1 and RecostJob.objects.get().status == "queued"
    # … and a second worker stopped after the first chunk of 7
    def stop_after_first_chunk(done, total):
        raise WorkerStopped

    with pytest.raises(WorkerStopped):
        recosting.run(job.pk, actor=actor, chunk=7, progress=stop_after_first_chunk)
    job.refresh_from_db()
    assert (job.status, job.done) == ("running", 7)
    assert {r["code"]: r["ok"] for r in run_checks("2026-11")}["recosting_running"] is False
    # when the next worker round comes
    assert step().resumed == 1
    # then the job is finished from its cursor, and the books agree with the same receipt re-costed inline
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 31, 31)
    assert [row[1:] for row in layers(job_wh, product)] == [row[1:] for row in layers(inline_wh, product)]
    stock, gl = valuation_by_warehouse("2026-11"), ledger_by_warehouse("2026-11")
    assert stock["WHJ"] == gl["WHJ"] == stock["WHI"] == gl["WHI"] == D("245.51")
    assert {r["code"]: r["ok"] for r in run_checks("2026-11")}["recosting_running"] is True
    # … and a round with nothing open runs nothing
    assert step().resumed == 0
