"""Ledger acts that wait for a second person: reopening a closed period (反结账) asked by an accountant and
granted by a manager, and a draft voucher sent back to its maker instead of reviewed (审核)."""

from django.db.models import Q, Sum
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from sihe.core import audit, tx
from sihe.core.actor import Actor
from sihe.core.approvals import Item
from sihe.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from sihe.core.models import AuditEntry
from sihe.core.outbox import emit
from sihe.ledger import services as ledger
from sihe.ledger.approvals.models import ReopenRequest, VoucherReturn
from sihe.ledger.models import Period, Voucher

REOPEN, VOUCHER = "period_reopen", "voucher_review"


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# -- period reopen ---------------------------------------------------------------------------------


def request_reopen(*, period: str, actor: Actor, reason: str) -> ReopenRequest:
    """An accountant asks to reopen a closed period; a manager grants it (`approve_reopen`)."""
    code = ledger.parse_period(period)
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationFailed(_("give the reason for reopening %(period)s") % {"period": code}, field="reason",
                               code="reason_required")
    with tx.act():
        found = Period.objects.select_for_update().filter(code=code).first()
        if found is None or not found.is_closed:
            raise InvalidTransition(_("period %(period)s is not closed") % {"period": code}, field="period",
                                    code="period_open")
        if ReopenRequest.objects.filter(period=code, status=ReopenRequest.Status.PENDING).exists():
            raise Conflict(_("reopening %(period)s is already asked for") % {"period": code}, field="period",
                           code="already_requested")
        request = ReopenRequest.objects.create(period=code, reason=reason[:200], requested_by=actor.username,
                                               requested_by_id=actor.user_id, requested_at=actor.at)
        audit.record_created(request, actor=actor, fields=["period", "reason"])
        emit("ledger.period.reopen_requested", aggregate_type="ledger.period", aggregate_id=code, actor=actor,
             payload={"period": code, "reason": reason[:200], "request": request.pk})
        return request


def _pending_request(pk) -> ReopenRequest:
    request = ReopenRequest.objects.select_for_update().filter(pk=int(pk) if str(pk).isdigit() else None).first()
    if request is None:
        raise NotFound(_("no reopen request %(id)s") % {"id": pk}, field="id")
    if request.status != ReopenRequest.Status.PENDING:
        raise InvalidTransition(_("the reopen request for %(p)s is already %(s)s")
                                % {"p": request.period, "s": request.get_status_display()}, field="status")
    return request


def _not_requester(request: ReopenRequest, actor: Actor) -> None:
    same = (request.requested_by_id is not None and request.requested_by_id == actor.user_id) or (
        request.requested_by_id is None and request.requested_by == actor.username)
    if same:
        raise Conflict(_("%(u)s asked to reopen %(p)s; another person must decide") % {"u": actor.username,
                                                                                       "p": request.period},
                       field="decided_by", code="decider_is_requester")


def _decide(request: ReopenRequest, status: str, actor: Actor, note: str) -> ReopenRequest:
    before = audit.snapshot(request, ["status", "decided_by", "note"])
    request.status, request.decided_by, request.decided_at, request.note = status, actor.username, actor.at, note[:300]
    request.save(update_fields=["status", "decided_by", "decided_at", "note"])
    audit.record_changes(request, actor=actor, before=before, action=f"reopen.{status}")
    return request


def approve_reopen(*, request: int | str, actor: Actor, note: str = "") -> ReopenRequest:
    """Another person grants the request: the period is reopened by `ledger.services.reopen_period` (its rules
    — closed, latest first — apply) in the same act, the reason naming both."""
    with tx.act():
        found = _pending_request(request)
        _not_requester(found, actor)
        reason = f"{found.reason}（{found.requested_by} → {actor.username}{'：' + note if note else ''}）"
        ledger.reopen_period(period=found.period, actor=actor, reason=reason[:200])
        return _decide(found, ReopenRequest.Status.APPROVED, actor, note)


def refuse_reopen(*, request: int | str, actor: Actor, note: str) -> ReopenRequest:
    note = str(note or "").strip()
    if not note:
        raise ValidationFailed(_("say why you refuse"), field="note", code="note_required")
    with tx.act():
        found = _pending_request(request)
        _not_requester(found, actor)
        found = _decide(found, ReopenRequest.Status.REFUSED, actor, note)
        emit("ledger.period.reopen_refused", aggregate_type="ledger.period", aggregate_id=found.period, actor=actor,
             payload={"period": found.period, "note": note[:300], "request": found.pk})
        return found


