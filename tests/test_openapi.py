"""Issue 12.10: the OpenAPI schema tells the truth — one class per component name (two classes under
one name made `POST /invoices` document the supplier-invoice body), 4xx answers documented, every list
paged alike."""

import collections
import importlib
import inspect
import pkgutil

import pydantic

import sihe.api
from sihe.api.main import api

BASES = {"Strict", "Schema"}


def test_12_10_every_component_name_belongs_to_one_class():
    owners = collections.defaultdict(set)
    for module_info in pkgutil.iter_modules(sihe.api.__path__):
        module = importlib.import_module(f"sihe.api.{module_info.name}")
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, pydantic.BaseModel) and obj.__module__ == module.__name__:
                owners[name].add(module.__name__)
    shared = {name: sorted(mods) for name, mods in owners.items() if len(mods) > 1 and name not in BASES}
    assert shared == {}


def test_12_10_bodies_are_documented_by_their_own_class():
    schema = api.get_openapi_schema()

    def body(path, method="post"):
        ref = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]

    assert set(body("/api/v1/invoices")["properties"]) >= {"orders", "buyer_name"}
    assert "supplier" in body("/api/v1/supplier-invoices")["properties"]
    assert set(body("/api/v1/orders/{order_id}/ship")["properties"]) >= {"carrier", "tracking_no"}


def test_12_10_every_operation_documents_its_errors():
    schema = api.get_openapi_schema()
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = {str(code) for code in operation.get("responses", {})}
            if path != "/api/v1/health" and not {"401", "422"} <= codes:
                missing.append(f"{method.upper()} {path}")
    assert missing == []
