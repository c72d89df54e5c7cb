"""`sihe demo` loads the demo company through the catalog services, and a second run changes nothing."""

import io
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management import call_command
from stdnum.cn import uscc

from sihe.catalog import demo
from sihe.catalog.models import Category, Channel, Company, Location, Partner, Product, Warehouse, Zone
from sihe.catalog.validation import check_gtin
from sihe.core.models import AuditEntry, Event
from sihe.core.roles import role_of

MODELS = [Company, Warehouse, Zone, Location, Category, Product, Partner, Channel, AuditEntry, Event]


def run_demo(*args) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict:
    User = get_user_model()
    return {m.__name__: m.objects.count() for m in [*MODELS, User]} | {
        "groups": User.groups.through.objects.count(),
    }


def test_demo_loads_a_believable_company_and_a_second_run_changes_nothing(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed, not security
    # given an empty database
    # when the demo is loaded
    output = run_demo()
    # then: the figures a visitor checks (loading takes a while, so one load serves every check)
    assert "1597" in output  # new rows
    check_company_and_warehouses()
    check_products()
    check_partners_channels_and_users()
    check_stock_and_books()
    check_the_warehouse_floor()
    check_the_factory_and_the_plan()
    check_the_shop_floor()
    # when it runs again
    before = counts()
    # no voucher for the opening stock (11.9); one cost voucher per shipping act (issue 18); the 入库成本调整 voucher
    assert before["Event"] == 561 and before["AuditEntry"] > 4000
    again = run_demo()
    # then: not one new row, event or audit entry
    assert counts() == before
    assert "(+0)" in again and "(+1" not in again


def test_check_digit_helpers_match_the_validators():
    # given the published examples: GTIN 6901234567892 and the USCC of stdnum's documentation
    # when / then: our builders produce the same check digits the validators expect
    assert demo.gtin13("690123456789") == "6901234567892"
    assert demo.credit_code("110000", 60003734) == "91110000600037341L"
    assert check_gtin(demo.gtin13("695000000001")) is None


def check_company_and_warehouses():
    company = Company.objects.get()
    assert company.name == "上海四合贸易有限公司"
    assert uscc.is_valid(company.credit_code)
    assert (company.province, company.city, company.district) == ("上海市", "上海市", "青浦区")

    assert list(Warehouse.objects.order_by("code").values_list("code", "name", "province", "city", "district")) == [
        ("GZ", "广州仓", "广东省", "广州市", "白云区"),
        ("HZ", "杭州仓", "浙江省", "杭州市", "余杭区"),
        ("SH", "上海仓", "上海市", "上海市", "青浦区"),
    ]
    assert all(w.latitude and w.longitude for w in Warehouse.objects.all())
    for warehouse in Warehouse.objects.all():
        assert sorted(warehouse.zones.values_list("code", flat=True)) == ["A", "B", "Q", "R", "S"]
    assert {w: Location.objects.filter(warehouse__code=w).count() for w in ("SH", "HZ", "GZ")} == {
        "SH": 6 * 10 * 4 + 3 * 8 * 3 + 12, "HZ": 4 * 10 * 4 + 3 * 8 * 3 + 12, "GZ": 5 * 8 * 4 + 2 * 8 * 3 + 12,
    }
    bin_ = Location.objects.get(warehouse__code="SH", code="A-03-05-02")
    assert (bin_.zone.code, bin_.kind, bin_.aisle, bin_.position, bin_.side, bin_.level) == ("A", "bin", 3, 5, "L", 2)
    assert Location.objects.get(warehouse__code="HZ", code="R-01").kind == "dock"
    assert Location.objects.get(warehouse__code="GZ", code="Q-02").zone.code == "Q"


def check_products():
    from sihe.production import demo as factory

    products = list(Product.objects.select_related("category").exclude(sku__in=[p[0] for p in factory.PRODUCTS]))
    assert len(products) == len(demo.product_rows()) == 217
    with_gtin = [p for p in products if p.gtin]
    assert len(with_gtin) == 213  # the four service items carry no barcode
    assert all(check_gtin(p.gtin) is None and len(p.gtin) == 13 and "690" <= p.gtin[:3] <= "695" for p in with_gtin)
    assert all(len(p.tax_code) == 19 and p.tax_code.isdigit() and p.tax_short_name for p in products)
    assert {str(p.tax_rate) for p in products} == {"0.13", "0.09", "0.06"}
    assert {p.category.code for p in products} == {"食品饮料", "日用百货", "个护美妆", "母婴", "数码配件", "服务"}
    by_tracking = {t: sum(1 for p in products if p.tracking == t) for t in ("none", "lot", "lot_expiry", "serial")}
    assert by_tracking == {"none": 49, "lot": 33, "lot_expiry": 124, "serial": 11}
    assert all(p.shelf_life_days for p in products if p.tracking == "lot_expiry")
    milk = Product.objects.get(sku="FD-MILK-250X24")
    assert (milk.name, milk.uom.code, str(milk.tax_rate), milk.tax_short_name) == ("纯牛奶 250ml×24盒", "BOX", "0.09", "乳制品")
    # every product went through the product service: one creation event each
    assert Event.objects.filter(type="catalog.product.created").count() == 217 + 6  # and the factory line's six


def check_partners_channels_and_users():
    assert Partner.objects.filter(kind="customer").count() == 30
    assert Partner.objects.filter(kind="supplier").count() == 15
    assert Partner.objects.filter(code__startswith="DLR-").count() == 6
    tax_ids = list(Partner.objects.exclude(tax_id="").values_list("tax_id", flat=True))
    assert len(tax_ids) == 39 and len(set(tax_ids)) == 39
    assert all(uscc.is_valid(t) for t in tax_ids)
    assert Partner.objects.filter(min_shelf_life_days__isnull=False).count() == 14
    assert len({p.province for p in Partner.objects.all()}) >= 15
    assert dict(Channel.objects.values_list("code", "type")) == {
        "tb-flagship": "taobao", "jd-self": "jd", "dy-live": "douyin", "shopify-global": "shopify",
        "woo-eu": "woocommerce", "pos-store1": "pos", "dealer": "dealer", "api": "api",
    }
    User = get_user_model()
    users = {u.username: u for u in User.objects.all()}
    assert {name: role_of(u) for name, u in users.items()} == {
        "manager": "manager", "warehouse": "warehouse", "shopfloor": "shopfloor",
        "service": "service", "accountant": "accountant", "admin": "admin",
    }
    assert all(u.check_password("sihe-demo") for u in users.values())
    # issue 12.9: no superuser with a printed password; the demo admin is staff for users and settings
    assert not any(u.is_superuser for u in users.values()) and users["admin"].is_staff
    from django.test import Client

    admin = Client()
    admin.force_login(users["admin"])
    assert admin.get("/admin/").status_code == 200
    assert admin.get("/admin/purchasing/approvalrule/1/change/").status_code == 200
    assert admin.get("/admin/auth/user/").status_code == 200
    assert admin.get("/admin/catalog/product/add/").status_code == 403
    assert users["manager"].first_name == "老板"


def test_logins_prints_only_the_table(db):
    # when: --logins on an empty database
    output = run_demo("--logins")
    # then: the six logins with the password and the URL, and nothing was loaded
    for username in ("manager", "warehouse", "shopfloor", "service", "accountant", "admin"):
        assert f" {username} " in output
    assert output.count("sihe-demo") == 6
    assert output.count("http://127.0.0.1:8000/") == 6
    assert Company.objects.count() == 0 and get_user_model().objects.count() == 0


def check_stock_and_books():
    """Opening stock in the three warehouses, valued and booked; the books open and balance."""
    from django.core.management import call_command
    from django.utils import timezone

    from sihe.ledger.close import run_checks
    from sihe.ledger.models import OpeningBalance
    from sihe.stock.models import StockMove

    # 411 opening moves, a purchase order received by scans, the channel orders shipped; the factory line's
    # 5 opening moves of materials, 5 issues to an order and its 980 cups received
    assert StockMove.objects.count() == 438 + 11
    references = set(StockMove.objects.values_list("reference", flat=True))
    assert {"DEMO-OPENING-SH", "DEMO-OPENING-HZ", "DEMO-OPENING-GZ"} <= references
    assert {r.split("-")[0][:3] for r in references} == {"DEM", "ASN", "SH", "HZ", "GZ", "MO2"}
    # issue 11.9: opening stock is an opening balance (1405 per warehouse against 利润分配—未分配利润),
    # not receipts on credit: nothing is owed to suppliers for it
    assert OpeningBalance.objects.filter(source="").count() == 5
    stock_openings = {(o.account.code, o.warehouse): o.debit - o.credit
                      for o in OpeningBalance.objects.filter(source="stock").select_related("account")}
    assert set(stock_openings) == {("1405", "SH"), ("1405", "HZ"), ("1405", "GZ"), ("3104.01", "")}
    assert sum(v for (code, _w), v in stock_openings.items() if code == "1405") == Decimal("3339518.10") + Decimal("4810.00")
    assert not StockMove.objects.filter(reference__startswith="DEMO-OPENING").exclude(counterpart="opening").exists()
    from sihe.ledger import reports

    grni = reports.account_by_code("2202.02").pk
    assert reports.net_at_end(timezone.localdate().strftime("%Y-%m")).get((grni,), Decimal(0)) > Decimal("-100000")
    results = {r["code"]: r for r in run_checks(timezone.localdate().strftime("%Y-%m"))}
    assert results["inventory_matches_ledger"]["ok"], results["inventory_matches_ledger"]["detail"]
    assert results["trial_balance"]["ok"] and results["vouchers_posted"]["ok"]
    # the factory: + 4,810.00 of materials, − 928.80 used, + 1,288.80 of cups made (labour and overhead in them);
    # the supplier invoice 10.00 dearer than its receipt: 9.90 of it into the body wash still in stock (入库成本调整)
    assert "¥3,341,842.57" in results["inventory_matches_ledger"]["detail"]
    assert results["wip_matches_orders"]["ok"], results["wip_matches_orders"]["detail"]
    for subledger in ("receivables_match_ledger", "payables_match_ledger"):  # 13.6
        assert results[subledger]["ok"], results[subledger]["detail"]
    out = io.StringIO()
    call_command("stock", "check", stdout=out)
    assert "0 differences" in out.getvalue()


def check_the_warehouse_floor():
    """Issue 11.6 and 11.7 on the demo: the warehouse login finds the waves on its handheld, and every
    lot's trace names each shipment that took it, with the quantity the moves issued and a customer."""
    from django.test import Client

    from sihe.stock.models import Lot, StockMove
    from sihe.wms import trace
    from sihe.wms.outbound.models import PickList

    client = Client()
    client.force_login(get_user_model().objects.get(username="warehouse"))
    page = client.get("/outbound/pick/").content.decode()
    waiting = PickList.objects.filter(state__in=["open", "picking"])
    assert waiting.exists() and all(pl.number in page for pl in waiting)
    assert "没有待拣货的任务" not in page
    walked = 0
    for lot in Lot.objects.filter(moves__kind="issue").distinct():
        rows = {row["number"]: row for row in trace.trace_lot(lot)["shipments"]}
        issued: dict[str, Decimal] = {}
        for move in StockMove.objects.filter(lot=lot, kind="issue", state="done", reversal_of__isnull=True):
            issued[move.reference] = issued.get(move.reference, Decimal(0)) + move.qty
        for reference, qty in issued.items():
            assert rows[reference]["shipped"] == f"{qty.normalize():f}", (lot.number, reference)
            assert rows[reference]["customer"], (lot.number, reference)
            walked += 1
    assert walked >= 10


def test_12_9_random_demo_passwords_on_request(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from sihe.web.management.commands import demo as command

    out = io.StringIO()
    call_command("demo", "--random-passwords", stdout=out)
    users = {u.username: u for u in get_user_model().objects.all()}
    assert set(command.CHOSEN) == set(users) and len(set(command.CHOSEN.values())) == 6
    assert all(users[name].check_password(password) and password in out.getvalue()
               for name, password in command.CHOSEN.items())
    assert not any(u.check_password("sihe-demo") for u in users.values())


def check_the_shop_floor():
    from sihe.mes.models import Line, Operator, WorkOrder

    line = Line.objects.get(code="PK-1")
    assert (line.work_centre.code, [m.code for m in line.machines.all()]) == ("FILL-1", ["FILL-1"])
    assert [(r.metric, r.kind, r.value, r.seconds, r.action) for r in line.rules.all()] == [
        ("temp", "duration", Decimal("85"), Decimal("10"), "pause")]
    assert Operator.objects.count() == 2
    # the released demo order waits on the line for `sihe simulate-line` to start it
    wo = WorkOrder.objects.get()
    assert (wo.status, wo.line_id, wo.production_order.status) == ("dispatched", line.pk, "released")


def check_the_factory_and_the_plan():
    from sihe.ledger.models import VoucherLine
    from sihe.planning.models import MrpRun
    from sihe.production.models import ProductionOrder
    from sihe.stock.models import Reservation

    made, waiting = ProductionOrder.objects.filter(source="demo:factory").order_by("id")
    # 1000 cups: milk 153 kg × 4.20 + sugar 10 × 6.50 + culture 100 g × 0.50 + cups 1010 × 0.12 + lids 1000 × 0.05
    assert (made.status, made.materials_cost, made.labour_cost, made.overhead_cost) == (
        "finished", Decimal("928.80"), Decimal("240.00"), Decimal("120.00"))
    assert (made.good_qty, made.scrap_qty, made.received_qty, made.wip) == (980, 20, 980, Decimal("0.00"))
    assert made.received_cost == Decimal("1288.80")  # 1288.80 ÷ 980 good = 1.315102 a cup
    assert waiting.status == "released"
    assert Reservation.objects.filter(reference=waiting.number, state="active").count() == 5
    books = {code: sum(v.debit - v.credit for v in VoucherLine.objects.filter(account__code=code,
                                                                             voucher__source_id=made.number))
             for code in ("4001",)}
    assert books["4001"] == 0
    run = MrpRun.objects.get()
    assert run.status == "done" and run.proposal_count > 0
    assert {p.kind for p in run.proposals.all()} == {"purchase", "production"}
