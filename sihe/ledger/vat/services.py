"""The VAT month-end acts (keyword-only, actor explicit, one `tx.act()` each):

- `carry_out_vat`: 转出未交增值税 — when the 应交增值税 专栏 end the month with a credit balance (销项 +
  进项税额转出 − 进项 − …), Dr 应交增值税—转出未交增值税 / Cr 应交税费—未交增值税 for it, which leaves 应交增值税
  at zero. A debit balance is 留抵 (input VAT carried forward): nothing is booked and next month's
  carry-out is reckoned net of it, because the balance is cumulative.
- `accrue_surcharges`: 计提附加税 on the month's VAT payable — Dr 税金及附加 / Cr 应交城市维护建设税 (7% / 5% / 1%
  by location), 应交教育费附加 (3%), 应交地方教育附加 (2%); a second run books only what is still missing. A
  小规模纳税人 that claims the 六税两费 relief pays each at half in the relief's window (`models.SURCHARGE_RELIEFS`):
  the amounts are halved and the 摘要 says 减半征收.
- `transfer_out_input_vat`: 进项税额转出 with its reason — Dr the account that bears the loss (1901 待处理财产损溢
  for an abnormal loss, 2211 for welfare, 5401 for exempt use, or one the accountant names) / Cr 应交增值税—进项税额转出.
- `set_tax_profile`: 一般纳税人 ↔ 小规模纳税人 (a 小规模 company keeps 应交增值税 as one account: the 专栏 are
  folded into it while nothing has been posted to them, and the posting rules that pointed to a 专栏
  point to 应交增值税; switching back restores both), the 征收率, the location and the 六税两费 relief.

The vouchers are system vouchers posted at once (as 结转损益 is): their content is computed from the
books by a fixed rule, approved by the close procedure, `reviewed_by` = "月末计税 vat".
"""

import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from sihe.core import audit, tx
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, ValidationFailed
from sihe.core.money import money
from sihe.core.outbox import emit
from sihe.ledger import close
from sihe.ledger import services as ledger
from sihe.ledger.chart import CHART
from sihe.ledger.models import Account, Balance, OpeningBalance, PostingRuleLine, VoucherLine
from sihe.ledger.vat import selectors
from sihe.ledger.vat.models import InputVatTransfer, TaxProfile

ZERO = Decimal("0.00")
APPROVED = "月末计税 vat"
SURCHARGE_NAMES = {"uct_payable": ("城市维护建设税", "城建税"), "edu_payable": ("教育费附加",),
                   "local_edu_payable": ("地方教育附加", "教育费附加")}
# the 税金及附加 sub-account a surcharge is booked to, by the role its 利润表 其中 line reads (02表 lines 6 and 10)
SURCHARGE_EXPENSE_ROLES = {"uct_payable": "tax_urban_construction", "edu_payable": "tax_education_surcharge",
                           "local_edu_payable": "tax_education_surcharge"}
INPUT_OUT_ACCOUNTS = {"abnormal_loss": "pending_loss", "welfare": None, "non_deductible": "cogs", "other": None}


def _general(what: str) -> TaxProfile:
    profile = selectors.profile()
    if not profile.is_general:
        raise Conflict(_("%(what)s is for a general VAT taxpayer; the company is a small-scale taxpayer")
                       % {"what": what}, field="taxpayer_type", code="not_general_taxpayer")
    return profile


def _post(*, period: str, date: datetime.date, lines: list[dict], actor: Actor, memo: str, rule: str,
          source_id: str):
    return ledger._create_posted(date=date, lines=lines, actor=actor, word="记", memo=memo,
                                 source_type=selectors.SOURCE_TYPE, source_id=source_id, rule=rule,
                                 approved_by=APPROVED)


