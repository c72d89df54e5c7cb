"""The half-year of a small trading company that starts its books in Sihe in 2026-07 (建账 mid-year), run
through the wings: purchases (PO → receipt → supplier invoice → 勾选认证 → payment), dealer sales (order →
shipment → 数电发票 → bank receipt), fixed assets (acquisition, monthly depreciation by department), cash
and bank (出纳 entries, a bank statement imported and reconciled), the VAT month-end and each month's close.

Shared by the two stories (tests/ledger/test_halfyear_general_story.py, …_small_scale_story.py), which
hold the figures worked out by hand. Every act runs at the clock's instant (a fresh actor each time).

Accounts the 利润表 其中 lines read (5403.03, 5403.07, 5602.06 …) may or may not be seeded as sub-accounts of
the chart when this runs (another change seeds them): `leaf()` books to the sub-account when it exists and
to the parent otherwise, and the stories assert the 其中 lines accordingly.
"""

import datetime
import io
from decimal import Decimal

from django.db import transaction

from sihe.assets import services as assets
from sihe.cashbank import selectors as cash_selectors
from sihe.cashbank import services as cashbank
from sihe.catalog.demo import credit_code
from sihe.catalog.models import Channel, Company, Partner, Product, Uom
from sihe.core.actor import Actor
from sihe.ledger import close, services, statements
from sihe.ledger.models import Account, VoucherLine
from sihe.ledger.vat import services as vat
from sihe.oms import billing
from sihe.oms import services as oms
from sihe.oms.b2b import services as b2b
from sihe.purchasing import services as purchasing
from sihe.purchasing.services import InvoiceLine, OrderLine
from sihe.wms.inbound import services as inbound
from sihe.wms.inbound.models import Asn
from tests.oms.world import warehouse

D = Decimal
GTIN = "6901234567892"
TAX_CODE = "1040201990000000000"


def leaf(*codes: str) -> str:
    """The first of `codes` that is a leaf account of the chart (a role sub-account, else its parent)."""
    for code in codes:
        found = Account.objects.filter(code=code, is_leaf=True).first()
        if found is not None:
            return code
    raise AssertionError(f"none of {codes} is a leaf account")


def has_leaf(code: str) -> bool:
    return Account.objects.filter(code=code, is_leaf=True).exists()


def full_close_checks(monkeypatch):
    """The whole month-end checklist of a trading company: the ledger's own checks, stock, receivables and
    payables against their accounts, depreciation run, VAT carried out, surcharges accrued (the ledger's
    conftest keeps only the ledger's; these stories go through the wings, so every sub-ledger must agree)."""
    from sihe.assets.services import depreciation_done
    from sihe.costing.checks import inventory_matches_ledger
    from sihe.ledger.vat.checks import vat_carried_out, vat_surcharges
    from sihe.oms.checks import receivables_match_ledger
    from sihe.production.checks import wip_matches_orders
    from sihe.purchasing.checks import payables_match_ledger

    checks = {k: v for k, v in close._CHECKS.items() if k in close.BUILTIN_CHECKS}
    checks.update({
        "inventory_matches_ledger": ("stock", inventory_matches_ledger),
        "receivables_match_ledger": ("receivables", receivables_match_ledger),
        "payables_match_ledger": ("payables", payables_match_ledger),
        "wip_matches_orders": ("wip", wip_matches_orders),
        "depreciation_run": ("depreciation", depreciation_done),
        "vat_carried_out": ("vat", vat_carried_out),
        "vat_surcharges": ("surcharges", vat_surcharges),
    })
    monkeypatch.setattr(close, "_CHECKS", checks)
    return list(checks)


def me() -> Actor:
    """The accountant, acting at the clock's instant."""
    return Actor.system("story")


def act(verb, **kwargs):
    with transaction.atomic():
        return verb(**kwargs)


def last_day(year: int, month: int) -> datetime.date:
    return close.last_day(f"{year}-{month:02d}")


