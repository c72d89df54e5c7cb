"""Reads of the VAT position: the company's taxpayer type (other wings ask it here) and one month's VAT
figures as the close page and the API show them."""

from decimal import Decimal

from django.db.models import Q, Sum

from sihe.core import sqlrows
from sihe.core.money import round_money
from sihe.ledger.models import Account, Balance, OpeningBalance, VoucherLine
from sihe.ledger.vat.models import InputVatTransfer, TaxProfile  # noqa: F401  (re-exported for the pages)

ZERO = Decimal("0.00")
CARRY_OUT_RULE = "vat.carry_out"
SURCHARGE_RULE = "vat.surcharges"
INPUT_OUT_RULE = "vat.input_out"
SOURCE_TYPE = "ledger.vat"
SURCHARGES = ("uct_payable", "edu_payable", "local_edu_payable")  # roles of the 2221 accounts credited


_PROFILE = f'SELECT {sqlrows.columns(TaxProfile, "t")} FROM "{TaxProfile._meta.db_table}" t WHERE t."id" = %s'


def profile() -> TaxProfile:
    """The company's tax profile; a company that never set one is a 一般纳税人 in a city."""
    found = sqlrows.first(_PROFILE, [1], TaxProfile)  # every invoice asks it (sihe.core.sqlrows)
    return found if found is not None else TaxProfile(pk=1)


# the taxpayer type as a column of another single-row read (the invoice's seller): NULL when no profile was set,
# which `profile()` answers as a 一般纳税人
TAXPAYER_TYPE_COLUMN = f'(SELECT t."taxpayer_type" FROM "{TaxProfile._meta.db_table}" t WHERE t."id" = 1)'


def taxpayer_type() -> str:
    return profile().taxpayer_type


def is_small(taxpayer_type_column: str | None) -> bool:
    """What `TAXPAYER_TYPE_COLUMN` read says."""
    return (taxpayer_type_column or TaxProfile().taxpayer_type) == TaxProfile.TaxpayerType.SMALL


def is_small_scale() -> bool:
    return taxpayer_type() == TaxProfile.TaxpayerType.SMALL


def vat_account() -> Account:
    """应交增值税 (the account holding the 专栏 for a 一般纳税人, a leaf for a 小规模纳税人)."""
    column = Account.objects.filter(role="vat_transfer_out").select_related("parent").first()
    if column is not None:
        return column.parent
    return Account.objects.get(role="vat_payable")


def _subtree(account: Account) -> Q:
    return Q(account=account) | Q(account__code__startswith=f"{account.code}.")


def credit_balance(account: Account, period: str) -> Decimal:
    """Σ credit − Σ debit of `account` and its sub-accounts up to the end of `period` (openings included)."""
    moved = Balance.objects.filter(_subtree(account), period__lte=period).aggregate(d=Sum("debit"), c=Sum("credit"))
    opened = OpeningBalance.objects.filter(_subtree(account)).aggregate(d=Sum("debit"), c=Sum("credit"))
    return round_money(sum(Decimal(x or 0) for x in (moved["c"], opened["c"]))
                       - sum(Decimal(x or 0) for x in (moved["d"], opened["d"])))


def movement(role: str, period: str) -> tuple[Decimal, Decimal]:
    """(Σ debit, Σ credit) posted to the account of `role` within `period` (red lines count negative)."""
    sums = Balance.objects.filter(account__role=role, period=period).aggregate(d=Sum("debit"), c=Sum("credit"))
    return round_money(Decimal(sums["d"] or 0)), round_money(Decimal(sums["c"] or 0))


def _rule_lines(rule: str, period: str):
    return VoucherLine.objects.filter(voucher__period__code=period, voucher__rule=rule, voucher__status="posted")


def carried_out(period: str) -> Decimal:
    """转出未交增值税 booked in `period` (net of red reversals)."""
    debit, credit = movement("vat_transfer_out", period)
    return debit - credit