def carry_out_vat(*, period: str, actor: Actor) -> dict:
    """转出未交增值税 for `period` (last day of the month). Returns the month's figures and the voucher."""
    code = ledger.parse_period(period)
    _general(_("carrying out unpaid VAT"))
    with tx.act():
        vat = selectors.vat_account()
        balance = selectors.credit_balance(vat, code)
        voucher = None
        if balance > 0:
            lines = [
                {"account": Account.objects.get(role="vat_transfer_out"), "debit": balance,
                 "summary": f"{code} 转出未交增值税"},
                {"account": Account.objects.get(role="vat_unpaid"), "credit": balance,
                 "summary": f"{code} 转出未交增值税"},
            ]
            voucher = _post(period=code, date=close.last_day(code), lines=lines, actor=actor,
                            memo=f"{code} 转出未交增值税", rule=selectors.CARRY_OUT_RULE, source_id=code)
        elif balance < 0 and selectors.carried_out(code) > 0:
            raise Conflict(_("%(period)s: VAT carried out this month exceeds what was payable (input VAT %(credit)s "
                             "is left over); reverse the carry-out voucher and carry out again")
                           % {"period": code, "credit": -balance}, field="period", code="vat_over_carried")
        emit("ledger.vat.carried_out", aggregate_type="ledger.period", aggregate_id=code, actor=actor,
             payload={"period": code, "amount": str(max(balance, ZERO)), "credit_carried_forward": str(max(-balance, ZERO)),
                      "voucher": voucher.display_number if voucher else None})
    return {"period": code, "amount": max(balance, ZERO), "credit_carried_forward": max(-balance, ZERO),
            "voucher": voucher}


def _expense_account(role: str) -> Account:
    """The 税金及附加 sub-account of this surcharge: by the role the 利润表 line reads (5403.03 城市维护建设税 for
    城建税, 5403.07 教育费附加、地方教育附加 for both education surcharges), else by name under 税金及附加."""
    found = Account.objects.filter(role=SURCHARGE_EXPENSE_ROLES[role]).first()
    if found is not None and found.is_leaf and found.active:
        return found
    head = found or (Account.objects.filter(role__in=("taxes_and_surcharges", "taxes_surcharges")).first()
                     or Account.objects.get(code="5403"))
    if head.is_leaf:
        return head
    leaves = list(Account.objects.filter(code__startswith=f"{head.code}.", is_leaf=True, active=True).order_by("code"))
    for name in SURCHARGE_NAMES[role]:
        for leaf in leaves:
            if name in leaf.name:
                return leaf
    if not leaves:
        raise ValidationFailed(_("税金及附加 has no sub-account to post to"), field="account", code="not_leaf")
    return leaves[0]


def accrue_surcharges(*, period: str, actor: Actor) -> dict:
    """计提附加税 on the month's VAT payable; books only what the month's base calls for beyond what is booked."""
    code = ledger.parse_period(period)
    with tx.act():
        missing = {role: amount for role, amount in selectors.month(code)["surcharges_to_accrue"].items() if amount}
        if any(amount < 0 for amount in missing.values()):
            raise Conflict(_("%(period)s: more surcharge is booked than the month's VAT calls for; reverse the "
                             "surcharge voucher and accrue again") % {"period": code}, field="period",
                           code="surcharges_over_accrued")
        voucher = None
        relief = selectors.surcharge_relief(code)
        note = "（六税两费减半征收）" if relief else ""
        if missing:
            labels = {"uct_payable": "城市维护建设税", "edu_payable": "教育费附加", "local_edu_payable": "地方教育附加"}
            lines = []
            for role, amount in missing.items():
                lines.append({"account": _expense_account(role), "debit": amount,
                              "summary": f"{code} 计提{labels[role]}{note}"})
            for role, amount in missing.items():
                lines.append({"account": Account.objects.get(role=role), "credit": amount,
                              "summary": f"{code} 计提{labels[role]}{note}"})
            voucher = _post(period=code, date=close.last_day(code), lines=lines, actor=actor,
                            memo=f"{code} 计提附加税{note}", rule=selectors.SURCHARGE_RULE, source_id=code)
        emit("ledger.vat.surcharges_accrued", aggregate_type="ledger.period", aggregate_id=code, actor=actor,
             payload={"period": code, "amounts": {k: str(v) for k, v in missing.items()}, "relief": relief,
                      "voucher": voucher.display_number if voucher else None})
    return {"period": code, "amounts": missing, "relief": relief, "voucher": voucher}