def bank_csv(layout: str, rows: list[tuple[str, str, str, str]], opening: str) -> tuple[bytes, str]:
    """A statement file of (date, reference, out, in) rows with running balances from `opening`, in the
    layout of 工商银行 ("icbc": account history CSV, banner rows above the header) or 农业银行 ("abc":
    yyyymmdd dates, 收入/支出 columns), GBK as the banks export it."""
    out, balance = io.StringIO(), D(opening)
    if layout == "icbc":
        out.write("中国工商银行 账户历史明细\n账号,1001 2345 6789 0123 456,户名,四合半年示范有限公司\n")
        out.write("凭证号,本方账号,对方账号,交易时间,借/贷,借方发生额,贷方发生额,对方行号,摘要,用途,对方单位名称,余额,个性化信息\n")
    else:
        out.write("交易日期,交易时间,收入金额,支出金额,账户余额,对方户名,对方账号,摘要,交易流水号\n")
    for day, reference, money_out, money_in in rows:
        balance += D(money_in or "0") - D(money_out or "0")
        if layout == "icbc":
            side = "贷" if money_in else "借"
            out.write(f"{reference},1001234567890123456,,{day} 10:00:00,{side},{money_out},{money_in},,往来,往来,,"
                      f"{balance:.2f},\n")
        else:
            out.write(f"{day.replace('-', '')},100000,{money_in},{money_out},{balance:.2f},,,往来,{reference}\n")
    return out.getvalue().encode("gbk"), f"{layout}-202607.csv"


