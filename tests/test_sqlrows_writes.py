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


def test_rows_of_several_tables_go_in_together_each_instance_with_its_own_id(db):
    """`insert_groups` (an act's log rows at its end): one statement on PostgreSQL, one a table on SQLite; every
    instance gets the id of its own row, as `insert_rows` gives it."""
    from sihe.core.models import AuditEntry, Event

    at = timezone.make_aware(datetime.datetime(2026, 11, 26, 9, 30, 15, 123456))
    Event.objects.create(type="warm", version=1, aggregate_type="x", aggregate_id="0", occurred_at=at)  # ids differ
    audits = [AuditEntry(at=at, username="王会计", via="web", action="post", object_type="g", object_id=str(i),
                         object_repr=f"记-{i}", field="", old_value="", new_value=f"值{i}") for i in range(3)]
    events = [Event(type="ledger.voucher.posted", version=1, aggregate_type="g", aggregate_id=str(i), occurred_at=at,
                    actor={"username": "王会计"}, payload={"i": i, "memo": "销售 订单"}) for i in range(2)]
    with CaptureQueriesContext(connection) as queries:
        sqlrows.insert_groups([audits, [], events])
    assert len(queries.captured_queries) == (1 if connection.vendor == "postgresql" else 2)
    assert [(a.pk, a.new_value) for a in audits] == list(
        AuditEntry.objects.filter(object_type="g").order_by("pk").values_list("pk", "new_value"))
    assert [(e.pk, e.payload) for e in events] == [(e.pk, e.payload) for e in
                                                   Event.objects.filter(aggregate_type="g").order_by("pk")]
    assert all(not row._state.adding for row in [*audits, *events])
    # rows `insert_rows` would hand to bulk_create (an id given) go in on their own, the others still together
    given = [AuditEntry(pk=10**9, at=at, username="x", via="web", action="a", object_type="h", object_id="1",
                        object_repr="o", field="", old_value="", new_value="given")]
    more = [Event(type="t", version=1, aggregate_type="h", aggregate_id="1", occurred_at=at)]
    sqlrows.insert_groups([given, more])
    assert AuditEntry.objects.get(pk=10**9).new_value == "given" and Event.objects.get(pk=more[0].pk).type == "t"


def test_writes_whose_outcome_is_not_read_go_first_or_with_the_rows(products):
    """An act's balance upsert (`batch.write_later`) rides with its log rows: one statement on PostgreSQL;
    a write given up by a rolled-back part of the act is not sent."""
    from sihe.core import batch
    from sihe.core.models import AuditEntry

    a, b = products[:2]
    at = timezone.make_aware(datetime.datetime(2026, 11, 26, 9, 30))
    write = ('UPDATE "catalog_product" SET "list_price" = "list_price" + %s WHERE "id" = %s', [D("2.50"), a.pk])
    audit = [AuditEntry(at=at, username="王会计", via="web", action="x", object_type="w", object_id="1",
                        object_repr="o", field="", old_value="", new_value="1")]
    with CaptureQueriesContext(connection) as queries:
        sqlrows.insert_groups([audit], writes=[write])
    assert len(queries.captured_queries) == (1 if connection.vendor == "postgresql" else 2)
    assert values("list_price")[:2] == [D("2.5000"), D("0.0000")] and AuditEntry.objects.get(pk=audit[0].pk)
    with batch.collect():
        assert batch.write_later(*write)
        point = batch.mark()
        assert batch.write_later('UPDATE "catalog_product" SET "list_price" = %s WHERE "id" = %s', [D("9"), b.pk])
        batch.discard_since(point)  # as `tx.act()` does when its savepoint is rolled back
        assert values("list_price")[:2] == [D("2.5000"), D("0.0000")]  # nothing sent before the act's end
    assert values("list_price")[:2] == [D("5.0000"), D("0.0000")]
    assert not batch.write_later(*write)  # outside an act that collects: the caller runs it


