"""VAT month-end and the printed voucher over the API.

- `GET/PUT /ledger/tax-profile`: 一般纳税人 or 小规模纳税人, 征收率, location (城建税 rate), the 六税两费 relief
  (`surcharge_relief`), 会计主管 and 出纳.
- `GET /ledger/vat/{period}`: the month's 销项, 进项, 进项税额转出, what is to carry out, 留抵, surcharges.
- `POST /ledger/vat/{period}/carry-out` (转出未交增值税), `POST /ledger/vat/{period}/surcharges` (计提附加税),
  `POST /ledger/input-vat-transfers` (进项税额转出 with its reason).
- `GET /vouchers/{id}/pdf` and `GET /vouchers/pdf?period=&from=&to=&paper=a4|voucher`: the 记账凭证 as PDF,
  one voucher per sheet.
"""

import datetime
from decimal import Decimal
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import StrictBool

from sihe.api.base import Strict
from sihe.api.security import authorize
from sihe.catalog.selectors import company_name
from sihe.core import tx
from sihe.ledger import printing, reports, services, voucher_pdf
from sihe.ledger.vat import selectors
from sihe.ledger.vat import services as vat

router = Router(tags=["ledger"])


def _m(value: Decimal) -> str:
    return format(Decimal(value).quantize(Decimal("0.01")), "f")


RELIEF = ("六税两费减半: a small-scale taxpayer's 城建税, 教育费附加 and 地方教育附加 at half rate in the periods of "
          "财政部 税务总局公告2023年第12号 (2023-01 … 2027-12); no effect for a general taxpayer. On by default")


class TaxProfileOut(Schema):
    taxpayer_type: Literal["general", "small"]
    levy_rate: str = Field(..., description="征收率 of a small-scale taxpayer, e.g. 0.01")
    location: Literal["city", "town", "other"] = Field(..., description="城建税 7% / 5% / 1%")
    city_tax_rate: str
    education_rate: str
    local_education_rate: str
    surcharge_relief: bool = Field(..., description=RELIEF)
    chief_accountant: str
    cashier: str


def _profile_out(p) -> dict:
    return {"taxpayer_type": p.taxpayer_type, "levy_rate": f"{p.levy_rate:.2f}", "location": p.location,
            "city_tax_rate": f"{p.city_tax_rate:.2f}", "education_rate": f"{p.education_rate:.2f}",
            "local_education_rate": f"{p.local_education_rate:.2f}", "surcharge_relief": p.surcharge_relief,
            "chief_accountant": p.chief_accountant, "cashier": p.cashier}


class TaxProfileIn(Strict):
    taxpayer_type: Literal["general", "small"] | None = Field(
        None, description="small folds the 应交增值税 专栏 into one account (only before any VAT is posted)")
    levy_rate: Literal["0.01", "0.03", "0.05"] | None = None
    location: Literal["city", "town", "other"] | None = None
    surcharge_relief: StrictBool | None = Field(None, description=RELIEF)
    chief_accountant: str | None = Field(None, max_length=60)
    cashier: str | None = Field(None, max_length=60)


@router.get("/ledger/tax-profile", response=TaxProfileOut, summary="The company's VAT position (纳税人类型)")
def get_profile(request):
    authorize(request, "ledger.view")
    return _profile_out(selectors.profile())


@router.put("/ledger/tax-profile", response=TaxProfileOut,
            summary="Set the taxpayer type, levy rate, location, surcharge relief")
def put_profile(request, payload: TaxProfileIn):
    actor = authorize(request, "ledger.close")
    with tx.entry():
        p = vat.set_tax_profile(actor=actor, **payload.model_dump(exclude_none=True))
    return _profile_out(p)


class SurchargesOut(Schema):
    uct_payable: str = Field(..., description="城市维护建设税")
    edu_payable: str = Field(..., description="教育费附加")
    local_edu_payable: str = Field(..., description="地方教育附加")


class VatMonthOut(Schema):
    period: str
    taxpayer_type: str
    output: str | None = Field(None, description="销项税额 of the month")
    input: str | None = Field(None, description="进项税额 certified in the month")
    input_transferred_out: str | None = Field(None, description="进项税额转出")
    pending_input: str | None = Field(None, description="专票 input VAT booked to 待认证进项税额 this month")
    carried_out: str | None = Field(None, description="转出未交增值税 booked")
    to_carry_out: str | None = Field(None, description="left in 应交增值税 to carry out")
    credit_carried_forward: str | None = Field(None, description="留抵: input VAT carried to next month")
    surcharge_base: str
    surcharge_relief: bool = Field(False, description="the month's surcharges are halved (六税两费减半征收)")
    surcharges_due: SurchargesOut
    surcharges_accrued: SurchargesOut
    surcharges_to_accrue: SurchargesOut


