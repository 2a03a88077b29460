"""The Drive connector against the Drive sandbox: records as seeded, the requests the sandbox
saw (one per page, one get per distinct id), safe queries and vendor errors mapped."""

from __future__ import annotations

import asyncio
import json
import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given
from hypothesis import strategies as st

from connectors import drive
from connectors.http import (
    JsonService,
    NotFound,
    RateLimited,
    Rejected,
    Unavailable,
    open_session,
)
from sandbox.accounts import Backbone, Company
from sandbox.control import SandboxControl, VendorControl
from sandbox.drive.content import blob_of
from sandbox.drive.files import StoredFile
from sandbox.drive.query import Compare, Has, In, iter_terms, parse_query
from sandbox.drive.seed import build_state
from sandbox.drive.state import DriveState


@pytest.fixture
def control(sandbox: SandboxControl) -> VendorControl:
    return sandbox["drive"]


@pytest.fixture
async def client(urls, control):
    async with open_session() as session:
        yield drive.DriveClient(
            JsonService("drive", urls["drive"], session), drive.StaticToken("sandbox-token")
        )


@pytest.fixture(scope="module")
def seeded(backbone: Backbone) -> DriveState:
    return build_state(backbone)


@pytest.fixture
def acme(backbone: Backbone) -> Company:
    return backbone.companies[0]


def record(stored: StoredFile) -> drive.DriveFile:
    return drive.DriveFile(
        id=stored.id,
        name=stored.name,
        mime_type=stored.mime_type,
        size=stored.size,
        created_time=stored.created_time,
        modified_time=stored.modified_time,
        parents=stored.parents,
        document_type=stored.app_properties.get("document_type"),
        trashed=stored.trashed,
    )


def newest_first(seeded: DriveState, folder_id: str) -> list[drive.DriveFile]:
    files = [f for f in seeded.children(folder_id) if not f.trashed]
    return [record(f) for f in sorted(files, key=lambda f: f.created_time, reverse=True)]


def calls(control: VendorControl) -> list[tuple[str, str, int]]:
    return [(c.method, c.path, c.status) for c in control.requests()]


def sent_q(control: VendorControl) -> list[str]:
    return [parse_qs(c.query)["q"][0] for c in control.requests()]


# --- files_in_folder ----------------------------------------------------------------------


async def test_first_page_is_the_newest_files_as_seeded(client, control, seeded, acme):
    page = await drive.files_in_folder(client, acme.drive_folder_id, page_size=10)

    assert page.files == tuple(newest_first(seeded, acme.drive_folder_id)[:10])
    assert page.next_page_token is not None
    assert calls(control) == [("GET", "/drive/v3/files", 200)]
    assert sent_q(control) == [f"'{acme.drive_folder_id}' in parents and trashed = false"]
    query = parse_qs(control.requests()[0].query)
    assert query["orderBy"] == ["createdTime desc"]
    assert query["pageSize"] == ["10"]
    assert query["supportsAllDrives"] == query["includeItemsFromAllDrives"] == ["true"]


async def test_paging_reaches_every_file_once(client, control, seeded, acme):
    files: list[drive.DriveFile] = []
    token, pages = None, 0
    while True:
        page = await drive.files_in_folder(
            client, acme.drive_folder_id, page_size=7, page_token=token
        )
        files += page.files
        pages += 1
        token = page.next_page_token
        if token is None:
            break

    assert files == newest_first(seeded, acme.drive_folder_id)
    assert len(files) == acme.file_count
    assert pages == math.ceil(acme.file_count / 7)
    assert calls(control) == [("GET", "/drive/v3/files", 200)] * pages


