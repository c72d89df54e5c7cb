"""Importing master data from Excel: validate the WHOLE file first, then write it in one transaction.

`validate_workbook` reads every row, cleans it with the same `clean_*` functions the API uses and
collects every problem as (row, column letter, header, reason). Any problem → `ImportRejected` and
nothing is written. Otherwise `apply_plan` writes the rows set-based (bulk_create / bulk_update in
chunks), one audit row per created object and per changed field, and one
`catalog.import.completed` event. Big files go through an `ImportJob` run by
`sihe import_excel --job <id>` in a detached process (`start_background_import`).
"""

import logging
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sihe.catalog.excel import COLUMNS, KEYS, Column, check_kind, column_by_header, letter, norm, open_sheet
from sihe.catalog.models import Category, ImportJob, Location, Partner, Product, Uom, Warehouse, Zone
from sihe.catalog.validation import clean_location, clean_partner, clean_product
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, ValidationFailed
from sihe.core.models import AuditEntry
from sihe.core.outbox import emit

logger = logging.getLogger(__name__)
CHUNK = 1000
QUERY_CHUNK = 900  # keys per IN (...) query, below SQLite's old variable limit
MAX_ROWS = 500_000
CLEANERS = {"products": clean_product, "partners": clean_partner, "locations": clean_location}
MODELS = {"products": Product, "partners": Partner, "locations": Location}
# Fields that name another row by its code; stored as <field>_id.
REFS = {"products": ("uom", "category"), "partners": (), "locations": ("warehouse", "zone")}

Progress = Callable[[int], None] | None


class ImportRejected(ValidationFailed):
    """The file has problems; `errors` lists every one and nothing was written."""

    code = "invalid_file"


@dataclass
class Plan:
    """A validated file: cleaned rows in file order, ready to be written."""

    kind: str
    rows: list = field(default_factory=list)  # (excel row, cleaned dict with codes for references)
    fields: list = field(default_factory=list)  # the fields the file carries
    existing: set = field(default_factory=set)  # keys that existed when the file was validated


@dataclass
class ImportResult:
    kind: str
    rows: int
    created: int
    updated: int

    @property
    def unchanged(self) -> int:
        return self.rows - self.created - self.updated

    def as_dict(self) -> dict:
        return {"status": "done", "kind": self.kind, "rows": self.rows, "created": self.created,
                "updated": self.updated, "unchanged": self.unchanged}


def _error(row, index, header, field_name, message) -> dict:
    return {"row": row, "column": letter(index) if index is not None else None,
            "header": None if header is None else str(header), "field": field_name, "message": str(message)}


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _key(kind: str, cleaned: dict):
    names = KEYS[kind]
    if any(not cleaned.get(n) for n in names):
        return None
    return tuple(cleaned[n] for n in names) if len(names) > 1 else cleaned[names[0]]


def _fits(model, cleaned: dict) -> list[tuple[str, str]]:
    """Numbers the database column cannot hold (too many digits, beyond a positive integer)."""
    problems = []
    for name, value in cleaned.items():
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            continue
        try:
            model_field = model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - a derived value that is no column
            continue
        if isinstance(model_field, models.DecimalField):
            whole = model_field.max_digits - model_field.decimal_places
            if abs(value) >= Decimal(10) ** whole:
                problems.append((name, _("too large: at most %(n)s digits before the decimal point") % {"n": whole}))
        elif isinstance(model_field, models.IntegerField) and value > 2147483647:
            problems.append((name, _("too large")))
    return problems


