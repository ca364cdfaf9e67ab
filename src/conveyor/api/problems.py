"""Every error leaves the API as RFC 9457 ``application/problem+json``, mapped here only."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from conveyor.domain import errors

log = logging.getLogger("conveyor.api")

MEDIA_TYPE = "application/problem+json"

# Most specific first: the first class that matches decides.
_STATUS: list[tuple[type[errors.ConveyorError], int, str]] = [
    (errors.NotAuthenticated, 401, "not-authenticated"),
    (errors.Forbidden, 403, "forbidden"),
    (errors.NotFound, 404, "not-found"),
    (errors.Conflict, 409, "conflict"),
    (errors.TransitionNotAllowed, 409, "transition-not-allowed"),
    (errors.RequiredFieldMissing, 422, "required-field-missing"),
    (errors.StageNotInPipeline, 422, "stage-not-in-pipeline"),
    (errors.InvalidValue, 422, "invalid-value"),
    (errors.ExpressionFailed, 422, "expression-failed"),
    (errors.ConveyorError, 400, "bad-request"),
]

_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid input",
    500: "Internal error",
}


def problem(
    request: Request,
    status: int,
    slug: str,
    detail: str,
    *,
    field: str | None = None,
    errors_: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if field is not None:
        body["field"] = field
    if errors_:
        body["errors"] = errors_
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.ConveyorError, conveyor_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


def status_of(error: errors.ConveyorError) -> tuple[int, str]:
    """The HTTP status and the problem type's slug of a domain error."""
    if isinstance(error, errors.NotFound) and error.field is not None:
        # The URL was fine; a field of the input names something that does not exist.
        return 422, "unknown-reference"
    return next((s, g) for cls, s, g in _STATUS if isinstance(error, cls))


def conveyor_error(
    request: Request, error: errors.ConveyorError, *, detail: str | None = None
) -> JSONResponse:
    """The problem+json answer to a domain error; ``detail`` says it otherwise than the
    error's own message (the web pages' fetches: in the reader's language)."""
    status, slug = status_of(error)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    said = error.message if detail is None else detail
    return problem(request, status, slug, said, field=error.field, headers=headers)


def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    items = []
    for item in error.errors():
        if item.get("type") == "json_invalid":
            return problem(request, 400, "malformed-json", "The request body is not valid JSON")
        whole_body = tuple(item.get("loc", ())) == ("body",)
        if whole_body and _has_body(request) and not _is_json(request):
            # FastAPI reads a non-JSON body as no object at all; say what is really wrong.
            return problem(
                request,
                415,
                "unsupported-media-type",
                "Send the body as JSON, with 'Content-Type: application/json'",
            )
        message = item.get("msg", "")
        if whole_body and item.get("type") == "missing":
            message = "A JSON object is required as the request body"
        items.append({"field": _field_name(item.get("loc", ())), "message": message})
    field = items[0]["field"] if items else None
    message = str(items[0]["message"]) if items else "Invalid input"
    detail = f"{field}: {message}" if field else message
    return problem(request, 422, "validation", detail, field=field, errors_=items)


def _http_error(request: Request, error: HTTPException) -> JSONResponse:
    status = error.status_code
    detail = error.detail if isinstance(error.detail, str) else _TITLES.get(status, "Error")
    return problem(request, status, _TITLES.get(status, "error").lower().replace(" ", "-"), detail)


def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return problem(request, 500, "internal", "An unexpected error occurred; it has been logged")


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return "transfer-encoding" in request.headers or (length is not None and length != "0")


def _is_json(request: Request) -> bool:
    """``application/json`` or any ``application/...+json``, whatever its parameters."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _field_name(loc: Any) -> str | None:
    """``("body", "fields", "amount")`` -> ``"fields.amount"``; query/path keep their name."""
    parts = [str(p) for p in loc]
    # Only the leading location is dropped: an input field may itself be named "body".
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or None