async def test_document_types_filter_on_the_server(client, control, seeded, acme):
    page = await drive.files_in_folder(
        client, acme.drive_folder_id, page_size=1000, document_types=["report", "contract"]
    )
    expected = [
        f for f in newest_first(seeded, acme.drive_folder_id)
        if f.document_type in ("contract", "report")
    ]  # fmt: skip
    assert list(page.files) == expected
    assert sent_q(control) == [
        f"'{acme.drive_folder_id}' in parents and trashed = false and "
        "(appProperties has { key='document_type' and value='contract' } or "
        "appProperties has { key='document_type' and value='report' })"
    ]

    nothing = await drive.files_in_folder(
        client, acme.drive_folder_id, page_size=10, document_types=[]
    )
    assert nothing == drive.FilePage((), None)
    assert len(control.requests()) == 1  # an empty type list needs no request


async def test_created_range_is_half_open_to_the_microsecond(client, seeded, acme):
    files = newest_first(seeded, acme.drive_folder_id)
    newer, older = files[3], files[8]
    page = await drive.files_in_folder(
        client,
        acme.drive_folder_id,
        page_size=100,
        created_after=older.created_time,
        created_before=newer.created_time + timedelta(microseconds=1),
    )
    assert list(page.files) == files[3:9]

    page = await drive.files_in_folder(
        client,
        acme.drive_folder_id,
        page_size=100,
        created_after=older.created_time + timedelta(microseconds=1),
        created_before=newer.created_time,
    )
    assert list(page.files) == files[4:8]


async def test_name_contains_matches_word_prefixes(client, seeded, acme):
    page = await drive.files_in_folder(
        client, acme.drive_folder_id, page_size=100, name_contains="master serv"
    )
    names = [f.name for f in page.files]
    assert names
    assert all("Master Services Agreement" in n for n in names)


@pytest.mark.parametrize(
    "hostile",
    [
        "O'Brien's \"quoted\" notes",
        "back\\slash\\' and quote",
        "x' or trashed = true or name contains '",
        "') or (name contains '",
    ],
)
async def test_hostile_names_are_searched_literally(client, control, acme, hostile):
    added = control.call(
        "POST",
        "/_sandbox/files",
        {"folder_id": acme.drive_folder_id, "name": f"Acme — {hostile}.pdf"},
    )
    control.clear_requests()

    page = await drive.files_in_folder(
        client, acme.drive_folder_id, page_size=100, name_contains=hostile
    )

    assert [f.id for f in page.files] == [added["id"]]
    assert calls(control) == [("GET", "/drive/v3/files", 200)]
    escaped = hostile.replace("\\", "\\\\").replace("'", "\\'")
    assert sent_q(control)[0].endswith(f" and name contains '{escaped}'")


@given(st.text(), st.lists(st.text(), min_size=1, max_size=3))
def test_any_text_survives_quoting(name: str, types: list[str]):
    # The sandbox's parser reads Drive's grammar; every user string must come back intact.
    q = drive.folder_query("1folder'\\", name_contains=name, document_types=types)
    terms = list(iter_terms(parse_query(q)))
    assert terms[0] == In("1folder'\\", "parents")
    values = [t.value for t in terms if isinstance(t, Compare)]
    expected = [False, name] if name.strip() else [False]
    assert values == expected
    assert sorted(t.value for t in terms if isinstance(t, Has)) == sorted(set(types))


async def test_naive_times_and_page_sizes_beyond_drive_are_refused(client, acme):
    with pytest.raises(ValueError, match="timezone-aware"):
        await drive.files_in_folder(
            client, acme.drive_folder_id, page_size=10, created_after=datetime(2025, 1, 1)
        )
    with pytest.raises(ValueError, match="page_size"):
        await drive.files_in_folder(client, acme.drive_folder_id, page_size=1001)


# --- files_by_id --------------------------------------------------------------------------


