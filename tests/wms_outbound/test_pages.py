"""The outbound pages with Django's test client: the board releases a wave, the pick list shows its
route, the handheld pages scan (POST → redirect, result shown once) through to goods out."""

import pytest
from django.urls import reverse

from sihe.wms.models import Shipment
from sihe.wms.outbound.models import PickList, Wave
from tests.wms_outbound.conftest import MILK_GTIN, gs1, ship_order

pytestmark = pytest.mark.django_db


def follow(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:300]
    return client.get(response["Location"])


def test_board_release_picklist_pick_check_pack_ship(stocked, actor, client_as):
    wh, milk, widget = stocked["wh"], stocked["milk"], stocked["widget"]
    shipment = ship_order(wh, [(milk, 2), (widget, 1)], number="WEB-1", actor=actor, mrsl=30)
    web = client_as("warehouse", "en")
    # the board shows one shipment waiting in OUT
    board = web.get(reverse("web_outbound:waves"))
    assert board.status_code == 200
    assert b'data-warehouse="OUT">1<' in board.content
    # release a wave, no zone split
    page = follow(web, reverse("web_outbound:waves"), {"warehouse": "OUT", "max_lines": "20", "carrier": "ZTO"})
    wave = Wave.objects.get()
    assert wave.number.encode() in page.content and b"released" in page.content
    pl = PickList.objects.get(wave=wave)
    # the pick list page: the route map and the stops in route order
    page = web.get(reverse("web_outbound:picklist", args=[pl.pk]))
    assert page.status_code == 200 and b"<svg" in page.content and b"48.00" in page.content
    body = page.content.decode()
    assert body.index("A-01-03-L") < body.index("B-04-09-L")
    # handheld: a wrong bin is refused on the page, with its code
    run = reverse("web_outbound:pick_run", args=[pl.pk])
    page = follow(web, run, {"barcode": "A-01-00-L"})
    assert b'class="flash err"' in page.content and b'data-code="wrong_bin"' in page.content
    # shown once: a reload does not repeat it
    assert b"flash err" not in web.get(run).content
    follow(web, run, {"barcode": "A-01-03-L"})
    page = follow(web, run, {"barcode": gs1(MILK_GTIN, "L2"), "qty": "1", "nonce": "n-1"})
    assert b'class="flash ok"' in page.content
    # the same form sent again (a resend after a dropped connection) picks once
    follow(web, run, {"barcode": gs1(MILK_GTIN, "L2"), "qty": "1", "nonce": "n-1"})
    assert shipment.lines.get(product=milk).picked_qty == 1
    page = follow(web, run, {"barcode": gs1(MILK_GTIN, "L2"), "qty": "1", "nonce": "n-2"})
    assert b'class="flash ok"' in page.content
    follow(web, run, {"barcode": "B-04-09-L"})
    page = follow(web, run, {"barcode": "WID-1", "qty": ""})
    assert b'id="list-done"' in page.content
    assert Shipment.objects.get(pk=shipment.pk).state == "picked"
    # check & pack: scan the shipment number, check each item, pack, ship
    page = follow(web, reverse("web_outbound:check"), {"barcode": shipment.number})
    check = reverse("web_outbound:check_run", args=[shipment.pk])
    page = follow(web, check, {"barcode": "6901234567892", "qty": "3"})
    assert b'data-code="over_count"' in page.content
    follow(web, check, {"barcode": "6901234567892", "qty": "2"})
    page = follow(web, check, {"barcode": "6901234567885"})
    assert b'id="pack-form"' in page.content and b'value="ZTO"' in page.content
    page = follow(web, check, {"action": "pack", "carrier": "ZTO", "tracking_no": "", "max_weight": "20"})
    assert b'id="label-link"' in page.content and b'id="ship-button"' in page.content
    page = follow(web, check, {"action": "ship"})
    assert Shipment.objects.get(pk=shipment.pk).state == "shipped"
    assert b"shipped with ZTO" in page.content
    assert web.get(reverse("web_outbound:waves")).status_code == 200


def test_pages_need_their_permission_and_speak_chinese_by_default(stocked, client_as):
    service = client_as("service")
    assert service.get(reverse("web_outbound:pick")).status_code == 403
    assert service.get(reverse("web_outbound:waves")).status_code == 403
    web = client_as("warehouse")
    assert web.get(reverse("web_outbound:picklist", args=[999999])).status_code == 404
    assert web.get(reverse("web_outbound:check_run", args=[999999])).status_code == 404
    page = web.get(reverse("web_outbound:pick"))
    assert page.status_code == 200
    assert "拣货" in page.content.decode()


def test_11_6_lists_held_by_no_login_are_offered_to_every_picker(stocked, actor, client_as, make_user):
    """Issue 11.6: demo pick lists belonged to picker "demo", which is no login, so /outbound/pick/ said
    没有待拣货的任务 while waves waited."""
    from sihe.core.errors import ValidationFailed
    from sihe.wms.outbound import services

    wh = stocked["wh"]
    ship_order(wh, [(stocked["widget"], 1)], number="ORPHAN", actor=actor)
    ship_order(wh, [(stocked["milk"], 1)], number="OTHERS", actor=actor, mrsl=30)
    wave = services.create_wave(warehouse=wh, actor=actor, by_zone=False, max_lines=1)
    orphan, held = wave.picklists.order_by("pk")
    PickList.objects.filter(pk=orphan.pk).update(picker="demo")  # as the old demo left it
    make_user("warehouse", "li")
    services.assign_picker(picklist=held, picker="li", actor=actor)
    # when another picker opens the handheld page
    page = client_as("warehouse").get(reverse("web_outbound:pick")).content.decode()
    # then the list held by no login is offered, the one held by picker li is not
    assert orphan.number in page and held.number not in page
    # and a list can only be assigned to a login
    with pytest.raises(ValidationFailed) as info:
        services.assign_picker(picklist=held, picker="nobody", actor=actor)
    assert (info.value.field, info.value.code) == ("picker", "unknown_picker")
