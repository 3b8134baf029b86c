"""The OpenAPI schema's shared parts: the answers every operation can give besides its own.

drf-spectacular documents only the success of each operation; clients (and the schemathesis
run in the test suite) also need to know that a refusal is a 400, 401, 403 or 404 with a JSON
body, so one post-processing hook adds them where they can happen."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "A refusal. Rule, permission and lookup errors carry `detail` (a sentence) and usually "
        "`code` (stable, for programs); invalid input carries a list of messages under each "
        "field's name (`non_field_errors` for the whole request)."
    ),
    "additionalProperties": True,
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


def document_error_responses(result, generator, request, public):
    """Add 400 (invalid input), 401/403 (who may call) and 404 (an unknown object in the
    path) to every operation that can answer them, with one shared ``Error`` schema."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            responses.setdefault("400", _error("Invalid input."))
            security = operation.get("security", [])
            if security and {} not in security:
                responses.setdefault("401", _error("Not signed in (no or a wrong token)."))
                responses.setdefault("403", _error("Signed in without the permission needed."))
            if "requestBody" in operation:
                responses.setdefault("415", _error("A body in a media type not listed here."))
            if "{" in path:
                responses.setdefault("404", _error("No such congress or object (or not yours)."))
    return result
