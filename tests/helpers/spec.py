"""Royal Mail's Click & Drop v1 spec (vendored in tests/fixtures) as a JSON-schema validator."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SPEC_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "click-and-drop-api-v1.yaml"


@cache
def load_spec() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return spec


def _decimal_multiple_of(validator: Any, multiple: float, instance: object, schema: Any) -> Any:
    # jsonschema divides floats (19.99 / 0.01 = 1998.9999...); the API works in decimals.
    is_number = isinstance(instance, int | float) and not isinstance(instance, bool)
    if is_number and Decimal(str(instance)) % Decimal(str(multiple)) != 0:
        yield jsonschema.ValidationError(f"{instance} is not a multiple of {multiple}")


_Validator = jsonschema.validators.extend(
    jsonschema.Draft4Validator, {"multipleOf": _decimal_multiple_of}
)


def spec_validator(definition: str) -> Any:
    """A Draft 4 validator for `#/definitions/<definition>` of the spec."""
    schema = {"$ref": f"#/definitions/{definition}", "definitions": load_spec()["definitions"]}
    return _Validator(schema)