class _Header:
    """Which column of the sheet carries which field; header problems are row 1."""

    def __init__(self, kind: str, headers: list):
        self.kind = kind
        self.headers = headers
        self.errors: list[dict] = []
        self.columns: list[tuple[int, Column]] = []
        self.index_of: dict[str, int] = {}
        by_header = column_by_header(kind)
        for index, header in enumerate(headers):
            if _blank(header):
                continue
            column = by_header.get(norm(header))
            if column is None:
                self.errors.append(_error(1, index, header, None, _("unknown column %(header)s; known columns: %(known)s")
                                          % {"header": header, "known": ", ".join(c.chinese for c in COLUMNS[kind])}))
            elif column.field in self.index_of:
                self.errors.append(_error(1, index, header, column.field, _("column %(field)s appears twice (also column %(other)s)")
                                          % {"field": column.field, "other": letter(self.index_of[column.field])}))
            else:
                self.index_of[column.field] = index
                self.columns.append((index, column))
        for name in KEYS[kind]:
            if name not in self.index_of:
                column = next(c for c in COLUMNS[kind] if c.field == name)
                self.errors.append(_error(1, None, column.chinese, name, _("the key column %(en)s / %(zh)s is missing")
                                          % {"en": column.english, "zh": column.chinese}))
        self.values = {c.field: {norm(k): v for k, v in c.values.items()} for _, c in self.columns if c.values}
        self.key_missing = any(name not in self.index_of for name in KEYS[kind])

    def header_of(self, field_name: str):
        index = self.index_of.get(field_name)
        if index is not None:
            return index, self.headers[index]
        column = next((c for c in COLUMNS[self.kind] if c.field == field_name), None)
        return None, (column.chinese if column else field_name)

    def read(self, row: int, cells: tuple) -> tuple[dict, list[dict]]:
        data, errors = {}, []
        for index, column in self.columns:
            value = cells[index] if index < len(cells) else None
            if isinstance(value, str):
                value = value.strip()
                words = self.values.get(column.field)
                if words and norm(value) in words:
                    value = words[norm(value)]
            data[column.field] = value
        for index in range(len(cells)):
            if (index >= len(self.headers) or _blank(self.headers[index])) and not _blank(cells[index]):
                errors.append(_error(row, index, None, None, _("a value in a column without a header")))
        return data, errors


class _References:
    """Codes of other rows, resolved with one query per kind of reference."""

    def __init__(self, kind: str):
        self.kind = kind
        if kind == "products":
            self.uoms = dict(Uom.objects.values_list("code", "id"))
            self.categories = dict(Category.objects.values_list("code", "id"))
        if kind == "locations":
            self.warehouses = dict(Warehouse.objects.values_list("code", "id"))
            self.zones = {(w, c): i for w, c, i in Zone.objects.values_list("warehouse_id", "code", "id")}

    def problems(self, cleaned: dict) -> list[tuple[str, str]]:
        problems = []
        if self.kind == "products" and cleaned.get("uom") and cleaned["uom"] not in self.uoms:
            known = ", ".join(sorted(self.uoms)[:20])
            problems.append(("uom", _("unknown unit %(code)s (known: %(known)s)") % {"code": cleaned["uom"], "known": known}))
        if self.kind == "products" and cleaned.get("category") and len(cleaned["category"]) > 40:
            problems.append(("category", _("longer than %(n)s characters") % {"n": 40}))
        if self.kind == "locations" and cleaned.get("warehouse") and cleaned["warehouse"] not in self.warehouses:
            problems.append(("warehouse", _("unknown warehouse %(code)s") % {"code": cleaned["warehouse"]}))
        if self.kind == "locations" and cleaned.get("zone") and len(cleaned["zone"]) > 10:
            problems.append(("zone", _("longer than %(n)s characters") % {"n": 10}))
        return problems


def _existing_keys(kind: str, keys: list) -> dict:
    """key -> {"kind": ..., "gtin": ...} for the keys that exist, one query per chunk of keys."""
    found: dict = {}
    for start in range(0, len(keys), QUERY_CHUNK):
        part = keys[start:start + QUERY_CHUNK]
        if kind == "products":
            for sku, gtin in Product.objects.filter(sku__in=part).values_list("sku", "gtin"):
                found[sku] = {"gtin": gtin}
        elif kind == "partners":
            for code in Partner.objects.filter(code__in=part).values_list("code", flat=True):
                found[code] = {}
        else:
            codes = sorted({c for _, c in part})
            rows = Location.objects.filter(code__in=codes).values_list("warehouse__code", "code", "kind")
            wanted = set(part)
            for warehouse, code, location_kind in rows:
                if (warehouse, code) in wanted:
                    found[(warehouse, code)] = {"kind": location_kind}
    return found


