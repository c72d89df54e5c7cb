"""Admin of inspection rules (audited), list endpoints without N+1, and two scanners racing for the
last units of an ASN on PostgreSQL (the ASN row lock: one wins, the other is refused over receipt)."""

import threading
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction

from sihe.core.errors import ValidationFailed
from sihe.core.models import AuditEntry
from sihe.stock.models import StockMove
from sihe.wms.inbound.models import AsnLine, InspectionRule
from sihe.wms.inbound.services import receive_scan

from .conftest import GTIN_BOLT, GTIN_MILK

D = Decimal


def test_admin_flags_a_product_for_inspection_with_audit(client, db, milk):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    response = client.post("/admin/wms_inbound/inspectionrule/add/", {"product": milk.pk, "active": "on",
                                                                      "note": "乳制品必检"})
    assert response.status_code == 302, response.content[:500]
    assert InspectionRule.objects.get().note == "乳制品必检"
    assert AuditEntry.objects.filter(object_type="wms_inbound.inspectionrule", username="root", via="admin").exists()
    assert client.get("/admin/wms_inbound/asn/").status_code == 200


def test_receipt_list_and_detail_do_not_grow_queries_with_rows(api_as, make_asn, milk, bolt, actor,
                                                               django_assert_max_num_queries):
    api = api_as("warehouse")
    for _ in range(3):
        asn = make_asn((milk, 10, "4.5"), (bolt, 10, "0.2"))
        with transaction.atomic():
            receive_scan(asn=asn, barcode=GTIN_BOLT, qty="2", actor=actor)
    with django_assert_max_num_queries(8):
        few = api.get("/api/v1/wms/receipts")
    for _ in range(10):
        make_asn((milk, 10, "4.5"), (bolt, 10, "0.2"))
    with django_assert_max_num_queries(8):
        many = api.get("/api/v1/wms/receipts")
    assert (few.json_body["count"], many.json_body["count"]) == (3, 13)
    with django_assert_max_num_queries(10):
        assert api.get(f"/api/v1/wms/receipts/{asn.pk}").status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real parallel connections need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_scanners_race_for_the_last_units(make_asn, milk, actor):
    # given 10 expected (tolerance 5 %: at most 10.5), 6 already received
    asn = make_asn((milk, 10, "4.50"))
    with transaction.atomic():
        receive_scan(asn=asn, barcode=f"(01)0{GTIN_MILK}(17)491231(10)R1(37)6", actor=actor)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def scanner():
        try:
            barrier.wait()
            with transaction.atomic(durable=True):
                receive_scan(asn=asn, barcode=f"(01)0{GTIN_MILK}(17)491231(10)R1(37)4", actor=actor)
            outcomes.append("received")
        except ValidationFailed as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scanner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then exactly one scan of 4 went through: 10 received, never 14
    assert sorted(outcomes) == ["over_receipt", "received"]
    assert AsnLine.objects.get().received_qty == D("10")
    assert StockMove.objects.count() == 2
