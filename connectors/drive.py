"""Google Drive v3: the files of an account's folder, single files by id, their bytes, and the
changes feed.

Requests are built by google-api-python-client from the discovery document it ships (so paths,
parameter names and encodings are Google's own) and sent on our aiohttp session; its model
parses the answers. The built service never touches the network: it gets an `http` object
that refuses every request, and it is built once per base URL. Measured: importing the client
~120 ms, the first `discovery_api` ~27 ms (`build` ~1 ms, then ~1 ms per `service.files()`,
which is why the resources are kept), building one request ~12 us.

Credentials: a service account (google-auth, refreshed in a worker thread) in production, or
a static bearer token for the sandbox; see `credentials_for`.
"""

from __future__ import annotations

import asyncio
import functools
import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit, urlunsplit

from google.auth.transport.requests import Request
from google.oauth2 import service_account
from googleapiclient.discovery import build

from connectors.http import (
    JsonService,
    NotFound,
    RateLimited,
    RawResponse,
    Rejected,
    gather_aligned,
    parse_errors,
)
from connectors.streams import ByteStream, open_stream

T = TypeVar("T")

SERVICE = "drive"
READONLY_SCOPE = "https://www.googleapis.com/auth/drive.readonly"
MAX_PAGE_SIZE = 1000
DOCUMENT_TYPE_PROPERTY = "document_type"
FILE_FIELDS = "id,name,mimeType,size,createdTime,modifiedTime,parents,appProperties,trashed"
_FILE_ID = re.compile(r"[A-Za-z0-9_-]+")
_RATE_LIMIT_REASON = re.compile(r'"reason"\s*:\s*"(?:user)?[rR]ateLimitExceeded"')
_ALL_DRIVES = {"supportsAllDrives": True}


# --- records ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DriveFile:
    id: str
    name: str
    mime_type: str
    size: int | None
    created_time: datetime
    modified_time: datetime
    parents: tuple[str, ...]
    document_type: str | None  # appProperties.document_type; None when the file has none
    trashed: bool


@dataclass(frozen=True)
class FilePage:
    files: tuple[DriveFile, ...]
    next_page_token: str | None


@dataclass(frozen=True)
class FileChange:
    file_id: str
    removed: bool  # deleted, or no longer visible to us
    time: datetime
    file: DriveFile | None  # its state now; None when removed


@dataclass(frozen=True)
class Changes:
    changes: tuple[FileChange, ...]
    next_page_token: str  # where to read from next time


@dataclass(frozen=True)
class Channel:
    id: str
    resource_id: str
    resource_uri: str
    expiration: datetime | None
    token: str | None


# --- credentials --------------------------------------------------------------------------


class DriveCredentials:
    """Supplies the Authorization header of each request."""

    async def headers(self) -> dict[str, str]:
        raise NotImplementedError

    def invalidate(self) -> bool:
        """Forgets a token the API refused; True if a fresh one may be obtained."""
        return False


class StaticToken(DriveCredentials):
    """A fixed bearer token: the sandbox accepts any well-formed one."""

    def __init__(self, token: str) -> None:
        self._headers = {"Authorization": f"Bearer {token}"}

    async def headers(self) -> dict[str, str]:
        return dict(self._headers)


class ServiceAccount(DriveCredentials):
    """A google-auth service account (optionally impersonating a Workspace user); the key file
    is read and the token refreshed in a worker thread, one refresh at a time."""

    def __init__(
        self, key_file: str, *, subject: str = "", scopes: Sequence[str] = (READONLY_SCOPE,)
    ) -> None:
        self._key_file = key_file
        self._subject = subject
        self._scopes = tuple(scopes)
        self._credentials: Any = None
        self._lock = asyncio.Lock()

    async def headers(self) -> dict[str, str]:
        credentials = self._credentials
        if credentials is None or not credentials.valid:
            async with self._lock:
                credentials = await asyncio.to_thread(self._fresh)
        headers: dict[str, str] = {}
        credentials.apply(headers)
        return headers

    def invalidate(self) -> bool:
        if self._credentials is not None:
            self._credentials.token = None
        return True

    def _fresh(self) -> Any:
        # Runs in a worker thread: google-auth reads files and refreshes synchronously.
        if self._credentials is None:
            loaded = service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
                self._key_file, scopes=self._scopes
            )
            self._credentials = loaded.with_subject(self._subject) if self._subject else loaded
        if not self._credentials.valid:
            self._credentials.refresh(Request())
        return self._credentials


def credentials_for(
    *, service_account_file: str = "", delegated_user: str = "", static_token: str = ""
) -> DriveCredentials:
    """The service account when a key file is configured, else the static (sandbox) token."""
    if service_account_file:
        return ServiceAccount(service_account_file, subject=delegated_user)
    if static_token:
        return StaticToken(static_token)
    raise ValueError("Drive needs GOOGLE_SERVICE_ACCOUNT_FILE or a static access token")


# --- the client ---------------------------------------------------------------------------


class _NoNetwork:
    """The `http` the discovery client is given: we send requests ourselves, on aiohttp."""

    def request(self, *args: object, **kwargs: object) -> NoReturn:
        raise RuntimeError("the Drive discovery client must not do I/O; use connectors.drive")


