"""Modules on and off (X3, issue 19): a module turned off hides its menu, answers 404 on its pages (a page
saying so) and on its API (`module_disabled` naming it), its close checks and worker handlers are skipped,
its demo steps too; dependencies and open documents are refused with the reason; the rest goes on working."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from sihe.core import modules
from sihe.core.actor import Actor
from sihe.core.models import AuditEntry, Event, ModuleSwitch
from sihe.hub import registry
from sihe.hub.models import HandlerReceipt
from sihe.ledger import close
from sihe.oms import services as oms
from sihe.oms.models import Order
from sihe.web.management.commands import demo
from tests.oms.world import build, dealer_order
from tests.production.conftest import make_plant

pytestmark = pytest.mark.django_db
ADMIN = Actor.system("test-admin")

# module → (what it must turn off with it, a page, an API route, its menu entry)
CASES = {
    "orders": ((), "/orders/", "/api/v1/orders", "web_oms:orders"),
    "warehouse": (("planning", "purchasing"), "/inbound/", "/api/v1/wms/waves", "web_inbound:asns"),
    "purchasing": ((), "/purchasing/", "/api/v1/purchase-orders", "web_purchasing:orders"),
    "production": (("shopfloor",), "/production/", "/api/v1/production-orders", "web_production:orders"),
    "planning": ((), "/production/mrp/", "/api/v1/mrp/runs", "web_production:mrp"),
    "shopfloor": ((), "/mes/board/", "/api/v1/mes/lines", "web_mes:board"),
    "invoicing": ((), "/invoices/", "/api/v1/invoices", "web_invoices:list"),
}


def switch(code: str, enabled: bool, *, confirm: bool = True):
    with transaction.atomic():
        return modules.set_enabled(code, enabled, actor=ADMIN, confirm=confirm)


def nav_names(client) -> set[str]:
    html = client.get("/").content.decode()
    return {part.split('"')[0] for part in html.split('data-nav="')[1:]}


@pytest.mark.parametrize("code", list(CASES))
def test_a_module_turned_off_hides_its_menu_and_answers_404(code, client_as, api_as):
    also, page, route, entry = CASES[code]
    web, api = client_as("admin"), api_as("admin")
    assert entry in nav_names(web)
    assert api.get(route).status_code != 404 or api.get(route).json_body.get("code") != "module_disabled"
    for other in (*also, code):
        switch(other, False)
    # the menu entry is gone, the page says which module is off, the API names it
    assert entry not in nav_names(web)
    answer = web.get(page)
    assert answer.status_code == 404 and f'data-module="{code}"' in answer.content.decode()
    r = api.get(route)
    assert (r.status_code, r.json_body["code"], r.json_body["module"]) == (404, "module_disabled", code)
    assert api.post(route + "/1/anything", {}).json_body["code"] == "module_disabled"
    # the courtyard still answers
    assert web.get("/products/").status_code == 200 and api.get("/api/v1/stock/levels").status_code == 200
    # and on again: back
    for other in (code, *reversed(also)):
        switch(other, True)
    assert entry in nav_names(web) and web.get(page).status_code == 200


def test_dependencies_are_refused_naming_both_modules(api_as):
    admin = api_as("admin")
    r = admin.post("/api/v1/modules/production", {"enabled": False})
    assert (r.status_code, r.json_body["code"], r.json_body["needed_by"]) == (409, "module_in_use", "shopfloor")
    assert "MES" in r.json_body["message"] or "车间" in r.json_body["message"]
    switch("shopfloor", False)
    switch("production", False)
    # planning still has purchasing; without purchasing too it needs one of them first
    r = admin.post("/api/v1/modules/purchasing", {"enabled": False})
    assert (r.status_code, r.json_body["needed_by"]) == (409, "planning")
    switch("planning", False)
    switch("purchasing", False)
    r = admin.post("/api/v1/modules/planning", {"enabled": True})
    assert (r.status_code, r.json_body["code"], r.json_body["requires"]) == (409, "module_required",
                                                                              ["production", "purchasing"])
    assert set(modules.disabled()) == {"shopfloor", "production", "planning", "purchasing"}
    # only an admin switches; everyone reads
    assert api_as("manager").post("/api/v1/modules/orders", {"enabled": False}).status_code == 403
    listed = {m["code"]: m["enabled"] for m in api_as("manager").get("/api/v1/modules").json_body}
    assert listed["orders"] is True and listed["production"] is False


def test_open_documents_need_a_confirmation_and_stay_as_they_are(api_as):
    world = build(stock={"SH": 4})
    with transaction.atomic():
        order = oms.receive_order(channel_code="dealer", body=dealer_order("D-1", 1), actor=world["actor"]).order
    admin = api_as("admin")
    r = admin.post("/api/v1/modules/orders", {"enabled": False})
    assert (r.status_code, r.json_body["code"]) == (409, "module_has_open_documents")
    assert list(r.json_body["open_documents"].values()) == [1]
    assert modules.disabled() == set()
    r = admin.post("/api/v1/modules/orders", {"enabled": False, "confirm": True})
    assert (r.status_code, r.json_body["enabled"]) == (200, False)
    assert Order.objects.get(pk=order.pk).status == "allocated"  # nothing was cancelled
    switch_row = ModuleSwitch.objects.get(code="orders")
    assert AuditEntry.objects.filter(action="module.disable", object_id=str(switch_row.pk)).count() == 1
    assert Event.objects.filter(type="core.module.disabled", aggregate_id="orders").count() == 1


def test_an_order_still_ships_without_production_planning_and_the_shop_floor(api_as):
    for code in ("shopfloor", "planning", "production"):
        switch(code, False)
    world = build(stock={"SH": 4})
    r = api_as("service").post("/api/v1/channels/dealer/orders", dealer_order("D-7", 2))
    assert r.status_code == 201, r.json_body
    order = r.json_body["order"]
    shipped = api_as("warehouse").post(f"/api/v1/orders/{order['id']}/ship", {"carrier": "SF", "tracking_no": "SF7"})
    assert (shipped.status_code, Order.objects.get(pk=order["id"]).status) == (200, "shipped"), shipped.json_body
    assert world["tee"].sku == "TEE-BLK-M"


@pytest.fixture
def factory(clock):
    clock.at(2026, 11, 20)
    return make_plant()


def test_a_factory_without_orders_still_produces(factory, api_as):
    for code in ("orders", "invoicing"):
        switch(code, False)
    manager, floor = api_as("manager"), api_as("shopfloor")
    created = manager.post("/api/v1/production-orders", {"sku": "YOG-100G", "qty": "100", "warehouse": "FAC",
                                                          "due_date": "2026-11-25"})
    assert created.status_code == 201, created.json_body
    path = f"/api/v1/production-orders/{created.json_body['id']}"
    assert floor.post(f"{path}/release").status_code == 200
    assert floor.post(f"{path}/issue").status_code == 200
    floor.post(f"{path}/report", {"good": "100", "scrap": "0", "minutes": "60", "work_centre": "FILL-1"})
    assert floor.post(f"{path}/receive", {"qty": "100"}).status_code == 200
    assert manager.get(path).json_body["good"] == "100"
    assert api_as("manager").get("/api/v1/orders").json_body["code"] == "module_disabled"


def test_close_checks_worker_handlers_and_demo_steps_of_a_module_off_are_skipped():
    codes = lambda: [r["code"] for r in close.run_checks("2026-11")]  # noqa: E731
    assert {"wip_matches_orders", "receivables_match_ledger"} <= set(codes())
    switch("shopfloor", False)
    switch("production", False)
    assert "wip_matches_orders" not in codes() and "receivables_match_ledger" in codes()
    assert "inventory_matches_ledger" in codes()  # costing is the courtyard: always asked
    # the shop floor's handler of a cancelled production order does nothing, but the event counts as seen
    handler = next(h for h in registry.handlers() if h.name == "mes.cancel_work_orders")
    with transaction.atomic():
        event = Event.objects.create(type="production.order.cancelled", aggregate_type="production.order",
                                     aggregate_id="999", occurred_at=ADMIN.at, actor=ADMIN.as_dict(),
                                     payload={"number": "MO-NOPE", "id": 999})
    assert registry.run_handler(handler, event) is True
    assert HandlerReceipt.objects.filter(handler="mes.cancel_work_orders", event_id=event.id).exists()
    # the demo loads neither the factory nor the packaging line
    skipped = [str(s.label) for s in demo.STEPS if not modules.code_enabled(s.run)]
    assert len(skipped) == 2 and all(not modules.code_enabled(s.run) for s in demo.STEPS
                                     if s.run.__module__ in ("sihe.production.demo", "sihe.mes.demo"))


def test_the_command_lists_switches_and_refuses_with_the_reason(capsys):
    call_command("modules", "--disable", "shopfloor")
    out = capsys.readouterr().out
    assert [line.split()[:1] for line in out.splitlines()][:1] == [["orders"]]
    assert modules.disabled() == {"shopfloor"}
    with pytest.raises(CommandError) as err:
        call_command("modules", "--disable", "warehouse")
    assert "purchasing" in str(err.value).lower() or "采购" in str(err.value)
    assert modules.disabled() == {"shopfloor"}
    call_command("modules", "--enable", "shopfloor")
    assert modules.disabled() == set()


def test_a_new_app_declares_its_module_in_one_call():
    before = modules.get("cashbank")
    try:
        modules.register(modules.Module("cashbank", "Cash", packages=("sihe.cashbank",), web=("/cash/",),
                                        api=("/api/v1/bank-accounts",)))
        assert modules.module_for_path("/api/v1/bank-accounts/3").code == "cashbank"
        assert modules.module_for_code("sihe.cashbank.services").code == "cashbank"
        assert modules.module_for_path("/api/v1/ledger/vouchers") is None
    finally:
        modules.register(before)


@pytest.mark.parametrize("code,page,route", [
    ("orders", "/b2b/quotations/", "/api/v1/quotations"),  # B2B belongs to orders
    ("orders", "/orders/merges/", "/api/v1/orders/merge-candidates"),
    ("assets", "/assets/", "/api/v1/assets"),
    ("cashbank", "/cash/", "/api/v1/cash-accounts"),
])
def test_the_sub_apps_and_new_wings_follow_their_module(code, page, route, client_as, api_as):
    switch(code, False)
    assert client_as("admin").get(page).status_code == 404
    r = api_as("admin").get(route)
    assert (r.status_code, r.json_body["code"], r.json_body["module"]) == (404, "module_disabled", code)
