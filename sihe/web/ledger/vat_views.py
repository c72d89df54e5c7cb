"""The VAT month-end acts on the close page (转出未交增值税, 计提附加税, 进项税额转出), the tax profile, and the
printed voucher (one, or a period's by number range) — issue 17."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sihe.catalog.selectors import company_name
from sihe.core import tx
from sihe.core.errors import DomainError
from sihe.ledger import printing, reports, services, voucher_pdf
from sihe.ledger.vat import selectors
from sihe.ledger.vat import services as vat
from sihe.web.permissions import require_permission


def _paper(request) -> str:
    return "voucher" if request.GET.get("paper") == "voucher" else "a4"


def _pdf(vouchers, paper: str, name: str) -> HttpResponse:
    body = voucher_pdf.render_vouchers(vouchers, paper=paper, company=company_name(), signatures=selectors.signatures())
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@require_permission("ledger.view")
def voucher_pdf_page(request, pk):
    v = reports.voucher_by_id(pk)
    return _pdf([v], _paper(request), f"voucher-{v.period.code}-{v.display_number}")


def _number(value):
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


@require_permission("ledger.view")
def vouchers_pdf_page(request):
    try:
        period = services.parse_period(request.GET.get("period", ""))
        found = printing.voucher_range(period=period, start=_number(request.GET.get("from")),
                                       end=_number(request.GET.get("to")), word=request.GET.get("word", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("web_ledger:vouchers"))
    return _pdf(found, _paper(request), f"vouchers-{period}")


@require_POST
@require_permission("ledger.close")
def vat_act(request, act):
    period = request.POST.get("period", "")
    try:
        with tx.entry():
            if act == "carry-out":
                done = vat.carry_out_vat(period=period, actor=request.actor)
            elif act == "surcharges":
                done = vat.accrue_surcharges(period=period, actor=request.actor)
            elif act == "input-out":
                record = vat.transfer_out_input_vat(
                    date=request.POST.get("date", ""), amount=request.POST.get("amount", ""),
                    reason=request.POST.get("reason", ""), account=request.POST.get("account", ""),
                    note=request.POST.get("note", ""), actor=request.actor)
                done = {"voucher": reports.voucher_by_id(record.voucher_id)}
            else:
                raise DomainError(_("unknown act"), field="act")
        v = done["voucher"]
        messages.success(request, _("Booked %(v)s.") % {"v": v.display_number} if v else _("Nothing to book."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse('web_ledger:close')}?period={period}")


def _flag(value):
    """A checkbox after its hidden "0": "1" on, "0" off, absent unchanged; anything else goes to the service,
    which refuses it naming the field."""
    return {"1": True, "0": False, None: None}.get(value, value)


@require_permission("ledger.view")
def tax_profile_page(request):
    if request.method == "POST":
        from sihe.core.roles import can

        if not can(request.user, "ledger.close"):
            return render(request, "web/forbidden.html", {"permission": "ledger.close"}, status=403)
        try:
            with tx.entry():
                vat.set_tax_profile(actor=request.actor, taxpayer_type=request.POST.get("taxpayer_type") or None,
                                    levy_rate=request.POST.get("levy_rate") or None,
                                    location=request.POST.get("location") or None,
                                    surcharge_relief=_flag(request.POST.get("surcharge_relief")),
                                    chief_accountant=request.POST.get("chief_accountant"),
                                    cashier=request.POST.get("cashier"))
            messages.success(request, _("Tax profile saved."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(reverse("web_ledger:tax_profile"))
    return render(request, "web_ledger/tax_profile.html", {
        "profile": selectors.profile(), "types": selectors.TaxProfile.TaxpayerType.choices,
        "locations": selectors.TaxProfile.Location.choices})