def reopen_pending(actor: Actor) -> list[Item]:
    rows = ReopenRequest.objects.filter(status=ReopenRequest.Status.PENDING)
    if actor.user_id is not None:
        rows = rows.exclude(requested_by_id=actor.user_id)
    rows = rows.exclude(requested_by_id__isnull=True, requested_by=actor.username)
    return [Item(kind=REOPEN, id=str(r.pk), number=r.period,
                 title=_("Reopen period %(p)s") % {"p": r.period}, detail=r.reason, since=r.requested_at,
                 requested_by=r.requested_by, url=_url("web_ledger:close") + f"?period={r.period}") for r in rows]


def reopen_approve(pk: str, *, actor: Actor, note: str = "") -> ReopenRequest:
    return approve_reopen(request=pk, actor=actor, note=note)


def reopen_refuse(pk: str, *, actor: Actor, note: str) -> ReopenRequest:
    return refuse_reopen(request=pk, actor=actor, note=note)


# -- voucher review ------------------------------------------------------------------------------


def _voucher(pk) -> Voucher:
    voucher = Voucher.objects.filter(pk=int(pk) if str(pk).isdigit() else None).first()
    if voucher is None:
        raise NotFound(_("no voucher %(id)s") % {"id": pk}, field="id")
    return voucher


def return_voucher(*, voucher: Voucher, actor: Actor, note: str) -> VoucherReturn:
    """Send a draft back to its maker instead of reviewing it: the same person rules as 审核 (not the maker,
    a draft only); it leaves the review queue until its maker changes it."""
    note = str(note or "").strip()
    if not note:
        raise ValidationFailed(_("say why the voucher goes back"), field="note", code="note_required")
    with tx.act():
        voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
        if voucher.status != Voucher.Status.DRAFT:
            raise InvalidTransition(_("voucher %(v)s is %(status)s; only a draft can be reviewed")
                                    % {"v": voucher, "status": voucher.get_status_display()}, field="status")
        if (voucher.made_by_id is not None and voucher.made_by_id == actor.user_id) or (
                voucher.made_by_id is None and voucher.made_by == actor.username):
            raise Conflict(_("%(u)s made voucher %(v)s; another person must review it")
                           % {"u": actor.username, "v": voucher}, field="reviewed_by", code="reviewer_is_maker")
        row = VoucherReturn.objects.create(voucher_id=voucher.pk, note=note[:300], returned_by=actor.username,
                                           returned_at=actor.at)
        audit.record_act(voucher, actor=actor, action="return", detail=note[:200])
        emit("ledger.voucher.returned", aggregate_type="ledger.voucher", aggregate_id=voucher.pk, actor=actor,
             payload={"voucher": voucher.pk, "note": note[:300], "made_by": voucher.made_by})
        return row


def _returned_ids(ids: list[int]) -> set[int]:
    """Drafts sent back and not changed by anyone since (an edit puts a voucher back in the queue)."""
    last_return: dict[int, object] = {}
    for vid, at in VoucherReturn.objects.filter(voucher_id__in=ids).values_list("voucher_id", "returned_at"):
        last_return[vid] = max(at, last_return.get(vid, at))
    if not last_return:
        return set()
    edited: dict[int, object] = {}
    for oid, at in (AuditEntry.objects.filter(object_type=Voucher._meta.label_lower,
                                              object_id__in=[str(v) for v in last_return])
                    .exclude(action__in=["return", "review"]).values_list("object_id", "at")):
        edited[int(oid)] = max(at, edited.get(int(oid), at))
    return {vid for vid, at in last_return.items() if vid not in edited or edited[vid] <= at}


def voucher_pending(actor: Actor) -> list[Item]:
    rows = (Voucher.objects.filter(status=Voucher.Status.DRAFT)
            .exclude(Q(made_by_id__isnull=False, made_by_id=actor.user_id)
                     | Q(made_by_id__isnull=True, made_by=actor.username))
            .select_related("period").annotate(total=Sum("lines__debit")).order_by("created_at", "id")[:500])
    rows = list(rows)
    returned = _returned_ids([v.pk for v in rows])
    return [Item(kind=VOUCHER, id=str(v.pk), number=v.display_number,
                 title=_("Voucher %(v)s dated %(d)s") % {"v": v.display_number, "d": v.date.isoformat()},
                 detail=v.memo, amount=v.total, since=v.created_at, requested_by=v.made_by,
                 url=_url("web_ledger:voucher", v.pk)) for v in rows if v.pk not in returned]


def voucher_approve(pk: str, *, actor: Actor, note: str = "") -> Voucher:
    with tx.act():
        voucher = ledger.review_voucher(voucher=_voucher(pk), actor=actor)
        if note:
            audit.record_act(voucher, actor=actor, action="review", detail=note[:200])
        return voucher


def voucher_refuse(pk: str, *, actor: Actor, note: str) -> VoucherReturn:
    return return_voucher(voucher=_voucher(pk), actor=actor, note=note)