def _month_out(month: dict) -> dict:
    out = {}
    for key, value in month.items():
        if isinstance(value, Decimal):
            out[key] = _m(value)
        elif isinstance(value, dict):
            out[key] = {k: _m(v) for k, v in value.items()}
        else:
            out[key] = value
    return out


@router.get("/ledger/vat/{period}", response=VatMonthOut, summary="One month's VAT (增值税月末)")
def vat_month(request, period: str):
    authorize(request, "ledger.view")
    return _month_out(selectors.month(services.parse_period(period)))


class VatActOut(Schema):
    period: str
    voucher: str | None = Field(None, description="the voucher booked (记-0012), none when nothing was due")
    voucher_id: int | None = None
    month: VatMonthOut


def _act_out(code: str, voucher) -> dict:
    return {"period": code, "voucher": voucher.display_number if voucher else None,
            "voucher_id": voucher.pk if voucher else None, "month": _month_out(selectors.month(code))}


@router.post("/ledger/vat/{period}/carry-out", response=VatActOut, summary="转出未交增值税 for the month")
def carry_out(request, period: str):
    actor = authorize(request, "ledger.close")
    with tx.entry():
        done = vat.carry_out_vat(period=period, actor=actor)
    return _act_out(done["period"], done["voucher"])


@router.post("/ledger/vat/{period}/surcharges", response=VatActOut, summary="计提附加税 on the month's VAT")
def surcharges(request, period: str):
    actor = authorize(request, "ledger.close")
    with tx.entry():
        done = vat.accrue_surcharges(period=period, actor=actor)
    return _act_out(done["period"], done["voucher"])


class InputTransferIn(Strict):
    date: datetime.date
    amount: Decimal = Field(..., gt=0, max_digits=16, decimal_places=2)
    reason: Literal["abnormal_loss", "welfare", "non_deductible", "other"]
    account: str = Field("", max_length=40, description="the debit account; by default 1901 for an abnormal loss, "
                                                        "5401 for exempt use")
    note: str = Field("", max_length=200, description="required for reason other")
    partner: str | None = Field(None, max_length=40)
    department: str | None = Field(None, max_length=40)
    project: str | None = Field(None, max_length=40)
    warehouse: str | None = Field(None, max_length=40)


class InputTransferOut(Schema):
    id: int
    date: datetime.date
    amount: str
    reason: str
    note: str
    account: str
    voucher_id: int | None


@router.post("/ledger/input-vat-transfers", response={201: InputTransferOut}, summary="进项税额转出 with its reason")
def input_transfer(request, payload: InputTransferIn):
    actor = authorize(request, "ledger.post")
    dims = {d: getattr(payload, d) for d in ("partner", "department", "project", "warehouse") if getattr(payload, d)}
    with tx.entry():
        r = vat.transfer_out_input_vat(date=payload.date, amount=payload.amount, reason=payload.reason, actor=actor,
                                       account=payload.account, note=payload.note, dimensions=dims)
    return 201, {"id": r.pk, "date": r.date, "amount": _m(r.amount), "reason": r.reason, "note": r.note,
                 "account": r.account, "voucher_id": r.voucher_id}


# -- the printed voucher --------------------------------------------------------------------------


def _pdf(vouchers, paper: str, name: str) -> HttpResponse:
    body = voucher_pdf.render_vouchers(vouchers, paper=paper, company=company_name(),
                                       signatures=selectors.signatures())
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


class RangeQuery(Schema):
    period: str = Field(..., description="YYYY-MM")
    from_: int | None = Field(None, alias="from", ge=1, description="first voucher number")
    to: int | None = Field(None, ge=1, description="last voucher number")
    word: Literal["记", "收", "付", "转"] | None = None
    paper: Literal["a4", "voucher"] = Field("a4", description="A4, or 241×140 mm voucher paper")


@router.get("/vouchers/pdf", summary="Print a period's vouchers by number range (one PDF, one voucher per sheet)")
def vouchers_pdf(request, q: Query[RangeQuery]):
    authorize(request, "ledger.view")
    code = services.parse_period(q.period)
    found = printing.voucher_range(period=code, start=q.from_, end=q.to, word=q.word or "")
    return _pdf(found, q.paper, f"vouchers-{code}-{q.from_ or 1}-{q.to or 'end'}")


@router.get("/vouchers/{voucher_id}/pdf", summary="Print one voucher (记账凭证)")
def voucher_pdf_one(request, voucher_id: int, paper: Literal["a4", "voucher"] = "a4"):
    authorize(request, "ledger.view")
    v = reports.voucher_by_id(voucher_id)
    return _pdf([v], paper, f"voucher-{v.period.code}-{v.display_number}")