def _gtin_owners(gtins: list) -> dict:
    owners: dict = {}
    for start in range(0, len(gtins), QUERY_CHUNK):
        owners.update(Product.objects.filter(gtin__in=gtins[start:start + QUERY_CHUNK]).values_list("gtin", "sku"))
    return owners


def validate_workbook(*, kind: str, source, progress: Progress = None) -> Plan:
    """Read and check the whole file; raise ImportRejected with every problem, or return the Plan."""
    check_kind(kind)
    sheet = open_sheet(source)
    try:
        header = _Header(kind, sheet.headers)
        errors = list(header.errors)
        raw: list[tuple[int, dict]] = []
        try:
            for row, cells in sheet.rows:
                if all(_blank(c) for c in cells):
                    continue
                data, row_errors = header.read(row, cells)
                errors += row_errors
                raw.append((row, data))
                if len(raw) > MAX_ROWS:
                    raise ImportRejected(_("a file may have at most %(n)s rows") % {"n": MAX_ROWS}, field="file",
                                         errors=[])
        except (ValueError, KeyError, TypeError, SyntaxError, OSError) as exc:  # a damaged worksheet
            raise ImportRejected(_("the worksheet cannot be read (%(reason)s)") % {"reason": exc.__class__.__name__},
                                 field="file", errors=[]) from None
    finally:
        sheet.close()
    if not raw:
        errors.append(_error(2, None, None, None, _("the file has no data rows below the header")))
    plan = Plan(kind=kind, fields=[c.field for _, c in header.columns])
    if header.key_missing:
        raise _rejected(errors)
    cleaner, model, refs = CLEANERS[kind], MODELS[kind], _References(kind)
    seen: dict = {}
    gtin_rows: dict = {}
    done = 0
    for start in range(0, len(raw), CHUNK):
        chunk = raw[start:start + CHUNK]
        keys = [k for k in (_key(kind, _key_values(kind, data)) for _, data in chunk) if k is not None]
        existing = _existing_keys(kind, list(dict.fromkeys(keys)))
        cleaned_rows = []
        for row, data in chunk:
            key = _key(kind, _key_values(kind, data))
            known = existing.get(key)
            if kind == "locations" and known is not None and "kind" not in data:
                data = {**data, "kind": known["kind"]}
            cleaned, problems = cleaner(data, partial=known is not None)
            problems += refs.problems(cleaned) + _fits(model, cleaned)
            if kind == "products" and "gtin" in cleaned:
                cleaned["gtin"] = cleaned["gtin"] or None
            if key is not None:
                if key in seen:
                    for name in KEYS[kind]:
                        problems.append((name, _("duplicate key %(key)s in this file (first in row %(row)s)")
                                         % {"key": _show(key), "row": seen[key]}))
                else:
                    seen[key] = row
                    if known is not None:
                        plan.existing.add(key)
            if kind == "products" and cleaned.get("gtin"):
                first = gtin_rows.setdefault(cleaned["gtin"], (row, key))
                if first[0] != row:
                    problems.append(("gtin", _("GTIN %(gtin)s is also in row %(row)s") % {"gtin": cleaned["gtin"], "row": first[0]}))
            for name, reason in problems:
                index, head = header.header_of(name)
                errors.append(_error(row, index, head, name, reason))
            cleaned_rows.append((row, cleaned))
        plan.rows += cleaned_rows
        done += len(chunk)
        if progress:
            progress(done)
    if kind == "products":
        owners = _gtin_owners(sorted(gtin_rows))
        for gtin, (row, sku) in gtin_rows.items():
            if gtin in owners and owners[gtin] != sku:
                index, head = header.header_of("gtin")
                errors.append(_error(row, index, head, "gtin", _("GTIN %(gtin)s already belongs to product %(sku)s")
                                     % {"gtin": gtin, "sku": owners[gtin]}))
    if errors:
        raise _rejected(errors)
    return plan


def _key_values(kind: str, data: dict) -> dict:
    out = {}
    for name in KEYS[kind]:
        value = data.get(name)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out[name] = None if _blank(value) else str(value).strip()
    return out


