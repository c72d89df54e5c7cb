"""sihe.core.sqlrows: the hot reads written out as SQL give the very instances the ORM gives (every field
converted alike, the related rows attached without another query), on SQLite and PostgreSQL."""

import datetime
from decimal import Decimal

from django.db import transaction

from sihe.catalog.models import Location, Product
from sihe.stock.models import Lot
from sihe.stock.services import known_lot
from sihe.wms.inbound.models import Asn, AsnLine
from sihe.wms.inbound.services import (
    _lock_asn,
    _scan_reads,
    dock_of,
    product_by_gtin,
    receive_scan,
    set_inspection_rule,
)

from .conftest import GTIN_BOLT, GTIN_MILK


def same_fields(ours, orm) -> None:
    for field in type(orm)._meta.concrete_fields:
        mine, theirs = getattr(ours, field.attname), getattr(orm, field.attname)
        assert (type(mine), mine) == (type(theirs), theirs), field.name


def test_the_product_read_by_gtin_equals_the_orms_with_its_unit_and_inspection(milk, actor,
                                                                               django_assert_num_queries):
    milk.list_price, milk.weight, milk.active = Decimal("12.3400"), Decimal("1.050"), False
    milk.save()
    with django_assert_num_queries(1):
        found = product_by_gtin(f"0{GTIN_MILK}")  # the GTIN-13 as a GTIN-14
        assert (found.uom.code, found.inspected) == ("PCS", False)  # the unit came with it
    same_fields(found, Product.objects.get(pk=milk.pk))
    same_fields(found.uom, milk.uom)
    with transaction.atomic():
        set_inspection_rule(product=milk, active=True, actor=actor, note="抽检")
    assert product_by_gtin(f"0{GTIN_MILK}").inspected is True
    assert product_by_gtin("06999999999999") is None


def test_the_locked_asn_equals_the_orms_with_warehouse_and_supplier(make_asn, milk, django_assert_num_queries):
    asn = make_asn((milk, 10, "4.50"))
    with transaction.atomic(), django_assert_num_queries(1):
        locked = _lock_asn(asn)
        assert (locked.warehouse.code, locked.supplier.code) == ("SH", "S001")
    same_fields(locked, Asn.objects.get(pk=asn.pk))
    same_fields(locked.warehouse, asn.warehouse)
    Asn.objects.filter(pk=asn.pk).update(supplier=None)
    with transaction.atomic(), django_assert_num_queries(1):
        assert _lock_asn(asn).supplier is None


def test_the_lot_and_the_dock_read_for_a_scan_equal_the_orms(make_asn, milk, wh, actor, django_assert_num_queries):
    asn = make_asn((milk, 10, "4.50"))
    with transaction.atomic():
        receive_scan(asn=asn, barcode=f"(01)0{GTIN_MILK}(17)261231(11)261101(10)L-7(37)2", actor=actor)
    with django_assert_num_queries(1):
        lot = known_lot(milk, "L-7")
    same_fields(lot, Lot.objects.get(product=milk, number="L-7"))
    assert (lot.expiry_date, lot.production_date) == (datetime.date(2026, 12, 31), datetime.date(2026, 11, 1))
    assert known_lot(milk, "NO-SUCH") is None
    with django_assert_num_queries(1):
        dock = dock_of(wh)
    same_fields(dock, Location.objects.get(warehouse=wh, code="DOCK-1"))


def test_the_dock_comes_with_the_locked_asn_as_the_orm_reads_it(make_asn, milk, wh, django_assert_num_queries):
    asn = make_asn((milk, 10, "4.50"))
    with transaction.atomic(), django_assert_num_queries(1):
        locked = _lock_asn(asn, with_dock=True)
    same_fields(locked, Asn.objects.get(pk=asn.pk))
    same_fields(locked.dock, dock_of(wh))
    Location.objects.filter(warehouse=wh, kind=Location.Kind.DOCK).update(active=False)
    with transaction.atomic():
        assert _lock_asn(asn, with_dock=True).dock is None  # no active dock: the scan falls back as dock_of does


def test_the_scan_reads_its_product_and_its_lines_as_the_orm_and_the_others_as_figures(make_asn, milk, bolt, actor,
                                                                                       django_assert_num_queries):
    asn = make_asn((milk, 10, "4.50"), (bolt, 500, "0.20"), (milk, 3, "4.60"))
    with transaction.atomic():
        receive_scan(asn=asn, barcode=f"0{GTIN_BOLT}", qty="7", actor=actor)
    with django_assert_num_queries(1):  # the product by its GTIN and the ASN's lines: one statement
        product, mine, figures = _scan_reads(asn, f"0{GTIN_MILK}")
    same_fields(product, Product.objects.get(pk=milk.pk))
    assert (product.uom.code, product.inspected) == ("PCS", False)
    milk = product
    orm = list(AsnLine.objects.filter(asn=asn).order_by("id"))
    assert [line.pk for line in mine] == [orm[0].pk, orm[2].pk]
    for line, theirs in zip(mine, (orm[0], orm[2]), strict=True):
        same_fields(line, theirs)
        assert line.product is milk  # attached, not read again
    assert [(f.pk, f.sku, f.qty, f.received_qty, f.rejected_qty) for f in figures] == [
        (o.pk, o.product.sku, o.qty, o.received_qty, o.rejected_qty) for o in orm]
    assert [type(f.received_qty) for f in figures] == [Decimal] * 3
    assert figures[1].counted_qty(asn) == Decimal(7)
    assert _scan_reads(asn, "06999999999999") == (None, [], [])  # unknown GTIN: no product, nothing read
    other = make_asn((milk, 1, "4.50"))
    found, mine, figures = _scan_reads(other, f"0{GTIN_BOLT}")  # not on the ASN: the product all the same
    assert (found.pk, mine, [f.sku for f in figures]) == (bolt.pk, [], [milk.sku])
    AsnLine.objects.filter(asn=other).delete()
    found, mine, figures = _scan_reads(other, f"0{GTIN_BOLT}")  # no lines at all: one row, its line NULL
    assert (found.pk, mine, figures) == (bolt.pk, [], [])


def test_rows_held_as_prefetched_answer_all_from_memory(make_asn, milk, bolt, django_assert_num_queries):
    from sihe.core import sqlrows

    asn = make_asn((milk, 10, "4.50"), (bolt, 500, "0.20"))
    fresh = Asn.objects.get(pk=asn.pk)
    rows = sqlrows.every(f'SELECT {sqlrows.columns(AsnLine, "l")} FROM "{AsnLine._meta.db_table}" l '
                         f'WHERE l."asn_id" = %s ORDER BY l."id"', [asn.pk], AsnLine)
    sqlrows.prefetched(fresh, "lines", rows)
    with django_assert_num_queries(0):
        held = list(fresh.lines.all())
        assert held == rows and all(line.asn is fresh for line in held)
    assert [line.pk for line in held] == list(AsnLine.objects.filter(asn=asn).order_by("id").values_list("pk", flat=True))