class HalfYear:
    """The company and its half-year. `small`: a 小规模纳税人 at 征收率 3 % (sales at 3 %, the supplier's 专票 at 13 %
    not deductible); else a 一般纳税人 at 13 %."""

    BUY_QTY, BUY_PRICE = 120, D("40.00")
    SELL_QTY = 100
    KM = {8: "2000", 9: "4000", 10: "2000", 11: "2000", 12: "2000"}

    def __init__(self, clock, *, small: bool, opening: list[dict], cash_flows: dict, sell_price: str):
        self.clock, self.small, self.sell_price = clock, small, sell_price
        clock.at(2026, 7, 1, hour=9)
        if small:
            vat.set_tax_profile(actor=me(), taxpayer_type="small", levy_rate="0.03", location="city")
        Company.objects.get_or_create(name="四合半年示范有限公司", defaults={"credit_code": "91310000MA1FL8XQ30"})
        self.wh = warehouse("SH")
        self.tee = Product.objects.create(sku="TEE-H2", name="纯棉短袖T恤", uom=Uom.objects.get(code="PCS"), gtin=GTIN,
                                          tax_rate=D("0.03") if small else D("0.13"), tax_code=TAX_CODE,
                                          tax_short_name="服装")
        self.supplier = Partner.objects.create(code="S01", name="上海纺织品有限公司", kind="supplier",
                                               province="上海市", city="上海市")
        Channel.objects.create(code="dealer", type="dealer", name="经销商订货")
        self.dealer = Partner.objects.create(code="C-DEALER-01", name="杭州好运商贸有限公司", kind="customer",
                                             province="浙江省", city="杭州市", district="西湖区", address="文三路 100 号",
                                             tax_id=credit_code("330106", 20260701))
        self.opening_rows = services.import_opening_balances(period="2026-07", rows=opening, cash_flows=cash_flows,
                                                             actor=me())
        self.bank = cashbank.save_account(code="ICBC", name="工行基本户", kind="bank", ledger_account="1002",
                                          bank="icbc", account_no="1001234567890123456", reconcile_from="2026-07-01",
                                          actor=me())
        self.closed: dict[str, dict] = {}
        self.invoices, self.orders, self.runs = {}, {}, {}
        self.reconciliation = None

    # -- the acts of a month --------------------------------------------------------------------

    def at(self, month: int, day: int) -> datetime.date:
        self.clock.at(2026, month, day)
        return datetime.date(2026, month, day)

    def pay(self, month: int, day: int, account: str, amount: str, summary: str, *, cash_flow_item=None,
            department: str = ""):
        date = self.at(month, day)
        return cashbank.enter(kind="payment", account=self.bank, date=date, amount=amount, counter_account=account,
                              department=department, summary=summary, cash_flow_item=cash_flow_item, actor=me())

    def buy(self, month: int):
        """Order 120 at 40.00 (13 %), receive them (暂估 4,800.00), the supplier's 专票 4,800.00 + 624.00."""
        self.at(month, 5)
        po = purchasing.create_order(supplier=self.supplier, warehouse=self.wh, actor=me(), lines=[
            OrderLine(product=self.tee, qty=str(self.BUY_QTY), price=str(self.BUY_PRICE), tax_rate="0.13")])
        po = purchasing.confirm(order=po, actor=me())
        inbound.receive_scan(asn=Asn.objects.get(pk=po.asn_id), barcode=f"(01)0{GTIN}", qty=str(self.BUY_QTY),
                             actor=me())
        date = self.at(month, 8)
        invoice = purchasing.post_invoice(order=po, number=f"0440{month:04d}", actor=me(), invoice_date=date,
                                          lines=[InvoiceLine(product=self.tee, qty=str(self.BUY_QTY),
                                                             price=str(self.BUY_PRICE))])
        self.invoices[month] = invoice
        return invoice

    def certify(self, month: int):
        date = self.at(month, 15)
        return purchasing.certify_invoices(invoices=[self.invoices[month]], actor=me(), date=date)

    def sell(self, month: int):
        """A dealer order of 100 at the gross price, shipped (revenue and cost at shipment), invoiced."""
        self.at(month, 12)
        stamp = f"2026-{month:02d}-12T09:00:00+08:00"
        body = {"order_id": f"D-2026{month:02d}", "customer": self.dealer.code, "status": "paid",
                "created_at": stamp, "paid_at": stamp,
                "receiver": {"name": "王经理", "phone": "13800000000", "province": "浙江省", "city": "杭州市",
                             "district": "西湖区", "address": "文三路 100 号"},
                "lines": [{"sku": self.tee.sku, "qty": str(self.SELL_QTY), "price": self.sell_price}]}
        order = oms.receive_order(channel_code="dealer", body=body, actor=me()).order
        act(oms.ship_order, order=order, carrier="SF", tracking_no=f"SF{month:02d}", actor=me())
        invoice = act(billing.invoice_orders, orders=[order], buyer_name=self.dealer.name,
                      buyer_tax_id=self.dealer.tax_id, actor=me())
        self.orders[month] = (order, invoice)
        return order, invoice

    def collect(self, month: int, amount: str):
        date = self.at(month, 20)
        return act(b2b.record_receipt, partner=self.dealer, amount=amount, actor=me(), date=date,
                   reference=f"网银 {month:02d}20")

    def pay_supplier(self, month: int, amount: str):
        date = self.at(month, 25)
        return purchasing.pay(supplier=self.supplier, amount=amount, actor=me(), date=date, reference=f"ZF{month:02d}25")

    def acquire_assets(self):
        self.at(7, 1)
        office = assets.save_category(code="OFFICE", name="办公设备", life_months=60, residual_rate="0.05",
                                      method="straight_line", actor=me())
        trucks = assets.save_category(code="TRUCK", name="运输工具", life_months=48, residual_rate="0.05",
                                      method="workload", actor=me())
        self.pc = assets.acquire(name="服务器", category=office, department="管理部", use="admin",
                                 acquired_on="2026-07-01", cost="12000.00", paid_from="1002", actor=me(), code="FA-PC")
        self.truck = assets.acquire(name="厢式货车", category=trucks, department="销售部", use="selling",
                                    acquired_on="2026-07-01", cost="40000.00", total_workload="200000",
                                    workload_unit="km", paid_from="1002", actor=me(), code="FA-TRUCK")

    def depreciate(self, month: int):
        self.at(month, last_day(2026, month).day)
        period = f"2026-{month:02d}"
        if month in self.KM:
            assets.record_workload(asset=self.truck, period=period, quantity=self.KM[month], actor=me())
        self.runs[month] = assets.run_depreciation(period=period, actor=me())
        return self.runs[month]

    def vat_month_end(self, month: int):
        self.at(month, last_day(2026, month).day)
        period = f"2026-{month:02d}"
        carried = None if self.small else vat.carry_out_vat(period=period, actor=me())
        accrued = vat.accrue_surcharges(period=period, actor=me())
        return carried, accrued

    def close(self, month: int):
        if month < 12:
            self.clock.at(2026, month + 1, 1, hour=9)
        else:
            self.clock.at(2027, 1, 1, hour=9)
        result = services.close_period(period=f"2026-{month:02d}", actor=me())
        self.closed[f"2026-{month:02d}"] = result
        return result

    def try_close(self, month: int) -> list[str]:
        """The codes of the checks that refuse the close now (nothing changes)."""
        from sihe.core.errors import DomainError

        self.clock.at(2026, month + 1, 1, hour=8) if month < 12 else self.clock.at(2027, 1, 1, hour=8)
        try:
            services.close_period(period=f"2026-{month:02d}", actor=me())
        except DomainError as refused:
            assert refused.code == "close_checks_failed", refused.code
            return sorted(c["code"] for c in refused.extra["checks"] if not c["ok"])
        raise AssertionError("the close was not refused")

    # -- the bank statement of July --------------------------------------------------------------

    def reconcile(self, month: int, statement):
        """Import the bank's statement of the month (a file in one of the big banks' layouts), match it to the
        journal, and read the 余额调节表 at the month's end."""
        data, name = statement
        self.at(month, last_day(2026, month).day)
        self.statement = cashbank.import_statement(account=self.bank, data=data, file_name=name, actor=me())
        self.matched = cashbank.auto_match(account=self.bank, actor=me())
        self.reconciliation = cash_selectors.reconciliation(self.bank, last_day(2026, month))

    # -- the half-year ------------------------------------------------------------------------------

    def run(self, *, monthly_taxes, collect: str, pay: str, statement, rent: str = "1000", fee: str = "15.00"):
        """monthly_taxes: {month: [(account, amount), …]} the taxes paid in that month (of an earlier one);
        statement: July's bank statement (data, file name), reconciled at 07-31."""
        self.acquire_assets()
        for month in range(7, 13):  # the acts in the order of their days
            if month == 8:  # July's bank fee, seen on the statement, booked now
                self.pay(month, 1, leaf("5603.02", "5603"), fee, "银行手续费 FEE0731")
            self.pay(month, 3, leaf("5602.99", "5602"), rent, "支付房租", department="管理部")
            self.buy(month)
            for account, amount in monthly_taxes.get(month, []):
                self.pay(month, 10, account, amount, "缴纳税费", cash_flow_item=5)
            self.sell(month)
            if not self.small:
                self.certify(month)
            self.collect(month, collect)
            self.pay_supplier(month, pay)
            if month == 7:
                self.reconcile(7, statement)
            if month == 12:  # closing before the month-end steps is refused, naming each step not done
                self.refused = self.try_close(12)
            self.depreciate(month)
            self.vat_month_end(month)
            self.close(month)
        return self


