"""The shop-floor pages: who may open them, the work order's acts through the page, the operator's phone page
clocking on and off (minutes and labour cost on the production order), the board's JSON turning red on an
alarm, and, in Debian chromium, the board turning red without a reload. Screenshots: /tmp/mes_*.png."""

import datetime
import os
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client

from sihe.core.actor import Actor
from sihe.mes import services, work_orders
from sihe.mes.models import ClockEntry, Machine, MinuteRollup, Reading, WorkOrder
from sihe.mes.telemetry import Processor
from sihe.production import orders
from tests.conftest import browser_login
from tests.production.conftest import make_plant

D = Decimal
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def make_floor():
    plant = make_plant()
    actor = plant["actor"]
    line = services.create_line(actor=actor, data={
        "code": "L1", "name": "灌装线一号", "work_centre": "FILL-1", "ideal_cycle_seconds": "1",
        "machines": [{"code": "F1", "name": "灌装机", "good_metric": "good", "scrap_metric": "scrap"}]})
    rule = services.create_rule(actor=actor, data={"line": "L1", "metric": "temp", "kind": "threshold", "op": ">",
                                                   "value": "85", "action": "pause"})
    services.create_operator(actor=actor, data={"badge": "B001", "name": "张三"})
    services.create_operator(actor=actor, data={"badge": "B002", "name": "李四"})
    order = orders.create_order(product=plant["items"]["YOG"], qty=D(200), warehouse=plant["wh"],
                                due_date=datetime.date(2026, 11, 25), actor=actor)
    orders.release(order=order, actor=actor)
    return {**plant, "line": line, "rule": rule, "order": order, "machine": Machine.objects.get(line=line)}


@pytest.fixture
def floor(db, clock):
    clock.at(2026, 11, 20)
    return make_floor()


@pytest.fixture
def as_role(make_user):
    def _client(role: str) -> Client:
        client = Client()
        client.force_login(make_user(role, username=f"{role}_mes"))
        return client

    return _client


def dispatched(floor) -> WorkOrder:
    return work_orders.dispatch(order=floor["order"], line=floor["line"], actor=floor["actor"])


def alarm(floor, value=91.5):
    return work_orders.raise_alarm(line=floor["line"], machine=floor["machine"], rule=floor["rule"], metric="temp",
                                   value=value, message=f"temp {value} > 85", reading_at=Actor.system("x").at,
                                   actor=Actor.system("collector"))


PAGES = ["/mes/board/", "/mes/board.json", "/mes/alarms/", "/mes/work-orders/", "/mes/labour/", "/mes/oee/"]


@pytest.mark.parametrize("role", ["manager", "shopfloor", "accountant", "admin"])
def test_the_pages_open_for_the_roles_that_see_the_floor(floor, as_role, role):
    wo = dispatched(floor)
    client = as_role(role)
    for url in [*PAGES, f"/mes/work-orders/{wo.pk}/", f"/mes/work-orders/{wo.pk}/series.json?machine=F1&metric=temp"]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert client.get("/mes/operator/").status_code == (403 if role == "accountant" else 200)


@pytest.mark.parametrize("role", ["warehouse", "service"])
def test_the_pages_refuse_the_others(floor, as_role, role):
    wo = dispatched(floor)
    client = as_role(role)
    for url in [*PAGES, f"/mes/work-orders/{wo.pk}/", "/mes/operator/"]:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/mes/work-orders/{wo.pk}/start/").status_code == 403
    assert Client().get("/mes/board/").status_code == 302  # not logged in: the login page


def test_accountant_sees_but_cannot_act(floor, as_role):
    wo = dispatched(floor)
    client = as_role("accountant")
    page = client.get(f"/mes/work-orders/{wo.pk}/").content.decode()
    assert 'data-act="start"' not in page
    assert client.post(f"/mes/work-orders/{wo.pk}/start/").status_code == 403
    assert client.post("/mes/work-orders/", {"order": floor["order"].number, "line": "L1"}).status_code == 403
    assert WorkOrder.objects.get(pk=wo.pk).status == "dispatched"


