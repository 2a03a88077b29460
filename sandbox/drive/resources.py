"""Drive v3 resources as JSON: `File` rendered field by field (only what `fields` selects),
and the schemas `fields` is checked against."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sandbox.drive.content import blob_of
from sandbox.drive.fields import Mask, Schema, project, selects_all
from sandbox.drive.files import (
    OWNER_EMAIL,
    OWNER_NAME,
    OWNER_PERMISSION_ID,
    StoredFile,
)


def rfc3339(moment: datetime) -> str:
    """Drive's time format: UTC with milliseconds, `2025-03-01T09:30:00.000Z`."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def md5_of(file: StoredFile) -> str | None:
    if not file.has_binary_content:
        return None
    if file.md5 is None:
        file.md5 = blob_of(file).md5()
    return file.md5


_ME = {
    "kind": "drive#user",
    "displayName": OWNER_NAME,
    "me": True,
    "permissionId": OWNER_PERMISSION_ID,
    "emailAddress": OWNER_EMAIL,
    "photoLink": "https://lh3.googleusercontent.com/a/default-user=s64",
}


def _capabilities(file: StoredFile) -> dict[str, bool]:
    return {
        "canAddChildren": file.is_folder,
        "canComment": True,
        "canCopy": not file.is_folder,
        "canDelete": True,
        "canDownload": True,
        "canEdit": True,
        "canListChildren": file.is_folder,
        "canModifyContent": True,
        "canReadRevisions": not file.is_folder,
        "canRemoveChildren": file.is_folder,
        "canRename": True,
        "canShare": True,
        "canTrash": True,
        "canUntrash": True,
    }


def _binary(get: Callable[[StoredFile], Any]) -> Callable[[StoredFile], Any]:
    return lambda f: get(f) if f.has_binary_content else None


_GETTERS: dict[str, Callable[[StoredFile], Any]] = {
    "kind": lambda f: "drive#file",
    "id": lambda f: f.id,
    "name": lambda f: f.name,
    "mimeType": lambda f: f.mime_type,
    "description": lambda f: f.description,
    "starred": lambda f: f.starred,
    "trashed": lambda f: f.trashed,
    "explicitlyTrashed": lambda f: f.trashed,
    "trashedTime": lambda f: rfc3339(f.trashed_time) if f.trashed_time else None,
    "trashingUser": lambda f: _ME if f.trashed else None,
    "parents": lambda f: list(f.parents),
    "properties": lambda f: dict(f.properties) or None,
    "appProperties": lambda f: dict(f.app_properties) or None,
    "spaces": lambda f: ["drive"],
    "version": lambda f: str(f.version),
    "webContentLink": _binary(lambda f: f"https://drive.google.com/uc?id={f.id}&export=download"),
    "webViewLink": lambda f: (
        f"https://drive.google.com/drive/folders/{f.id}"
        if f.is_folder
        else f"https://drive.google.com/file/d/{f.id}/view?usp=drivesdk"
    ),
    "iconLink": lambda f: f"https://drive-thirdparty.googleusercontent.com/16/type/{f.mime_type}",
    "hasThumbnail": lambda f: False,
    "thumbnailVersion": lambda f: "0",
    "viewedByMe": lambda f: False,
    "createdTime": lambda f: rfc3339(f.created_time),
    "modifiedTime": lambda f: rfc3339(f.modified_time),
    "modifiedByMeTime": lambda f: rfc3339(f.modified_time),
    "modifiedByMe": lambda f: True,
    "owners": lambda f: [_ME],
    "lastModifyingUser": lambda f: _ME,
    "shared": lambda f: False,
    "ownedByMe": lambda f: True,
    "capabilities": _capabilities,
    "viewersCanCopyContent": lambda f: True,
    "copyRequiresWriterPermission": lambda f: False,
    "writersCanShare": lambda f: True,
    "permissionIds": lambda f: [OWNER_PERMISSION_ID],
    "folderColorRgb": lambda f: "#8f8f8f" if f.is_folder else None,
    "originalFilename": _binary(lambda f: f.name),
    "fullFileExtension": _binary(lambda f: f.extension),
    "fileExtension": _binary(lambda f: f.extension),
    "md5Checksum": md5_of,
    "size": _binary(lambda f: str(f.size or 0)),
    "quotaBytesUsed": lambda f: str(f.size or 0),
    "headRevisionId": _binary(lambda f: f"0B{f.id[2:14]}R{f.version}"),
    "isAppAuthorized": lambda f: True,
    "inheritedPermissionsDisabled": lambda f: False,
}

# Every field name of the v3 `File` schema; those without a getter are never set here.
FILE_SCHEMA: Schema = dict.fromkeys(
    [
        *_GETTERS,
        "clientEncryptionDetails", "contentHints", "contentRestrictions", "downloadRestrictions",
        "driveId", "exportLinks", "imageMediaMetadata", "labelInfo", "linkShareMetadata",
        "permissions", "resourceKey", "sha1Checksum", "sha256Checksum", "sharedWithMeTime",
        "sharingUser", "shortcutDetails", "teamDriveId", "thumbnailLink", "videoMediaMetadata",
        "viewedByMeTime",
    ]
)  # fmt: skip
FILE_LIST_SCHEMA: Schema = {
    "kind": None,
    "incompleteSearch": None,
    "nextPageToken": None,
    "files": FILE_SCHEMA,
}
CHANGE_SCHEMA: Schema = {
    **dict.fromkeys(
        ["kind", "type", "changeType", "time", "removed", "fileId", "driveId", "drive",
         "teamDriveId", "teamDrive"]
    ),
    "file": FILE_SCHEMA,
}  # fmt: skip
CHANGE_LIST_SCHEMA: Schema = {
    "kind": None,
    "nextPageToken": None,
    "newStartPageToken": None,
    "changes": CHANGE_SCHEMA,
}
START_PAGE_TOKEN_SCHEMA: Schema = {"kind": None, "startPageToken": None}
CHANNEL_SCHEMA: Schema = dict.fromkeys(
    ["kind", "id", "resourceId", "resourceUri", "token", "expiration", "type", "address",
     "payload", "params"]
)  # fmt: skip

DEFAULT_FILE_MASK: Mask = {"kind": None, "id": None, "name": None, "mimeType": None}


def render_file(file: StoredFile, mask: Mask | None) -> dict[str, Any]:
    """The `File` resource, with only the fields `mask` selects (unset fields are absent)."""
    names = _GETTERS if selects_all(mask) else (mask or {})
    rendered: dict[str, Any] = {}
    for name in names:
        getter = _GETTERS.get(name)
        value = getter(file) if getter else None
        if value is not None:
            rendered[name] = value
    if mask is None or "*" in mask:
        return rendered
    return {name: project(value, mask[name]) for name, value in rendered.items()}