def transfer_out_input_vat(*, date, amount, reason: str, actor: Actor, account: str = "", note: str = "",
                           dimensions: dict | None = None) -> InputVatTransfer:
    """进项税额转出: input VAT already deducted that may not be (lost goods, welfare, exempt use)."""
    _general(_("transferring out input VAT"))
    date = ledger._parse_date(date)
    amount = money(amount, field="amount")
    if amount <= 0:
        raise ValidationFailed(_("the amount must be positive"), field="amount")
    if reason not in InputVatTransfer.Reason.values:
        raise ValidationFailed(_("the reason must be one of %(r)s") % {"r": ", ".join(InputVatTransfer.Reason.values)},
                               field="reason")
    note = (note or "").strip()[:200]
    if reason == InputVatTransfer.Reason.OTHER and not note:
        raise ValidationFailed(_("say why the input VAT is transferred out"), field="note", code="reason_required")
    code = str(account or "").strip()
    if code:
        target = Account.objects.filter(code=code).first()
        if target is None:
            raise ValidationFailed(_("unknown account %(code)r") % {"code": code}, field="account",
                                   code="unknown_account")
    elif INPUT_OUT_ACCOUNTS[reason]:
        target = Account.objects.get(role=INPUT_OUT_ACCOUNTS[reason])
    else:
        raise ValidationFailed(_("name the account that bears the input VAT"), field="account")
    label = str(InputVatTransfer.Reason(reason).label)
    summary = f"进项税额转出 {note or label}"[:200]
    dims = {k: str(v) for k, v in (dimensions or {}).items() if v}
    with tx.act():
        record = InputVatTransfer.objects.create(date=date, amount=amount, reason=reason, note=note, account=target.code,
                                                 created_by=actor.username, created_at=actor.at)
        lines = [{"account": target, "debit": amount, "summary": summary,
                  **{d: dims.get(d, "") for d in target.dimensions}},
                 {"account": Account.objects.get(role="vat_input_out"), "credit": amount, "summary": summary}]
        voucher = _post(period=ledger.period_of(date), date=date, lines=lines, actor=actor, memo=summary,
                        rule=selectors.INPUT_OUT_RULE, source_id=str(record.pk))
        record.voucher_id = voucher.pk
        record.save(update_fields=["voucher_id"])
        audit.record_created(record, actor=actor, fields=["date", "amount", "reason", "note", "account"])
        emit("ledger.vat.input_transferred_out", aggregate_type="ledger.vat.input_out", aggregate_id=record.pk,
             actor=actor, payload={"id": record.pk, "date": date.isoformat(), "amount": str(amount), "reason": reason,
                                   "voucher": voucher.display_number})
    return record


# -- taxpayer type --------------------------------------------------------------------------------

COLUMN_ROLE = "vat_transfer_out"


def _columns_in_use(vat: Account) -> bool:
    under = Q(account__code__startswith=f"{vat.code}.")
    return (Balance.objects.filter(under).exists() or OpeningBalance.objects.filter(under).exists()
            or VoucherLine.objects.filter(under).exists())