def test_dispatch_start_pause_resume_complete_through_the_pages(floor, as_role, clock):
    client = as_role("shopfloor")
    page = client.get("/mes/work-orders/").content.decode()
    assert floor["order"].number in page and 'id="dispatch-form"' in page
    response = client.post("/mes/work-orders/", {"order": floor["order"].number, "line": "L1"})
    wo = WorkOrder.objects.get(production_order=floor["order"])
    assert response.status_code == 302 and response["Location"] == f"/mes/work-orders/{wo.pk}/"
    assert wo.status == "dispatched" and wo.line.code == "L1"
    page = client.get(f"/mes/work-orders/{wo.pk}/").content.decode()
    assert 'data-act="start"' in page and 'data-act="complete"' not in page

    client.post(f"/mes/work-orders/{wo.pk}/start/")
    wo.refresh_from_db()
    assert wo.status == "running"
    clock.advance(minutes=30)
    # a pause needs a reason: without one nothing changes and the page says why
    response = client.post(f"/mes/work-orders/{wo.pk}/pause/", {"reason": ""}, follow=True)
    wo.refresh_from_db()
    assert wo.status == "running" and 'class="msg error"' in response.content.decode()
    client.post(f"/mes/work-orders/{wo.pk}/pause/", {"reason": "换卷膜"})
    wo.refresh_from_db()
    assert (wo.status, wo.pause_reason) == ("paused", "换卷膜")
    page = client.get(f"/mes/work-orders/{wo.pk}/").content.decode()
    assert "换卷膜" in page and 'data-act="resume"' in page
    client.post(f"/mes/work-orders/{wo.pk}/resume/", {"note": "已换好"})
    wo.refresh_from_db()
    assert (wo.status, wo.pause_reason) == ("running", "")
    work_orders.add_counts(wo=wo, good=150, scrap=3, at=Actor.system("x").at, actor=floor["actor"])
    clock.advance(minutes=30)
    client.post(f"/mes/work-orders/{wo.pk}/complete/")
    wo.refresh_from_db()
    assert wo.status == "done" and wo.reported_good == 150 and wo.reported_scrap == 3
    floor["order"].refresh_from_db()
    assert floor["order"].good_qty == 150
    # the timeline tells it in Chinese, with the reason and the note
    page = client.get(f"/mes/work-orders/{wo.pk}/").content.decode()
    timeline = page[page.index('id="timeline"'):]
    for word in ("已下发", "开工", "暂停", "换卷膜", "恢复", "已换好", "完工"):
        assert word in timeline, word


def test_resume_is_for_a_supervisor_and_a_dispatch_to_a_busy_line_is_refused(floor, as_role):
    wo = dispatched(floor)
    work_orders.start(wo=wo, actor=floor["actor"])
    alarm(floor)
    wo.refresh_from_db()
    assert wo.status == "paused"
    client = as_role("shopfloor")
    page = client.get(f"/mes/work-orders/{wo.pk}/").content.decode()
    assert "报警：temp 91.5 &gt; 85" in page and "数据采集器" in page  # who paused it, in words
    response = client.post(f"/mes/work-orders/{wo.pk}/resume/", {"note": ""}, follow=True)
    wo.refresh_from_db()
    assert wo.status == "paused"
    client.post(f"/mes/work-orders/{wo.pk}/resume/", {"note": "冷却水阀已修"})
    wo.refresh_from_db()
    assert wo.status == "running"
    assert not wo.alarms.filter(acknowledged_at__isnull=True).exists()
    response = client.post("/mes/work-orders/", {"order": floor["order"].number, "line": "L1"}, follow=True)
    assert response.status_code == 200 and WorkOrder.objects.count() == 1


def test_alarm_list_open_first_filter_and_acknowledge(floor, as_role):
    wo = dispatched(floor)
    work_orders.start(wo=wo, actor=floor["actor"])
    first = alarm(floor, 90)
    work_orders.acknowledge(alarm=first, note="看过", actor=floor["actor"])
    second = alarm(floor, 95)
    client = as_role("shopfloor")
    page = client.get("/mes/alarms/").content.decode()
    assert page.index(f'data-alarm="{second.pk}"') < page.index(f'data-alarm="{first.pk}"')
    assert "确认" in page
    assert f'data-alarm="{second.pk}"' not in client.get("/mes/alarms/?line=NOPE").content.decode()
    assert f'data-alarm="{first.pk}"' not in client.get("/mes/alarms/?open=1").content.decode()
    client.post(f"/mes/alarms/{second.pk}/acknowledge/", {"note": "温控已调"})
    second.refresh_from_db()
    assert second.acknowledged_by == "shopfloor_mes" and second.note == "温控已调"
    assert as_role("accountant").post(f"/mes/alarms/{first.pk}/acknowledge/").status_code == 403


