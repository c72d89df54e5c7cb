"""The audit trail in words people read: acts, object types, fields, values and who did them.

The audit rows keep codes ("post", "wms.picklist.skip", "ledger.voucher", "status" → "posted"); the pages
show them through these tables. An unknown code shows as it is, so a new act is never hidden.
"""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

ACTIONS = {
    "create": pgettext_lazy("audit action", "create"),
    "update": pgettext_lazy("audit action", "update"),
    "delete": pgettext_lazy("audit action", "delete"),
    "post": pgettext_lazy("audit action", "post"),
    "review": pgettext_lazy("audit action", "review"),
    "attach": pgettext_lazy("audit action", "attach a source document"),
    "reverse": pgettext_lazy("audit action", "red reversal"),
    "close": pgettext_lazy("audit action", "close the period"),
    "reopen": pgettext_lazy("audit action", "reopen the period"),
    "close_early": pgettext_lazy("audit action", "close before the month ends"),
    "approve": pgettext_lazy("audit action", "approve"),
    "confirm": pgettext_lazy("audit action", "confirm"),
    "cancel": pgettext_lazy("audit action", "cancel"),
    "count": pgettext_lazy("audit action", "count"),
    "return": pgettext_lazy("audit action", "return to supplier"),
    "add_opening_balances": pgettext_lazy("audit action", "enter opening balances"),
    "import_opening_balances": pgettext_lazy("audit action", "import opening balances"),
    "delivery.retry": pgettext_lazy("audit action", "retry the delivery"),
    "token.create": pgettext_lazy("audit action", "create an API token"),
    "token.revoke": pgettext_lazy("audit action", "revoke an API token"),
    "webhook.delete": pgettext_lazy("audit action", "delete a webhook"),
    "webhook.secret_rotated": pgettext_lazy("audit action", "rotate the webhook secret"),
    "oms.channel.sync": pgettext_lazy("audit action", "channel sync settings"),
    "oms.intake_error.dismiss": pgettext_lazy("audit action", "dismiss an intake error"),
    "oms.mapping.create": pgettext_lazy("audit action", "map a channel SKU"),
    "oms.mapping.update": pgettext_lazy("audit action", "change a SKU mapping"),
    "oms.mapping.delete": pgettext_lazy("audit action", "delete a SKU mapping"),
    "oms.order.address": pgettext_lazy("audit action", "correct the address"),
    "oms.order.cancel": pgettext_lazy("audit action", "cancel the order"),
    "oms.order.hold": pgettext_lazy("audit action", "hold the order"),
    "oms.order.release": pgettext_lazy("audit action", "release the order"),
    "oms.order.settle": pgettext_lazy("audit action", "channel settlement"),
    "oms.order.update": pgettext_lazy("audit action", "order updated by the channel"),
    "stock.reserve": pgettext_lazy("audit action", "reserve stock"),
    "stock.release": pgettext_lazy("audit action", "release a reservation"),
    "stock.confirm": pgettext_lazy("audit action", "confirm the move"),
    "stock.cancel": pgettext_lazy("audit action", "cancel the move"),
    "stock.rule": pgettext_lazy("audit action", "set the low-stock rule"),
    "stock.rule.remove": pgettext_lazy("audit action", "remove the low-stock rule"),
    "stock.unit": pgettext_lazy("audit action", "set an alternate unit"),
    "wms.hold": pgettext_lazy("audit action", "quality hold"),
    "wms.receive_scan": pgettext_lazy("audit action", "receive by scan"),
    "wms.putaway": pgettext_lazy("audit action", "put away"),
    "wms.putaway_rule": pgettext_lazy("audit action", "set the putaway rule"),
    "wms.wave.release": pgettext_lazy("audit action", "release the wave"),
    "wms.picklist.assign": pgettext_lazy("audit action", "assign the picker"),
    "wms.picklist.skip": pgettext_lazy("audit action", "skip a stop"),
    "wms.picklist.release_stops": pgettext_lazy("audit action", "release the stops"),
    "wms.picklist.drop_cancelled": pgettext_lazy("audit action", "drop cancelled orders"),
    "wms.shipment.create": pgettext_lazy("audit action", "create the shipment"),
    "wms.shipment.pick": pgettext_lazy("audit action", "pick"),
    "wms.shipment.short": pgettext_lazy("audit action", "short pick"),
    "wms.shipment.check": pgettext_lazy("audit action", "check"),
    "wms.shipment.parcels": pgettext_lazy("audit action", "pack into parcels"),
}