def surcharge_base(period: str) -> Decimal:
    """The VAT the month's 附加税 are reckoned on: for a 一般纳税人 what is carried out to 未交增值税; for a
    小规模纳税人 the VAT incurred on the month's sales (credited to 应交增值税)."""
    if profile().is_general:  # what is carried out, and what is still to carry out (the check asks before)
        return max(carried_out(period) + max(credit_balance(vat_account(), period), ZERO), ZERO)
    sums = Balance.objects.filter(account__role="vat_payable", period=period).aggregate(c=Sum("credit"))
    return max(round_money(Decimal(sums["c"] or 0)), ZERO)


def surcharge_relief(period: str) -> bool:
    """Whether the month's 附加税 are halved (六税两费: a 小规模纳税人 that claims it, in a relief window)."""
    return profile().relief_in(period) is not None


def surcharges_due(period: str) -> dict[str, Decimal]:
    """role → amount the month's base calls for (城建税 at the location's rate, 教育费附加 3%, 地方教育附加 2%);
    under the 六税两费 relief each is its full amount less the 减征额, as the 附加税费申报表 works it out (应纳税额,
    then 减征额 = 应纳税额 × 50 % rounded half up to the fen in a column of its own): 195.00 × 7 % = 13.65, 减征
    6.825 → 6.83, due 6.82."""
    p = profile()
    base = surcharge_base(period)
    relief = p.relief_in(period)
    due = {"uct_payable": round_money(base * p.city_tax_rate), "edu_payable": round_money(base * p.education_rate),
           "local_edu_payable": round_money(base * p.local_education_rate)}
    if relief:
        due = {role: full - round_money(full * relief.reduction) for role, full in due.items()}
    return due


def surcharges_accrued(period: str) -> dict[str, Decimal]:
    rows = (_rule_lines(SURCHARGE_RULE, period).values("account__role")
            .annotate(c=Sum("credit"), d=Sum("debit")))
    got = {role: ZERO for role in SURCHARGES}
    for row in rows:
        if row["account__role"] in got:
            got[row["account__role"]] = round_money(Decimal(row["c"] or 0) - Decimal(row["d"] or 0))
    return got


def vouchers(rule: str, period: str) -> list[str]:
    seen = (_rule_lines(rule, period).order_by("voucher__number")
            .values_list("voucher__word", "voucher__number").distinct())
    return [f"{word}-{number:04d}" for word, number in seen]


def month(period: str) -> dict:
    """One month's VAT as the accountant reads it before closing."""
    p = profile()
    result = {"period": period, "taxpayer_type": p.taxpayer_type, "general": p.is_general,
              "taxpayer_type_display": str(p.get_taxpayer_type_display())}
    if p.is_general:
        vat = vat_account()
        out_d, out_c = movement("vat_output", period)
        in_d, in_c = movement("vat_input", period)
        tr_d, tr_c = movement("vat_input_out", period)
        pend_d, pend_c = movement("vat_pending_input", period)
        balance = credit_balance(vat, period)
        result.update({
            "output": out_c - out_d, "input": in_d - in_c, "input_transferred_out": tr_c - tr_d,
            "pending_input": pend_d - pend_c, "carried_out": carried_out(period),
            "to_carry_out": max(balance, ZERO), "credit_carried_forward": max(-balance, ZERO),
            "carry_out_vouchers": vouchers(CARRY_OUT_RULE, period),
            "input_out_vouchers": vouchers(INPUT_OUT_RULE, period),
        })
    else:
        result["vat_incurred"] = surcharge_base(period)
    due, accrued = surcharges_due(period), surcharges_accrued(period)
    result.update({"surcharge_base": surcharge_base(period), "surcharge_relief": p.relief_in(period) is not None,
                   "surcharges_due": due, "surcharges_accrued": accrued,
                   "surcharges_to_accrue": {k: due[k] - accrued[k] for k in due},
                   "surcharge_vouchers": vouchers(SURCHARGE_RULE, period)})
    return result


def input_transfers(period: str | None = None):
    qs = InputVatTransfer.objects.all()
    if period:
        year, mon = (int(x) for x in period.split("-"))
        qs = qs.filter(date__year=year, date__month=mon)
    return qs


def signatures():
    """The names a printed voucher carries besides its maker, reviewer and poster."""
    from sihe.ledger.voucher_pdf import Signatures

    p = profile()
    return Signatures(chief_accountant=p.chief_accountant, cashier=p.cashier)