def _show(key) -> str:
    return "/".join(key) if isinstance(key, tuple) else str(key)


def _rejected(errors: list[dict]) -> ImportRejected:
    errors.sort(key=lambda e: (e["row"] or 0, e["column"] is None, len(e["column"] or ""), e["column"] or ""))
    return ImportRejected(
        _("%(n)s problems in the file; nothing was imported") % {"n": len(errors)}, field="file", errors=errors
    )


# -- writing ---------------------------------------------------------------------------------------


def _repr(kind: str, obj, codes: dict) -> str:
    if kind == "locations":
        return f"{codes['warehouse'].get(obj.warehouse_id, '')}:{obj.code}"[:200]
    return f"{obj.sku if kind == 'products' else obj.code} {obj.name}"[:200]


def _audit(actor: Actor, action: str, label: str, obj, text: str, name: str = "", old=None, new=None) -> AuditEntry:
    return AuditEntry(at=actor.at, user_id=actor.user_id, username=actor.username, via=actor.via, action=action,
                      object_type=label, object_id=str(obj.pk), object_repr=text, field=name,
                      old_value=_text(old), new_value=_text(new))


def _text(value) -> str | None:
    """As the audit trail writes values: decimals in plain notation, None stays None."""
    if value is None:
        return None
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _same(old, new) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return old is not None and new is not None and Decimal(old) == Decimal(new)
    return old == new


class _Writer:
    """Turns cleaned rows into model values: reference codes → ids (creating categories and zones
    the way the single-record services do), None for NOT NULL columns → left alone."""

    def __init__(self, kind: str, rows: list):
        self.kind = kind
        self.model = MODELS[kind]
        self.codes: dict[str, dict] = {}
        if kind == "products":
            self.uoms = dict(Uom.objects.values_list("code", "id"))
            wanted = sorted({c["category"] for _, c in rows if c.get("category")})
            have = set(Category.objects.values_list("code", flat=True))
            Category.objects.bulk_create([Category(code=c, name=c) for c in wanted if c not in have],
                                         batch_size=CHUNK, ignore_conflicts=True)
            self.categories = dict(Category.objects.values_list("code", "id"))
            self.codes = {"uom": {v: k for k, v in self.uoms.items()}, "category": {v: k for k, v in self.categories.items()}}
        if kind == "locations":
            self.warehouses = dict(Warehouse.objects.values_list("code", "id"))
            zones = {(w, c): i for w, c, i in Zone.objects.values_list("warehouse_id", "code", "id")}
            wanted = sorted({(self.warehouses[c["warehouse"]], c["zone"]) for _, c in rows if c.get("zone")})
            Zone.objects.bulk_create([Zone(warehouse_id=w, code=z, name=z) for w, z in wanted if (w, z) not in zones],
                                     batch_size=CHUNK, ignore_conflicts=True)
            self.zones = {(w, c): i for w, c, i in Zone.objects.values_list("warehouse_id", "code", "id")}
            self.codes = {"warehouse": {v: k for k, v in self.warehouses.items()},
                          "zone": {i: c for (_, c), i in self.zones.items()}}

    def values(self, cleaned: dict) -> dict:
        out = {}
        for name, value in cleaned.items():
            if name in REFS[self.kind]:
                out[name + "_id"] = self._ref(name, value, cleaned)
                continue
            if value is None and not self.model._meta.get_field(name).null:
                continue
            out[name] = value
        return out

    def _ref(self, name: str, code, cleaned: dict):
        if not code:
            return None
        if name == "uom":
            return self.uoms[code]
        if name == "category":
            return self.categories[code]
        if name == "warehouse":
            return self.warehouses[code]
        return self.zones[(self.warehouses[cleaned["warehouse"]], code)]

    def key_of(self, obj):
        if self.kind == "products":
            return obj.sku
        if self.kind == "partners":
            return obj.code
        return (self.codes["warehouse"][obj.warehouse_id], obj.code)

    def load(self, keys: list) -> dict:
        """The rows of these keys, locked for the rest of the transaction."""
        qs = self.model.objects.select_for_update()
        if self.kind == "locations":
            qs = qs.filter(code__in={c for _, c in keys}, warehouse_id__in={self.warehouses[w] for w, _ in keys})
        else:
            qs = qs.filter(**{KEYS[self.kind][0] + "__in": keys})
        return {self.key_of(obj): obj for obj in qs.order_by("pk")}

    def show(self, attname: str, value):
        """Audit shows reference codes, not ids."""
        name = attname.removesuffix("_id")
        if attname.endswith("_id") and name in self.codes:
            return self.codes[name].get(value)
        return value


