"""Inbound pages (list, detail, handheld receive and putaway, inspections) and label PDFs."""

import datetime
import re

import pytest
from django.db import transaction
from django.test import Client

from sihe.stock.models import StockMove
from sihe.wms import labels
from sihe.wms.inbound import gs1
from sihe.wms.inbound.models import Inspection, Putaway
from sihe.wms.inbound.services import set_inspection_rule

from .conftest import GTIN_BOLT, GTIN_MILK


@pytest.fixture
def client_as(make_user):
    def _client(role: str) -> Client:
        client = Client()  # zh-Hans by default
        client.force_login(make_user(role, username=f"{role}_web"))
        return client

    return _client


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_handheld_receive_shows_result_and_refusal_in_chinese(client_as, make_asn, milk, bolt):
    asn = make_asn((milk, 100, "4.50"), (bolt, 10, "0.20"))
    web = client_as("warehouse")
    pick = web.get("/inbound/receive/")
    assert pick.status_code == 200 and asn.number in page_text(pick)
    assert web.get(f"/inbound/receive/?ref={asn.source_number}").status_code == 302
    good = web.post(f"/inbound/receive/?asn={asn.pk}",
                    {"barcode": f"(01)0{GTIN_MILK}(17)491231(10)LOT-W(37)24", "qty": ""})
    text = page_text(good)
    assert good.status_code == 200
    assert "✓ 商品 MILK-1L × 24" in text and "LOT-W" in text and "2049-12-31" in text and "24 / 100" in text
    bad = web.post(f"/inbound/receive/?asn={asn.pk}", {"barcode": f"(01)0{GTIN_MILK}(10)NOEXP"})
    assert bad.status_code == 422
    assert "拒收" in page_text(bad) and "有效期" in page_text(bad)
    wrong = web.post(f"/inbound/receive/?asn={asn.pk}", {"barcode": "6901234567922"})
    assert "未知的 GTIN" in page_text(wrong)
    assert StockMove.objects.count() == 1


def test_putaway_page_moves_to_scanned_bin(client_as, make_asn, bolt, wh):
    asn = make_asn((bolt, 10, "0.20"))
    web = client_as("warehouse")
    web.post(f"/inbound/receive/?asn={asn.pk}", {"barcode": GTIN_BOLT, "qty": "10"})
    listing = web.get("/inbound/putaway/?warehouse=SH")
    assert "A-01-01-01" in page_text(listing)
    found = web.get(f"/inbound/putaway/?warehouse=SH&item={GTIN_BOLT}")
    assert 'id="suggested">A-01-01-01' in page_text(found)
    wrong = web.post(f"/inbound/putaway/?warehouse=SH&product={bolt.pk}&from=DOCK-1", {"bin": "NOPE", "qty": "4"})
    assert wrong.status_code == 422 and "NOPE" in page_text(wrong)
    done = web.post(f"/inbound/putaway/?warehouse=SH&product={bolt.pk}&from=DOCK-1", {"bin": "A-01-02-01", "qty": "4"})
    assert done.status_code == 200 and "✓" in page_text(done)
    assert Putaway.objects.get().to_location.code == "A-01-02-01"


def test_asn_pages_and_inspection_decisions(client_as, make_asn, milk, actor):
    with transaction.atomic():
        set_inspection_rule(product=milk, active=True, actor=actor)
    asn = make_asn((milk, 10, "4.50"))
    web = client_as("warehouse")
    web.post(f"/inbound/receive/?asn={asn.pk}", {"barcode": f"(01)0{GTIN_MILK}(17)491231(10)Q1(37)10"})
    assert asn.number in page_text(web.get("/inbound/"))
    detail = web.get(f"/inbound/asn/{asn.pk}/")
    assert "待检" in page_text(detail) or "质检" in page_text(detail)
    assert web.get("/inbound/inspections/").status_code == 200
    inspection = Inspection.objects.get()
    web.post(f"/inbound/inspections/{inspection.pk}/decide/", {"act": "release", "note": "ok"})
    assert Inspection.objects.get().status == "released"
    assert client_as("shopfloor").get("/inbound/receive/").status_code == 403
    assert web.get("/inbound/asn/99999999999999999999/").status_code == 404


def test_label_pdfs_are_valid_and_carry_the_codes(client_as, make_asn, milk, wh, actor):
    web = client_as("warehouse")
    bins = web.get("/inbound/labels/bins.pdf?warehouse=SH")
    assert bins["Content-Type"] == "application/pdf"
    body = bins.content
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    assert body.count(b"/Type /Page\n") + body.count(b"/Type /Page ") >= 7  # 7 locations, one label each
    assert b"(A-01-02-01)" in body and b"/MediaBox [ 0 0 283.4646 170.0787 ]" in body  # 100 x 60 mm
    asn = make_asn((milk, 10, "4.50"))
    web.post(f"/inbound/receive/?asn={asn.pk}", {"barcode": f"(01)0{GTIN_MILK}(17)491231(10)LBL-1(37)10"})
    lots = web.get(f"/inbound/labels/lots.pdf?asn={asn.pk}").content
    assert lots.startswith(b"%PDF-")
    assert rb"\(01\)06901234567892\(17\)491231\(37\)10\(10\)LBL-1" in lots
    one = web.get("/inbound/labels/lots.pdf?sku=MILK-1L&lot=LBL-1&copies=3").content
    assert one.count(b"/MediaBox") >= 3


def test_label_element_string_reads_back_through_the_receiving_parser():
    fields = labels.gs1_fields(gtin=GTIN_MILK, expiry=datetime.date(2027, 3, 31), lot="L-77", count=12)
    assert labels.human_readable(fields) == "(01)06901234567892(17)270331(37)12(10)L-77"
    assert labels.gs1_128_value(fields) == "\xf10106901234567892172703313712\xf110L-77"
    scan = gs1.parse(labels.element_string(fields))
    assert (scan.gtin, scan.expiry, scan.count, scan.lot) == ("06901234567892", datetime.date(2027, 3, 31), 12,
                                                              "L-77")
    scan = gs1.parse(labels.human_readable(fields))
    assert scan.lot == "L-77"
    sscc = labels.sscc_label_pdf(sscc="106141412345678908", ship_from="上海仓", ship_to="杭州仓")
    assert sscc.startswith(b"%PDF-") and rb"\(00\)106141412345678908" in sscc
