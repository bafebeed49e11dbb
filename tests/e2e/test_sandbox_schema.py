"""Every kind of sandbox response body validates against Royal Mail's spec, so it cannot drift.

The spec (Swagger 2.0, vendored in tests/fixtures) is converted to JSON Schema draft 4 and each
(endpoint, status) the sandbox produces is validated against the schema the spec declares for
it. The conversion is strict where Swagger is loose (`additionalProperties: false` everywhere:
the sandbox must not invent fields) and tolerant only where upstream itself is known to differ:

1. Swagger 2.0 has no `nullable`; upstream sends `null` for unset optional fields, so a
   property that is not `required` may be null.
2. `CreateOrderRequest.dangerousGoodsDescription` is typed `number` with a `maxLength` (a spec
   bug): a string or a number is accepted.
3. `minLength` on arrays (`items` of create/status requests) means `minItems` there.
4. `date-time` accepts naive timestamps and up to seven fractional digits, as upstream's .NET
   sends them (offset and naive stamps both occur in real responses).
5. `multipleOf: 0.01` is checked in decimal arithmetic (binary floats make 19.99 fail).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from clickdrop_desktop.sandbox.info import SandboxInfo
from tests.helpers.sandbox import SandboxProcess, api_client

pytestmark = pytest.mark.e2e

SPEC_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "click-and-drop-api-v1.yaml"
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})?$")
OBA, CS, OLP = 20_000_000, 40_000_000, 10_000_000
# Declared in the spec but not produced by the sandbox (no known trigger upstream).
NOT_EMULATED = {
    ("/orders", "get", 404),
    ("/orders/full", "get", 404),
    ("/orders/status", "put", 404),
    ("/orders/{orderIdentifiers}", "delete", 403),
    ("/manifests", "post", 404),
}
# Produced by the sandbox though not declared per endpoint (the spec's tag text / HTTP itself).
UNDECLARED_OK = {429, 503, 405}


# -- Swagger 2.0 -> JSON Schema --------------------------------------------------------------


def _convert(node: Any, name: str | None = None) -> Any:
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    if name == "properties":  # a map of property names (one may be called "description")
        return {k: _convert(v, k) for k, v in node.items()}
    out = {k: _convert(v, k) for k, v in node.items() if k not in ("example", "description")}
    if out.get("format") in ("decimal", "int32", "uuid"):
        del out["format"]
    if out.get("type") == "array" and "minLength" in out:
        out["minItems"] = out.pop("minLength")  # tolerance 3
    if name == "dangerousGoodsDescription":
        out["type"] = ["number", "string"]  # tolerance 2
    properties = out.get("properties")
    if isinstance(properties, dict) and isinstance(node.get("properties"), dict):
        required = set(out.get("required", []))
        for key, schema in properties.items():
            if key not in required:  # tolerance 1
                properties[key] = {"anyOf": [schema, {"type": "null"}]}
        out["additionalProperties"] = False
    return out


def _multiple_of(validator: Any, multiple: float, instance: object, schema: Any) -> Iterator[Any]:
    number = isinstance(instance, int | float) and not isinstance(instance, bool)
    if number and Decimal(str(instance)) % Decimal(str(multiple)) != 0:  # tolerance 5
        yield jsonschema.ValidationError(f"{instance} is not a multiple of {multiple}")


_FORMATS = jsonschema.FormatChecker(formats=())
_FORMATS.checks("date-time")(
    lambda value: not isinstance(value, str) or bool(DATE_TIME.match(value))
)
_Validator = jsonschema.validators.extend(jsonschema.Draft4Validator, {"multipleOf": _multiple_of})


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


def _response_spec(spec: dict[str, Any], template: str, method: str, status: int) -> dict[str, Any]:
    responses = spec["paths"][template][method]["responses"]
    declared: dict[str, Any] = responses.get(str(status), {})
    return declared


def validate(spec: dict[str, Any], template: str, method: str, response: httpx.Response) -> None:
    status = response.status_code
    declared = _response_spec(spec, template, method, status)
    if not declared:
        assert status in UNDECLARED_OK, f"{method.upper()} {template} answered undeclared {status}"
        return
    schema = declared.get("schema")
    if schema is None:
        if status == 401:
            assert response.content == b""
        return
    if schema.get("type") == "file":
        assert response.headers["content-type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        return
    definitions = _convert(copy.deepcopy(spec["definitions"]))
    validator = _Validator(
        {**_convert(schema), "definitions": definitions}, format_checker=_FORMATS
    )
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(response.json())
    ]
    assert errors == [], errors[:10]


# -- the cases ---------------------------------------------------------------------------------


Call = Callable[[SandboxInfo], httpx.Response]
LABEL = {"documentType": "postageLabel", "includeReturnsLabel": "true", "includeCN": "true"}


def _order(reference: str, **more: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "orderReference": reference,
        "recipient": {
            "address": {
                "fullName": "Ann Lee",
                "addressLine1": "1 High St",
                "city": "Leeds",
                "postcode": "LS1 1AA",
                "countryCode": "GB",
            }
        },
        "orderDate": "2026-11-28T10:00:00",
        "subtotal": 19.99,
        "shippingCostCharged": 0,
        "total": 19.99,
        "dangerousGoodsDescription": "none",
        "packages": [{"weightInGrams": 100, "packageFormatIdentifier": "letter"}],
        "postageDetails": {"serviceCode": "TPN24"},
    }
    body.update(more)
    return body


def _as(account: str, method: str, path: str, **kw: Any) -> Call:
    def call(info: SandboxInfo) -> httpx.Response:
        with api_client(info, account) as client:
            return client.request(method, path, **kw)

    return call


def _anon(method: str, path: str) -> Call:
    return lambda info: httpx.request(method, info.url + path, timeout=30)


def _faulted(call: Call) -> Call:
    def run(info: SandboxInfo) -> httpx.Response:
        info.set_fault("error_500", count=1)
        return call(info)

    return run


_counter = iter(range(1, 10_000))


def _eligible(info: SandboxInfo, account: str = "oba") -> None:
    """Make sure the account has an order in Label Generated (manifests need one)."""
    created = info.create_upstream(account, _order(f"MAN-{next(_counter)}"))
    info.mutate(account, created["createdOrders"][0]["orderIdentifier"], "print")


def _manifest(polls: int, account: str = "oba") -> Call:
    def call(info: SandboxInfo) -> httpx.Response:
        info.configure(manifest_ready_after_polls=polls)
        _eligible(info, account)
        with api_client(info, account) as client:
            return client.post("/manifests", json={"carrierName": "Royal Mail OBA"})

    return call


def _then(first: Call, method: str, path: str, account: str = "oba") -> Call:
    """Run `first` (a manifest), then call `path` with its manifest number filled in."""

    def call(info: SandboxInfo) -> httpx.Response:
        number = first(info).json()["manifestNumber"]
        with api_client(info, account) as client:
            return client.request(method, path.format(number=number))

    return call


def _twice(call: Call) -> Call:
    def run(info: SandboxInfo) -> httpx.Response:
        call(info)
        return call(info)

    return run


def _create_then_delete(info: SandboxInfo) -> httpx.Response:
    info.create_upstream("oba", _order("TO-DELETE"))
    manifested = next(
        i for i in range(OBA + 1, OBA + 200) if info.order_state("oba", i)["status"] == "manifested"
    )
    with api_client(info, "oba") as client:
        return client.delete(f'/orders/"TO-DELETE";{manifested};{OBA + 99999}')


_ids = ";".join(str(OBA + i) for i in range(1, 101))
_cs_ids = ";".join(str(CS + i) for i in range(1, 101))
_create_mix = {
    "items": [
        _order("SCHEMA-1"),
        _order("SCHEMA-2", label={"includeLabelInResponse": True, "includeCN": True}),
        # Failures that are still spec-shaped: `failedOrders[].order` echoes the request, so
        # an order that breaks the schema could never validate as `CreateOrderRequest`.
        _order("SCHEMA-1"),  # duplicate within the request
        _order("BAD-SERVICE", postageDetails={"serviceCode": "NOPE"}),
        _order("NO-ADDRESS", recipient={"addressBookReference": "not-there"}),
    ]
}
_status_mix = {
    "items": [
        {"orderIdentifier": OBA + 10, "status": "despatched"},
        {"orderReference": "nope", "status": "despatched"},
        {"orderIdentifier": OBA + 11, "orderReference": "x", "status": "new"},
    ]
}

ID, F, L = (
    "/orders/{orderIdentifiers}",
    "/orders/{orderIdentifiers}/full",
    "/orders/{orderIdentifiers}/label",
)
M, R, G = "/manifests", "/manifests/retry/{manifestIdentifier}", "/manifests/{manifestIdentifier}"
CASES: list[tuple[str, str, int, Call]] = [
    ("/version", "get", 200, _anon("GET", "/version")),
    ("/version", "get", 500, _faulted(_anon("GET", "/version"))),
    ("/orders", "get", 200, _as("oba", "GET", "/orders", params={"pageSize": 100})),
    ("/orders", "get", 400, _as("oba", "GET", "/orders", params={"pageSize": 0})),
    ("/orders", "get", 401, _anon("GET", "/orders")),
    ("/orders", "get", 500, _faulted(_as("oba", "GET", "/orders"))),
    ("/orders", "post", 200, _as("oba", "POST", "/orders", json=_create_mix)),
    ("/orders", "post", 400, _as("oba", "POST", "/orders", content=b"{")),
    ("/orders", "post", 401, _anon("POST", "/orders")),
    ("/orders", "post", 500, _faulted(_as("oba", "POST", "/orders", json=_create_mix))),
    (
        "/orders/full",
        "get",
        200,
        _as("channelshipper", "GET", "/orders/full", params={"pageSize": 100}),
    ),
    (
        "/orders/full",
        "get",
        400,
        _as("channelshipper", "GET", "/orders/full", params={"continuationToken": "x"}),
    ),
    ("/orders/full", "get", 401, _anon("GET", "/orders/full")),
    ("/orders/full", "get", 403, _as("oba", "GET", "/orders/full")),
    ("/orders/full", "get", 500, _faulted(_as("channelshipper", "GET", "/orders/full"))),
    (ID, "get", 200, _as("oba", "GET", f"/orders/{_ids}")),
    (ID, "get", 400, _as("oba", "GET", "/orders/abc")),
    (ID, "get", 401, _anon("GET", f"/orders/{OBA + 1}")),
    (ID, "get", 404, _as("oba", "GET", f"/orders/{OBA + 99999}")),
    (ID, "get", 500, _faulted(_as("oba", "GET", f"/orders/{OBA + 1}"))),
    (ID, "delete", 200, _create_then_delete),
    (ID, "delete", 400, _as("oba", "DELETE", "/orders/abc")),
    (ID, "delete", 401, _anon("DELETE", f"/orders/{OBA + 1}")),
    (ID, "delete", 404, _as("oba", "DELETE", f"/orders/{OBA + 99999}")),
    (ID, "delete", 500, _faulted(_as("oba", "DELETE", f"/orders/{OBA + 99999}"))),
    (F, "get", 200, _as("channelshipper", "GET", f"/orders/{_cs_ids}/full")),
    (F, "get", 400, _as("channelshipper", "GET", "/orders/abc/full")),
    (F, "get", 401, _anon("GET", f"/orders/{CS + 1}/full")),
    (F, "get", 403, _as("olp", "GET", f"/orders/{OLP + 1}/full")),
    (F, "get", 404, _as("channelshipper", "GET", f"/orders/{CS + 99999}/full")),
    (F, "get", 500, _faulted(_as("channelshipper", "GET", f"/orders/{CS + 1}/full"))),
    ("/orders/status", "put", 200, _as("oba", "PUT", "/orders/status", json=_status_mix)),
    ("/orders/status", "put", 400, _as("oba", "PUT", "/orders/status", json={"items": []})),
    ("/orders/status", "put", 401, _anon("PUT", "/orders/status")),
    ("/orders/status", "put", 500, _faulted(_as("oba", "PUT", "/orders/status", json=_status_mix))),
    (L, "get", 200, _as("oba", "GET", f"/orders/{OBA + 1};{OBA + 2}/label", params=LABEL)),
    (L, "get", 400, _as("oba", "GET", f"/orders/{OBA + 1}/label")),
    (L, "get", 401, _anon("GET", f"/orders/{OBA + 1}/label")),
    (L, "get", 403, _as("olp", "GET", f"/orders/{OLP + 1}/label", params=LABEL)),
    (L, "get", 404, _as("oba", "GET", f"/orders/{OBA + 99999}/label", params=LABEL)),
    (L, "get", 500, _faulted(_as("oba", "GET", f"/orders/{OBA + 1}/label", params=LABEL))),
    (M, "post", 201, _manifest(0)),
    (M, "post", 202, _manifest(1)),
    (M, "post", 400, _twice(_as("oba-a4", "POST", "/manifests"))),
    (M, "post", 401, _anon("POST", "/manifests")),
    (M, "post", 403, _as("olp", "POST", "/manifests")),
    (M, "post", 500, _faulted(_as("oba", "POST", "/manifests"))),
    (R, "post", 201, _then(_manifest(1), "POST", "/manifests/retry/{number}")),
    (R, "post", 202, _then(_manifest(5), "POST", "/manifests/retry/{number}")),
    (R, "post", 400, _as("oba", "POST", "/manifests/retry/abc")),
    (R, "post", 401, _anon("POST", "/manifests/retry/1")),
    (R, "post", 403, _as("channelshipper", "POST", "/manifests/retry/1")),
    (R, "post", 404, _as("oba", "POST", "/manifests/retry/999999")),
    (R, "post", 500, _faulted(_as("oba", "POST", "/manifests/retry/1"))),
    (G, "get", 200, _then(_manifest(1), "GET", "/manifests/{number}")),
    (G, "get", 400, _as("oba", "GET", "/manifests/abc")),
    (G, "get", 401, _anon("GET", "/manifests/1")),
    (G, "get", 403, _as("olp", "GET", "/manifests/1")),
    (G, "get", 404, _as("oba", "GET", "/manifests/999999")),
    (G, "get", 500, _faulted(_as("oba", "GET", "/manifests/1"))),
]


@pytest.fixture(scope="module")
def schema_sandbox() -> Iterator[SandboxInfo]:
    """A process of this module's own: the cases create, delete, label and manifest orders."""
    process = SandboxProcess(seed=5, orders=200, rate_limit=0)
    yield process.info
    process.stop()


