"""Fixed assets through five months: three cards (two straight-line in two departments, one truck by
workload), depreciation vouchers by department, the register, a sale of the office PC, and the close
that refuses a month whose depreciation has not been run.

Worked by hand (the fen are the point):
- FA office PC, 管理部 (5602.06 折旧费): cost 12,000.00, residual 5% 600.00, 36 months → 11,400 ÷ 36 = 316.666… → 316.67 a
  month; the 36th month takes 11,400 − 35 × 316.67 = 316.55.
- Lathe, 生产车间 (4101): cost 100,000.00, residual 5,000.00, 120 months → 95,000 ÷ 120 = 791.67.
- Truck, 销售部 (5601.06 折旧费), workload: cost 300,000.00, residual 15,000.00, 500,000 km → 0.57 per km:
  Aug 4,000 km 2,280.00; Sep 5,250 km 2,992.50; Oct 3,333 km 1,899.81; Nov 2,000 km 1,140.00.
- Bought in July: no depreciation in July (当月增加当月不提); the first run is August.
- Aug 791.67 + 2,280.00 + 316.67 = 3,388.34; Sep 4,100.84; Oct 3,008.15; Nov 2,248.34.
- The PC is sold on 2026-11-20 for 9,000.00 with 200.00 of clearing costs after November's run:
  accumulated 4 × 316.67 = 1,266.68, net 10,733.32, loss 9,000 − 10,733.32 − 200 = −1,933.32 → 营业外支出.
- December: the PC is gone (当月减少下月起不提): 791.67 + truck (1,000 km 570.00) = 1,361.67.
"""

import datetime
from decimal import Decimal

import pytest

from sihe.assets import selectors, services
from sihe.core.errors import Conflict, DomainError, ValidationFailed
from sihe.ledger import reports
from sihe.ledger import services as ledger

D = Decimal


def lines_of(voucher_id):
    voucher = reports.voucher_by_id(voucher_id)
    return [(ln.account.code, ln.department, ln.debit, ln.credit) for ln in voucher.lines.order_by("seq")]


@pytest.fixture
def books(clock, actor):
    clock.at(2026, 7, 10)
    office = services.save_category(code="T-03", name="办公设备", life_months=36, residual_rate="0.05",
                                    method="straight_line", actor=actor)
    machines = services.save_category(code="T-02", name="机器设备", life_months=120, residual_rate="0.05",
                                      method="straight_line", actor=actor)
    trucks = services.save_category(code="T-04", name="运输工具", life_months=48, residual_rate="0.05",
                                    method="workload", actor=actor)
    clock.at(2026, 7, 15)
    pc = services.acquire(name="办公电脑", category=office, department="管理部", use="admin", acquired_on="2026-07-15",
                          cost="12000.00", paid_from="1002", actor=actor, code="FA-PC")
    clock.at(2026, 7, 20)
    lathe = services.acquire(name="数控车床", category=machines, department="生产车间", use="manufacturing",
                             acquired_on="2026-07-20", cost="100000.00", residual_value="5000.00",
                             paid_from="2241", partner="沈阳机床", input_tax="13000.00", actor=actor, code="FA-LATHE")
    truck = services.acquire(name="厢式货车", category=trucks, department="销售部", use="selling",
                             acquired_on="2026-07-20", cost="300000.00", total_workload="500000", workload_unit="km",
                             paid_from="1002", actor=actor, code="FA-TRUCK")
    return {"pc": pc, "lathe": lathe, "truck": truck}


def run(clock, actor, period, truck=None, km=None):
    year, month = int(period[:4]), int(period[5:])
    clock.at(datetime.date(year, month, 28))
    if km is not None:
        services.record_workload(asset=truck, period=period, quantity=km, actor=actor)
    return services.run_depreciation(period=period, actor=actor)


def test_acquisition_vouchers(books):
    assert books["pc"].residual_value == D("600.00")  # 5% of the category
    assert lines_of(books["pc"].acquisition_voucher_id) == [("1601", "", D("12000.00"), D("0")),
                                                            ("1002", "", D("0"), D("12000.00"))]
    assert lines_of(books["lathe"].acquisition_voucher_id) == [
        ("1601", "", D("100000.00"), D("0")), ("2221.01.01", "", D("13000.00"), D("0")),
        ("2241", "", D("0"), D("113000.00"))]