def _fold_columns(profile: TaxProfile) -> None:
    vat = selectors.vat_account()
    if _columns_in_use(vat):
        raise Conflict(_("the 应交增值税 columns already hold postings: a company becomes small-scale before its "
                         "first VAT posting"), field="taxpayer_type", code="vat_columns_in_use")
    folded = {}
    for line in PostingRuleLine.objects.filter(account__code__startswith=f"{vat.code}.").select_related("account"):
        folded[str(line.pk)] = line.account.code
        line.account = vat
        line.save(update_fields=["account"])
    Account.objects.filter(code__startswith=f"{vat.code}.").delete()
    vat.is_leaf, vat.role = True, "vat_payable"
    vat.save(update_fields=["is_leaf", "role"])
    profile.folded_rule_lines = folded


def _unfold_columns(profile: TaxProfile) -> None:
    vat = Account.objects.get(role="vat_payable")
    if Balance.objects.filter(account=vat).exists() or OpeningBalance.objects.filter(account=vat).exists() \
            or VoucherLine.objects.filter(account=vat).exists():
        raise Conflict(_("应交增值税 already holds postings of the small-scale taxpayer"), field="taxpayer_type",
                       code="vat_columns_in_use")
    vat.is_leaf, vat.role = False, ""
    vat.save(update_fields=["is_leaf", "role"])
    made = {}
    for code, name, name_en, category, direction, options in CHART:
        if code.startswith(f"{vat.code}."):
            made[code] = Account.objects.create(code=code, name=name, name_en=name_en, category=category,
                                                direction=direction, parent=vat, level=code.count(".") + 1, **options)
    for line_id, code in (profile.folded_rule_lines or {}).items():
        if code in made:
            PostingRuleLine.objects.filter(pk=int(line_id), account=vat).update(account=made[code])
    profile.folded_rule_lines = {}


def set_tax_profile(*, actor: Actor, taxpayer_type: str | None = None, levy_rate=None, location: str | None = None,
                    chief_accountant: str | None = None, cashier: str | None = None,
                    surcharge_relief: bool | None = None) -> TaxProfile:
    """`surcharge_relief`: the 六税两费 half rate on the 附加税 (on by default; it applies to a 小规模纳税人 only, and only
    in the periods of `models.SURCHARGE_RELIEFS`)."""
    with tx.act():
        profile = TaxProfile.objects.select_for_update().filter(pk=1).first() or TaxProfile(pk=1)
        fields = ["taxpayer_type", "levy_rate", "location", "surcharge_relief", "chief_accountant", "cashier"]
        before = audit.snapshot(profile, fields) if profile.updated_at else {}
        if taxpayer_type is not None and taxpayer_type not in TaxProfile.TaxpayerType.values:
            raise ValidationFailed(_("the taxpayer type must be general or small"), field="taxpayer_type")
        if location is not None and location not in TaxProfile.Location.values:
            raise ValidationFailed(_("the location must be city, town or other"), field="location")
        if surcharge_relief is not None and not isinstance(surcharge_relief, bool):
            raise ValidationFailed(_("the surcharge relief must be true or false"), field="surcharge_relief")
        if levy_rate is not None:
            rate = Decimal(str(levy_rate))
            if rate not in (Decimal("0.01"), Decimal("0.03"), Decimal("0.05")):
                raise ValidationFailed(_("the levy rate must be 1%, 3% or 5%"), field="levy_rate")
            profile.levy_rate = rate
        if location is not None:
            profile.location = location
        if surcharge_relief is not None:
            profile.surcharge_relief = surcharge_relief
        if chief_accountant is not None:
            profile.chief_accountant = str(chief_accountant).strip()[:60]
        if cashier is not None:
            profile.cashier = str(cashier).strip()[:60]
        if taxpayer_type is not None and taxpayer_type != profile.taxpayer_type:
            if taxpayer_type == TaxProfile.TaxpayerType.SMALL:
                _fold_columns(profile)
            else:
                _unfold_columns(profile)
            profile.taxpayer_type = taxpayer_type
        profile.updated_by, profile.updated_at = actor.username, actor.at
        profile.save()
        if before:
            audit.record_changes(profile, actor=actor, before=before)
        else:
            audit.record_created(profile, actor=actor, fields=fields)
    return profile
