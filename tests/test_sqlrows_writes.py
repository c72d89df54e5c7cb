"""sihe.core.sqlrows' writes: `update_each` (many rows, each its own value, in one UPDATE … FROM (rows)) and
`insert_rows` (the act's audit rows, events and timeline) leave the rows exactly as the ORM's update and
`bulk_create` would, on SQLite and PostgreSQL."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sihe.catalog.models import Product, Uom
from sihe.core import sqlrows
from sihe.ledger.models import Period, Voucher

D = Decimal


@pytest.fixture
def products(db):
    pcs = Uom.objects.get(code="PCS")
    return [Product.objects.create(sku=f"UE-{i}", name=f"品{i}", uom=pcs, weight=D("1.000"), volume=D("0.500000"))
            for i in range(4)]


def values(field: str) -> list:
    return list(Product.objects.filter(sku__startswith="UE-").order_by("sku").values_list(field, flat=True))


def test_each_row_gets_its_own_value_in_one_statement_and_the_rest_is_untouched(products):
    a, b, c, d = products
    with CaptureQueriesContext(connection) as queries:
        changed = sqlrows.update_each(Product, "list_price", {a.pk: D("12.3456"), b.pk: D("-0.0100"),
                                                              c.pk: D("99999999.9999")})
    assert (changed, len(queries.captured_queries)) == (3, 1)
    assert values("list_price") == [D("12.3456"), D("-0.0100"), D("99999999.9999"), D("0.0000")]


def test_add_adds_to_the_value_each_row_has(products):
    a, b, *_ = products
    sqlrows.update_each(Product, "weight", {a.pk: D("0.250"), b.pk: D("-1.000")}, add=True)
    sqlrows.update_each(Product, "weight", {a.pk: D("0.005")}, add=True)
    assert values("weight") == [D("1.255"), D("0.000"), D("1.000"), D("1.000")]


def test_same_sets_one_value_on_every_row_and_copy_takes_another_column_of_the_row(products):
    a, b, *_ = products
    Product.objects.filter(pk=b.pk).update(volume=D("2.125000"))
    sqlrows.update_each(Product, "shelf_life_days", {a.pk: 30, b.pk: 365}, same={"name_en": "Renamed"},
                        copy={"weight": "volume"})
    assert values("shelf_life_days") == [30, 365, None, None]
    assert values("name_en") == ["Renamed", "Renamed", "", ""]
    assert values("weight") == [D("0.500"), D("2.125"), D("1.000"), D("1.000")]


def test_a_date_and_time_set_on_every_row_reads_back_as_the_orm_writes_it(db):
    at = timezone.make_aware(datetime.datetime(2026, 11, 26, 9, 30, 15, 123456))
    period = Period.objects.create(code="2026-11")
    made = [Voucher.objects.create(period=period, word="记", date=datetime.date(2026, 11, 26), memo=f"v{i}",
                                   created_at=at) for i in range(2)]
    sqlrows.update_each(Voucher, "number", {made[0].pk: 7, made[1].pk: 8}, same={"posted_by": "ann", "posted_at": at})
    orm = Voucher.objects.create(period=period, word="记", date=datetime.date(2026, 11, 26), memo="orm", created_at=at)
    Voucher.objects.filter(pk=orm.pk).update(number=9, posted_by="ann", posted_at=at)
    rows = list(Voucher.objects.order_by("pk").values_list("number", "posted_by", "posted_at"))
    assert rows == [(7, "ann", at), (8, "ann", at), (9, "ann", at)]


def test_nothing_to_update_runs_nothing_and_a_missing_row_is_not_counted(products):
    a, *_ = products
    with CaptureQueriesContext(connection) as queries:
        assert sqlrows.update_each(Product, "weight", {}) == 0
    assert queries.captured_queries == []
    assert sqlrows.update_each(Product, "weight", {a.pk: D("3.000"), 10**9: D("4.000")}) == 1
    assert values("weight")[0] == D("3.000")


def test_a_per_row_value_of_a_column_that_is_not_a_number_is_refused_before_anything_runs(products):
    with CaptureQueriesContext(connection) as queries, pytest.raises(TypeError, match="numeric columns only"):
        sqlrows.update_each(Product, "name", {products[0].pk: "x"})
    assert queries.captured_queries == [] and values("name")[0] == "品0"


def test_inserted_rows_read_back_as_bulk_create_writes_them_and_each_instance_gets_its_id(db):
    from sihe.core.models import AuditEntry, Event

    at = timezone.make_aware(datetime.datetime(2026, 11, 26, 9, 30, 15, 123456))

    def events(tag):
        return [Event(type="oms.order.received", version=1, aggregate_type="order", aggregate_id=f"{tag}-{i}",
                      occurred_at=at, actor={"username": "王会计", "via": "web"},
                      payload={"number": f"{tag}-{i}", "amount": "12.30", "lines": [{"sku": "茶-1", "qty": 2}],
                               "none": None}) for i in range(3)]

    ours, theirs = events("A"), events("B")
    with CaptureQueriesContext(connection) as queries:
        sqlrows.insert_rows(ours)
    assert len(queries.captured_queries) == 1
    Event.objects.bulk_create(theirs)
    assert all(e.pk and not e._state.adding for e in ours) and len({e.pk for e in ours + theirs}) == 6

    def read(tag):
        return [(e.type, e.aggregate_id[2:], e.occurred_at, e.actor, e.payload | {"number": None})
                for e in Event.objects.filter(aggregate_id__startswith=tag).order_by("pk")]
    assert read("A") == read("B") and read("A")[0][3] == {"username": "王会计", "via": "web"}
    assert [e.pk for e in ours] == list(Event.objects.filter(aggregate_id__startswith="A").order_by("pk")
                                        .values_list("pk", flat=True))
    # more rows than one statement may bind (SQLite: 999 values; an audit row has 11): several statements, every id set
    rows = [AuditEntry(at=at, username="bench", via="system", action="x", object_type="t", object_id=str(i),
                       object_repr="o", field="f", old_value="", new_value=str(i)) for i in range(200)]
    sqlrows.insert_rows(rows)
    stored = dict(AuditEntry.objects.filter(object_type="t").values_list("pk", "new_value"))
    assert len(stored) == 200 and all(stored[row.pk] == row.new_value for row in rows)


def test_a_row_naming_an_instance_saved_after_it_was_made_takes_its_id_as_bulk_create_does(db):
    from sihe.catalog.models import Warehouse, Zone

    warehouse = Warehouse(code="UE", name="UE仓")
    zone = Zone(warehouse=warehouse, code="A", name="A区")
    warehouse.save()
    sqlrows.insert_rows([zone])
    assert Zone.objects.get(pk=zone.pk).warehouse_id == warehouse.pk
    with pytest.raises(ValueError, match="unsaved related object"):
        sqlrows.insert_rows([Zone(warehouse=Warehouse(code="UF", name="UF仓"), code="B", name="B区")])
