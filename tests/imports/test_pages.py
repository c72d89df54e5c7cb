"""The Excel import page: upload, every problem as a table, result, background job progress."""

import pytest
from django.http import HttpRequest
from django.test import Client

from sihe.catalog.models import ImportJob, Product


@pytest.fixture
def browser_as(make_user):
    def _as(role):
        make_user(role)
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        assert client.login(request=HttpRequest(), username=f"{role}_user", password="pw")
        return client

    return _as


def test_anonymous_users_are_sent_to_login(client, db):
    response = client.get("/imports/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_manager_sees_the_upload_form_and_download_links(browser_as):
    response = browser_as("manager").get("/imports/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="import-form"' in html
    assert 'href="/api/v1/exports/products"' in html
    assert 'href="/api/v1/imports/templates/locations?headers=en"' in html


def test_warehouse_may_look_and_export_but_not_upload(browser_as, xlsx):
    client = browser_as("warehouse")
    page = client.get("/imports/")
    assert page.status_code == 200 and 'id="import-form"' not in page.content.decode()
    refused = client.post("/imports/", {"kind": "products", "file": xlsx(["sku", "name", "uom"], [["A", "a", "PCS"]])})
    assert refused.status_code == 403
    assert Product.objects.count() == 0


def test_a_bad_upload_shows_every_problem_and_imports_nothing(browser_as, xlsx):
    file = xlsx(["SKU", "名称", "单位"], [["A-1", "甲", "PCS"], ["A-2", None, "PCS"], ["A-3", "丙", "桶"]])
    response = browser_as("manager").post("/imports/", {"kind": "products", "file": file})
    assert response.status_code == 422
    errors = response.context["errors"]
    assert [(e["row"], e["column"], e["header"], e["message"]) for e in errors] == [
        (3, "B", "名称", "is required"), (4, "C", "单位", errors[1]["message"])]
    assert errors[1]["message"].startswith("unknown unit 桶")
    html = response.content.decode()
    assert 'id="error-table"' in html and "<td>3</td><td>B</td><td>名称</td><td>is required</td>" in html
    assert Product.objects.count() == 0


def test_a_good_upload_shows_the_result(browser_as, xlsx):
    file = xlsx(["SKU", "名称", "单位"], [["A-1", "甲", "PCS"], ["A-2", "乙", "PCS"]])
    response = browser_as("manager").post("/imports/", {"kind": "products", "file": file})
    assert response.status_code == 200
    assert "upload.xlsx: 2 rows imported — 2 created, 0 updated, 0 unchanged." in response.content.decode()
    assert Product.objects.count() == 2


def test_missing_file_names_the_field(browser_as):
    response = browser_as("manager").post("/imports/", {"kind": "products"})
    assert response.status_code == 422
    assert response.context["problem_field"] == "file"


def test_a_big_upload_redirects_to_the_job_page_that_polls(browser_as, xlsx, settings, monkeypatch):
    from sihe.catalog import imports

    launched = []
    monkeypatch.setattr(imports, "launch_job", lambda job: launched.append(job.pk))
    settings.SIHE_IMPORT_BACKGROUND_ROWS = 3
    client = browser_as("manager")
    file = xlsx(["SKU", "名称", "单位"], [[f"A-{i}", "甲", "PCS"] for i in range(5)])
    response = client.post("/imports/", {"kind": "products", "file": file})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/jobs/{job.pk}/"
    assert launched == [job.pk]
    page = client.get(response["Location"]).content.decode()
    assert f'hx-get="/imports/jobs/{job.pk}/progress"' in page and 'hx-trigger="every 1s"' in page

    imports.run_import_job(job_id=job.pk)
    fragment = client.get(f"/imports/jobs/{job.pk}/progress").content.decode()
    assert "hx-get" not in fragment
    assert "5 rows imported — 5 created, 0 updated." in fragment
    assert Product.objects.count() == 5


def test_the_page_speaks_chinese_by_default(make_user):
    make_user("manager")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.login(request=HttpRequest(), username="manager_user", password="pw")
    html = client.get("/imports/").content.decode()
    assert "Excel 导入与导出" in html and "中文表头" in html and "文件的每一行都会先经过校验" in html
