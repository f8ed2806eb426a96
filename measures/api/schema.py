"""OpenAPI schema additions (drf-spectacular hooks, see SPECTACULAR_SETTINGS)."""

from django.utils.translation import gettext as _

ERROR_DETAIL = "ErrorDetail"
VALIDATION_ERRORS = "ValidationErrors"


def _json(description: str, component: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"$ref": f"#/components/schemas/{component}"}
            }
        },
    }


def document_errors(result: dict, generator, request, public) -> dict:
    """Add the error answers every operation can give, so that the schema covers
    every status a client (and Schemathesis) can see: 400 for a bad filter or page
    value, 404 for an unknown object or a page after the last, 429 when throttled.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR_DETAIL] = {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    }
    schemas[VALIDATION_ERRORS] = {
        "type": "object",
        "description": _("Feilmeldinger per parameter."),
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    }
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            takes_query = any(p.get("in") == "query" for p in parameters)
            if takes_query:
                responses.setdefault(
                    "400",
                    _json(
                        _("Ugyldig verdi for et filter eller en sideparameter."),
                        VALIDATION_ERRORS,
                    ),
                )
            if takes_query or "{" in path:
                responses.setdefault(
                    "404",
                    _json(_("Objektet eller siden finnes ikke."), ERROR_DETAIL),
                )
            too_many = _json(
                _(
                    "For mange forespørsler: vent så mange sekunder som "
                    "Retry-After sier."
                ),
                ERROR_DETAIL,
            )
            too_many["headers"] = {
                "Retry-After": {
                    "description": _("Sekunder til neste forespørsel kan sendes."),
                    "schema": {"type": "integer"},
                }
            }
            responses.setdefault("429", too_many)
    return result
