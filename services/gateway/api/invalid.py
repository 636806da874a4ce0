"""422 for a request that fails validation, as FastAPI words it, in a body that always encodes."""

from __future__ import annotations

import json

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError


async def invalid_request(_request: Request, exc: Exception) -> Response:
    """FastAPI's own answer echoes the input, and JSON may carry a lone surrogate that no
    UTF-8 body can hold: that was a 500. ASCII-escaped, it is the 422 with its reasons."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else [str(exc)]
    body = json.dumps(jsonable_encoder({"detail": errors}), ensure_ascii=True)
    return Response(body, status_code=422, media_type="application/json")
