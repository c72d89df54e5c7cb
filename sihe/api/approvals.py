"""The approvals inbox over the API: what waits for the caller's decision, from every app, and approve or
refuse one item with a note — each through its app's own services (sihe.core.approvals)."""

import datetime
from decimal import Decimal

from ninja import Field, Router, Schema

from sihe.api.base import Strict
from sihe.api.security import authorize
from sihe.core import approvals, modules, tx
from sihe.ledger.approvals import services as ledger_approvals

router = Router(tags=["approvals"])


class ApprovalItemOut(Schema):
    kind: str = Field(..., description="purchase_order, refund, credit_hold, voucher_review, period_reopen, …")
    kind_label: str
    id: str = Field(..., description="the document's id, for …/approvals/{kind}/{id}/approve|refuse")
    number: str
    title: str
    detail: str
    amount: Decimal | None = Field(None, description="yuan, tax included where the document has tax")
    since: datetime.datetime | None
    requested_by: str
    url: str = Field(..., description="the document's page")


class ApprovalsOut(Schema):
    count: int
    items: list[ApprovalItemOut]


class ApprovalNoteIn(Strict):
    note: str = Field("", max_length=300, description="why; required to refuse")


class ApprovalDecisionOut(Schema):
    kind: str
    id: str
    action: str
    pending: int = Field(..., description="what is still waiting for the caller")


def _out(item: approvals.Item) -> dict:
    kind = approvals.get_kind(item.kind)
    return {**item.__dict__, "kind_label": str(kind.label), "amount": item.amount}


@router.get("/approvals", response=ApprovalsOut, summary="Everything waiting for my approval, oldest first")
def inbox(request, kind: str = ""):
    actor = authorize(request, "approvals.view")
    items = approvals.pending_for(actor, kind=kind or None)
    return {"count": len(items), "items": [_out(i) for i in items]}


_FOUR_EYES = ("Calls the owning app's services, which enforce their rules: the approver's role, four eyes (not "
              "the maker or requester), a note where one is required. 404 `module_disabled` when the kind's module "
              "is off.")


def _decide(request, kind: str, item_id: str, action: str, payload) -> dict:
    actor = authorize(request, "approvals.view")
    with tx.entry():
        approvals.decide(kind, item_id, action, actor=actor, note=payload.note if payload else "")
    return {"kind": kind, "id": item_id, "action": action, "pending": approvals.count_for(actor)}


@router.post("/approvals/{kind}/{item_id}/approve", response=ApprovalDecisionOut, summary="Approve one waiting item",
             description=_FOUR_EYES)
def approve(request, kind: str, item_id: str, payload: ApprovalNoteIn | None = None):
    return _decide(request, kind, item_id, "approve", payload)


@router.post("/approvals/{kind}/{item_id}/refuse", response=ApprovalDecisionOut, summary="Refuse one waiting item, saying why",
             description=_FOUR_EYES)
def refuse(request, kind: str, item_id: str, payload: ApprovalNoteIn):
    return _decide(request, kind, item_id, "refuse", payload)


class ReopenRequestIn(Strict):
    period: str = Field(..., pattern=r"^\d{4}-\d{2}$", description="YYYY-MM, a closed period")
    reason: str = Field(..., min_length=1, max_length=200)


class ReopenRequestOut(Schema):
    id: int
    period: str
    status: str
    requested_by: str


@router.post("/ledger/reopen-requests", response={201: ReopenRequestOut},
             summary="Ask to reopen a closed period (反结账); another person decides in the approvals inbox")
def request_reopen(request, payload: ReopenRequestIn):
    actor = authorize(request, "ledger.close")
    with tx.entry():
        found = ledger_approvals.request_reopen(period=payload.period, actor=actor, reason=payload.reason)
    return 201, {"id": found.pk, "period": found.period, "status": found.status, "requested_by": found.requested_by}


# -- modules -------------------------------------------------------------------------------------------


class ModuleStateOut(Schema):
    code: str
    label: str
    enabled: bool
    requires: list[list[str]]
    description: str


class ModuleSwitchIn(Strict):
    enabled: bool
    confirm: bool = Field(False, description="turn off although the module has open documents")


def _module_out(module: modules.Module, off: set[str]) -> dict:
    return {"code": module.code, "label": str(module.label), "enabled": module.code not in off,
            "requires": [list(g) for g in module.requires], "description": str(module.description)}


@router.get("/modules", response=list[ModuleStateOut], tags=["system"], summary="The modules and whether each is on")
def list_modules(request):
    authorize(request, "catalog.view")
    off = modules.disabled()
    return [_module_out(m, off) for m in modules.all_modules()]


@router.post("/modules/{code}", response=ModuleStateOut, tags=["system"],
             summary="Turn a module on or off (admin); dependencies are enforced",
             description="409 `module_required` / `module_in_use` when a dependency would break; 409 "
                         "`module_has_open_documents` (with `open_documents`) unless `confirm` is true.")
def switch_module(request, code: str, payload: ModuleSwitchIn):
    actor = authorize(request, "users.manage")
    with tx.entry():
        modules.set_enabled(code, payload.enabled, actor=actor, confirm=payload.confirm)
    return _module_out(modules.get(code), modules.disabled())