async def test_files_by_id_aligned_with_ids_one_get_per_distinct_id(client, control, seeded):
    trashed = next(f for f in seeded.files.values() if f.trashed)
    folder = next(f for f in seeded.files.values() if f.is_folder and f.parents)
    ids = [trashed.id, "1missingFileId", folder.id, trashed.id, "../changes"]

    found = await drive.files_by_id(client, ids)

    assert found == [record(trashed), None, record(folder), record(trashed), None]
    assert found[2] is not None and found[2].size is None
    assert Counter(calls(control)) == Counter(
        {("GET", "/drive/v3/files/" + i, s): 1
         for i, s in ((trashed.id, 200), ("1missingFileId", 404), (folder.id, 200))}
    )  # fmt: skip


# --- download -----------------------------------------------------------------------------


async def test_download_streams_the_files_bytes(client, control, seeded, acme):
    stored = max(
        (f for f in seeded.children(acme.drive_folder_id) if f.mime_type == "application/pdf"),
        key=lambda f: f.size or 0,
    )
    expected = b"".join(blob_of(stored).iter_range())

    chunks = []
    async with await drive.download(client, stored.id) as body:
        assert (body.content_type, body.content_length) == ("application/pdf", stored.size)
        async for chunk in body:
            chunks.append(chunk)

    assert b"".join(chunks) == expected
    assert len(chunks) > 1
    assert [(c.path, parse_qs(c.query)["alt"]) for c in control.requests()] == [
        (f"/drive/v3/files/{stored.id}", ["media"])
    ]


async def test_download_errors_come_before_any_byte(client, acme):
    with pytest.raises(NotFound):
        await drive.download(client, "1missingFileId")
    with pytest.raises(Rejected) as caught:
        await drive.download(client, acme.drive_folder_id)
    assert caught.value.status == 403
    assert "fileNotDownloadable" in caught.value.detail


# --- errors -------------------------------------------------------------------------------


async def test_bad_token_is_rejected_without_retry(urls, control, acme):
    async with open_session() as session:
        unauthorized = drive.DriveClient(
            JsonService("drive", urls["drive"], session), drive.StaticToken("")
        )
        with pytest.raises(Rejected) as caught:
            await drive.files_in_folder(unauthorized, acme.drive_folder_id, page_size=5)
    assert caught.value.status == 401
    assert json.loads(caught.value.detail)["error"]["status"] == "UNAUTHENTICATED"
    assert calls(control) == [("GET", "/drive/v3/files", 401)]


async def test_outage_and_rate_limit_are_mapped(client, control, acme):
    control.set_knobs(outage=True)
    with pytest.raises(Unavailable):
        await drive.files_by_id(client, [acme.drive_folder_id])
    control.set_knobs(outage=False, rate_limit=0, rate_window_s=30)
    with pytest.raises(RateLimited) as caught:
        await drive.files_in_folder(client, acme.drive_folder_id, page_size=5)
    assert caught.value.retry_after is not None and caught.value.retry_after > 0
    assert [c.status for c in control.requests()] == [503, 429]


def test_403_rate_limits_become_rate_limited():
    body = json.dumps(
        {"error": {"code": 403, "errors": [
            {"domain": "usageLimits", "reason": "userRateLimitExceeded", "message": "slow"}]}}
    )  # fmt: skip
    with pytest.raises(RateLimited):
        drive._raise_drive_error(Rejected("drive", 403, body))
    with pytest.raises(Rejected):
        drive._raise_drive_error(Rejected("drive", 403, '{"error": {"code": 403}}'))


# --- changes ------------------------------------------------------------------------------


async def test_changes_since_reads_every_page(client, control, acme):
    start = await drive.start_page_token(client)
    added = control.call("POST", "/_sandbox/files", {
        "folder_id": acme.drive_folder_id, "name": "New SOW.pdf",
        "document_type": "statement_of_work"})  # fmt: skip
    trashed = control.call("POST", "/_sandbox/files", {
        "folder_id": acme.drive_folder_id, "name": "Mistake.pdf"})  # fmt: skip
    control.call("POST", f"/_sandbox/files/{trashed['id']}/trash")
    control.clear_requests()

    changes = await drive.changes_since(client, start, page_size=1)

    assert [(c.file_id, c.removed) for c in changes.changes] == [
        (added["id"], False),
        (trashed["id"], False),
    ]
    first, second = (c.file for c in changes.changes)
    assert first is not None and first.document_type == "statement_of_work"
    assert first.parents == (acme.drive_folder_id,)
    assert second is not None and second.trashed
    assert changes.next_page_token == str(int(start) + 3)
    assert calls(control) == [("GET", "/drive/v3/changes", 200)] * 2

    later = await drive.changes_since(client, changes.next_page_token)
    assert later == drive.Changes((), changes.next_page_token)


