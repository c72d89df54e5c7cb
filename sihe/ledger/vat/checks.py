"""Month-end checks of VAT: for a 一般纳税人 nothing left in 应交增值税 to carry out and the 附加税 of the month's
VAT accrued. A 小规模纳税人 has nothing to carry out (one account) and files by the quarter: its 附加税 may be
accrued month by month or at the quarter's end, and the close of the quarter's last month refuses while any
month of the quarter has some left to accrue. Under the 六税两费 relief the figures are the halved ones and the text
says so."""

from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sihe.core.money import format_cny
from sihe.ledger.close import register_check
from sihe.ledger.vat import selectors


def vat_carried_out(period: str) -> tuple[bool, str]:
    month = selectors.month(period)
    if not month["general"]:
        return True, gettext("small-scale taxpayer: 应交增值税 is one account, nothing to carry out")
    if month["to_carry_out"] > 0:
        return False, gettext("应交增值税 has %(amount)s not carried out to 未交增值税") % {
            "amount": format_cny(month["to_carry_out"])}
    if month["credit_carried_forward"] and month["carried_out"] > 0:
        return False, gettext("more VAT was carried out than was payable: reverse the carry-out and carry out again")
    if month["carried_out"]:
        return True, gettext("carried out %(amount)s (%(vouchers)s)") % {
            "amount": format_cny(month["carried_out"]), "vouchers": ", ".join(month["carry_out_vouchers"])}
    if month["credit_carried_forward"]:
        return True, gettext("input VAT %(amount)s carried forward (留抵)") % {
            "amount": format_cny(month["credit_carried_forward"])}
    return True, gettext("no VAT payable this month")


def _halved(text: str, months: list[dict]) -> str:
    """The check's text, with a note when the figures are the 六税两费 halved ones."""
    if any(m["surcharge_relief"] for m in months):
        return "{} · {}".format(text, gettext("halved: 六税两费减半征收"))
    return text


def vat_surcharges(period: str) -> tuple[bool, str]:
    month = selectors.month(period)
    if not month["general"]:
        return _small_scale_surcharges(period)
    missing = {k: v for k, v in month["surcharges_to_accrue"].items() if v}
    if missing:
        return False, _halved(gettext("surcharges on VAT %(base)s not accrued: %(missing)s") % {
            "base": format_cny(month["surcharge_base"]),
            "missing": ", ".join(format_cny(v) for v in missing.values())}, [month])
    if not month["surcharge_base"]:
        return True, gettext("no VAT payable this month")
    return True, _halved(gettext("accrued %(amount)s on VAT %(base)s (%(vouchers)s)") % {
        "amount": format_cny(sum(month["surcharges_accrued"].values())), "base": format_cny(month["surcharge_base"]),
        "vouchers": ", ".join(month["surcharge_vouchers"])}, [month])


def _small_scale_surcharges(period: str) -> tuple[bool, str]:
    last = int(period[5:7])
    if last % 3:
        return True, gettext("small-scale taxpayer: accrued by the quarter's last month")
    months = [selectors.month(f"{period[:4]}-{m:02d}") for m in range(last - 2, last + 1)]
    missing = sum((v for m in months for v in m["surcharges_to_accrue"].values() if v), Decimal(0))
    base = sum((m["surcharge_base"] for m in months), Decimal(0))
    if missing:
        return False, _halved(gettext("surcharges on the quarter's VAT %(base)s not accrued: %(missing)s") % {
            "base": format_cny(base), "missing": format_cny(missing)}, months)
    if not base:
        return True, gettext("no VAT payable this quarter")
    return True, _halved(gettext("accrued %(amount)s on the quarter's VAT %(base)s") % {
        "amount": format_cny(sum((v for m in months for v in m["surcharges_accrued"].values()), Decimal(0))),
        "base": format_cny(base)}, months)


register_check("vat_carried_out", _("Unpaid VAT carried out (转出未交增值税)"), vat_carried_out)
register_check("vat_surcharges", _("Surcharges on VAT accrued (城建税、教育费附加)"), vat_surcharges)