def apply_plan(*, plan: Plan, actor: Actor, progress: Progress = None, job_id: int | None = None) -> ImportResult:
    """Write a validated file: creates and updates in chunks, audit rows, one event — in the caller's
    transaction (the entry point holds `atomic(durable=True)`)."""
    kind = plan.kind
    with transaction.atomic():
        writer = _Writer(kind, plan.rows)
        label = writer.model._meta.label_lower
        created = updated = 0
        for start in range(0, len(plan.rows), CHUNK):
            chunk = plan.rows[start:start + CHUNK]
            keys = [_key(kind, cleaned) for _, cleaned in chunk]
            current = {}
            for part in range(0, len(keys), QUERY_CHUNK):
                current.update(writer.load(keys[part:part + QUERY_CHUNK]))
            new_objects, changed_objects, changed_fields, audits = [], [], set(), []
            for (_row, cleaned), key in zip(chunk, keys, strict=True):
                values = writer.values(cleaned)
                obj = current.get(key)
                if obj is None:
                    if key in plan.existing:
                        raise Conflict(_("%(key)s was deleted while the file was being checked; import it again")
                                       % {"key": _show(key)}, field="file")
                    new_objects.append(writer.model(**values))
                    continue
                names = []
                for attname, value in values.items():
                    old = getattr(obj, attname)
                    if not _same(old, value):
                        setattr(obj, attname, value)
                        names.append((attname, old, value))
                if names:
                    changed_objects.append(obj)
                    changed_fields.update(n for n, _o, _v in names)
                    text = _repr(kind, obj, writer.codes)
                    audits += [_audit(actor, "update", label, obj, text, n.removesuffix("_id"),
                                      writer.show(n, o), writer.show(n, v)) for n, o, v in names]
            if new_objects:
                writer.model.objects.bulk_create(new_objects, batch_size=CHUNK)
                if any(o.pk is None for o in new_objects):  # a backend that cannot return ids
                    ids = writer.load([writer.key_of(o) for o in new_objects])
                    for obj in new_objects:
                        obj.pk = ids[writer.key_of(obj)].pk
                audits += [_audit(actor, "create", label, o, _repr(kind, o, writer.codes), "", None, "excel import")
                           for o in new_objects]
            if changed_objects:
                writer.model.objects.bulk_update(changed_objects, sorted(changed_fields), batch_size=CHUNK // 2)
            AuditEntry.objects.bulk_create(audits, batch_size=CHUNK)
            created += len(new_objects)
            updated += len(changed_objects)
            if progress:
                progress(start + len(chunk))
        result = ImportResult(kind=kind, rows=len(plan.rows), created=created, updated=updated)
        emit("catalog.import.completed", aggregate_type="catalog_import", aggregate_id=kind,
             payload={"kind": kind, "created": created, "updated": updated, "rows": len(plan.rows), "job": job_id},
             actor=actor)
    return result


def run_import(*, kind: str, source, actor: Actor, progress: Progress = None,
               write_progress: Progress = None) -> ImportResult:
    """The whole act for an entry point (page, API, command): validate, then write in ONE durable
    transaction. Raises ImportRejected (422) with every problem, having written nothing."""
    plan = validate_workbook(kind=kind, source=source, progress=progress)
    with transaction.atomic(durable=True):
        return apply_plan(plan=plan, actor=actor, progress=write_progress)


# -- background jobs -------------------------------------------------------------------------------


def needs_background(total_rows: int) -> bool:
    return total_rows > settings.SIHE_IMPORT_BACKGROUND_ROWS


def start_background_import(*, kind: str, upload, original_name: str, total_rows: int, actor: Actor) -> ImportJob:
    """Store the file under MEDIA_ROOT/imports/, record a queued ImportJob (its own short
    transaction) and start `sihe import_excel --job <id>` detached; returns at once."""
    check_kind(kind)
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"imports/{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.xlsx"
    with open(Path(settings.MEDIA_ROOT) / name, "wb") as out:
        if hasattr(upload, "chunks"):
            for piece in upload.chunks():
                out.write(piece)
        else:
            upload.seek(0)
            shutil.copyfileobj(upload, out)
    with transaction.atomic(durable=True):
        job = ImportJob.objects.create(kind=kind, file=name, original_name=original_name[:255], total_rows=total_rows,
                                       user_id=actor.user_id)
    launch_job(job)
    return job


def launch_job(job: ImportJob) -> subprocess.Popen:
    """`python -m sihe.manage import_excel --job <id>` in its own session, output to a log beside the file;
    the problems it finds are written in the uploader's language."""
    log = open(Path(settings.MEDIA_ROOT) / f"{job.file}.log", "ab")
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "sihe.manage", "import_excel", "--job", str(job.pk),
             "--language", translation.get_language() or settings.LANGUAGE_CODE],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            cwd=str(settings.BASE_DIR), env=os.environ.copy(),
        )
    finally:
        log.close()


