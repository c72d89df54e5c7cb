"""Counting pages through the Django client: create a count, count blind on the handheld page,
close it, read the vouchers; the lot trace page."""

import pytest
from django.http import HttpRequest
from django.test import Client

from sihe.wms.counting.models import CountTask

pytestmark = pytest.mark.django_db


def client_for(make_user, role, username):
    make_user(role, username=username, password="pw")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert client.login(request=HttpRequest(), username=username, password="pw")
    return client


def test_create_count_blind_on_the_handheld_then_close_on_the_task_page(store, make_user):
    boss = client_for(make_user, "manager", "boss")
    clerk = client_for(make_user, "warehouse", "clerk")
    # given a count of bin A-01 created on the task page
    response = boss.post("/counting/", {"action": "create", "warehouse": "CW", "scope": "bins", "bins": "A-01",
                                        "blind": "on", "recount_qty": "5", "recount_pct": "50"})
    assert response.status_code == 302
    task = CountTask.objects.get()
    assert response["Location"] == f"/counting/{task.pk}/"
    page = boss.get(f"/counting/{task.pk}/").content.decode()
    assert "盲盘" in page and "在册" not in page  # blind: no "on record" column
    # when the clerk counts on the handheld page: 3 MILK by GTIN, 5 SOAP by SKU
    handheld = clerk.get(f"/counting/count/{task.pk}/").content.decode()
    assert 'id="f-location"' in handheld and "autofocus" in handheld
    assert "0 / 2" in handheld or "0 of 2" in handheld or "已盘 0 / 2" in handheld
    done = clerk.post(f"/counting/count/{task.pk}/", {"location": "A-01", "item": "6901234567892", "qty": "3"})
    assert "已盘点" in done.content.decode() or "counted" in done.content.decode()
    clerk.post(f"/counting/count/{task.pk}/", {"location": "A-01", "item": "SOAP", "qty": "4"})
    bad = clerk.post(f"/counting/count/{task.pk}/", {"location": "Z-9", "item": "SOAP", "qty": "4"}).content.decode()
    assert 'data-field="location"' in bad
    # then the manager closes it: SOAP −1 posted at 4.00, accuracy 50 %
    boss.post(f"/counting/{task.pk}/", {"action": "close"})
    task.refresh_from_db()
    assert (task.state, str(task.accuracy), str(task.loss_value)) == ("closed", "50.00", "4.00")
    closed = boss.get(f"/counting/{task.pk}/").content.decode()
    assert 'id="vouchers"' in closed and "1901" in closed and "50.00%" in closed


def test_task_list_and_permissions(store, make_user):
    boss = client_for(make_user, "manager", "boss")
    assert boss.get("/counting/").status_code == 200
    error = boss.post("/counting/", {"action": "create", "warehouse": "CW", "scope": "zone", "zone": "Q"})
    assert error.status_code == 200 and 'data-field="zone"' in error.content.decode()
    accountant = client_for(make_user, "accountant", "acct")
    assert accountant.get("/counting/").status_code == 403
    assert accountant.get("/counting/trace/").status_code == 200


def test_trace_page(store, make_user):
    clerk = client_for(make_user, "service", "svc")
    page = clerk.get("/counting/trace/?lot=J-1").content.decode()
    assert "JAM" in page and "CW:B-01" in page
    missing = clerk.get("/counting/trace/?lot=NOPE").content.decode()
    assert 'data-field="lot"' in missing


def test_schedule_button_and_the_handheld_task_chooser(store, make_user):
    boss = client_for(make_user, "manager", "boss")
    response = boss.post("/counting/", {"action": "schedule", "warehouse": "CW"})
    assert response.status_code == 302
    assert sorted(CountTask.objects.values_list("abc_class", flat=True)) == ["C"]  # nothing consumed yet: all C
    clerk = client_for(make_user, "warehouse", "clerk")
    chooser = clerk.get("/counting/count/").content.decode()
    task = CountTask.objects.get()
    assert f"/counting/count/{task.pk}/" in chooser and task.number in chooser
    assert boss.get("/counting/count/").status_code == 403  # counting on the handheld is the warehouse's job
