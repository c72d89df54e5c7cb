"""JD 售后服务单 (afsService) payloads with JD's field names become after-sales cases: 10 退货 a return,
20 换货 an exchange, 30 维修 an exchange of the same SKU; the same afsServiceId twice is one case; a
later payload saying 取消 cancels it; a bad payload is refused naming the JSON path."""

import copy
import threading

import pytest
from django.conf import settings
from django.db import connection

from sihe.core.actor import Actor
from sihe.oms.aftersales import jd
from sihe.oms.aftersales.models import Case
from sihe.wms.inbound.models import Asn
from tests.oms.conftest import load
from tests.oms.test_platform_subsidy import jd_world, ship

pytestmark = pytest.mark.django_db
POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
SERVICE = {"jingdong_afsservice_detail_get_responce": {"result": {"success": True, "data": {
    "afsServiceId": 1288800001, "afsApplyId": 73300001, "orderId": 312345678901, "customerExpect": 10,
    "afsServiceState": 1, "afsServiceStateName": "待审核", "wareId": 100012345679, "skuId": 100012345679,
    "wareName": "纯棉短袖T恤 黑色 L", "serviceCount": 1, "questionDesc": "尺码不合适",
    "afsApplyTime": "2026-11-27 10:00:00"}}}}


def payload(**change) -> dict:
    body = copy.deepcopy(SERVICE)
    body["jingdong_afsservice_detail_get_responce"]["result"]["data"].update(change)
    return body


@pytest.fixture
def shipped(api_as):
    jd_world()
    order = api_as("service").post("/api/v1/channels/jd/orders", load("jd")).json_body["order"]
    ship(api_as("warehouse"), order["id"])
    return order


def test_a_jd_return_service_arriving_twice_is_one_case(shipped, api_as):
    service = api_as("service")
    first = service.post("/api/v1/channels/jd/aftersales", payload())
    assert first.status_code == 201, first.json_body
    case = first.json_body
    assert (case["kind"], case["status"], case["channel_ref"]) == ("return_refund", "awaiting_return",
                                                                   "afs-1288800001")
    assert case["reason"] == "京东退货：尺码不合适（申请 73300001）"
    assert [(ln["line"], ln["qty"]) for ln in case["lines"]] == [(case["lines"][0]["line"], "1")]
    assert Asn.objects.filter(source_type="oms.aftersales").count() == 1
    again = service.post("/api/v1/channels/jd/aftersales", payload(afsServiceStateName="审核通过"))
    assert (again.status_code, again.json_body["id"], again.json_body["duplicate"]) == (200, case["id"], True)
    assert Case.objects.count() == 1 and Asn.objects.filter(source_type="oms.aftersales").count() == 1
    # the buyer withdraws it on JD: the case is cancelled, the expected return too
    gone = service.post("/api/v1/channels/jd/aftersales", payload(afsServiceState=60, afsServiceStateName="取消"))
    assert (gone.status_code, gone.json_body["status"]) == (200, "cancelled")


@pytest.mark.parametrize("expect, kind", [(20, "exchange"), (30, "exchange")])
def test_exchange_and_repair_send_the_goods_back(shipped, api_as, expect, kind):
    r = api_as("service").post("/api/v1/channels/jd/aftersales", payload(customerExpect=expect))
    assert r.status_code == 201, r.json_body
    assert (r.json_body["kind"], r.json_body["refund_amount"]) == (kind, "0.00")
    assert r.json_body["reship_number"] and r.json_body["reason"].startswith("京东换货" if expect == 20 else "京东维修")


@pytest.mark.parametrize("change, field", [
    ({"customerExpect": 99}, "jingdong_afsservice_detail_get_responce.result.data.customerExpect"),
    ({"orderId": 999}, "jingdong_afsservice_detail_get_responce.result.data.orderId"),
    ({"skuId": 1, "wareId": 1}, "jingdong_afsservice_detail_get_responce.result.data.skuId"),
    ({"serviceCount": 0}, "jingdong_afsservice_detail_get_responce.result.data.serviceCount"),
])
def test_a_bad_service_is_refused_naming_the_path(shipped, api_as, change, field):
    r = api_as("service").post("/api/v1/channels/jd/aftersales", payload(**change))
    assert 400 <= r.status_code < 500 and r.json_body["field"] == field, r.json_body
    assert Case.objects.count() == 0


@pytest.mark.postgres_only
@pytest.mark.skipif(not POSTGRES, reason="needs real parallel PostgreSQL connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_service_eight_times_at_once_is_one_case(api_as):
    jd_world()
    order = api_as("service").post("/api/v1/channels/jd/orders", load("jd")).json_body["order"]
    ship(api_as("warehouse"), order["id"])
    barrier, results = threading.Barrier(8), []

    def send(i):
        try:
            barrier.wait(timeout=30)
            results.append(jd.take(channel_code="jd", body=payload(), actor=Actor.system(f"t{i}"))[1])
        except Exception as exc:  # noqa: BLE001 - asserted below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(map(str, results)) == ["False"] * 7 + ["True"], results
    assert Case.objects.count() == 1
