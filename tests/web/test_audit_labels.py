"""The audit trail's codes in words: acts, object types, values and system actors (issue 11, item 11)."""

from django.utils import translation

from sihe.core.models import AuditEntry
from sihe.ledger.models import Voucher
from sihe.web import audit_labels


def test_codes_read_as_words_and_unknown_codes_as_they_are():
    with translation.override("zh-hans"):
        assert audit_labels.action_label("post") == "过账"
        assert audit_labels.action_label("wms.picklist.skip") == "跳过站点"
        assert audit_labels.action_label("wms.shipment.packed") == "发货单：已打包"  # named after the state reached
        assert audit_labels.action_label("stock.issue") == "库存移动：出库"
        assert audit_labels.action_label("some.new.act") == "some.new.act"
        assert audit_labels.object_type_label("ledger.voucher") == "凭证"
        assert audit_labels.object_type_label("gone.model") == "gone.model"
        assert audit_labels.user_label("demo") == "示范数据"
        assert audit_labels.user_label("rule:stock.issue") == "凭证模板 stock.issue"
        assert audit_labels.user_label("wang") == "wang"
        entry = AuditEntry(action="create", object_type="ledger.voucher", field="status", new_value="posted",
                           username="demo", via="system")
        [row] = audit_labels.rows([entry], model=Voucher)
        assert (row["action"], row["field"], row["new"], row["who"], row["via"]) == ("新建", "状态", "已过账", "示范数据", "系统")
    with translation.override("en"):
        assert audit_labels.action_label("reverse") == "red reversal"