@pytest.mark.parametrize(
    ("template", "method", "status", "call"),
    CASES,
    ids=[f"{m.upper()} {t} {s}" for t, m, s, _ in CASES],
)
def test_response_matches_the_spec(
    spec: dict[str, Any],
    schema_sandbox: SandboxInfo,
    template: str,
    method: str,
    status: int,
    call: Call,
) -> None:
    schema_sandbox.reset(log=True)
    response = call(schema_sandbox)
    assert response.status_code == status, response.text[:300]
    validate(spec, template, method, response)


def test_cases_cover_every_declared_response(spec: dict[str, Any]) -> None:
    declared = {
        (path, method, int(status))
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        for status in operation["responses"]
    }
    covered = {(t, m, s) for t, m, s, _ in CASES}
    assert declared - covered == NOT_EMULATED
    assert covered <= declared


def test_rate_limit_and_maintenance_bodies(
    spec: dict[str, Any], schema_sandbox: SandboxInfo
) -> None:
    """429 (the spec's tag text) and 503 (not in the spec) carry an ErrorResponse or nothing."""
    schema_sandbox.reset(log=True)
    schema_sandbox.set_fault("storm", count=1)
    schema_sandbox.set_fault("maintenance", body="json", count=1)
    with api_client(schema_sandbox, "oba") as client:
        maintenance = client.get("/orders")
        storm = client.get("/orders")
    definitions = _convert(copy.deepcopy(spec["definitions"]))
    validator = _Validator({"$ref": "#/definitions/ErrorResponse", "definitions": definitions})
    for response in (maintenance, storm):
        validator.validate(response.json())
    assert (maintenance.status_code, storm.status_code) == (503, 429)


def test_the_conversion_is_strict_where_it_should_be(spec: dict[str, Any]) -> None:
    definitions = _convert(copy.deepcopy(spec["definitions"]))

    def errors(name: str, instance: object) -> list[str]:
        validator = _Validator(
            {"$ref": f"#/definitions/{name}", "definitions": definitions}, format_checker=_FORMATS
        )
        return [e.message for e in validator.iter_errors(instance)]

    good = {"orderIdentifier": 1, "createdOn": "2026-01-01T10:00:00.1234567", "printedOn": None}
    assert errors("GetOrderInfoResource", good) == []
    assert errors("GetOrderInfoResource", {**good, "invented": 1})
    assert errors("GetOrderInfoResource", {**good, "createdOn": None})
    assert errors("GetOrderInfoResource", {**good, "createdOn": "yesterday"})
    assert errors("CreateOrdersRequest", {"items": []})
    assert errors("CreateOrderRequest", _order("A", subtotal=1.001))
    assert errors("CreateOrderRequest", _order("A", dangerousGoodsDescription=7)) == []
