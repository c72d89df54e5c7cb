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


def test_18_the_long_lists_document_their_cursor():
    """Orders, vouchers, stock moves and stock levels take `after` and answer the next page's cursor (keyset
    paging), and say that a cursor the list did not give is a 422 `invalid_cursor`. Orders and levels answer it
    as `next`; vouchers and moves, which always answered an array, in the `X-Next-Cursor` header."""
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    for path in ("/api/v1/orders", "/api/v1/ledger/vouchers", "/api/v1/stock/moves", "/api/v1/stock/levels"):
        operation = schema["paths"][path]["get"]
        params = {p["name"]: p for p in operation["parameters"]}
        assert {"limit", "offset", "after"} <= set(params), path
        assert "invalid_cursor" in params["after"]["description"]
        answer = operation["responses"][200]
        body = answer["content"]["application/json"]["schema"]
        if path in ("/api/v1/ledger/vouchers", "/api/v1/stock/moves"):
            assert body["type"] == "array" and {"X-Next-Cursor", "X-Total-Count", "Link"} <= set(answer["headers"])
        else:
            assert "next" in components[body["$ref"].rsplit("/", 1)[-1]]["properties"], path
        assert "422" in {str(code) for code in operation["responses"]}, path