def test_months_of_depreciation_by_department(books, clock, actor):
    truck = books["truck"]
    clock.at(2026, 7, 31)
    assert services.run_depreciation(period="2026-07", actor=actor).total == D("0.00")  # bought this month
    runs = {
        "2026-08": run(clock, actor, "2026-08", truck, "4000"),
        "2026-09": run(clock, actor, "2026-09", truck, "5250"),
        "2026-10": run(clock, actor, "2026-10", truck, "3333"),
    }
    assert lines_of(runs["2026-08"].voucher_id) == [
        ("4101", "生产车间", D("791.67"), D("0")),
        ("5601.06", "销售部", D("2280.00"), D("0")),
        ("5602.06", "管理部", D("316.67"), D("0")),
        ("1602", "", D("0"), D("3388.34")),
    ]
    assert [r.total for r in runs.values()] == [D("3388.34"), D("4100.84"), D("3008.15")]
    assert lines_of(runs["2026-10"].voucher_id)[1] == ("5601.06", "销售部", D("1899.81"), D("0"))
    # idempotent: the same period again is the same run, no second voucher
    assert services.run_depreciation(period="2026-10", actor=actor).pk == runs["2026-10"].pk
    assert len(reports.vouchers_for("depreciation_run", "2026-10")) == 1

    register = selectors.register("2026-10")
    by_code = {r["asset"].code: r for r in register["rows"]}
    assert by_code["FA-TRUCK"]["accumulated"] == D("7172.31")  # 2,280 + 2,992.50 + 1,899.81
    assert by_code["FA-TRUCK"]["net"] == D("292827.69")
    assert by_code["FA-PC"]["accumulated"] == D("950.01")
    assert register["totals"]["cost"] == D("412000.00")
    assert register["totals"]["accumulated"] == D("10497.33")  # 3,388.34 + 4,100.84 + 3,008.15

    plan = selectors.schedule(books["pc"])
    assert len(plan) == 36 and plan[0]["period"] == "2026-08" and plan[-1]["period"] == "2029-07"
    assert plan[-1]["amount"] == D("316.55") and plan[-1]["accumulated"] == D("11400.00")
    assert [row["planned"] for row in plan[:4]] == [False, False, False, True]


def test_a_month_is_run_in_order_and_needs_the_workload(books, clock, actor):
    clock.at(2026, 9, 28)
    with pytest.raises(Conflict) as refused:
        services.run_depreciation(period="2026-09", actor=actor)
    assert refused.value.code == "earlier_period_not_run"
    clock.at(2026, 8, 28)
    with pytest.raises(ValidationFailed) as lacking:
        services.run_depreciation(period="2026-08", actor=actor)
    assert lacking.value.code == "workload_missing" and "FA-TRUCK" in str(lacking.value)
    assert selectors.run("2026-08") is None


def test_disposal_through_1606(books, clock, actor):
    truck = books["truck"]
    for period, km in (("2026-08", "4000"), ("2026-09", "5250"), ("2026-10", "3333")):
        run(clock, actor, period, truck, km)
    clock.at(2026, 11, 20)
    with pytest.raises(Conflict) as early:  # 当月减少的当月照提: November's depreciation first
        services.dispose(asset=books["pc"], date="2026-11-20", proceeds="9000", costs="200", counter_account="1002",
                         actor=actor)
    assert early.value.code == "depreciation_not_run"
    assert run(clock, actor, "2026-11", truck, "2000").total == D("2248.34")
    clock.at(2026, 11, 29)
    pc = services.dispose(asset=books["pc"], date="2026-11-29", proceeds="9000", costs="200", counter_account="1002",
                          actor=actor)
    assert pc.disposal_gain == D("-1933.32")
    lines = lines_of(pc.disposal_voucher_id)
    assert lines == [
        ("1606", "", D("10733.32"), D("0")), ("1602", "", D("1266.68"), D("0")), ("1601", "", D("0"), D("12000.00")),
        ("1002", "", D("9000.00"), D("0")), ("1606", "", D("0"), D("9000.00")),
        ("1606", "", D("200.00"), D("0")), ("1002", "", D("0"), D("200.00")),
        ("5711.06", "", D("1933.32"), D("0")), ("1606", "", D("0"), D("1933.32")),
    ]
    nets = {}
    for code, _dept, debit, credit in lines:
        nets[code] = nets.get(code, D(0)) + debit - credit
    assert nets["1606"] == 0  # 清理 cleared
    with pytest.raises(Conflict):
        services.dispose(asset=pc, date="2026-11-30", actor=actor)
    december = run(clock, actor, "2026-12", truck, "1000")
    assert december.total == D("1361.67")
    assert "FA-PC" not in {line.asset.code for line in selectors.run_lines("2026-12")}
    assert "FA-PC" in {r["asset"].code for r in selectors.register("2026-11")["rows"]}
    assert "FA-PC" not in {r["asset"].code for r in selectors.register("2026-12")["rows"]}


def test_close_refuses_a_month_without_depreciation(books, clock, actor):
    clock.at(2026, 8, 1)
    assert ledger.close_period(period="2026-07", actor=actor)  # July: bought, nothing to depreciate
    clock.at(2026, 9, 1)
    with pytest.raises(DomainError) as refused:
        ledger.close_period(period="2026-08", actor=actor)
    assert refused.value.code == "close_checks_failed"
    check = {c["code"]: c for c in refused.value.extra["checks"]}["depreciation_run"]
    assert not check["ok"] and "FA-LATHE" in check["detail"]
    services.record_workload(asset=books["truck"], period="2026-08", quantity="4000", actor=actor)
    services.run_depreciation(period="2026-08", actor=actor)
    assert ledger.close_period(period="2026-08", actor=actor)