@dataclass(frozen=True)
class DiscoveryApi:
    """The Drive resources of a service built from the bundled discovery document."""

    files: Any
    changes: Any
    channels: Any


@functools.cache
def discovery_api(base_url: str) -> DiscoveryApi:
    service = build(
        "drive",
        "v3",
        static_discovery=True,
        http=_NoNetwork(),
        client_options={"api_endpoint": base_url.rstrip("/") + "/drive/v3/"},
    )
    return DiscoveryApi(service.files(), service.changes(), service.channels())


class DriveClient:
    """The session, credentials and request builder every function of this module takes."""

    def __init__(self, http: JsonService, credentials: DriveCredentials) -> None:
        self.http = http
        self.credentials = credentials
        self.api = discovery_api(http.base_url)


class _Response(dict[str, str]):
    """The httplib2-shaped response the client's models parse."""

    def __init__(self, status: int, headers: Mapping[str, str]) -> None:
        super().__init__({k.lower(): v for k, v in headers.items()})
        self.status = status
        self.reason = ""


async def _execute(client: DriveClient, request: Any) -> Any:
    """Sends a request the discovery client built; returns what its model parses."""
    raw = await _send(client, request.method, request.uri, request.headers, request.body)
    with parse_errors(SERVICE):
        return request.postproc(_Response(raw.status, raw.headers), raw.body)


async def _send(
    client: DriveClient, method: str, uri: str, headers: Mapping[str, str], body: Any
) -> RawResponse:
    uri = _same_scheme(uri, client.http.base_url)

    async def attempt() -> RawResponse:
        auth = await client.credentials.headers()
        return await client.http.send(method, uri, headers={**headers, **auth}, body=body)

    try:
        return await attempt()
    except Rejected as exc:
        if exc.status != 401 or not client.credentials.invalidate():
            _raise_drive_error(exc)
    try:
        return await attempt()  # once more, with a fresh token
    except Rejected as exc:
        _raise_drive_error(exc)


def _raise_drive_error(exc: Rejected) -> NoReturn:
    # Drive answers some rate limits with 403 rather than 429.
    if exc.status == 403 and _RATE_LIMIT_REASON.search(exc.detail):
        raise RateLimited(SERVICE, exc.detail, None) from exc
    raise exc


def _same_scheme(uri: str, base_url: str) -> str:
    # The client builds upload URIs from Google's https root and only swaps the host.
    parts, base = urlsplit(uri), urlsplit(base_url)
    return urlunsplit(parts._replace(scheme=base.scheme)) if parts.netloc == base.netloc else uri


# --- files --------------------------------------------------------------------------------


def quote(text: str) -> str:
    """A string literal of Drive's query language: backslashes and quotes escaped."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def folder_query(
    folder_id: str,
    *,
    name_contains: str | None = None,
    document_types: Collection[str] | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> str:
    """`q` for the untrashed files of one folder. `created_after` is inclusive and
    `created_before` exclusive (a half-open range)."""
    terms = [f"{quote(folder_id)} in parents", "trashed = false"]
    if name_contains and name_contains.strip():
        terms.append(f"name contains {quote(name_contains)}")
    if document_types is not None:
        alternatives = [
            f"appProperties has {{ key={quote(DOCUMENT_TYPE_PROPERTY)} and value={quote(t)} }}"
            for t in sorted(set(document_types))
        ]
        terms.append("(" + " or ".join(alternatives) + ")")
    if created_after is not None:
        terms.append(f"createdTime >= {quote(_query_time(created_after))}")
    if created_before is not None:
        terms.append(f"createdTime < {quote(_query_time(created_before))}")
    return " and ".join(terms)


def _query_time(moment: datetime) -> str:
    """RFC 3339 in UTC, rounded up to Drive's millisecond precision (which keeps both `>=`
    and `<` exact for times Drive stores)."""
    if moment.tzinfo is None:
        raise ValueError("Drive query times must be timezone-aware")
    utc = moment.astimezone(UTC)
    extra = utc.microsecond % 1000
    if extra:
        utc += timedelta(microseconds=1000 - extra)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def files_in_folder(
    client: DriveClient,
    folder_id: str,
    *,
    page_size: int,
    page_token: str | None = None,
    name_contains: str | None = None,
    document_types: Collection[str] | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    order_by: str = "createdTime desc",
) -> FilePage:
    """One page of the folder's untrashed files (see `folder_query` for the filters)."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}")
    if document_types is not None and not document_types:
        return FilePage((), None)
    q = folder_query(
        folder_id,
        name_contains=name_contains,
        document_types=document_types,
        created_after=created_after,
        created_before=created_before,
    )
    request = client.api.files.list(
        q=q,
        pageSize=page_size,
        pageToken=page_token,
        orderBy=order_by,
        fields=f"nextPageToken,files({FILE_FIELDS})",
        includeItemsFromAllDrives=True,
        **_ALL_DRIVES,
    )
    body = await _execute(client, request)
    return FilePage(
        tuple(_parse(_file, item) for item in body.get("files", [])), body.get("nextPageToken")
    )


