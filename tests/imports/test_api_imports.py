"""Excel import/export over the open API: auth, roles, 422 with every bad cell, exports and templates."""

from sihe.catalog.models import Product
from sihe.core.models import AuditEntry
from tests.imports.conftest import read_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(api, kind, file, **headers):
    response = api.client.post(f"/api/v1/imports/{kind}", {"file": file} if file is not None else {},
                               **{**api.headers, **headers})
    response.json_body = response.json() if response["Content-Type"].startswith("application/json") else None
    return response


def test_import_needs_a_token(anonymous_api, xlsx, db):
    response = _upload(anonymous_api, "products", xlsx(["sku", "name", "uom"], [["A", "a", "PCS"]]))
    assert response.status_code == 401
    assert response.json_body["code"] == "unauthorized"
    assert Product.objects.count() == 0


def test_warehouse_role_may_export_but_not_import(api_as, xlsx):
    api = api_as("warehouse")
    response = _upload(api, "products", xlsx(["sku", "name", "uom"], [["A", "a", "PCS"]]))
    assert response.status_code == 403
    assert response.json_body["code"] == "forbidden"
    assert Product.objects.count() == 0
    assert api.client.get("/api/v1/exports/products", **api.headers).status_code == 200


def test_a_bad_file_is_422_with_every_cell_and_nothing_stored(api_as, xlsx):
    api = api_as("manager")
    file = xlsx(["SKU", "名称", "条码", "单位", "产地"],
                [["A-1", "好", None, "PCS"], ["A-2", "坏", "6901234567891", "PCS"], ["A-1", "重复", None, "箱子"]])
    audit_before = AuditEntry.objects.count()
    response = _upload(api, "products", file)
    assert response.status_code == 422
    body = response.json_body
    assert body["code"] == "invalid_file"
    assert body["field"] == "file"
    assert body["message"] == "4 problems in the file; nothing was imported"
    assert [(e["row"], e["column"], e["header"]) for e in body["errors"]] == [
        (1, "E", "产地"), (3, "C", "条码"), (4, "A", "SKU"), (4, "D", "单位")]
    assert body["errors"][1]["message"] == "wrong GS1 check digit"
    assert (Product.objects.count(), AuditEntry.objects.count()) == (0, audit_before)


def test_missing_file_wrong_kind_and_not_excel_are_422(api_as, xlsx):
    api = api_as("manager")
    missing = _upload(api, "products", None)
    assert missing.status_code == 422
    assert missing.json_body == {"code": "invalid_file", "message": "choose an .xlsx file", "field": "file", "errors": []}
    wrong_kind = _upload(api, "cars", xlsx(["sku"], [["A"]]))
    assert wrong_kind.status_code == 422 and wrong_kind.json_body["field"] == "kind"
    import io

    text = io.BytesIO(b"sku,name\nA,a\n")
    text.name = "products.csv"
    not_excel = _upload(api, "products", text)
    assert not_excel.status_code == 422
    assert (not_excel.json_body["code"], not_excel.json_body["field"]) == ("invalid_file", "file")
    assert Product.objects.count() == 0


def test_a_small_good_file_imports_at_once(api_as, xlsx):
    api = api_as("manager")
    response = _upload(api, "products", xlsx(["sku", "name", "uom", "tax_rate"],
                                             [["A-1", "甲", "PCS", 0.13], ["A-2", "乙", "KG", 0.09]]))
    assert response.status_code == 200, response.json_body
    assert response.json_body == {"status": "done", "kind": "products", "rows": 2, "created": 2, "updated": 0,
                                  "unchanged": 0, "rows_read": 2, "rows_written": 2}
    assert list(Product.objects.order_by("sku").values_list("sku", "uom__code")) == [("A-1", "PCS"), ("A-2", "KG")]
    audit = AuditEntry.objects.filter(object_type="catalog.product", action="create")
    assert sorted(a.username for a in audit) == ["manager_user", "manager_user"]
    assert {a.via for a in audit} == {"api"}


def test_export_and_template_are_xlsx_attachments(api_as, xlsx):
    api = api_as("manager")
    _upload(api, "products", xlsx(["sku", "name", "uom"], [["B-1", "乙", "BOX"], ["A-1", "甲", "PCS"]]))
    export = api.client.get("/api/v1/exports/products?headers=zh", **api.headers)
    assert export.status_code == 200
    assert export["Content-Type"] == XLSX
    assert export["Content-Disposition"] == 'attachment; filename="sihe-products.xlsx"'
    rows = read_xlsx(export.content)
    assert rows[0][:5] == ["SKU", "名称", "英文名称", "条码", "单位"]
    assert [(r[0], r[1], r[4]) for r in rows[1:]] == [("A-1", "甲", "PCS"), ("B-1", "乙", "BOX")]

    template = api.client.get("/api/v1/imports/templates/locations", **api.headers)
    assert template["Content-Disposition"] == 'attachment; filename="sihe-locations-template.xlsx"'
    # the client reads English, so the template carries field names
    assert read_xlsx(template.content) == [["warehouse", "code", "zone", "kind", "aisle", "position", "side",
                                            "level", "capacity_volume", "active"]]


def test_an_unknown_job_is_404(api_as):
    for job_id in ("999999", "99999999999999999999999"):
        response = api_as("manager").get(f"/api/v1/imports/{job_id}")
        assert response.status_code == 404
        assert response.json_body["field"] == "id"


def test_openapi_documents_the_import_routes(anonymous_api, db):
    paths = anonymous_api.get("/api/v1/openapi.json").json_body["paths"]
    assert {"/api/v1/imports/{kind}", "/api/v1/imports/{job_id}", "/api/v1/imports/templates/{kind}",
            "/api/v1/exports/{kind}"} <= set(paths)
    assert "multipart/form-data" in paths["/api/v1/imports/{kind}"]["post"]["requestBody"]["content"]
    assert XLSX in paths["/api/v1/exports/{kind}"]["get"]["responses"]["200"]["content"]