# Acts named after the state or kind they lead to: "wms.shipment.packed", "wms.wave.done", "stock.receipt".
STATE_ACTIONS = {
    "wms.shipment.": ("wms.shipment", "state", pgettext_lazy("audit action", "shipment %(state)s")),
    "wms.wave.": ("wms_outbound.wave", "state", pgettext_lazy("audit action", "wave %(state)s")),
    "stock.": ("stock.stockmove", "kind", pgettext_lazy("audit action", "stock move: %(state)s")),
}

VIA = {
    "web": pgettext_lazy("audit via", "web"),
    "api": pgettext_lazy("audit via", "API"),
    "admin": pgettext_lazy("audit via", "administration"),
    "cli": pgettext_lazy("audit via", "command line"),
    "worker": pgettext_lazy("audit via", "background job"),
    "system": pgettext_lazy("audit via", "system"),
}

# System actors (Actor.system(name)) and the prefixes of automatic ones.
SYSTEM_USERS = {
    "demo": gettext_lazy("demo data"),
    "system": pgettext_lazy("audit via", "system"),
    "cli": pgettext_lazy("audit via", "command line"),
    "import": gettext_lazy("Excel import"),
}
# Fixed notes some acts store instead of a field's value (a row created by the Excel import).
NOTES = {
    "excel import": gettext_lazy("Excel import"),
}
USER_PREFIXES = {
    "rule:": gettext_lazy("posting rule"),
    "handler:": gettext_lazy("automatic"),
    "webhook:": gettext_lazy("channel push"),
    "cli:": pgettext_lazy("audit via", "command line"),
}


def action_label(code: str) -> str:
    if code in ACTIONS:
        return str(ACTIONS[code])
    for prefix, (model_label, field_name, text) in STATE_ACTIONS.items():
        if code.startswith(prefix):
            value = code[len(prefix):]
            label = choice_label(_model(model_label), field_name, value)
            if label != value:
                return str(text) % {"state": label}
    return code


def via_label(code: str) -> str:
    return str(VIA.get(code, code))


def user_label(username: str) -> str:
    """A person's username as it is; a system actor in words ("rule:stock.receipt" → 凭证模板 stock.receipt)."""
    if username in SYSTEM_USERS:
        return str(SYSTEM_USERS[username])
    for prefix, label in USER_PREFIXES.items():
        if username.startswith(prefix):
            return f"{label} {username[len(prefix):]}"
    return username


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def field_label(model, name: str) -> str:
    if not name:
        return ""
    if model is None:
        return name
    try:
        verbose = getattr(model._meta.get_field(name), "verbose_name", name)
    except FieldDoesNotExist:
        return name
    # A field without its own verbose name (a ForeignKey's "warehouse") is looked up in the catalogs too.
    return _(str(verbose))


def choice_label(model, name: str, value):
    """The label of a coded value ("posted" → 已过账); anything else as it is."""
    if model is None or value is None or not name:
        return value
    try:
        choices = getattr(model._meta.get_field(name), "flatchoices", None)
    except FieldDoesNotExist:
        return value
    for code, label in choices or ():
        if str(code) == value:
            return str(label)
    return value


def rows(entries, model=None) -> list[dict]:
    """Audit entries as a page shows them; `model` when all entries are about one object."""
    out = []
    for entry in entries:
        entry_model = model if model is not None else _model(entry.object_type)
        out.append({
            "entry": entry,
            "action": action_label(entry.action),
            "object_type": object_type_label(entry.object_type) if model is None else "",
            "field": field_label(entry_model, entry.field),
            "old": choice_label(entry_model, entry.field, entry.old_value),
            "new": choice_label(entry_model, entry.field, entry.new_value) if entry.field
            else str(NOTES.get(entry.new_value, entry.new_value)) if entry.new_value is not None else None,
            "who": user_label(entry.username),
            "via": via_label(entry.via),
        })
    return out


def action_choices(codes) -> list[tuple[str, str]]:
    return [(code, action_label(code)) for code in codes]


def object_type_choices(codes) -> list[tuple[str, str]]:
    return [(code, object_type_label(code)) for code in codes]
