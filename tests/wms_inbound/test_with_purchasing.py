"""The seam with purchasing (a higher app that registers into `hooks`): a confirmed purchase order
becomes an ASN, the scans received here show on the PO at once, a rejected inspection counts as
returned. Only the public API of both sides is used."""

from decimal import Decimal

from sihe.ledger.models import VoucherLine

from .conftest import GTIN_BOLT, GTIN_MILK

D = Decimal


def balance(code: str) -> Decimal:
    return sum((vl.debit - vl.credit for vl in VoucherLine.objects.filter(account__code=code)), D(0))


def test_po_confirm_scan_putaway_and_po_progress(api_as, wh, supplier, milk, bolt):
    buyer, worker = api_as("manager"), api_as("warehouse")
    created = buyer.post("/api/v1/purchase-orders", {"supplier": "S001", "warehouse": "SH", "lines": [
        {"sku": "MILK-1L", "qty": "50", "price": "4.50", "tax_rate": "0.09"},
        {"sku": "BOLT-M8", "qty": "200", "price": "0.20", "tax_rate": "0.13"}]})
    assert created.status_code == 201, created.json_body
    po_id = created.json_body["id"]
    confirmed = buyer.post(f"/api/v1/purchase-orders/{po_id}/confirm", {})
    assert confirmed.status_code in (200, 201), confirmed.json_body
    asn_id = confirmed.json_body["asn_id"]
    asn = worker.get(f"/api/v1/wms/receipts/{asn_id}").json_body
    assert [(ln["sku"], ln["expected"]) for ln in asn["lines"]] == [("MILK-1L", "50"), ("BOLT-M8", "200")]
    # partial receipt by scans: 30 milk in lot A, 200 bolts
    first = worker.post(f"/api/v1/wms/receipts/{asn_id}/scan", {"barcode": f"(01)0{GTIN_MILK}(17)491231(10)A(37)30"})
    assert first.status_code == 201, first.json_body
    worker.post(f"/api/v1/wms/receipts/{asn_id}/scan", {"barcode": GTIN_BOLT, "qty": "200"})
    po = buyer.get(f"/api/v1/purchase-orders/{po_id}").json_body
    assert [(ln["sku"], ln["ordered"], ln["received"]) for ln in po["lines"]] == [("MILK-1L", "50", "30"),
                                                                                ("BOLT-M8", "200", "200")]
    assert po["status"] == "partially_received"
    # putaway, then the rest
    put = worker.post("/api/v1/wms/putaway", {"warehouse": "SH", "sku": "MILK-1L", "lot": "A", "qty": "30",
                                               "bin": first.json_body["suggested_bin"]})
    assert put.status_code == 201, put.json_body
    worker.post(f"/api/v1/wms/receipts/{asn_id}/scan", {"barcode": f"(01)0{GTIN_MILK}(17)491231(10)B(37)20"})
    po = buyer.get(f"/api/v1/purchase-orders/{po_id}").json_body
    assert po["lines"][0]["received"] == "50" and po["status"] == "received"
    assert worker.get(f"/api/v1/wms/receipts/{asn_id}").json_body["status"] == "received"
    # books: 库存商品 = 应付账款—暂估 = 50 × 4.50 + 200 × 0.20 at the PO's unit costs
    unit_costs = {ln["sku"]: D(ln["unit_cost"]) for ln in po["lines"]}
    expected = (50 * unit_costs["MILK-1L"] + 200 * unit_costs["BOLT-M8"]).quantize(D("0.01"))
    assert balance("1405") == expected
    assert balance("2202.02") == -expected


def test_rejected_inspection_counts_as_returned_on_the_po(api_as, wh, supplier, milk):
    buyer, worker = api_as("manager"), api_as("warehouse")
    buyer._call("put", "/api/v1/wms/inspection-rules/MILK-1L", {"active": True})
    po_id = buyer.post("/api/v1/purchase-orders", {"supplier": "S001", "warehouse": "SH", "lines": [
        {"sku": "MILK-1L", "qty": "40", "price": "4.50", "tax_rate": "0.09"}]}).json_body["id"]
    asn_id = buyer.post(f"/api/v1/purchase-orders/{po_id}/confirm", {}).json_body["asn_id"]
    held = worker.post(f"/api/v1/wms/receipts/{asn_id}/scan", {"barcode": f"(01)0{GTIN_MILK}(17)491231(10)Q(37)40"})
    assert held.json_body["held"] is True
    assert buyer.get(f"/api/v1/purchase-orders/{po_id}").json_body["lines"][0]["received"] == "40"
    rejected = worker.post(f"/api/v1/wms/inspections/{held.json_body['inspections'][0]}/reject", {"note": "破损"})
    assert rejected.status_code == 200, rejected.json_body
    assert buyer.get(f"/api/v1/purchase-orders/{po_id}").json_body["lines"][0]["received"] == "0"
    assert balance("1405") == D("0.00") and balance("2202.02") == D("0.00")
