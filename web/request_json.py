"""Decodes a GraphQL request body, turning what `json.loads` lets escape on hostile input
(bytes that are not UTF-8; arrays nested deeper than the interpreter's recursion limit;
integers longer than the interpreter reads), and
JSON that is no request at all (a bare string or number), into 400s instead of 500s."""

from __future__ import annotations

import json

from cross_web import HTTPException


def decode_request_json(data: str | bytes) -> object:
    try:
        decoded = json.loads(data)
    except UnicodeDecodeError as exc:
        raise HTTPException(400, "Request body is not UTF-8.") from exc
    except RecursionError as exc:
        raise HTTPException(400, "Request body is nested too deeply.") from exc
    except json.JSONDecodeError:
        raise  # strawberry answers it: "Unable to parse request body as JSON"
    except ValueError as exc:  # an integer of over 4,300 digits (int() refuses to read it)
        raise HTTPException(400, "Request body has a number too long to read.") from exc
    if not isinstance(decoded, dict | list):  # a list is a batch, refused further on
        raise HTTPException(400, "Request body must be a JSON object.")
    return decoded