async def files_by_id(client: DriveClient, ids: Sequence[str]) -> list[DriveFile | None]:
    """The files with these ids, aligned with `ids`; None for those Drive does not know.
    Drive has no batch read of files: one concurrent get per distinct id."""
    distinct = list(dict.fromkeys(ids))
    found = await gather_aligned(*(_file_or_none(client, i) for i in distinct))
    by_id = dict(zip(distinct, found, strict=True))
    return [by_id[i] for i in ids]


async def _file_or_none(client: DriveClient, file_id: str) -> DriveFile | None:
    if not _FILE_ID.fullmatch(file_id):
        return None  # not an id Drive could have issued; never put it in a URL
    request = client.api.files.get(fileId=file_id, fields=FILE_FIELDS, **_ALL_DRIVES)
    try:
        return _parse(_file, await _execute(client, request))
    except NotFound:
        return None


async def download(client: DriveClient, file_id: str) -> ByteStream:
    """Starts downloading a file; errors (404 and the rest) are raised here, before any byte."""
    if not _FILE_ID.fullmatch(file_id):
        raise NotFound(SERVICE, f"File not found: {file_id!r}")
    request = client.api.files.get_media(fileId=file_id, **_ALL_DRIVES)
    headers = {**request.headers, **await client.credentials.headers()}
    try:
        return await open_stream(client.http, request.uri, headers)
    except Rejected as exc:
        _raise_drive_error(exc)


# --- changes ------------------------------------------------------------------------------


async def start_page_token(client: DriveClient) -> str:
    """The token from which `changes_since` reports changes made after now."""
    body = await _execute(client, client.api.changes.getStartPageToken(**_ALL_DRIVES))
    return _parse(lambda b: str(b["startPageToken"]), body)


async def changes_since(
    client: DriveClient, page_token: str, *, page_size: int = MAX_PAGE_SIZE, max_pages: int = 20
) -> Changes:
    """Every change from `page_token` on (the newest state of each changed file), read page by
    page; `next_page_token` is where to continue next time."""
    changes: list[FileChange] = []
    token = page_token
    for _ in range(max_pages):
        request = client.api.changes.list(
            pageToken=token,
            pageSize=page_size,
            fields=f"nextPageToken,newStartPageToken,changes(fileId,removed,time,"
            f"file({FILE_FIELDS}))",
            includeItemsFromAllDrives=True,
            **_ALL_DRIVES,
        )
        body = await _execute(client, request)
        changes += (_parse(_change, item) for item in body.get("changes", []))
        if "newStartPageToken" in body:
            return Changes(tuple(changes), str(body["newStartPageToken"]))
        token = _parse(lambda b: str(b["nextPageToken"]), body)
    return Changes(tuple(changes), token)


async def watch_changes(
    client: DriveClient,
    page_token: str,
    *,
    channel_id: str,
    address: str,
    token: str | None = None,
    expiration: datetime | None = None,
) -> Channel:
    """Asks Drive to POST to `address` when changes after `page_token` happen."""
    body: dict[str, Any] = {"id": channel_id, "type": "web_hook", "address": address}
    if token is not None:
        body["token"] = token
    if expiration is not None:
        body["expiration"] = str(math.floor(expiration.timestamp() * 1000))
    request = client.api.changes.watch(
        pageToken=page_token, body=body, includeItemsFromAllDrives=True, **_ALL_DRIVES
    )
    return _parse(_channel, await _execute(client, request))


async def stop_channel(client: DriveClient, channel: Channel) -> None:
    request = client.api.channels.stop(body={"id": channel.id, "resourceId": channel.resource_id})
    await _execute(client, request)


# --- parsing ------------------------------------------------------------------------------


def _parse(parse: Callable[[Any], T], body: Any) -> T:
    with parse_errors(SERVICE):
        return parse(body)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _file(data: Mapping[str, Any]) -> DriveFile:
    size = data.get("size")
    return DriveFile(
        id=data["id"],
        name=data["name"],
        mime_type=data["mimeType"],
        size=int(size) if size is not None else None,
        created_time=_time(data["createdTime"]),
        modified_time=_time(data["modifiedTime"]),
        parents=tuple(data.get("parents", ())),
        document_type=(data.get("appProperties") or {}).get(DOCUMENT_TYPE_PROPERTY),
        trashed=bool(data.get("trashed", False)),
    )


def _change(data: Mapping[str, Any]) -> FileChange:
    removed = bool(data.get("removed", False))
    file = data.get("file")
    return FileChange(
        file_id=data["fileId"],
        removed=removed,
        time=_time(data["time"]),
        file=_file(file) if file is not None and not removed else None,
    )


def _channel(data: Mapping[str, Any]) -> Channel:
    expiration = data.get("expiration")
    return Channel(
        id=data["id"],
        resource_id=data["resourceId"],
        resource_uri=data.get("resourceUri", ""),
        expiration=(datetime.fromtimestamp(int(expiration) / 1000, UTC) if expiration else None),
        token=data.get("token"),
    )
