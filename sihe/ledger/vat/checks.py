"""Month-end checks of a 一般纳税人's VAT: nothing left in 应交增值税 to carry out, and the 附加税 of the
month's VAT accrued. A 小规模纳税人 has neither step to do (the checks pass and say so)."""

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


def vat_surcharges(period: str) -> tuple[bool, str]:
    month = selectors.month(period)
    if not month["general"]:
        return True, gettext("small-scale taxpayer: not required at month-end")
    missing = {k: v for k, v in month["surcharges_to_accrue"].items() if v}
    if missing:
        return False, gettext("surcharges on VAT %(base)s not accrued: %(missing)s") % {
            "base": format_cny(month["surcharge_base"]),
            "missing": ", ".join(format_cny(v) for v in missing.values())}
    if not month["surcharge_base"]:
        return True, gettext("no VAT payable this month")
    return True, gettext("accrued %(amount)s on VAT %(base)s (%(vouchers)s)") % {
        "amount": format_cny(sum(month["surcharges_accrued"].values())), "base": format_cny(month["surcharge_base"]),
        "vouchers": ", ".join(month["surcharge_vouchers"])}


register_check("vat_carried_out", _("Unpaid VAT carried out (转出未交增值税)"), vat_carried_out)
register_check("vat_surcharges", _("Surcharges on VAT accrued (城建税、教育费附加)"), vat_surcharges)
