"""`GET /export/{table}.{format}`: an account's table as a file, streamed as it is read.

The viewer is authenticated as for /graphql (session cookie, session bearer or API token)
and must be able to see the account. The first upstream page is read before the response
starts, so that an upstream failure then is a clean 503; one later can only cut the
transfer short, which clients see as an incomplete download rather than a short file.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from config import Settings
from connectors.http import UpstreamError
from connectors.hubspot import Company
from connectors.pacing import Pacer
from resolvers.accounts import account_by_global_id
from resolvers.exports.formats import FORMATS, Format, encoded
from resolvers.exports.query import BadExportQuery, parse_query
from resolvers.exports.tables import TABLES, Pacers, Row, Source, Table
from resolvers.request.access import visible_account
from resolvers.request.context import RequestContext
from resolvers.request.errors import upstream_failure

log = logging.getLogger("portal.exports")

ContextFor = Callable[[Request], Awaitable[RequestContext]]


def export_routes(context_for: ContextFor, settings: Settings) -> list[Route]:
    """The route; `context_for` authenticates a request as /graphql does. The pacers are
    this process's, shared by every export it runs."""
    pacers = Pacers(
        stripe=Pacer(settings.export_rate_stripe),
        zendesk=Pacer(settings.export_rate_zendesk),
        hubspot=Pacer(settings.export_rate_hubspot),
        drive=Pacer(settings.export_rate_drive),
    )
    return [Route("/export/{file}", _Exports(context_for, pacers).export, methods=["GET"])]


class _Exports:
    def __init__(self, context_for: ContextFor, pacers: Pacers) -> None:
        self._context_for = context_for
        self._pacers = pacers

    async def export(self, request: Request) -> Response:
        name, _, extension = str(request.path_params["file"]).rpartition(".")
        table, file_format = TABLES.get(name), FORMATS.get(extension)
        if table is None or file_format is None:
            return _not_found()
        try:
            query = parse_query(request.query_params, table.filter_name, table.filter_values)
        except BadExportQuery as exc:
            return _error(400, "BAD_USER_INPUT", str(exc))
        ctx = await self._context_for(request)
        if ctx.viewer is None:
            if ctx.viewer_failure is not None:
                return _error(503, "UPSTREAM_UNAVAILABLE", ctx.viewer_failure.message)
            return _error(
                401,
                "UNAUTHENTICATED",
                "Send a session cookie or an `Authorization: Bearer` token.",
                {"WWW-Authenticate": "Bearer"},
            )
        try:
            account = await self._account(ctx, query.account_id)
            if account is None:  # the viewer's own company, deleted meanwhile
                return _error(404, "NOT_FOUND", "Your account is no longer there.")
            rows = table.rows(Source(ctx.services.upstreams, self._pacers), account, query)
            first = await anext(rows, None)
        except GraphQLError as exc:  # a malformed id, or one of an account not the viewer's
            code = str((exc.extensions or {}).get("code", "BAD_USER_INPUT"))
            return _error(404 if code == "NOT_FOUND" else 400, code, exc.message)
        except UpstreamError as exc:
            failure = upstream_failure(exc)
            return _error(503, str((failure.extensions or {})["code"]), failure.message)
        file_name = _file_name(table, file_format, account.id)
        return StreamingResponse(
            encoded(file_format.encode(table.columns), _resumed(first, rows, table.name)),
            media_type=file_format.media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{file_name}"',
                "Cache-Control": "no-store",
            },
        )

    async def _account(self, ctx: RequestContext, global_id: str | None) -> Company | None:
        if global_id:
            return await account_by_global_id(ctx, global_id)
        return await visible_account(ctx, ctx.require_viewer().primary_account_id)


async def _resumed(first: Row | None, rest: AsyncIterator[Row], table: str) -> AsyncIterator[Row]:
    if first is None:
        return
    yield first
    try:
        async for row in rest:
            yield row
    except UpstreamError:
        log.warning("export of %s cut short by an upstream failure", table, exc_info=True)
        raise


def _file_name(table: Table, file_format: Format, account_id: str) -> str:
    today = datetime.now(UTC).date().isoformat()
    return f"{table.name}-{account_id}-{today}.{file_format.name}"


def _not_found() -> Response:
    files = [f"{t}.{f}" for t in TABLES for f in FORMATS]
    return JSONResponse(
        {
            "error": "NOT_FOUND",
            "message": "Unknown export. Ask for /export/{table}.{format}.",
            "tables": list(TABLES),
            "formats": list(FORMATS),
            "exports": [f"/export/{f}" for f in files],
        },
        status_code=404,
    )


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)