def test_operator_page_clocks_on_and_off_and_costs_labour(floor, as_role, clock):
    wo = dispatched(floor)
    work_orders.start(wo=wo, actor=floor["actor"])
    client = as_role("shopfloor")
    page = client.get("/mes/operator/").content.decode()
    assert "扫描工牌" in page or "工牌" in page
    # a work order before a badge is refused
    page = client.post("/mes/operator/", {"scan": wo.number}).content.decode()
    assert 'class="bad"' in page and not ClockEntry.objects.exists()
    page = client.post("/mes/operator/", {"scan": "B001"}).content.decode()
    assert "张三" in page
    page = client.post("/mes/operator/", {"scan": wo.number}).content.decode()
    entry = ClockEntry.objects.get()
    assert entry.operator.badge == "B001" and entry.work_order == wo and entry.off_at is None
    assert wo.number in page
    clock.advance(minutes=45)
    page = client.get("/mes/operator/").content.decode()
    assert 'id="minutes">45' in page
    # the badge again: off the order, with its minutes
    page = client.post("/mes/operator/", {"scan": "B001"}).content.decode()
    entry.refresh_from_db()
    assert entry.off_at is not None and D("44.9") <= entry.minutes <= D("45.1")
    assert str(entry.minutes) in page
    order = floor["order"]
    order.refresh_from_db()
    assert order.labour_cost == (entry.minutes * 60 / 60).quantize(D("0.01"))  # 60/h at FILL-1
    # the second operator clocks on and presses 下班
    client.post("/mes/operator/", {"action": "leave"})
    client.post("/mes/operator/", {"scan": "B002"})
    client.post("/mes/operator/", {"scan": str(wo.pk)})
    clock.advance(minutes=30)
    page = client.post("/mes/operator/", {"action": "off"}).content.decode()
    second = ClockEntry.objects.get(operator__badge="B002")
    assert second.off_at is not None and D("29.9") <= second.minutes <= D("30.1")
    # the labour report shows both, per person and day
    page = as_role("manager").get("/mes/labour/?from=2026-11-20&to=2026-11-20").content.decode()
    assert "张三" in page and "李四" in page and wo.number in page


def test_board_json_turns_red_after_an_alarm(floor, as_role):
    wo = dispatched(floor)
    work_orders.start(wo=wo, actor=floor["actor"])
    client = as_role("shopfloor")
    data = client.get("/mes/board.json").json()
    tile = next(ln for ln in data["lines"] if ln["code"] == "L1")
    assert tile["red"] is False and tile["work_order"]["number"] == wo.number
    assert 'data-red="0"' in data["html"]
    alarm(floor)
    data = client.get("/mes/board.json").json()
    tile = next(ln for ln in data["lines"] if ln["code"] == "L1")
    assert tile["red"] is True and tile["work_order"]["status"] == "paused"
    assert tile["alarms"][0]["message"] == "temp 91.5 > 85"
    assert 'data-red="1"' in data["html"] and "temp 91.5 &gt; 85" in data["html"]
    page = client.get("/mes/board/").content.decode()
    assert 'class="tile red"' in page