def test_a_row_goes_in_unless_its_unique_value_is_taken(db):
    """`insert_unless_taken` (a shipment's number): one statement; a taken value writes nothing and says so."""
    from sihe.catalog.models import Warehouse
    from sihe.wms.models import Shipment

    warehouse = Warehouse.objects.create(code="UT", name="UT仓")
    first = Shipment(number="UT-api-1", warehouse=warehouse, source_type="oms.order", source_id="7",
                     source_number="api-1", receiver_name="张三")
    with CaptureQueriesContext(connection) as queries:
        assert sqlrows.insert_unless_taken(first, "number")
    assert len(queries.captured_queries) == 1 and first.pk and not first._state.adding
    stored = Shipment.objects.get(pk=first.pk)
    assert (stored.number, stored.state, stored.receiver_name, stored.warehouse_id) == (
        "UT-api-1", Shipment.State.PENDING, "张三", warehouse.pk)
    again = Shipment(number="UT-api-1", warehouse=warehouse, source_type="oms.order", source_id="8")
    assert not sqlrows.insert_unless_taken(again, "number")
    assert again.pk is None and Shipment.objects.filter(number="UT-api-1").count() == 1


def test_statements_sent_together_change_what_each_says(products):
    """`write_together` (a shipment's lines and its own row as it ships): one statement on PostgreSQL; each
    statement as `update_each` and `save(update_fields=…)` would run it."""
    a, b, c, _d = products
    c.name, c.weight = "改名", D("2.125")
    writes = [sqlrows.update_each_statement(Product, "list_price", {a.pk: D("1.5"), b.pk: D("2.25")}),
              sqlrows.save_statement(c, ["name", "weight"])]
    with CaptureQueriesContext(connection) as queries:
        sqlrows.write_together(writes)
    assert len(queries.captured_queries) == (1 if connection.vendor == "postgresql" else 2)
    assert values("list_price") == [D("1.5000"), D("2.2500"), D("0.0000"), D("0.0000")]
    assert values("name") == ["品0", "品1", "改名", "品3"] and values("weight")[2] == D("2.125")


def test_rows_numbered_with_the_counter_in_one_statement_or_left_to_the_caller(db):
    """`numbering.number_rows`: on PostgreSQL the counter (made for a new series) and the rows in one statement,
    gapless after the last number; on SQLite it changes nothing and leaves the numbering to the caller."""
    from django.db import transaction

    from sihe.core import numbering
    from sihe.core.models import NumberSeries

    pcs = Uom.objects.get(code="PCS")
    rows = [Product.objects.create(sku=f"NR-{i}", name="品", uom=pcs) for i in range(3)]
    ids = [rows[2].pk, rows[0].pk]  # the order given is the order of the numbers
    with transaction.atomic():
        first = numbering.number_rows("test.rows", period="202610", model=Product, field="shelf_life_days",
                                      ids=ids[:1], same={})  # a new series: its counter made by the statement
        assert first == (None if connection.vendor != "postgresql" else {rows[2].pk: 1})
        numbering.seed("test.rows", period="202611", last=41)
        got = numbering.number_rows("test.rows", period="202611", model=Product, field="shelf_life_days", ids=ids,
                                    same={"name": "已编号"})
    stored = dict(Product.objects.filter(sku__startswith="NR-").values_list("sku", "shelf_life_days"))
    if connection.vendor != "postgresql":
        assert got is None and stored == {"NR-0": None, "NR-1": None, "NR-2": None}
        assert NumberSeries.objects.get(series="test.rows", period="202611").last == 41
        assert not NumberSeries.objects.filter(series="test.rows", period="202610").exists()
        return
    assert NumberSeries.objects.get(series="test.rows", period="202610").last == 1
    assert got == {rows[2].pk: 42, rows[0].pk: 43} and stored == {"NR-0": 43, "NR-1": None, "NR-2": 42}
    assert NumberSeries.objects.get(series="test.rows", period="202611").last == 43
    assert list(Product.objects.filter(sku__startswith="NR-").order_by("sku").values_list("name", flat=True)) == [
        "已编号", "品", "已编号"]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:  # new rows go in with the numbering
        new = [Product(sku=f"NR-NEW-{i}", name="新", uom=pcs) for i in range(2)]
        got = numbering.number_rows("test.rows", period="202611", model=Product, field="shelf_life_days",
                                    ids=[rows[1].pk], same={}, inserting=new)
    assert len(queries.captured_queries) == 1 and got == {rows[1].pk: 44}
    assert [p.pk for p in new] == list(Product.objects.filter(sku__startswith="NR-NEW-").order_by("sku")
                                       .values_list("pk", flat=True)) and None not in [p.pk for p in new]
