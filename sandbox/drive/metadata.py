"""The File metadata a request writes (files.create, files.update), checked as Drive checks it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.drive.errors import DriveError, bad_request, file_not_found
from sandbox.drive.files import FOLDER_MIME, StoredFile
from sandbox.drive.query import QueryError, parse_time
from sandbox.drive.resources import FILE_SCHEMA
from sandbox.drive.state import DriveState

_WRITABLE = {
    "name", "mimeType", "parents", "appProperties", "properties", "description", "starred",
    "createdTime", "modifiedTime", "id", "originalFilename", "contentHints", "folderColorRgb",
    "kind", "trashed", "copyRequiresWriterPermission", "writersCanShare", "viewedByMeTime",
}  # fmt: skip
# Drive caps each property at 124 bytes of key plus value (UTF-8).
_PROPERTY_BYTES = 124
DEFAULT_MIME = "application/octet-stream"


def check_metadata(metadata: Any) -> dict[str, Any]:
    if not isinstance(metadata, dict):
        raise bad_request("Invalid JSON payload received. Expected an object.")
    for name in metadata:
        if name not in FILE_SCHEMA:
            raise bad_request(
                f'Invalid JSON payload received. Unknown name "{name}": Cannot find field.'
            )
        if name not in _WRITABLE:
            raise DriveError(
                403,
                "The resource body includes fields which are not directly writable.",
                "fieldNotWritable",
            )
    return metadata


def new_file(
    state: DriveState,
    metadata: dict[str, Any],
    content: bytes | None,
    media_type: str | None,
) -> StoredFile:
    now = state.clock.now()
    mime_type = _text(metadata, "mimeType") or media_type or DEFAULT_MIME
    is_folder = mime_type == FOLDER_MIME
    if is_folder and content:
        raise bad_request("A folder cannot have content.")
    data = b"" if content is None and not is_folder else content
    file = StoredFile(
        id=_new_id(state, metadata),
        name=_text(metadata, "name") or "Untitled",
        mime_type=mime_type,
        parents=(_parent(state, metadata),),
        created_time=_time(metadata, "createdTime") or now,
        modified_time=_time(metadata, "modifiedTime") or now,
        app_properties=_properties(metadata, "appProperties"),
        properties=_properties(metadata, "properties"),
        description=_text(metadata, "description"),
        starred=bool(metadata.get("starred", False)),
        uploaded=None if is_folder else data,
        size=None if data is None else len(data),
    )
    return state.add(file)


def update_file(state: DriveState, file: StoredFile, changes: dict[str, Any]) -> None:
    """Applies files.update metadata: name, description, starred, properties, trashed."""
    if "name" in changes:
        file.name = _text(changes, "name") or file.name
    if "description" in changes:
        file.description = _text(changes, "description")
    if "starred" in changes:
        file.starred = bool(changes["starred"])
    _merge_properties(file.app_properties, changes, "appProperties")
    _merge_properties(file.properties, changes, "properties")
    if changes.get("trashed") is True:
        state.trash(file)
    elif changes.get("trashed") is False:
        state.untrash(file)
    if changes.keys() - {"trashed"}:
        file.modified_time = state.clock.now()
        file.version += 1
        state.changed("file.updated", file.id)


def _merge_properties(current: dict[str, str], changes: dict[str, Any], name: str) -> None:
    """Drive merges property maps on update; a null value removes its key."""
    values = changes.get(name) or {}
    current.update(_properties(changes, name))
    for key in [k for k, v in values.items() if v is None]:
        current.pop(key, None)


def _new_id(state: DriveState, metadata: dict[str, Any]) -> str:
    wanted = _text(metadata, "id")
    if wanted is None:
        return state.new_id()
    if state.get(wanted) is not None:
        raise DriveError(
            409, "A file already exists with the provided ID.", "duplicate", location="id"
        )
    return wanted


def _parent(state: DriveState, metadata: dict[str, Any]) -> str:
    parents = metadata.get("parents") or [state.root_id]
    if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
        raise bad_request("Invalid JSON payload received. parents must be a list of ids.")
    if len(parents) > 1:
        raise DriveError(403, "Increasing the number of parents is not allowed.", "cannotAddParent")
    folder = state.get(parents[0])
    if folder is None:
        raise file_not_found(parents[0], location="parents")
    if not folder.is_folder:
        raise bad_request("The specified parent is not a folder.", location="parents")
    return folder.id


def _text(metadata: dict[str, Any], name: str) -> str | None:
    value = metadata.get(name)
    if value is not None and not isinstance(value, str):
        raise bad_request(f"Invalid value for {name}: expected a string.")
    return value


def _time(metadata: dict[str, Any], name: str) -> datetime | None:
    text = _text(metadata, name)
    if text is None:
        return None
    try:
        return parse_time(text)
    except QueryError as exc:
        raise bad_request(f"Invalid value for {name}: {text}") from exc


def _properties(metadata: dict[str, Any], name: str) -> dict[str, str]:
    values = metadata.get(name) or {}
    if not isinstance(values, dict):
        raise bad_request(f"Invalid JSON payload received. {name} must be an object.")
    kept = {}
    for key, value in values.items():
        if value is None:
            continue
        if not isinstance(value, str):
            raise bad_request(f"Invalid value for {name}.{key}: expected a string.")
        if len(key.encode()) + len(value.encode()) > _PROPERTY_BYTES:
            raise bad_request(
                f"The limit of {_PROPERTY_BYTES} bytes for a property key and value "
                "has been exceeded."
            )
        kept[key] = value
    return kept