def test_series_and_oee(floor, as_role, clock):
    wo = dispatched(floor)
    work_orders.start(wo=wo, actor=floor["actor"])
    now = Actor.system("x").at
    processor = Processor()
    for i in range(5):
        processor.take("L1", "F1", {"temp": 80.0 + i}, now + datetime.timedelta(seconds=i))
    processor.flush()
    MinuteRollup.objects.create(machine=floor["machine"], metric="speed", minute=now.replace(second=0, microsecond=0),
                                n=2, total=10, low=4, high=6, last=6)
    work_orders.add_counts(wo=wo, good=40, scrap=2, at=now, actor=floor["actor"])
    clock.advance(minutes=2)
    client = as_role("manager")
    data = client.get(f"/mes/work-orders/{wo.pk}/series.json?machine=F1&metric=temp").json()
    assert [p[1] for p in data["points"]] == [80, 81, 82, 83, 84] and data["limits"][0]["value"] == 85
    page = client.get(f"/mes/work-orders/{wo.pk}/").content.decode()
    assert 'value="F1|temp" selected' in page and "F1|speed" in page and "F1|good" in page
    page = client.get("/mes/oee/?line=L1&from=2026-11-20&to=2026-11-20").content.decode()
    assert 'id="oee-value"' in page and "可用率" in page and "六大损失" in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_board_turns_red_without_reload_in_chromium(live_server, make_user, chromium, clock):
    clock.at(2026, 11, 20)
    with transaction.atomic():
        floor = make_floor()
        wo = dispatched(floor)
        work_orders.start(wo=wo, actor=floor["actor"])
        work_orders.add_counts(wo=wo, good=120, scrap=4, at=Actor.system("x").at, actor=floor["actor"])
        now = Actor.system("x").at
        for i in range(120):
            Reading.objects.create(machine=floor["machine"], ts=now - datetime.timedelta(seconds=120 - i),
                                   values={"temp": 78 + (i % 20) * 0.4})
        services.create_line(actor=floor["actor"], data={"code": "L2", "name": "包装线二号", "work_centre": "FILL-1",
                                                         "machines": [{"code": "P1"}, {"code": "P2"}]})
    make_user("shopfloor", username="foreman", password="pw-1")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        try:
            screen = browser.new_context(locale="zh-CN", viewport={"width": 1600, "height": 900})
            page = screen.new_page()
            browser_login(page, live_server.url, "foreman", "pw-1")
            page.goto(f"{live_server.url}/mes/board/")
            tile = page.locator('.tile[data-line="L1"]')
            assert tile.get_attribute("data-red") == "0"
            page.evaluate("window.__same_page = true")
            page.screenshot(path="/tmp/mes_board.png", full_page=True)
            alarm(floor)
            page.wait_for_selector('.tile[data-line="L1"].red', timeout=5000)
            assert page.evaluate("window.__same_page") is True  # no reload
            assert "temp 91.5 > 85" in tile.inner_text()
            page.screenshot(path="/tmp/mes_board_red.png", full_page=True)
            page.goto(f"{live_server.url}/mes/work-orders/{wo.pk}/")
            # the metric chart draws the temperature with its 85° limit (ECharts, SVG)
            page.wait_for_function("document.querySelectorAll('#chart svg path').length > 10", timeout=5000)
            page.wait_for_timeout(300)
            assert "限值 85" in page.locator("#chart").inner_text()
            page.screenshot(path="/tmp/mes_work_order.png", full_page=True)
            phone = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 667}, has_touch=True,
                                        is_mobile=True, device_scale_factor=2)
            hand = phone.new_page()
            browser_login(hand, live_server.url, "foreman", "pw-1")
            hand.goto(f"{live_server.url}/mes/operator/")
            hand.wait_for_function("document.activeElement && document.activeElement.id === 'scan'")
            hand.keyboard.type("B001")
            with hand.expect_navigation():
                hand.keyboard.press("Enter")
            hand.fill("#scan", wo.number)
            with hand.expect_navigation():
                hand.keyboard.press("Enter")
            assert wo.number in hand.locator("#on-wo").inner_text()
            hand.screenshot(path="/tmp/mes_operator.png", full_page=True)
        finally:
            browser.close()


def test_demo_line_loads_once_and_its_pages_read_chinese(db, settings):
    """`sihe.mes.demo.load_line` on the demo factory; the shop floor's pages, crawled as the demo's shopfloor
    and manager users after a pause, an alarm and a clock on/off, show no English word and no error."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.utils import translation

    from sihe.mes import demo
    from tests.test_demo import run_demo
    from tests.web.test_no_english import crawl, report

    with translation.override("zh-hans"):
        run_demo()
        actor = Actor.system("demo")
        assert demo.load_line(actor=actor) == 0  # `sihe demo` loaded it: a second time adds nothing
    wo = WorkOrder.objects.get(line__code="PK-1")
    assert wo.status == "dispatched" and wo.production_order.source == "demo:factory"
    work_orders.start(wo=wo, actor=actor)
    machine = Machine.objects.get(line__code="PK-1", code="FILL-1")
    work_orders.add_counts(wo=wo, good=300, scrap=6, at=actor.at, actor=actor)
    rule = wo.line.rules.get()
    work_orders.raise_alarm(line=wo.line, machine=machine, rule=rule, metric="temp", value=87.2,
                            message="temp 87.2 > 85 (10 s)", reading_at=actor.at, actor=Actor.system("collector"))
    operator = work_orders.operator_by_badge("E1001")
    work_orders.clock_on(operator=operator, wo=wo, actor=actor)
    work_orders.clock_off(operator=operator, actor=Actor.system("demo"))
    found = crawl(["shopfloor", "manager"])
    mes = {k: v for k, v in found["english"].items() if "/mes/" in k}
    errors = [e for e in found["errors"] if "/mes/" in e]
    assert not mes and not errors, report({**found, "english": mes, "errors": errors})
