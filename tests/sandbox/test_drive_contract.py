"""The Drive sandbox, checked with Google's own client (google-api-python-client, httplib2):
requests built from the shipped discovery document, responses parsed by its models."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import google.oauth2.credentials
import httplib2
import pytest
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import HttpRequest, MediaInMemoryUpload, MediaIoBaseDownload

from sandbox.accounts import Backbone, Company
from sandbox.control import SandboxControl
from sandbox.drive.files import StoredFile
from sandbox.drive.seed import DOCUMENT_TYPES, INTERNAL_FILE_NAME, build_state
from sandbox.drive.state import DriveState

FILE_FIELDS = "id,name,mimeType,size,createdTime,modifiedTime,parents,appProperties,trashed"
LIST_FIELDS = f"nextPageToken,files({FILE_FIELDS})"


def _service(url: str, **auth: Any) -> Any:
    return build(
        "drive",
        "v3",
        static_discovery=True,
        client_options={"api_endpoint": url + "/drive/v3/"},
        **auth,
    )


@pytest.fixture
def drive(urls: dict[str, str]) -> Iterator[Any]:
    credentials = google.oauth2.credentials.Credentials(token="sandbox-token")
    service = _service(urls["drive"], credentials=credentials)
    yield service
    service.close()  # httplib2 keeps sockets open otherwise


@pytest.fixture(scope="module")
def seed(backbone: Backbone) -> DriveState:
    return build_state(backbone)


@pytest.fixture
def acme(backbone: Backbone) -> Company:
    return backbone.companies[0]


def visible(seed: DriveState, folder_id: str) -> list[StoredFile]:
    return [f for f in seed.children(folder_id) if not f.trashed]


def in_folder(company: Company, extra: str = "") -> str:
    return f"'{company.drive_folder_id}' in parents and trashed = false{extra}"


def list_all(drive, q: str, page_size: int = 100, **params) -> list[dict[str, Any]]:
    files, token = [], None
    while True:
        page = (
            drive.files()
            .list(q=q, pageSize=page_size, pageToken=token, fields=LIST_FIELDS, **params)
            .execute()
        )
        files += page["files"]
        token = page.get("nextPageToken")
        if token is None:
            return files


def fail(request: HttpRequest) -> HttpError:
    with pytest.raises(HttpError) as caught:
        request.execute()
    return caught.value


# --- files.list ---------------------------------------------------------------------------


def test_folder_lists_every_seeded_file_newest_first_across_pages(
    drive, sandbox: SandboxControl, backbone: Backbone, seed: DriveState, acme: Company
):
    files = list_all(drive, in_folder(acme), page_size=7, orderBy="createdTime desc")

    expected = sorted(visible(seed, acme.drive_folder_id), key=lambda f: f.created_time)[::-1]
    assert len(files) == acme.file_count == len(expected)
    assert [f["id"] for f in files] == [f.id for f in expected]
    first, stored = files[0], expected[0]
    assert first == {
        "id": stored.id,
        "name": stored.name,
        "mimeType": stored.mime_type,
        "size": str(stored.size),
        "createdTime": stored.created_time.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "modifiedTime": stored.modified_time.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "parents": [acme.drive_folder_id],
        "appProperties": {"document_type": stored.app_properties["document_type"]},
        "trashed": False,
    }
    pages = -(-acme.file_count // 7)
    calls = [(c.method, c.path, c.status) for c in sandbox["drive"].requests()]
    assert calls == [("GET", "/drive/v3/files", 200)] * pages


def test_every_company_folder_holds_its_file_count(drive, backbone: Backbone):
    for company in backbone.companies:
        files = list_all(drive, in_folder(company), page_size=1000)
        assert len(files) == company.file_count, company.name
        assert {f["parents"][0] for f in files} == {company.drive_folder_id}


def test_default_partial_response_and_explicit_fields(drive, acme: Company):
    page = drive.files().list(q=in_folder(acme), pageSize=2).execute()
    assert set(page) == {"kind", "incompleteSearch", "nextPageToken", "files"}
    assert page["kind"] == "drive#fileList"
    assert [set(f) for f in page["files"]] == [{"kind", "id", "name", "mimeType"}] * 2

    ids_only = drive.files().list(q=in_folder(acme), pageSize=2, fields="files/id").execute()
    assert [set(f) for f in ids_only["files"]] == [{"id"}, {"id"}]
    assert set(ids_only) == {"files"}

    nested = (
        drive.files()
        .list(q=in_folder(acme), pageSize=1, fields="files(id,appProperties/document_type)")
        .execute()
    )
    assert set(nested["files"][0]) == {"id", "appProperties"}

    everything = drive.files().list(q=in_folder(acme), pageSize=1, fields="*").execute()
    assert {"md5Checksum", "owners", "capabilities", "webViewLink"} <= set(everything["files"][0])


def test_trashed_files_are_hidden_by_trashed_false(drive, seed: DriveState, acme: Company):
    trashed = (
        drive.files()
        .list(q=f"'{acme.drive_folder_id}' in parents and trashed = true", fields=LIST_FIELDS)
        .execute()["files"]
    )
    assert sorted(f["name"] for f in trashed) == [
        "Acme Holdings — Draft MSA (superseded).pdf",
        "Acme Holdings — Old Usage Report.xlsx",
    ]
    everything = list_all(drive, f"'{acme.drive_folder_id}' in parents", page_size=1000)
    assert len(everything) == acme.file_count + 2
    visible_ids = {f["id"] for f in list_all(drive, in_folder(acme), page_size=1000)}
    assert not visible_ids & {f["id"] for f in trashed}


def test_search_by_document_type_name_and_dates(drive, seed: DriveState, acme: Company):
    stored = visible(seed, acme.drive_folder_id)
    for kind in DOCUMENT_TYPES:
        q = in_folder(acme, f" and appProperties has {{ key='document_type' and value='{kind}' }}")
        found = {f["id"] for f in list_all(drive, q)}
        assert found == {f.id for f in stored if f.app_properties.get("document_type") == kind}
    untyped = in_folder(
        acme,
        " and not appProperties has { key='document_type' and value='contract' }"
        " and not appProperties has { key='document_type' and value='statement_of_work' }"
        " and not (appProperties has { key='document_type' and value='report' })",
    )
    found = {f["id"] for f in list_all(drive, untyped)}
    assert found == {f.id for f in stored if not f.app_properties}
    assert found  # a few files carry no document_type

    agreements = {f["name"] for f in list_all(drive, in_folder(acme, " and name contains 'Agree'"))}
    assert agreements == {f.name for f in stored if re.search(r"\bAgree", f.name)}
    assert "Acme Holdings — Master Services Agreement" in min(agreements)

    moments = sorted(f.created_time for f in stored)
    low, high = moments[5], moments[-5]
    q = in_folder(
        acme,
        f" and createdTime >= '{low.isoformat()}' and createdTime < '{high.isoformat()}'",
    )
    found = {f["id"] for f in list_all(drive, q)}
    assert found == {f.id for f in stored if low <= f.created_time < high}
    assert len(found) == len(stored) - 10


def test_mime_type_or_and_parentheses(drive, seed: DriveState, acme: Company):
    stored = visible(seed, acme.drive_folder_id)
    sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    q = in_folder(acme, f" and (mimeType = '{sheet}' or mimeType = '{word}')")
    found = {f["id"] for f in list_all(drive, q)}
    assert found == {f.id for f in stored if f.mime_type in (sheet, word)}
    not_pdf = {
        f["id"] for f in list_all(drive, in_folder(acme, " and mimeType != 'application/pdf'"))
    }
    assert not_pdf == found


def test_escaped_quotes_in_names(drive, sandbox: SandboxControl, acme: Company):
    hostile = "Acme — O'Brien's \\ notes ' or name contains 'x.pdf"
    added = sandbox["drive"].call(
        "POST", "/_sandbox/files", {"folder_id": acme.drive_folder_id, "name": hostile}
    )
    literal = hostile.replace("\\", "\\\\").replace("'", "\\'")
    found = list_all(drive, in_folder(acme, f" and name = '{literal}'"))
    assert [f["id"] for f in found] == [added["id"]]
    assert found[0]["name"] == hostile
    unescaped = fail(drive.files().list(q=f"name = '{hostile}'"))
    assert unescaped.status_code == 400


def test_the_internal_file_is_in_no_company_folder(drive, backbone: Backbone):
    found = list_all(drive, f"name = '{INTERNAL_FILE_NAME}'")
    assert len(found) == 1
    folders = {c.drive_folder_id for c in backbone.companies}
    assert found[0]["parents"][0] not in folders


def test_order_by_name_and_folder(drive, seed: DriveState, acme: Company):
    names = [f["name"] for f in list_all(drive, in_folder(acme), orderBy="name", page_size=9)]
    assert names == sorted(names, key=lambda n: (n.casefold(), n))

    root = (
        drive.files()
        .list(q="'root' in parents", orderBy="folder,name desc", fields="files(name,mimeType)")
        .execute()["files"]
    )
    assert all(f["mimeType"] == "application/vnd.google-apps.folder" for f in root)
    folders = [f.name for f in seed.children(seed.root_id)]
    assert [f["name"] for f in root] == sorted(folders, key=str.casefold, reverse=True)


# --- files.get and media ------------------------------------------------------------------


def test_get_metadata_and_download_in_ranges(drive, seed: DriveState, acme: Company):
    stored = next(f for f in visible(seed, acme.drive_folder_id) if f.mime_type.endswith("pdf"))
    meta = drive.files().get(fileId=stored.id, fields="id,name,size,md5Checksum").execute()
    whole = drive.files().get_media(fileId=stored.id).execute()

    buffer = io.BytesIO()
    download = MediaIoBaseDownload(buffer, drive.files().get_media(fileId=stored.id), 30_000)
    done, chunks = False, 0
    while not done:
        _, done = download.next_chunk()
        chunks += 1

    assert buffer.getvalue() == whole
    assert chunks == -(-len(whole) // 30_000)
    assert meta == {
        "id": stored.id,
        "name": stored.name,
        "size": str(len(whole)),
        "md5Checksum": hashlib.md5(whole, usedforsecurity=False).hexdigest(),
    }
    assert whole.startswith(b"%PDF-1.4") and whole.endswith(b"%%EOF\n")
    xref_at = int(whole.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    offsets = re.findall(rb"(\d{10}) 00000 n", whole[xref_at:])
    for number, offset in enumerate(offsets, start=1):
        assert whole[int(offset) :].startswith(b"%d 0 obj" % number)


def test_office_files_are_valid_packages(drive, seed: DriveState, acme: Company):
    stored = next(f for f in visible(seed, acme.drive_folder_id) if f.name.endswith(".docx"))
    data = drive.files().get_media(fileId=stored.id).execute()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        document = package.read("word/document.xml").decode()
    assert stored.title.replace("&", "&amp;") in document


def test_get_unknown_file_is_googles_404(drive):
    error = fail(drive.files().get(fileId="1doesNotExist"))
    assert error.status_code == 404
    assert error.reason == "File not found: 1doesNotExist."
    assert error.error_details == [
        {
            "message": "File not found: 1doesNotExist.",
            "domain": "global",
            "reason": "notFound",
            "location": "fileId",
            "locationType": "parameter",
        }
    ]


def test_folders_cannot_be_downloaded(drive, acme: Company):
    error = fail(drive.files().get_media(fileId=acme.drive_folder_id))
    assert error.status_code == 403
    assert error.error_details[0]["reason"] == "fileNotDownloadable"


# --- errors -------------------------------------------------------------------------------


def test_missing_and_malformed_credentials_are_401(urls: dict[str, str]):
    # Plain httplib2: google-auth's AuthorizedHttp would try to refresh the token on a 401.
    anonymous = _service(urls["drive"], http=httplib2.Http())
    try:
        missing = fail(anonymous.files().list())
        request = anonymous.files().list()
        request.headers["authorization"] = "Bearer not a token"
        malformed = fail(request)
    finally:
        anonymous.close()
    assert missing.status_code == malformed.status_code == 401
    assert missing.error_details[0]["reason"] == "required"
    assert malformed.error_details[0]["reason"] == "authError"
    assert malformed.resp["www-authenticate"] == 'Bearer realm="https://accounts.google.com/"'


@pytest.mark.parametrize(
    ("params", "location", "reason"),
    [
        ({"q": "name contains 'open"}, "q", "invalid"),
        ({"q": "name > 'a'"}, "q", "invalid"),
        ({"q": "trashed = 'false'"}, "q", "invalid"),
        ({"q": "createdTime > 'yesterday'"}, "q", "invalid"),
        ({"q": "bogus = 'x'"}, "q", "invalid"),
        ({"q": "'a' in parents and"}, "q", "invalid"),
        ({"pageSize": 1001}, "pageSize", "invalid"),
        ({"pageSize": 0}, "pageSize", "invalid"),
        ({"orderBy": "size"}, "orderBy", "invalid"),
        ({"fields": "files(id,bogus)"}, "fields", "invalidParameter"),
        ({"pageToken": "forged"}, "pageToken", "invalid"),
        ({"q": "fullText contains 'report'", "orderBy": "name"}, "orderBy", "badRequest"),
    ],
)
def test_bad_list_parameters_are_400(drive, params: dict[str, Any], location: str, reason: str):
    error = fail(drive.files().list(**params))
    assert error.status_code == 400
    assert error.error_details[0]["location"] == location
    assert error.error_details[0]["reason"] == reason


def test_page_token_belongs_to_its_query(drive, acme: Company):
    page = drive.files().list(q=in_folder(acme), pageSize=2).execute()
    error = fail(drive.files().list(q="trashed = true", pageToken=page["nextPageToken"]))
    assert error.status_code == 400


# --- create, changes, watch ---------------------------------------------------------------


def upload(drive, body: dict[str, Any], data: bytes, mime_type: str) -> dict[str, Any]:
    request = drive.files().create(
        body=body, media_body=MediaInMemoryUpload(data, mimetype=mime_type), fields="*"
    )
    # The client keeps https:// for the upload host even when api_endpoint is http://.
    request.uri = request.uri.replace("https://", "http://", 1)
    created: dict[str, Any] = request.execute()
    return created


def test_multipart_upload_then_list_download_and_changes(drive, sandbox, acme: Company):
    start = drive.changes().getStartPageToken().execute()
    created = upload(
        drive,
        {"name": "Acme Holdings — Signed SOW.pdf", "parents": [acme.drive_folder_id],
         "appProperties": {"document_type": "statement_of_work"}},
        b"%PDF-1.4\nsigned\n%%EOF\n",
        "application/pdf",
    )  # fmt: skip
    assert created["mimeType"] == "application/pdf"
    assert created["size"] == "22"
    assert created["appProperties"] == {"document_type": "statement_of_work"}
    assert drive.files().get_media(fileId=created["id"]).execute() == b"%PDF-1.4\nsigned\n%%EOF\n"

    newest = (
        drive.files()
        .list(q=in_folder(acme), orderBy="createdTime desc", pageSize=1, fields="files(id)")
        .execute()
    )
    assert newest["files"] == [{"id": created["id"]}]

    changes = drive.changes().list(pageToken=start["startPageToken"]).execute()
    assert changes["newStartPageToken"] == str(int(start["startPageToken"]) + 1)
    assert [(c["fileId"], c["removed"], c["file"]["name"]) for c in changes["changes"]] == [
        (created["id"], False, "Acme Holdings — Signed SOW.pdf")
    ]
    assert [c.path for c in sandbox["drive"].requests()][1] == "/upload/drive/v3/files"


def test_metadata_only_create_of_a_folder(drive, acme: Company):
    folder = drive.files().create(
        body={"name": "Archive", "mimeType": "application/vnd.google-apps.folder",
              "parents": [acme.drive_folder_id]},
        fields="id,name,mimeType,parents,size",
    ).execute()  # fmt: skip
    assert folder["mimeType"] == "application/vnd.google-apps.folder"
    assert "size" not in folder
    error = fail(drive.files().create(body={"name": "x", "parents": ["1missing"]}))
    assert error.status_code == 404
    error = fail(drive.files().create(body={"name": "x", "size": "3"}))
    assert error.status_code == 403


def test_changes_show_the_latest_state_of_each_file_page_by_page(
    drive, sandbox: SandboxControl, acme: Company
):
    start = drive.changes().getStartPageToken().execute()["startPageToken"]
    admin = sandbox["drive"]
    first = admin.call("POST", "/_sandbox/files",
                       {"folder_id": acme.drive_folder_id, "name": "A.pdf",
                        "document_type": "report"})  # fmt: skip
    second = admin.call("POST", "/_sandbox/files",
                        {"folder_id": acme.drive_folder_id, "name": "B.pdf"})  # fmt: skip
    admin.call("POST", f"/_sandbox/files/{first['id']}/trash")

    fields = "nextPageToken,newStartPageToken,changes(fileId,removed,time,file(id,trashed))"
    page = drive.changes().list(pageToken=start, pageSize=1, fields=fields).execute()
    assert [c["fileId"] for c in page["changes"]] == [second["id"]]
    assert "newStartPageToken" not in page
    page = drive.changes().list(pageToken=page["nextPageToken"], fields=fields).execute()
    assert [(c["fileId"], c["file"]["trashed"]) for c in page["changes"]] == [(first["id"], True)]
    assert page["newStartPageToken"] == str(int(start) + 3)
    assert "nextPageToken" not in page
    moment = datetime.fromisoformat(page["changes"][0]["time"])
    assert moment.tzinfo == UTC

    found = list_all(drive, in_folder(acme, " and name = 'A.pdf'"))
    assert found == []


def test_changes_require_a_known_page_token(drive):
    assert fail(drive.changes().list(pageToken="12")).status_code == 400
    assert fail(drive.changes().list(pageToken="abc")).status_code == 400


def test_watch_stores_a_channel_and_stop_removes_it(drive, sandbox: SandboxControl):
    start = drive.changes().getStartPageToken().execute()["startPageToken"]
    channel = drive.changes().watch(
        pageToken=start,
        body={"id": "portal-1", "type": "web_hook", "address": "https://portal.example/hooks/drive",
              "token": "secret-ish"},
    ).execute()  # fmt: skip
    assert channel["kind"] == "api#channel"
    assert channel["id"] == "portal-1"
    assert channel["token"] == "secret-ish"
    assert channel["resourceUri"].endswith(f"pageToken={start}")
    stored = sandbox["drive"].call("GET", "/_sandbox/channels")
    assert [(c["id"], c["address"]) for c in stored] == [
        ("portal-1", "https://portal.example/hooks/drive")
    ]
    duplicate = fail(
        drive.changes().watch(pageToken=start, body={
            "id": "portal-1", "type": "web_hook", "address": "https://portal.example/x"})
    )  # fmt: skip
    assert duplicate.status_code == 400
    drive.channels().stop(body={"id": "portal-1", "resourceId": channel["resourceId"]}).execute()
    assert sandbox["drive"].call("GET", "/_sandbox/channels") == []


# --- knobs --------------------------------------------------------------------------------


def test_outage_and_rate_limit_knobs(drive, sandbox: SandboxControl, acme: Company):
    sandbox["drive"].set_knobs(outage=True)
    outage = fail(drive.files().get(fileId=acme.drive_folder_id))
    assert outage.status_code == 503
    assert outage.error_details[0]["reason"] == "backendError"

    sandbox["drive"].set_knobs(outage=False, rate_limit=1, rate_window_s=60)
    drive.files().get(fileId=acme.drive_folder_id).execute()
    limited = fail(drive.files().get(fileId=acme.drive_folder_id))
    assert limited.status_code == 429
    assert limited.error_details[0]["reason"] == "rateLimitExceeded"
    assert int(limited.resp["retry-after"]) > 0
    assert [c.status for c in sandbox["drive"].requests()] == [503, 200, 429]


def test_update_and_delete_are_changes(drive, seed: DriveState, acme: Company):
    stored = visible(seed, acme.drive_folder_id)[0]
    start = drive.changes().getStartPageToken().execute()["startPageToken"]

    updated = drive.files().update(
        fileId=stored.id,
        body={"name": "Renamed.pdf", "trashed": True,
              "appProperties": {"document_type": None, "reviewed": "yes"}},
        fields="name,trashed,appProperties,version",
    ).execute()  # fmt: skip
    assert updated == {
        "name": "Renamed.pdf",
        "trashed": True,
        "appProperties": {"reviewed": "yes"},
        "version": "3",
    }
    scratch = drive.files().create(body={"name": "scratch", "parents": [acme.drive_folder_id]})
    scratch_id = scratch.execute()["id"]
    drive.files().delete(fileId=scratch_id).execute()

    changes = drive.changes().list(pageToken=start, fields="changes(fileId,removed)").execute()
    assert changes["changes"] == [
        {"fileId": stored.id, "removed": False},
        {"fileId": scratch_id, "removed": True},
    ]
    assert fail(drive.files().get(fileId=scratch_id)).status_code == 404