class _SideProgress:
    """Progress of the write phase: the write transaction is open, so the job row is updated from a
    second connection (a helper thread). SQLite has one writer at a time, so there it reports only
    at the end."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.pool = ThreadPoolExecutor(max_workers=1) if connection.vendor == "postgresql" else None

    def __call__(self, done: int) -> None:
        if self.pool is not None:
            self.pool.submit(self._update, done).result()

    def _update(self, done: int) -> None:
        ImportJob.objects.filter(pk=self.job_id, status=ImportJob.Status.IMPORTING).update(processed_rows=done)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.submit(lambda: connection.close()).result()  # the helper thread's own connection
            self.pool.shutdown()


def run_import_job(*, job_id: int) -> ImportJob:
    """Process a queued job: validate with progress (each chunk its own short transaction), then write
    in one transaction that also marks the job done. A job runs once; a second call changes nothing."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.VALIDATING, started=timezone.now(), processed_rows=0)
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job
    jobs = ImportJob.objects.filter(pk=job_id)
    user = job.user
    actor = Actor.for_user(user, via="worker") if user else Actor.system("import")
    try:
        plan = validate_workbook(kind=job.kind, source=Path(settings.MEDIA_ROOT) / job.file,
                                 progress=lambda done: jobs.update(processed_rows=done))
    except ValidationFailed as exc:
        jobs.update(status=ImportJob.Status.FAILED, errors=exc.extra.get("errors") or [], message=exc.message,
                    finished=timezone.now())
        return ImportJob.objects.get(pk=job_id)
    except Exception as exc:
        logger.exception("import job %s failed while validating", job_id)
        jobs.update(status=ImportJob.Status.FAILED, message=f"{exc.__class__.__name__}: {exc}", finished=timezone.now())
        return ImportJob.objects.get(pk=job_id)
    jobs.update(status=ImportJob.Status.IMPORTING, processed_rows=0, total_rows=len(plan.rows))
    side = _SideProgress(job_id)
    try:
        with transaction.atomic(durable=True):
            result = apply_plan(plan=plan, actor=actor, progress=side, job_id=job_id)
            jobs.update(status=ImportJob.Status.DONE, processed_rows=result.rows, created_count=result.created,
                        updated_count=result.updated, finished=timezone.now())
    except Exception as exc:
        logger.exception("import job %s failed while writing", job_id)
        message = exc.message if isinstance(exc, ValidationFailed | Conflict) else f"{exc.__class__.__name__}: {exc}"
        jobs.update(status=ImportJob.Status.FAILED, message=message, finished=timezone.now())
    finally:
        side.close()
    return ImportJob.objects.get(pk=job_id)
