"""The API documentation page's content, read from the OpenAPI schema itself so
that the page and the schema cannot disagree."""

import functools
from dataclasses import dataclass

from django.utils.translation import get_language
from drf_spectacular.generators import SchemaGenerator


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    type: str
    description: str
    allowed: tuple[str, ...]


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    fields: tuple[Field, ...]
    statuses: tuple[tuple[str, str], ...]


def openapi_schema() -> dict:
    """The schema /api/schema/ serves, as a dict."""
    return SchemaGenerator().get_schema(request=None, public=True)


def endpoints() -> tuple[Operation, ...]:
    # The schema only changes with the code, so build it once per language.
    return _endpoints(get_language())


@functools.lru_cache(maxsize=8)
def _endpoints(language: str) -> tuple[Operation, ...]:
    schema = openapi_schema()
    reader = _Reader(schema.get("components", {}).get("schemas", {}))
    found = []
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            found.append(reader.operation(method, path, operation))
    return tuple(found)


class _Reader:
    def __init__(self, components: dict):
        self.components = components

    def resolve(self, schema: dict) -> dict:
        seen = set()
        while "$ref" in schema and schema["$ref"] not in seen:
            seen.add(schema["$ref"])
            schema = self.components.get(schema["$ref"].rsplit("/", 1)[-1], {})
        if "allOf" in schema and len(schema["allOf"]) == 1:
            merged = {**self.resolve(schema["allOf"][0]), **schema}
            merged.pop("allOf")
            return merged
        return schema

    def enum(self, schema: dict) -> tuple[str, ...]:
        schema = self.resolve(schema)
        values = list(schema.get("enum", []))
        for option in schema.get("oneOf", []) + schema.get("anyOf", []):
            values.extend(self.resolve(option).get("enum", []))
        return tuple(str(v) if v is not None else "null" for v in values)

    def type_name(self, schema: dict) -> str:
        schema = self.resolve(schema)
        options = schema.get("oneOf") or schema.get("anyOf")
        if options:
            kinds = [self.type_name(o) for o in options]
            kinds = [k for k in dict.fromkeys(kinds) if k != "null"]
            name = " | ".join(kinds)
        elif schema.get("type") == "array":
            name = f"array of {self.type_name(schema.get('items', {}))}"
        elif "properties" in schema or schema.get("type") == "object":
            name = "object"
        else:
            name = schema.get("type", "")
            if schema.get("format"):
                name = f"{name} ({schema['format']})"
        if schema.get("nullable"):
            name = f"{name}, null"
        return name

    def fields(self, schema: dict, prefix: str = "", depth: int = 0) -> list[Field]:
        schema = self.resolve(schema)
        rows = []
        for name, prop in schema.get("properties", {}).items():
            resolved = self.resolve(prop)
            full = f"{prefix}{name}"
            description = (
                prop.get("description")
                or resolved.get("description")
                or prop.get("title")
                or resolved.get("title")
                or ""
            )
            allowed = self.enum(prop)
            if allowed:
                description = description.split("\n\n*")[0] + " " if description else ""
                description += "(" + ", ".join(v for v in allowed if v) + ")"
            rows.append(Field(full, self.type_name(prop), description.strip()))
            if depth < 2:
                if "properties" in resolved:
                    rows.extend(self.fields(resolved, f"{full}.", depth + 1))
                elif resolved.get("type") == "array":
                    items = self.resolve(resolved.get("items", {}))
                    if "properties" in items:
                        rows.extend(self.fields(items, f"{full}[].", depth + 1))
        return rows

    def operation(self, method: str, path: str, operation: dict) -> Operation:
        parameters = tuple(
            Parameter(
                name=p["name"],
                location=p["in"],
                type=self.type_name(p.get("schema", {})),
                description=(p.get("description") or "").split("\n\n*")[0],
                allowed=tuple(v for v in self.enum(p.get("schema", {})) if v),
            )
            for p in operation.get("parameters", [])
        )
        ok = operation.get("responses", {}).get("200", {})
        body = self.resolve(
            ok.get("content", {}).get("application/json", {}).get("schema", {})
        )
        if "results" in body.get("properties", {}):
            body = self.resolve(body["properties"]["results"].get("items", {}))
        statuses = tuple(
            (code, response.get("description", ""))
            for code, response in sorted(operation.get("responses", {}).items())
        )
        anchor = "".join(c if c.isalnum() else "-" for c in f"{method}{path}")
        return Operation(
            method=method.upper(),
            path=path,
            anchor=anchor.strip("-").lower(),
            summary=operation.get("summary", ""),
            description=operation.get("description", ""),
            parameters=parameters,
            fields=tuple(self.fields(body)),
            statuses=statuses,
        )