def lines(report) -> dict:
    """line number → (comparative, current): 01表 (年初, 期末); 02/03表 (本年累计, 本月)."""
    return {line["line_no"]: (line["comparative"], line["current"]) for line in report["lines"]}


def amounts(report, expected: dict) -> tuple[dict, dict]:
    """(found, expected) on every line of the report, as Decimals, for one readable assertion: the lines
    `expected` names with their figures, every other line 0.00 in both columns."""
    found = lines(report)
    zero = (D("0.00"), D("0.00"))
    wanted = {n: zero for n in found}
    wanted.update({n: (D(a).quantize(D("0.01")), D(b).quantize(D("0.01"))) for n, (a, b) in expected.items()})
    return found, wanted


def voucher_lines(voucher_id) -> list[tuple]:
    return [(ln.account.code, ln.department, ln.debit, ln.credit)
            for ln in VoucherLine.objects.filter(voucher_id=voucher_id).select_related("account").order_by("seq")]


def keep_papers(vouchers: dict, *, company: str = "杭州四合贸易有限公司", prefix: str = "") -> None:
    """With SIHE_STATEMENT_PDF_DIR set, December's three statements and the given vouchers as printed, written there
    to look at; without it they are still made and checked to be PDFs."""
    import os

    from sihe.ledger import render, voucher_pdf
    from sihe.ledger.vat.selectors import signatures

    keep = os.environ.get("SIHE_STATEMENT_PDF_DIR")
    papers = {name: render.to_pdf(render.statement_table(report("2026-12"), company=company))
              for name, report in (("01-balance-sheet", statements.balance_sheet),
                                   ("02-income-statement", statements.income_statement),
                                   ("03-cash-flow", statements.cash_flow))}
    for name, voucher in vouchers.items():
        papers[name] = voucher_pdf.render_vouchers([voucher], paper="voucher", company=company, signatures=signatures())
    assert all(body.startswith(b"%PDF") for body in papers.values())
    if keep:
        for name, body in papers.items():
            with open(os.path.join(keep, f"{prefix}{name}.pdf"), "wb") as out:
                out.write(body)
