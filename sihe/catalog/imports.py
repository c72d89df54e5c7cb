"""Importing master data from Excel: validate the WHOLE file first, then write it in one transaction.

`validate_workbook` reads every row (chunk by chunk, reporting progress), cleans it with the same
`clean_*` functions the API uses and collects every problem as (row, column letter, header, reason).
Any problem → `ImportRejected` and nothing is written. Otherwise `apply_plan` writes the rows
set-based (bulk_create / bulk_update in chunks), one audit row per created object and per changed
field, and one `catalog.import.completed` event. The rows read are counted against the rows written,
and both are in the result, so a file can never import fewer rows than it holds without saying so.

Choices are read as code, English or Chinese label; units by code (any case) or Chinese name;
categories by code or name, and an unknown category is an error (a typo must not become a new
category). Big files go through an `ImportJob` run by `sihe import_excel --job <id>` in a detached
process (`start_background_import`), whose progress moves while rows are checked and while they
are written.

Other kinds (stock rules, alternate units) live in the app that owns their rows and reuse the
reader in `excel.py`; entry points pass the full `importers` mapping (see `sihe.stock.imports`).
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
from django.utils import translation
from django.utils.translation import gettext as _

from sihe.catalog.excel import (
    CHUNK,
    COLUMNS,
    KEYS,
    KINDS,
    ImportRejected,  # noqa: F401 - entry points catch imports.ImportRejected
    Names,
    SheetReader,
    blank,
    cell_text,
    check_kind,
    rejected,
)
from sihe.catalog.models import Category, ImportJob, Location, Partner, Product, Uom, Warehouse, Zone
from sihe.catalog.validation import clean_location, clean_partner, clean_product
from sihe.core import clock
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, ValidationFailed
from sihe.core.models import AuditEntry
from sihe.core.outbox import emit

logger = logging.getLogger(__name__)
QUERY_CHUNK = 900  # keys per IN (...) query, below SQLite's old variable limit
CLEANERS = {"products": clean_product, "partners": clean_partner, "locations": clean_location}
MODELS = {"products": Product, "partners": Partner, "locations": Location}
# Fields that name another row by its code; stored as <field>_id.
REFS = {"products": ("uom", "category"), "partners": (), "locations": ("warehouse", "zone")}

Progress = Callable[[int], None] | None


@dataclass
class Plan:
    """A validated file: cleaned rows in file order, ready to be written."""

    kind: str
    rows: list = field(default_factory=list)  # (excel row, cleaned dict with codes for references)
    fields: list = field(default_factory=list)  # the fields the file carries
    existing: set = field(default_factory=set)  # keys that existed when the file was validated
    rows_read: int | None = None  # non-blank rows read from the file (None: not from a file)


@dataclass
class ImportResult:
    kind: str
    rows: int
    created: int
    updated: int
    rows_read: int = 0
    rows_written: int = 0  # created + updated + unchanged, counted while writing

    @property
    def unchanged(self) -> int:
        return self.rows - self.created - self.updated

    def as_dict(self) -> dict:
        return {"status": "done", "kind": self.kind, "rows": self.rows, "created": self.created,
                "updated": self.updated, "unchanged": self.unchanged, "rows_read": self.rows_read,
                "rows_written": self.rows_written}


@dataclass(frozen=True)
class Importer:
    """One kind of sheet: `validate(kind=, source=, progress=) -> Plan` checks the whole file and
    `apply(plan=, actor=, progress=, job_id=) -> ImportResult` writes it in the caller's transaction.
    The catalog's kinds are in IMPORTERS; an app above adds its own kinds to a copy of that mapping,
    so the catalog never imports the apps that build on it."""

    validate: Callable[..., Plan]
    apply: Callable[..., ImportResult]


def check_counts(plan: Plan, written: int) -> None:
    """Every row read is written (created, updated or found unchanged); anything else is a bug, and
    the transaction is rolled back rather than reporting "done" for part of the file."""
    if plan.rows_read is not None and written != plan.rows_read:
        raise Conflict(_("%(read)s rows were read from the file but %(written)s written; nothing was imported")
                       % {"read": plan.rows_read, "written": written}, field="file", code="rows_lost")


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


class _References:
    """Codes of other rows, resolved with one query per kind of reference."""

    def __init__(self, kind: str):
        self.kind = kind
        if kind == "products":
            self.uoms = Names(Uom.objects.values_list("code", "name"), fold_case=True)
            self.categories = Names(Category.objects.values_list("code", "name"), fold_case=False)
        if kind == "locations":
            self.warehouses = dict(Warehouse.objects.values_list("code", "id"))

    def resolve(self, data: dict) -> list[tuple[str, str]]:
        """Before cleaning: a unit or category given by name (or a code in another case) becomes its code."""
        problems = []
        for name, table in (("uom", "uoms"), ("category", "categories")):
            if self.kind != "products" or blank(data.get(name)):
                continue
            code, ambiguous = getattr(self, table).find(cell_text(data[name]))
            if code is not None:
                data[name] = code
            elif ambiguous:
                problems.append((name, _("%(name)s names several rows (%(codes)s); write the code")
                                 % {"name": cell_text(data[name]), "codes": ", ".join(ambiguous)}))
        return problems

    def problems(self, cleaned: dict) -> list[tuple[str, str]]:
        problems = []
        if self.kind == "products" and cleaned.get("uom") and cleaned["uom"] not in self.uoms:
            known = ", ".join(sorted(self.uoms.known)[:20])
            problems.append(("uom", _("unknown unit %(code)s (known: %(known)s)") % {"code": cleaned["uom"], "known": known}))
        if self.kind == "products" and cleaned.get("category") and cleaned["category"] not in self.categories:
            problems.append(("category", _("unknown category %(code)s; create it first") % {"code": cleaned["category"]}))
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
    """Read and check the whole file; raise ImportRejected with every problem, or return the Plan.
    Progress is reported after every chunk of rows read and checked."""
    check_kind(kind)
    plan = Plan(kind=kind)
    with SheetReader(source, COLUMNS[kind], KEYS[kind]) as reader:
        plan.fields = reader.header.fields
        check = _Check(kind, reader, plan)
        for chunk in reader.chunks():
            if not reader.header.key_missing:
                check.chunk(chunk)
            if progress:
                progress(reader.read)
    if reader.header.key_missing:
        raise rejected(reader.errors)
    check.finish()
    plan.rows_read = reader.read
    if reader.errors:
        raise rejected(reader.errors)
    return plan


class _Check:
    """The checks of the catalog's kinds, one chunk of rows at a time: cleaning, references, keys
    repeated in the file, GTINs repeated or owned by another product."""

    def __init__(self, kind: str, reader: SheetReader, plan: Plan):
        self.kind, self.reader, self.plan = kind, reader, plan
        self.cleaner, self.model, self.refs = CLEANERS[kind], MODELS[kind], _References(kind)
        self.seen: dict = {}
        self.gtin_rows: dict = {}

    def chunk(self, chunk: list) -> None:
        kind, header = self.kind, self.reader.header
        keys = [k for k in (_key(kind, _key_values(kind, data)) for _, data in chunk) if k is not None]
        existing = _existing_keys(kind, list(dict.fromkeys(keys)))
        for row, data in chunk:
            key = _key(kind, _key_values(kind, data))
            known = existing.get(key)
            if kind == "locations" and known is not None and "kind" not in data:
                data = {**data, "kind": known["kind"]}
            problems = self.refs.resolve(data)
            cleaned, cleaning = self.cleaner(data, partial=known is not None)
            problems += header.explain(cleaning, data) + self.refs.problems(cleaned) + _fits(self.model, cleaned)
            if kind == "products" and "gtin" in cleaned:
                cleaned["gtin"] = cleaned["gtin"] or None
            if key is not None:
                if key in self.seen:
                    for name in KEYS[kind]:
                        problems.append((name, _("duplicate key %(key)s in this file (first in row %(row)s)")
                                         % {"key": _show(key), "row": self.seen[key]}))
                else:
                    self.seen[key] = row
                    if known is not None:
                        self.plan.existing.add(key)
            if kind == "products" and cleaned.get("gtin"):
                first = self.gtin_rows.setdefault(cleaned["gtin"], (row, key))
                if first[0] != row:
                    problems.append(("gtin", _("GTIN %(gtin)s is also in row %(row)s") % {"gtin": cleaned["gtin"], "row": first[0]}))
            self.reader.errors += [header.error(row, name, reason) for name, reason in problems]
            self.plan.rows.append((row, cleaned))

    def finish(self) -> None:
        """GTINs of the file that already belong to another product (one query per chunk of GTINs)."""
        if self.kind != "products":
            return
        owners = _gtin_owners(sorted(self.gtin_rows))
        for gtin, (row, sku) in self.gtin_rows.items():
            if gtin in owners and owners[gtin] != sku:
                self.reader.errors.append(self.reader.header.error(
                    row, "gtin", _("GTIN %(gtin)s already belongs to product %(sku)s") % {"gtin": gtin, "sku": owners[gtin]}))


def _key_values(kind: str, data: dict) -> dict:
    out = {}
    for name in KEYS[kind]:
        value = data.get(name)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out[name] = None if blank(value) else str(value).strip()
    return out


def _show(key) -> str:
    return "/".join(key) if isinstance(key, tuple) else str(key)


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
    """Turns cleaned rows into model values: reference codes → ids (creating the zones that bin codes
    name, the way the single-record services do; categories must exist), None for NOT NULL columns →
    left alone."""

    def __init__(self, kind: str, rows: list):
        self.kind = kind
        self.model = MODELS[kind]
        self.codes: dict[str, dict] = {}
        if kind == "products":
            self.uoms = dict(Uom.objects.values_list("code", "id"))
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
        if name == "zone":
            return self.zones[(self.warehouses[cleaned["warehouse"]], code)]
        found = getattr(self, {"uom": "uoms", "category": "categories", "warehouse": "warehouses"}[name]).get(code)
        if found is None:  # deleted by someone else between the check and the write
            raise Conflict(_("%(key)s was deleted while the file was being checked; import it again") % {"key": code},
                           field=name)
        return found

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
        created = updated = unchanged = 0
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
                if not names:
                    unchanged += 1
                else:
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
        written = created + updated + unchanged
        check_counts(plan, written)
        result = ImportResult(kind=kind, rows=len(plan.rows), created=created, updated=updated,
                              rows_read=len(plan.rows) if plan.rows_read is None else plan.rows_read,
                              rows_written=written)
        emit("catalog.import.completed", aggregate_type="catalog_import", aggregate_id=kind,
             payload={"kind": kind, "created": created, "updated": updated, "rows": len(plan.rows), "job": job_id},
             actor=actor)
    return result


IMPORTERS = {kind: Importer(validate=validate_workbook, apply=apply_plan) for kind in KINDS}


def run_import(*, kind: str, source, actor: Actor, progress: Progress = None, write_progress: Progress = None,
               importers: dict | None = None) -> ImportResult:
    """The whole act for an entry point (page, API, command): validate, then write in ONE durable
    transaction. Raises ImportRejected (422) with every problem, having written nothing."""
    importers = importers or IMPORTERS
    importer = importers[check_kind(kind, tuple(importers))]
    plan = importer.validate(kind=kind, source=source, progress=progress)
    with transaction.atomic(durable=True):
        return importer.apply(plan=plan, actor=actor, progress=write_progress)


# -- background jobs -------------------------------------------------------------------------------


def needs_background(total_rows: int) -> bool:
    return total_rows > settings.SIHE_IMPORT_BACKGROUND_ROWS


def start_background_import(*, kind: str, upload, original_name: str, total_rows: int, actor: Actor,
                            kinds: tuple = KINDS) -> ImportJob:
    """Store the file under MEDIA_ROOT/imports/, record a queued ImportJob (its own short
    transaction) and start `sihe import_excel --job <id>` detached; returns at once."""
    check_kind(kind, kinds)
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"imports/{clock.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.xlsx"
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


@dataclass(frozen=True)
class JobProgress:
    processed: int
    total: int
    percent: int


def _side_file(job: ImportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / f"{job.file}.progress"


def job_progress(job: ImportJob) -> JobProgress:
    """How far a job is, for its page and the API. While rows are written the job row cannot change
    on SQLite (one writer at a time, and the write transaction holds it), so there the writer reports
    through a small file beside the upload, read here."""
    processed = job.processed_rows
    if job.status == ImportJob.Status.IMPORTING:
        try:
            processed = max(processed, int(_side_file(job).read_text() or 0))
        except (OSError, ValueError):
            pass
    if job.status == ImportJob.Status.DONE:
        percent = 100
    else:
        percent = min(100, processed * 100 // job.total_rows) if job.total_rows else 0
    return JobProgress(processed=processed, total=job.total_rows, percent=percent)


class _SideProgress:
    """Progress of the write phase, outside the write transaction that is open meanwhile: on PostgreSQL
    the job row is updated from a second connection (a helper thread); SQLite allows one writer at a
    time, so there the count goes to a file beside the upload (`job_progress` reads it)."""

    def __init__(self, job: ImportJob):
        self.job_id = job.pk
        self.path = _side_file(job)
        self.pool = ThreadPoolExecutor(max_workers=1) if connection.vendor == "postgresql" else None
        self.path.unlink(missing_ok=True)

    def __call__(self, done: int) -> None:
        if self.pool is not None:
            self.pool.submit(self._update, done).result()
            return
        partial = self.path.with_suffix(".part")
        partial.write_text(str(done))
        os.replace(partial, self.path)  # a reader sees the old count or the new one, never half a number

    def _update(self, done: int) -> None:
        ImportJob.objects.filter(pk=self.job_id, status=ImportJob.Status.IMPORTING).update(processed_rows=done)

    def close(self) -> None:
        self.path.unlink(missing_ok=True)
        if self.pool is not None:
            self.pool.submit(lambda: connection.close()).result()  # the helper thread's own connection
            self.pool.shutdown()


def run_import_job(*, job_id: int, importers: dict | None = None) -> ImportJob:
    """Process a queued job: validate with progress (each chunk its own short transaction), then write
    in one transaction that also marks the job done. A job runs once; a second call changes nothing."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.VALIDATING, started=clock.now(), processed_rows=0)
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job
    jobs = ImportJob.objects.filter(pk=job_id)
    user = job.user
    actor = Actor.for_user(user, via="worker") if user else Actor.system("import")
    importers = importers or IMPORTERS
    try:
        importer = importers[check_kind(job.kind, tuple(importers))]
        plan = importer.validate(kind=job.kind, source=Path(settings.MEDIA_ROOT) / job.file,
                                 progress=lambda done: jobs.update(processed_rows=done))
    except ValidationFailed as exc:
        jobs.update(status=ImportJob.Status.FAILED, errors=exc.extra.get("errors") or [], message=exc.message,
                    finished=clock.now())
        return ImportJob.objects.get(pk=job_id)
    except Exception as exc:
        logger.exception("import job %s failed while validating", job_id)
        jobs.update(status=ImportJob.Status.FAILED, message=f"{exc.__class__.__name__}: {exc}", finished=clock.now())
        return ImportJob.objects.get(pk=job_id)
    jobs.update(status=ImportJob.Status.IMPORTING, processed_rows=0, total_rows=len(plan.rows))
    side = _SideProgress(job)
    try:
        with transaction.atomic(durable=True):
            result = importer.apply(plan=plan, actor=actor, progress=side, job_id=job_id)
            jobs.update(status=ImportJob.Status.DONE, processed_rows=result.rows_written, total_rows=result.rows_read,
                        created_count=result.created, updated_count=result.updated, finished=clock.now())
    except Exception as exc:
        logger.exception("import job %s failed while writing", job_id)
        message = exc.message if isinstance(exc, ValidationFailed | Conflict) else f"{exc.__class__.__name__}: {exc}"
        jobs.update(status=ImportJob.Status.FAILED, message=message, finished=clock.now())
    finally:
        side.close()
    return ImportJob.objects.get(pk=job_id)