async def test_watch_and_stop_a_channel(client, control):
    start = await drive.start_page_token(client)
    expires = datetime.now(UTC) + timedelta(hours=1)
    channel = await drive.watch_changes(
        client, start, channel_id="portal-changes", address="https://portal.example/hooks/drive",
        token="t-1", expiration=expires,
    )  # fmt: skip
    assert (channel.id, channel.token) == ("portal-changes", "t-1")
    assert channel.expiration is not None
    assert abs(channel.expiration - expires) < timedelta(milliseconds=1)
    assert [c["id"] for c in control.call("GET", "/_sandbox/channels")] == ["portal-changes"]

    await drive.stop_channel(client, channel)
    assert control.call("GET", "/_sandbox/channels") == []


# --- the discovery client and credentials -------------------------------------------------


def test_the_discovery_client_is_built_once_and_never_sends():
    api = drive.discovery_api("http://127.0.0.1:9")  # nothing listens there
    assert drive.discovery_api("http://127.0.0.1:9") is api
    request = api.files.list(q="trashed = false", pageSize=3)
    assert request.uri.startswith("http://127.0.0.1:9/drive/v3/files?")
    with pytest.raises(RuntimeError, match="must not do I/O"):
        request.execute()


def test_credentials_for_picks_the_configured_kind(tmp_path: Path):
    assert isinstance(drive.credentials_for(static_token="t"), drive.StaticToken)
    key_file = str(tmp_path / "key.json")
    assert isinstance(
        drive.credentials_for(service_account_file=key_file, static_token="t"),
        drive.ServiceAccount,
    )
    with pytest.raises(ValueError, match="GOOGLE_SERVICE_ACCOUNT_FILE"):
        drive.credentials_for()


@pytest.fixture
async def token_server():
    """A stand-in for Google's OAuth token endpoint, counting the grants it issues."""
    grants: list[dict[str, str]] = []

    async def token(request: web.Request) -> web.Response:
        grants.append(dict(await request.post()))  # type: ignore[arg-type]
        return web.json_response(
            {"access_token": f"ya29.sandbox-{len(grants)}", "expires_in": 3600,
             "token_type": "Bearer"}
        )  # fmt: skip

    app = web.Application()
    app.router.add_post("/token", token)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/token", grants
    await runner.cleanup()


async def test_service_account_refreshes_off_the_loop_once(
    tmp_path: Path, token_server, urls, acme
):
    token_uri, grants = token_server
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    key_file = tmp_path / "service-account.json"
    key_file.write_text(json.dumps({
        "type": "service_account", "project_id": "portal-sandbox", "private_key_id": "k1",
        "private_key": pem, "client_email": "portal@portal-sandbox.iam.gserviceaccount.com",
        "client_id": "1", "token_uri": token_uri,
    }))  # fmt: skip
    credentials = drive.credentials_for(
        service_account_file=str(key_file), delegated_user="csm@vendor.example"
    )

    first, second = await asyncio.gather(credentials.headers(), credentials.headers())

    assert first == second == {"authorization": "Bearer ya29.sandbox-1"}
    assert len(grants) == 1
    assert grants[0]["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    async with open_session() as session:
        client = drive.DriveClient(JsonService("drive", urls["drive"], session), credentials)
        page = await drive.files_in_folder(client, acme.drive_folder_id, page_size=1)
    assert len(page.files) == 1
